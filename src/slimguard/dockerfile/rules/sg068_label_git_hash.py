"""SG068: a label the label schema types `hash` does not hold one."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.labels import invalid_pairs
from slimguard.dockerfile.context import LintContext


class LabelNotGitHash(Rule):
    id = "SG068"
    title = "Label is not a git hash"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("DL3055",)
    docs = RuleDocs(
        what=(
            "With a label schema (hadolint's `label-schema` in .hadolint.yaml, `label-schema` in slimguard's "
            "settings, or `--require-label NAME:hash`), finds LABEL values (ONBUILD LABEL triggers too) "
            "whose key the schema types `hash` and that are not a git commit hash: 7 (short) or 40 lower-case hexadecimal digits. Without a schema the rule "
            "reports nothing; it is in the default set because configuring a schema is the opt-in."
        ),
        why=(
            "`org.opencontainers.image.revision` ties the image to the commit it was built from; anything else cannot be looked up."
        ),
        example='FROM debian:bookworm-slim\nLABEL org.opencontainers.image.revision="main"\n',
        instead='FROM debian:bookworm-slim\nLABEL org.opencontainers.image.revision="2dbfae9"\n',
        fix_safety="No fix: the right value is not in the Dockerfile.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for pair in invalid_pairs(ctx, "hash"):
            yield ctx.at(self, pair.instruction, f"label `{pair.key}` is not a git hash (7 or 40 lower-case hex digits): {pair.value!r}")


RULE = LabelNotGitHash

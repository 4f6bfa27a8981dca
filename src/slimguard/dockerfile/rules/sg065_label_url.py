"""SG065: a label the label schema types `url` does not hold one."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.labels import invalid_pairs
from slimguard.dockerfile.context import LintContext


class LabelNotUrl(Rule):
    id = "SG065"
    title = "Label is not a URL"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("DL3052",)
    docs = RuleDocs(
        what=(
            "With a label schema (hadolint's `label-schema` in .hadolint.yaml, `label-schema` in slimguard's "
            "settings, or `--require-label NAME:url`), finds LABEL values (ONBUILD LABEL triggers too) "
            "whose key the schema types `url` and that are not a URL (a scheme such as `https:` followed by characters a URI may hold; no spaces). Without a schema the rule "
            "reports nothing; it is in the default set because configuring a schema is the opt-in."
        ),
        why=(
            "Tools read `url`-typed labels (`org.opencontainers.image.source`, `.url`, `.documentation`) as links; a bare host name or a sentence breaks them."
        ),
        example='FROM debian:bookworm-slim\nLABEL org.opencontainers.image.source="example.com/repo"\n',
        instead='FROM debian:bookworm-slim\nLABEL org.opencontainers.image.source="https://example.com/repo"\n',
        fix_safety="No fix: the right value is not in the Dockerfile.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for pair in invalid_pairs(ctx, "url"):
            yield ctx.at(self, pair.instruction, f"label `{pair.key}` is not a valid URL: {pair.value!r}")


RULE = LabelNotUrl

"""SG069: a label the label schema types `semver` does not hold one."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.labels import invalid_pairs
from slimguard.dockerfile.context import LintContext


class LabelNotSemver(Rule):
    id = "SG069"
    title = "Label is not a semantic version"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("DL3056",)
    docs = RuleDocs(
        what=(
            "With a label schema (hadolint's `label-schema` in .hadolint.yaml, `label-schema` in slimguard's "
            "settings, or `--require-label NAME:semver`), finds LABEL values (ONBUILD LABEL triggers too) "
            "whose key the schema types `semver` and that are not a semantic version `MAJOR.MINOR.PATCH` with optional `-prerelease` and `+build` parts (no `v` prefix). Without a schema the rule "
            "reports nothing; it is in the default set because configuring a schema is the opt-in."
        ),
        why=(
            "`org.opencontainers.image.version` is compared and sorted by tools that expect semantic versions; `v1.2` or `latest` cannot be ordered."
        ),
        example='FROM debian:bookworm-slim\nLABEL org.opencontainers.image.version="v1.4"\n',
        instead='FROM debian:bookworm-slim\nLABEL org.opencontainers.image.version="1.4.2"\n',
        fix_safety="No fix: the right value is not in the Dockerfile.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for pair in invalid_pairs(ctx, "semver"):
            yield ctx.at(self, pair.instruction, f"label `{pair.key}` does not conform to semantic versioning: {pair.value!r}")


RULE = LabelNotSemver

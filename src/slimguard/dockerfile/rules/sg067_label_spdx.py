"""SG067: a label the label schema types `spdx` does not hold one."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.labels import invalid_pairs
from slimguard.dockerfile.context import LintContext


class LabelNotSpdx(Rule):
    id = "SG067"
    title = "Label is not an SPDX license id"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("DL3054",)
    docs = RuleDocs(
        what=(
            "With a label schema (hadolint's `label-schema` in .hadolint.yaml, `label-schema` in slimguard's "
            "settings, or `--require-label NAME:spdx`), finds LABEL values (ONBUILD LABEL triggers too) "
            "whose key the schema types `spdx` and that are not one current SPDX license identifier (`MIT`, `Apache-2.0`, `GPL-2.0-only`; case-sensitive; deprecated ids such as `GPL-2.0`, expressions with OR/AND/WITH and `+` are not accepted, like hadolint). Without a schema the rule "
            "reports nothing; it is in the default set because configuring a schema is the opt-in."
        ),
        why=(
            "`org.opencontainers.image.licenses` is read by license scanners and SBOM tools; a free-form name is not recognised and the image shows up as unlicensed."
        ),
        example='FROM debian:bookworm-slim\nLABEL org.opencontainers.image.licenses="Apache License 2"\n',
        instead='FROM debian:bookworm-slim\nLABEL org.opencontainers.image.licenses="Apache-2.0"\n',
        fix_safety="No fix: the right value is not in the Dockerfile.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for pair in invalid_pairs(ctx, "spdx"):
            yield ctx.at(self, pair.instruction, f"label `{pair.key}` is not a valid SPDX license identifier: {pair.value!r}")


RULE = LabelNotSpdx

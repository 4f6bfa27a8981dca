"""SG071: a label the label schema types `email` does not hold one."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.labels import invalid_pairs
from slimguard.dockerfile.context import LintContext


class LabelNotEmail(Rule):
    id = "SG071"
    title = "Label is not an e-mail address"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("DL3058",)
    docs = RuleDocs(
        what=(
            "With a label schema (hadolint's `label-schema` in .hadolint.yaml, `label-schema` in slimguard's "
            "settings, or `--require-label NAME:email`), finds LABEL values (ONBUILD LABEL triggers too) "
            "whose key the schema types `email` and that are not an RFC 5322 address `local@domain` (no display name, no angle brackets). Without a schema the rule "
            "reports nothing; it is in the default set because configuring a schema is the opt-in."
        ),
        why=(
            "Labels typed `email` (a `maintainer` or `org.opencontainers.image.authors` contact) are meant to be mailed; `Jane <jane@example.com>` or a plain name is not an address."
        ),
        example='FROM debian:bookworm-slim\nLABEL maintainer="Ops Team <ops@example.com>"\n',
        instead='FROM debian:bookworm-slim\nLABEL maintainer="ops@example.com"\n',
        fix_safety="No fix: the right value is not in the Dockerfile.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for pair in invalid_pairs(ctx, "email"):
            yield ctx.at(self, pair.instruction, f"label `{pair.key}` is not an RFC 5322 e-mail address: {pair.value!r}")


RULE = LabelNotEmail

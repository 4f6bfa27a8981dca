"""SG066: a label the label schema types `rfc3339` does not hold one."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.labels import invalid_pairs
from slimguard.dockerfile.context import LintContext


class LabelNotRfc3339(Rule):
    id = "SG066"
    title = "Label is not an RFC 3339 time"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("DL3053",)
    docs = RuleDocs(
        what=(
            "With a label schema (hadolint's `label-schema` in .hadolint.yaml, `label-schema` in slimguard's "
            "settings, or `--require-label NAME:rfc3339`), finds LABEL values (ONBUILD LABEL triggers too) "
            "whose key the schema types `rfc3339` and that are not an RFC 3339 date-time (`2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.5+02:00`: a `T`, seconds and a time zone are required). Without a schema the rule "
            "reports nothing; it is in the default set because configuring a schema is the opt-in."
        ),
        why=(
            "`org.opencontainers.image.created` and similar labels are read as RFC 3339 times; a date alone, a missing zone or a space instead of `T` makes them unparsable or ambiguous."
        ),
        example='FROM debian:bookworm-slim\nLABEL org.opencontainers.image.created="2024-05-01"\n',
        instead='FROM debian:bookworm-slim\nLABEL org.opencontainers.image.created="2024-05-01T12:00:00Z"\n',
        fix_safety="No fix: the right value is not in the Dockerfile.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for pair in invalid_pairs(ctx, "rfc3339"):
            yield ctx.at(self, pair.instruction, f"label `{pair.key}` is not an RFC 3339 date-time: {pair.value!r}")


RULE = LabelNotRfc3339

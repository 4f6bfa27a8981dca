"""SG064: a label the label schema lists is set to an empty value."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.labels import label_pairs
from slimguard.dockerfile.context import LintContext


class LabelEmpty(Rule):
    id = "SG064"
    title = "Schema label is empty"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("DL3051",)
    docs = RuleDocs(
        what=(
            "With a label schema (hadolint's `label-schema`, slimguard's `label-schema` setting or "
            "`--require-label NAME:TYPE`), finds LABEL values (ONBUILD LABEL triggers too) that are empty "
            "for a label the schema lists, whatever its type. Without a schema the rule reports nothing; "
            "it is in the default set because configuring a schema is the opt-in."
        ),
        why=(
            "An empty required label satisfies a presence check while carrying no information; it usually "
            "comes from a build argument that was not passed (`LABEL version=\"$VERSION\"`)."
        ),
        example='FROM debian:bookworm-slim\nLABEL org.opencontainers.image.version=""\n',
        instead='FROM debian:bookworm-slim\nLABEL org.opencontainers.image.version="1.4.2"\n',
        fix_safety="No fix: the right value is not in the Dockerfile.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        schema = ctx.options.label_schema
        if not schema:
            return
        for pair in label_pairs(ctx):
            if pair.key in schema and pair.value == "":
                yield ctx.at(self, pair.instruction, f"label `{pair.key}` is empty")


RULE = LabelEmpty

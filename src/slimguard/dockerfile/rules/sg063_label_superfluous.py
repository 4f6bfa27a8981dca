"""SG063: with strict labels, a LABEL sets a label the schema does not list."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.labels import label_instructions
from slimguard.dockerfile.context import LintContext


class LabelSuperfluous(Rule):
    id = "SG063"
    title = "Label not in the schema (strict labels)"
    severity = Severity.INFO
    concern = "syntax"
    aliases = ("DL3050",)
    docs = RuleDocs(
        what=(
            "With `strict-labels` and a label schema (hadolint's `strict-labels` and `label-schema`, "
            "slimguard's settings of the same names, or `--strict-labels` with `--require-label`), finds "
            "LABEL instructions (ONBUILD LABEL triggers too) that set a label the schema does not list; "
            "one finding per LABEL, like hadolint's DL3050. Without both settings the rule reports "
            "nothing; it is in the default set because configuring them is the opt-in."
        ),
        why=(
            "A strict schema keeps the labels of all images uniform: an extra label is usually a typo of "
            "a required one (`org.opencontainers.image.sources`) or a label nobody agreed on."
        ),
        example='FROM debian:bookworm-slim\nLABEL version="1.0" team="ops"\n',
        instead='FROM debian:bookworm-slim\nLABEL version="1.0"\n',
        fix_safety="No fix: whether to drop the label or add it to the schema is the author's call.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        schema = ctx.options.label_schema
        if not ctx.options.strict_labels or not schema:
            return
        for ins, pairs in label_instructions(ctx):
            extra = [p.key for p in pairs if p.key not in schema]
            if extra:
                yield ctx.at(self, ins, f"label(s) not in the label schema: {', '.join(extra)}")


RULE = LabelSuperfluous

"""SG062: a label the label schema requires is missing."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.labels import missing_labels
from slimguard.dockerfile.context import LintContext


class LabelMissing(Rule):
    id = "SG062"
    title = "Required label missing"
    severity = Severity.INFO
    concern = "syntax"
    aliases = ("DL3049",)
    docs = RuleDocs(
        what=(
            "With a label schema (hadolint's `label-schema`, slimguard's `label-schema` setting or "
            "`--require-label NAME:TYPE`), reports each stage and each schema label the stage lacks. A "
            "stage has a label when one of its LABELs sets it or the stage it is built FROM had it "
            "(ONBUILD LABEL triggers do not count). A stage without the label is not reported when a stage "
            "that has it builds FROM it or copies from it (`COPY --from=name`), directly or through other "
            "stages, as in hadolint's DL3049. Without a schema the rule reports nothing; it is in the "
            "default set because configuring a schema is the opt-in."
        ),
        why=(
            "Organisations require labels (source repository, version, owner) so that every image in a "
            "registry can be traced back to its code and team; an image built without them is an orphan."
        ),
        example="FROM debian:bookworm-slim\nCOPY app /app\n",
        instead='FROM debian:bookworm-slim\nLABEL org.opencontainers.image.source="https://example.com/repo"\nCOPY app /app\n',
        fix_safety="No fix: the label's value is not in the Dockerfile.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        required = list(ctx.options.label_schema)
        if not required:
            return
        for ins, label in missing_labels(ctx, required):
            yield ctx.at(self, ins, f"label `{label}` is missing from this stage")


RULE = LabelMissing

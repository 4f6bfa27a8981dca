"""SG082: more than one ENTRYPOINT in a stage."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.instrs import repeated_in_stage
from slimguard.dockerfile.context import LintContext


class MultipleEntrypoint(Rule):
    id = "SG082"
    title = "Multiple ENTRYPOINT instructions in one stage"
    severity = Severity.ERROR
    concern = "syntax"
    peers = ("DS007", "DS-0007", "AVD-DS-0007")
    aliases = ("DL4004",)
    docs = RuleDocs(
        what=(
            "Finds every ENTRYPOINT after the first in the same stage (each FROM starts afresh; a ENTRYPOINT in the "
            "stage a FROM names does not count, nor do ONBUILD ENTRYPOINT triggers)."
        ),
        why=(
            "Only the last ENTRYPOINT of a stage takes effect. An earlier one is dead code that misleads "
            "readers, and often shows that lines were moved or a stage split went wrong."
        ),
        example='FROM debian:bookworm-slim\nENTRYPOINT ["/bin/sh"]\nCOPY app /app\nENTRYPOINT ["/app"]\n',
        instead='FROM debian:bookworm-slim\nCOPY app /app\nENTRYPOINT ["/app"]\n',
        fix_safety=(
            "No fix: which ENTRYPOINT was meant is the author's call, even though deleting the earlier ones "
            "keeps the image the same."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ins in repeated_in_stage(ctx, "ENTRYPOINT"):
            yield ctx.at(self, ins, "multiple `ENTRYPOINT` instructions in this stage; only the last one takes effect")


RULE = MultipleEntrypoint

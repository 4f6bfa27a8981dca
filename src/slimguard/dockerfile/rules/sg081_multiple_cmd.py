"""SG081: more than one CMD in a stage."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.instrs import repeated_in_stage
from slimguard.dockerfile.context import LintContext


class MultipleCmd(Rule):
    id = "SG081"
    title = "Multiple CMD instructions in one stage"
    severity = Severity.WARNING
    concern = "syntax"
    peers = ("DS016", "DS-0016", "AVD-DS-0016")
    aliases = ("DL4003",)
    docs = RuleDocs(
        what=(
            "Finds every CMD after the first in the same stage (each FROM starts afresh; a CMD in the "
            "stage a FROM names does not count, nor do ONBUILD CMD triggers)."
        ),
        why=(
            "Only the last CMD of a stage takes effect. An earlier one is dead code that misleads "
            "readers, and often shows that lines were moved or a stage split went wrong."
        ),
        example='FROM debian:bookworm-slim\nCMD ["sleep", "infinity"]\nCOPY app /app\nCMD ["/app"]\n',
        instead='FROM debian:bookworm-slim\nCOPY app /app\nCMD ["/app"]\n',
        fix_safety=(
            "No fix: which CMD was meant is the author's call, even though deleting the earlier ones "
            "keeps the image the same."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ins in repeated_in_stage(ctx, "CMD"):
            yield ctx.at(self, ins, "multiple `CMD` instructions in this stage; only the last one takes effect")


RULE = MultipleCmd

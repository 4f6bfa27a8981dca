"""SG074: an instruction other than ARG before the first FROM."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext


class InstructionOrder(Rule):
    id = "SG074"
    title = "Instruction before the first FROM"
    severity = Severity.ERROR
    concern = "syntax"
    aliases = ("DL3061",)
    docs = RuleDocs(
        what=(
            "Finds instructions other than ARG before the first FROM (comments and parser directives are "
            "fine). Each one is reported."
        ),
        why=(
            "A Dockerfile must start with FROM, optionally after global ARGs. Docker rejects anything "
            "else there (`no build stage in current context`), so the file does not build."
        ),
        example="LABEL org.opencontainers.image.source=https://example.com/repo\nFROM debian:bookworm-slim\n",
        instead="FROM debian:bookworm-slim\nLABEL org.opencontainers.image.source=https://example.com/repo\n",
        fix_safety="No fix: moving the instruction into a stage is the author's call (which stage?).",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ins in ctx.tree.instructions:
            if ins.name == "FROM":
                return
            if ins.name != "ARG":
                yield ctx.at(self, ins, f"`{ins.keyword}` before the first FROM: a Dockerfile must begin with "
                                        "FROM, ARG or a comment")


RULE = InstructionOrder

"""SG056: ONBUILD with a trigger Docker refuses (ONBUILD, FROM or MAINTAINER)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext

REFUSED = frozenset({"ONBUILD", "FROM", "MAINTAINER"})


class OnbuildTrigger(Rule):
    id = "SG056"
    title = "ONBUILD trigger Docker refuses"
    severity = Severity.ERROR
    concern = "syntax"
    aliases = ("DL3043",)
    docs = RuleDocs(
        what="Finds `ONBUILD ONBUILD …`, `ONBUILD FROM …` and `ONBUILD MAINTAINER …`, anywhere in the file.",
        why=("Docker refuses these triggers when the image is built (\"Chaining ONBUILD via `ONBUILD ONBUILD` "
             "isn't allowed\", \"FROM isn't allowed as an ONBUILD trigger\"), so the base image cannot be built "
             "at all."),
        example="FROM debian:bookworm-slim\nONBUILD FROM alpine:3.20\n",
        instead="FROM debian:bookworm-slim\nONBUILD COPY . /src\n",
        fix_safety="No fix: what the trigger was meant to do has to be written by hand.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ins in ctx.tree.instructions:
            if ins.name != "ONBUILD":
                continue
            trigger = ins.trigger
            name = trigger.name if trigger is not None else (ins.rest.split(None, 1) or [""])[0].upper()
            if name in REFUSED:
                yield ctx.at(self, ins, f"`ONBUILD {name}` is not allowed: Docker refuses {name} as an ONBUILD "
                                        "trigger and the build fails")


RULE = OnbuildTrigger

"""SG038: COPY --from names its own stage."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.instrs import sites, stage_names
from slimguard.dockerfile.context import LintContext


class CopyFromItself(Rule):
    id = "SG038"
    title = "COPY --from names its own stage"
    severity = Severity.ERROR
    concern = "syntax"
    peers = ("DS006", "DS-0006", "AVD-DS-0006")
    aliases = ("DL3023",)
    docs = RuleDocs(
        what="Finds `COPY --from=<stage>` inside the stage `<stage>` itself (by name or index).",
        why=("A stage cannot copy from itself: BuildKit fails with a circular dependency. Usually another "
             "stage, or a path from the build context, was meant."),
        example="FROM node:20 AS build\nCOPY --from=build /app/dist /srv\n",
        instead="FROM node:20 AS build\nRUN npm run build\nFROM nginx:1.27\nCOPY --from=build /app/dist /srv\n",
        fix_safety="No fix: which stage was meant cannot be known.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        froms = stage_names(ctx)
        for site in sites(ctx):
            ins = site.ins
            flag = ins.flag("from") if ins.name == "COPY" else None
            if flag is None or flag.value is None or site.stage < 0:
                continue
            ref = flag.value
            own = froms[site.stage][1]
            hado = own is not None and ref == own
            real = (own is not None and ref.lower() == own.lower()) or ref == str(site.stage)
            if not real:
                continue
            yield ctx.at(self, site.reported,
                         f"COPY --from={ref} names the stage it is in; copy from another stage",
                         aliases=self.aliases if hado and not site.onbuild else ())


RULE = CopyFromItself

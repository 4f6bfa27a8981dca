"""SG031: more than one HEALTHCHECK in a stage."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.instrs import sites
from slimguard.dockerfile.context import LintContext


class MultipleHealthchecks(Rule):
    id = "SG031"
    title = "Multiple HEALTHCHECK instructions"
    severity = Severity.ERROR
    concern = "syntax"
    peers = ("DS023", "DS-0023", "AVD-DS-0023")
    aliases = ("DL3012",)
    docs = RuleDocs(
        what=("Finds every HEALTHCHECK after the first one of a stage (`HEALTHCHECK NONE` included; "
              "ONBUILD triggers are not counted)."),
        why=("Only the last HEALTHCHECK of a stage takes effect; the earlier ones do nothing, and a reader "
             "may think the first one is the check that runs."),
        example="FROM nginx:1.27\nHEALTHCHECK CMD curl -f http://localhost/\nHEALTHCHECK CMD wget -q -O- http://localhost/\n",
        instead="FROM nginx:1.27\nHEALTHCHECK CMD curl -f http://localhost/\n",
        fix_safety="No fix: which of the checks is the intended one is for you to decide.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        seen: set[int] = set()
        for site in sites(ctx, onbuild=False):
            if site.ins.name != "HEALTHCHECK":
                continue
            if site.stage in seen:
                yield ctx.at(self, site.reported,
                             "a stage has more than one HEALTHCHECK and only the last one takes effect; keep one")
            seen.add(site.stage)


RULE = MultipleHealthchecks

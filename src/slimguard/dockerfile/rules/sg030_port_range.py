"""SG030: EXPOSE of a port outside 0-65535."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.instrs import sites, unquote
from slimguard.dockerfile.context import LintContext


def _invalid(spec: str) -> bool:
    port = unquote(spec).split("/", 1)[0]
    if "$" in port:
        return False  # a variable: unknown here
    parts = port.split("-", 1)
    return any(p.isdigit() and int(p) > 65535 for p in parts)


class PortRange(Rule):
    id = "SG030"
    title = "Port outside 0-65535"
    severity = Severity.ERROR
    concern = "syntax"
    peers = ("DS008", "DS-0008", "AVD-DS-0008")
    aliases = ("DL3011",)
    docs = RuleDocs(
        what=("Finds EXPOSE instructions with a port or port range bound above 65535 (one finding per "
              "EXPOSE). Ports given by a variable are not checked."),
        why="TCP and UDP ports are 16-bit numbers: Docker rejects the image or the run with such a port.",
        example="FROM nginx:1.27\nEXPOSE 80800\n",
        instead="FROM nginx:1.27\nEXPOSE 8080\n",
        fix_safety="No fix: which port was meant cannot be known.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in sites(ctx):
            if site.ins.name != "EXPOSE":
                continue
            bad = [w for w in site.ins.buildkit_value() if _invalid(w)]
            if bad:
                yield ctx.at(self, site.reported,
                             f"port {', '.join(bad)} is outside 0-65535; valid UNIX ports are 16-bit",
                             aliases=() if site.onbuild else self.aliases)


RULE = PortRange

"""SG026: commands that make no sense in a RUN (interactive tools, service control)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import hadolint_sees, run_sites
from slimguard.dockerfile.context import LintContext

# the commands hadolint's DL3001 names (its message also lists ifconfig, which it does not check)
POINTLESS = frozenset({"ssh", "vim", "shutdown", "service", "ps", "free", "top", "kill", "mount"})


class PointlessCommands(Rule):
    id = "SG026"
    title = "Command that makes no sense in a RUN"
    severity = Severity.INFO
    concern = "syntax"
    aliases = ("DL3001",)
    default = False
    docs = RuleDocs(
        what=("Finds RUN commands that need a running system or a terminal: `ssh`, `vim`, `shutdown`, "
              "`service`, `ps`, `free`, `top`, `kill`, `mount`. One finding per RUN. Off by default "
              "(hadolint parity): select it with `--select SG026` or use hadolint mode."),
        why=("A RUN step has no init system, no terminal and no services from earlier steps: `service x "
             "start` starts nothing that survives the step, `vim` and `top` wait for a terminal, and what "
             "`ps` or `free` print describes the build machine, not the container."),
        example="FROM debian:bookworm-slim\nRUN service nginx start\n",
        instead='FROM nginx:1.27\nCMD ["nginx", "-g", "daemon off;"]\n',
        fix_safety="No fix: what the command was meant to do has to move to CMD, ENTRYPOINT or the runtime.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in run_sites(ctx):
            found = [c for c in site.script.commands if c.name in POINTLESS]
            if not found:
                continue
            hado = any(hadolint_sees(site, c) and c.name_word is not None and c.name_word.value == c.name
                       for c in found)
            names = ", ".join(dict.fromkeys(f"`{c.name}`" for c in found))
            yield ctx.at(self, site.instruction,
                         f"{names} makes no sense in a RUN (no init, no terminal, no running services); "
                         "move it to CMD/ENTRYPOINT or drop it",
                         aliases=self.aliases if hado else ())


RULE = PointlessCommands

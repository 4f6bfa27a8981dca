"""SG027: cd in a RUN instead of WORKDIR."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import hadolint_sees, run_sites
from slimguard.dockerfile.context import LintContext


class CdInRun(Rule):
    id = "SG027"
    title = "cd instead of WORKDIR"
    severity = Severity.WARNING
    concern = "syntax"
    peers = ("DS013", "DS-0013", "AVD-DS-0013")
    aliases = ("DL3003",)
    default = False  # precision corpus: almost always noise outside hadolint mode (see bench/precision)
    docs = RuleDocs(
        what="Finds `cd` in RUN instructions (one finding per RUN, ONBUILD triggers included).",
        why=("A `cd` lasts only until the end of its RUN: the next RUN, COPY and the container's CMD start "
             "in the WORKDIR again, which is easy to forget and makes relative paths in later steps point "
             "elsewhere. WORKDIR states the directory once for every later instruction."),
        example="FROM debian:bookworm-slim\nRUN cd /usr/src/app && make\n",
        instead="FROM debian:bookworm-slim\nWORKDIR /usr/src/app\nRUN make\n",
        fix_safety=("No fix: a WORKDIR also changes the directory of every later instruction and of the "
                    "container, and creates the directory if it is missing."),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in run_sites(ctx):
            found = [c for c in site.script.commands if c.name == "cd"]
            if not found:
                continue
            # hadolint does not check ONBUILD triggers for this
            hado = not site.onbuild and any(hadolint_sees(site, c) for c in found)
            yield ctx.at(self, site.instruction,
                         "`cd` only lasts until the end of this RUN; use WORKDIR to switch to a directory",
                         aliases=self.aliases if hado else ())


RULE = CdInRun

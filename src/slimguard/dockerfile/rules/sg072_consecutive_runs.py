"""SG072: consecutive single-command RUNs that could be one layer."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import run_sites
from slimguard.dockerfile.analysis.shellview import top_commands
from slimguard.dockerfile.context import LintContext


class ConsecutiveRuns(Rule):
    id = "SG072"
    title = "Consecutive RUNs could be consolidated"
    severity = Severity.INFO
    concern = "pkg-hygiene"
    aliases = ("DL3059",)
    default = False
    docs = RuleDocs(
        what=(
            "Finds a RUN that directly follows another RUN (comments and blank lines in between do not "
            "count) when both run a single command and carry the same flags (`--mount`, `--network`, "
            "`--security`). A RUN that chains commands (`&&`, `;`, a pipe) is already consolidated and "
            "resets the check, as does any other instruction, an ONBUILD trigger included. This is "
            "hadolint's DL3059, a style rule: it runs only when selected or in hadolint mode."
        ),
        why=(
            "Every RUN makes a layer. Two one-command RUNs in a row add layer overhead and, worse, let "
            "files that the second command deletes ship in the first layer. Chaining them keeps one "
            "layer and lets clean-up happen where the files were made."
        ),
        example="FROM debian:bookworm-slim\nRUN mkdir /app\nRUN chown 10001 /app\n",
        instead="FROM debian:bookworm-slim\nRUN mkdir /app && chown 10001 /app\n",
        fix_safety=(
            "No fix: merging RUNs changes the layer structure, the build cache and what a failing "
            "command leaves behind, and a RUN can depend on the shell state the other does not share."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        counts = {id(site.instruction): (len(top_commands(site.script)), site.run.buildkit_flags())
                  for site in run_sites(ctx) if not site.onbuild}
        prev: tuple[int, tuple[str, ...]] | None = None
        for ins in ctx.tree.instructions:
            cur = counts.get(id(ins)) if ins.name == "RUN" else None
            if ins.name == "RUN" and cur is None:  # heredoc RUNs before the first FROM: not analysed
                cur = (0, ins.buildkit_flags())
            if cur is not None and prev is not None and prev[0] == 1 and cur[0] == 1 and prev[1] == cur[1]:
                yield ctx.at(self, ins, "Multiple consecutive `RUN` instructions; consider consolidating "
                                        "them into one with `&&`")
            prev = cur


RULE = ConsecutiveRuns

"""SG092: a package index update in a RUN that installs nothing with that manager."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import command_finding, run_sites
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.shell.model import PackageOp, SimpleCommand

MANAGERS = frozenset({"apt", "apk", "dnf", "zypper"})
USES_INDEX = frozenset({"install", "upgrade"})
SCRIPT_RUNNERS = frozenset({"sh", "bash", "dash", "ash", "zsh", "eval", "source", ".", "xargs", "make", "env"})


def _may_install(cmd: SimpleCommand) -> bool:
    """True for a command that may install packages out of sight: a script, a runner, an unknown word."""
    name = cmd.name
    written = cmd.name_word.value if cmd.name_word is not None else name
    return name is None or written is None or name in SCRIPT_RUNNERS or "/" in written or name.endswith(".sh")


class UpdateAlone(Rule):
    id = "SG092"
    title = "Package index updated in a RUN that installs nothing"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    peers = ("DS017", "DS-0017", "AVD-DS-0017", "CKV_DOCKER_5")
    docs = RuleDocs(
        what=("Finds `apt-get update`, `apk update`, `dnf/yum makecache`/`check-update` and `zypper refresh` "
              "in a RUN where no install or upgrade of the same package manager follows. Every stage and "
              "ONBUILD trigger is checked. A RUN that goes on to run a script (`bash install.sh`, `./setup`) "
              "may install with the fresh index and is not reported."),
        why=("The build cache keys a RUN by its text: once `RUN apt-get update` is cached, a later "
             "`RUN apt-get install` changed weeks afterwards installs from the old index and fetches outdated "
             "versions or fails with 404s. And the index itself stays in that layer. Updating and installing "
             "in one RUN keeps the two together."),
        example="FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n",
        instead=("FROM debian:bookworm-slim\nRUN apt-get update \\\n"
                 "    && apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\n"),
        fix_safety="No fix: joining two RUNs changes the layer layout; do it by hand.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in run_sites(ctx):
            ops = [op for op in site.script.of_type(PackageOp) if op.manager in MANAGERS]
            for i, op in enumerate(ops):
                if op.action != "update":
                    continue
                if any(o.manager == op.manager and o.action in USES_INDEX for o in ops[i + 1:]):
                    continue
                if any(_may_install(c) for c in site.script.commands if c.start > op.command.end):
                    continue  # a script run after the update may install with it
                tool = op.tool or op.command.name or op.manager
                yield command_finding(
                    ctx, self, site, op.command,
                    f"`{tool}` updates the package index but this RUN installs nothing with it: a later RUN "
                    "may install from a stale cached index; update and install in the same RUN",
                )


RULE = UpdateAlone

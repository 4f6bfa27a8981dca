"""SG084: a RUN pipes commands while the shell ignores failures before the last one."""

from __future__ import annotations

import json
import posixpath
import re
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import RunSite, command_finding, run_sites
from slimguard.dockerfile.analysis.shellview import top_commands
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.shell import SimpleCommand

DEFAULT_SHELL = ("/bin/sh", "-c")
# the shells hadolint accepts, written exactly like this
HADOLINT_SHELLS = frozenset({"/bin/bash", "/bin/zsh", "/bin/ash", "bash", "zsh", "ash"})
# shells with a pipefail option (by basename); plain sh may be dash, which has none
PIPEFAIL_SHELLS = frozenset({"bash", "zsh", "ash", "ksh", "mksh", "ksh93", "busybox"})
NON_POSIX = ("pwsh", "powershell", "cmd")
_O_FLAG = re.compile(r"^-[A-Za-z]*o$")


def _pipefail_option(args: tuple[str, ...]) -> bool:
    """``-o pipefail`` (also ``-eo pipefail``, ``-xeo pipefail``) among the shell's arguments."""
    return any(_O_FLAG.match(a) and b == "pipefail" for a, b in zip(args, args[1:]))


def _hadolint_ok(shell: tuple[str, ...]) -> bool:
    if not shell:
        return False
    if shell[0].startswith(NON_POSIX):
        return True
    return shell[0] in HADOLINT_SHELLS and _pipefail_option(shell)


def _native_ok(shell: tuple[str, ...]) -> bool:
    if not shell:
        return False
    name = posixpath.basename(shell[0].replace("\\", "/")).lower()
    if name.startswith(NON_POSIX):
        return True
    return name in PIPEFAIL_SHELLS and _pipefail_option(shell)


def _sets_pipefail(cmd: SimpleCommand) -> bool:
    """``set -o pipefail`` / ``set -euo pipefail`` in the RUN itself."""
    if cmd.name != "set":
        return False
    args = tuple(a.value or "" for a in cmd.args)
    return _pipefail_option(args) or any(a.startswith("-") and "o" in a and b == "pipefail"
                                         for a, b in zip(args, args[1:]))


def _pipes(site: RunSite) -> tuple[list[SimpleCommand], bool]:
    """The first command of every pipeline the RUN's shell runs, and whether a ``set -o pipefail``
    before all of them covers them."""
    cmds = site.script.commands if site.form == "exec" else top_commands(site.script)
    heads = [c for c in cmds if c.pipeline_length > 1 and c.pipeline_position == 1]
    if not heads:
        return [], False
    first = heads[0].start
    covered = site.form != "exec" and any(_sets_pipefail(c) and c.end <= first for c in cmds)
    return heads, covered


class Pipefail(Rule):
    id = "SG084"
    title = "Pipe in RUN without pipefail"
    severity = Severity.WARNING
    concern = "syntax"
    peers = ("DS032", "DS-0032", "AVD-DS-0032")
    aliases = ("DL4006",)
    # precision corpus (bench/precision): 0 of 32 sampled findings were worth acting on; most pipes end in a
    # command that fails by itself (sha256sum -c, tar, gpg), so the rule runs when selected or in hadolint mode
    default = False
    docs = RuleDocs(
        what=(
            "Finds shell-form RUNs with a pipeline (`a | b`) while the stage's SHELL does not set "
            "`-o pipefail`. A shell with a pipefail option (bash, zsh, ash, ksh, mksh, found by basename, "
            "so `/usr/bin/bash` counts) given `-o pipefail` (or `-eo pipefail`) in a SHELL instruction "
            "covers every later RUN of the stage; `set -o pipefail` at the start of the RUN itself covers "
            "that RUN. PowerShell and cmd are not checked. Each FROM starts again from `/bin/sh -c`. "
            "ONBUILD triggers are skipped (their shell is the child's). hadolint's DL4006 accepts only "
            "`/bin/bash`, `/bin/zsh`, `/bin/ash` or those names without a path and ignores "
            "`set -o pipefail`; with --hadolint-compat those RUNs are reported too. Outside the default set (select it, or use "
            "hadolint mode): on 310 real Dockerfiles almost every pipe ended in a command that fails by "
            "itself (`sha256sum -c`, `tar`, `gpg`), so the finding rarely changed anything."
        ),
        why=(
            "The exit status of a pipeline is the status of its last command. In "
            "`curl -fsSL $URL | tar -xz` a failed download still lets the build succeed when tar accepts "
            "the empty input, and `make | tee build.log` never fails. With pipefail the RUN fails when any "
            "command of the pipeline fails."
        ),
        example="FROM debian:bookworm-slim\nRUN curl -fsSL https://example.com/app.tgz | tar -xz -C /opt\n",
        instead=(
            "FROM debian:bookworm-slim\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n"
            "RUN curl -fsSL https://example.com/app.tgz | tar -xz -C /opt\n"
        ),
        fix_safety=(
            "No fix: the shell that has pipefail differs per image (bash on Debian, ash on Alpine; plain "
            "`sh` may be dash, which rejects `-o pipefail` and breaks the build), and with pipefail a "
            "pipeline that used to fail quietly (`grep` finding nothing) fails the build."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        compat = ctx.options.hadolint_compat
        sites = {id(s.instruction): s for s in run_sites(ctx) if not s.onbuild}
        shell: tuple[str, ...] = DEFAULT_SHELL
        for ins in ctx.tree.instructions:
            if ins.name == "FROM":
                shell = DEFAULT_SHELL
            elif ins.name == "SHELL" and ins.is_json and ins.json_args is not None:
                shell = tuple(ins.json_args)
            elif ins.name == "RUN" and (site := sites.get(id(ins))) is not None:
                heads, covered = _pipes(site)
                if not heads:
                    continue
                native = _native_ok(shell) or covered
                hadolint = _hadolint_ok(shell)
                if native and not (compat and not hadolint):
                    continue
                if site.form == "heredoc" and any(h.content.startswith("#!") for h in site.run.heredocs):
                    continue  # the script picks its own interpreter
                yield command_finding(
                    ctx, self, site, heads[0],
                    f"a pipeline's status is its last command's: with SHELL {json.dumps(list(shell))} a failure earlier "
                    "in the pipe goes unnoticed; set SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] "
                    "(/bin/ash on Alpine) before this RUN",
                    aliases=self.aliases if site.form != "heredoc" else (),
                )


RULE = Pipefail

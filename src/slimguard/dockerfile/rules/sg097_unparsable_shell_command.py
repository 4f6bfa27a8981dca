"""SG097: a shell-form CMD, ENTRYPOINT or HEALTHCHECK that /bin/sh cannot parse."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.instrs import sites
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.shell import analyze

_NOT_POSIX = ("pwsh", "powershell", "cmd")


def _command_text(ins) -> str | None:
    """The shell text of a shell-form CMD/ENTRYPOINT/HEALTHCHECK CMD, or None (exec form, NONE, other)."""
    if ins.name in ("CMD", "ENTRYPOINT"):
        if ins.is_json:
            return None
        words = ins.buildkit_value()
        return words[0] if words else None
    if ins.name == "HEALTHCHECK":
        rest = ins.rest.strip()
        head, _, tail = rest.partition(" ")
        while head.startswith("--"):
            head, _, tail = tail.strip().partition(" ")
        if head.upper() != "CMD" or tail.lstrip().startswith("["):
            return None
        return tail.strip().replace("\\\n", " ")
    return None


class UnparsableShellCommand(Rule):
    id = "SG097"
    title = "Shell-form CMD or ENTRYPOINT the shell cannot parse"
    severity = Severity.ERROR
    concern = "syntax"
    docs = RuleDocs(
        what=("Parses the command of every shell-form `CMD`, `ENTRYPOINT` and `HEALTHCHECK CMD` (also in ONBUILD "
              "triggers) as `/bin/sh -c` will, and reports one that does not parse: an unterminated quote or "
              "backtick, an unclosed `$(`. Stages whose SHELL is PowerShell or cmd are skipped."),
        why=("The image builds, because Docker does not look inside a shell-form command, but every container "
             "from it fails at start with a shell syntax error such as `Syntax error: Unterminated quoted "
             "string`."),
        example='FROM debian:bookworm-slim\nCMD "echo ready && sleep infinity\n',
        instead='FROM debian:bookworm-slim\nCMD ["sh", "-c", "echo ready && sleep infinity"]\n',
        fix_safety="No fix: where the quote was meant to end cannot be known.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        posix = True
        for site in sites(ctx):
            ins = site.ins
            if ins.name == "FROM":
                posix = True
            elif ins.name == "SHELL" and not site.onbuild:
                words = ins.json_args or ()
                posix = not (words and any(w in words[0].lower() for w in _NOT_POSIX))
            if not posix:
                continue
            text = _command_text(ins)
            if text and analyze(text).has_errors:
                yield ctx.at(self, site.reported,
                             f"the shell cannot parse this {ins.name} (`{text[:60]}`): an unterminated quote, "
                             "backtick or `$(`; every container would fail at start with a syntax error")


RULE = UnparsableShellCommand

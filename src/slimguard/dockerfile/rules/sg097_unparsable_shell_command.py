"""SG097: a shell-form CMD, ENTRYPOINT or HEALTHCHECK that /bin/sh cannot parse."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.instrs import sites
from slimguard.dockerfile.context import LintContext

_NOT_POSIX = ("pwsh", "powershell", "cmd")


def unbalanced(text: str) -> str | None:
    """What is left open at the end of *text* as /bin/sh reads it (a quote, a backtick, ``$(``), or None."""
    stack: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        top = stack[-1] if stack else None
        if top == "'":
            if c == "'":
                stack.pop()
        elif c == "\\":
            i += 1  # the next character is literal (also inside double quotes for $ ` " \\)
        elif top == '"':
            if c == '"':
                stack.pop()
            elif c == "`":
                stack.append("`")
            elif text.startswith("$(", i):
                stack.append("$(")
                i += 1
        elif c == "`" and top == "`":
            stack.pop()
        elif c == ")" and top == "$(":
            stack.pop()
        elif c in "'\"`":
            stack.append(c)
        elif text.startswith("$(", i):
            stack.append("$(")
            i += 1
        elif c == "#" and top is None and (i == 0 or text[i - 1] in " \t;&|"):
            break  # a comment runs to the end
        i += 1
    if not stack:
        return None
    return {"'": "single quote", '"': "double quote", "`": "backtick", "$(": "$("}[stack[-1]]


def _json_like(text: str) -> bool:
    t = text.strip()
    return t.startswith("[") and t.endswith("]") and '"' in t


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
        what=("Reads the command of every shell-form `CMD`, `ENTRYPOINT` and `HEALTHCHECK CMD` (also in ONBUILD "
              "triggers) as `/bin/sh -c` will, and reports one left open at its end (an unterminated quote or "
              "backtick, an unclosed `$(`), and one that looks like a JSON array but is not valid JSON "
              "(`CMD [\"daphne\" \"app:asgi\"]`, a missing comma), which Docker then runs as a shell command. "
              "Stages whose SHELL is PowerShell or cmd are skipped."),
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
            if not text:
                continue
            if _json_like(text):
                yield ctx.at(self, site.reported,
                             f"this {ins.name} looks like a JSON array but is not valid JSON (a missing comma or "
                             "a single quote?), so Docker runs it through /bin/sh -c as one odd command and the "
                             "container fails to start; write valid JSON: [\"executable\", \"arg\"]")
                continue
            left_open = unbalanced(text)
            if left_open is not None:
                yield ctx.at(self, site.reported,
                             f"the shell cannot parse this {ins.name} (`{text[:60]}`): an unterminated "
                             f"{left_open}; every container would fail at start with a syntax error")


RULE = UnparsableShellCommand

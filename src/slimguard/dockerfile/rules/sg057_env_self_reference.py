"""SG057: an ENV refers to a variable the same ENV defines."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _references(raw: str) -> set[str]:
    """Variable names a raw ENV value expands (``$X``, ``${X}``, ``${X:-d}``), skipping single-quoted and
    backslash-escaped text."""
    out: set[str] = set()
    i, quote = 0, ""
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and quote != "'":
            i += 2
            continue
        if ch in "\"'" and (not quote or quote == ch):
            quote = "" if quote else ch
        elif ch == "$" and quote != "'":
            rest = raw[i + 1:]
            m = _NAME.match(rest[1:]) if rest.startswith("{") else _NAME.match(rest)
            if m:
                out.add(m.group(0))
        i += 1
    return out


def _hadolint_references(raw: str, name: str) -> bool:
    """hadolint's DL3044 test: ``$NAME`` not followed by a word character, or ``${NAME}``."""
    return re.search(rf"\$(?:{re.escape(name)}(?![A-Za-z0-9_])|\{{{re.escape(name)}\}})", raw) is not None


class EnvSelfReference(Rule):
    id = "SG057"
    title = "ENV refers to a variable it defines"
    severity = Severity.ERROR
    concern = "syntax"
    aliases = ("DL3044",)
    docs = RuleDocs(
        what=(
            "Finds `ENV A=1 B=$A`: a value refers to a variable an earlier pair of the same ENV instruction "
            "sets. Referring to a variable in its own value (`ENV PATH=/x:$PATH`) is fine, as is referring "
            "to one set by an earlier instruction. Single-quoted and escaped `$` are not references; "
            "`${A:-default}` is, though hadolint's DL3044 misses it (those findings carry no alias) and "
            "reports `\\$A` and `'$A'` (with --hadolint-compat those are reported too). ONBUILD triggers "
            "are skipped, like hadolint."
        ),
        why=(
            "Docker expands every value of one ENV with the variables as they were before the instruction: "
            "in `ENV A=1 B=$A`, B gets the old A (usually empty), not 1. The image silently gets wrong "
            "paths or settings."
        ),
        example='FROM debian:bookworm-slim\nENV APP_HOME=/opt/app APP_BIN=$APP_HOME/bin\n',
        instead='FROM debian:bookworm-slim\nENV APP_HOME=/opt/app\nENV APP_BIN=$APP_HOME/bin\n',
        fix_safety="No fix: splitting the ENV changes what the value expands to, which is the point but the author's decision.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        compat = ctx.options.hadolint_compat
        for ins in ctx.tree.instructions:
            if ins.name != "ENV":
                continue
            values = ins.buildkit_value()
            defined: list[str] = []
            for name, raw in zip(values[0::2], values[1::2]):
                refs = _references(raw)
                ours = [d for d in defined if d in refs]
                theirs = [d for d in defined if _hadolint_references(raw, d)]
                if ours or (compat and theirs):
                    var = (ours or theirs)[0]
                    yield ctx.at(self, ins, f"`{name}` refers to `{var}`, which this ENV defines: Docker expands "
                                            f"it to the value before the instruction; set `{var}` in an earlier ENV",
                                 aliases=self.aliases if theirs else ())
                defined.append(name)


RULE = EnvSelfReference

"""Apply run-time fixes: text edits at YAML node boundaries (or docker run words), re-checked until stable.

Each round checks the text, takes the fixes (safe ones, and unsafe ones with ``unsafe``), applies every
fix whose edits do not collide with an earlier fix's edits (two insertions at one point collide: the
second waits for the next round, when it lands after the first), re-composes the YAML to prove it is
still valid, and repeats. A fix must make its own finding disappear, so fixing twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from slimguard.core.findings import Edit, Finding

MAX_ROUNDS = 40


class FixError(Exception):
    pass


def _conflict(a: Edit, b: Edit) -> bool:
    if a == b:
        return False
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    # an insertion touching a replaced range waits a round: it may depend on the replaced text
    if a.start == a.end:
        return b.start <= a.start <= b.end
    if b.start == b.end:
        return a.start <= b.start <= a.end
    return a.start < b.end and b.start < a.end


def choose(findings: list[Finding], unsafe: bool) -> tuple[list[Edit], list[Finding]]:
    chosen: list[Edit] = []
    applied: list[Finding] = []
    for f in findings:
        if f.fix is None or not (f.fix.safe or unsafe):
            continue
        edits = list(f.fix.edits)
        if any(_conflict(e, c) for e in edits for c in chosen):
            continue
        for e in edits:
            if e not in chosen:
                chosen.append(e)
        applied.append(f)
    return chosen, applied


def apply(text: str, edits: list[Edit]) -> str:
    out = text
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        if not (0 <= e.start <= e.end <= len(out)):
            raise FixError(f"edit outside the text: {e}")
        out = out[: e.start] + e.text + out[e.end:]
    return out


@dataclass
class FixResult:
    text: str
    applied: list[Finding] = field(default_factory=list)
    rounds: int = 0
    unfixed: list[Finding] = field(default_factory=list)


def fix_text(text: str, check: Callable[[str], list[Finding]], unsafe: bool = False, kind: str = "yaml") -> FixResult:
    result = FixResult(text)
    for round_no in range(1, MAX_ROUNDS + 1):
        findings = check(result.text)
        edits, applied = choose(findings, unsafe)
        if not edits:
            result.unfixed = findings
            break
        new_text = apply(result.text, edits)
        if new_text == result.text:
            result.unfixed = findings
            break
        _validate(new_text, result.text, kind)
        result.text = new_text
        result.applied.extend(applied)
        result.rounds = round_no
    else:
        result.unfixed = check(result.text)
    return result


def _validate(new: str, old: str, kind: str) -> None:
    if kind == "docker-run":
        from slimguard.runtime.dockerrun import RunError, parse

        try:
            parse(new)
        except RunError as exc:
            raise FixError(f"a fix produced an invalid command: {exc}") from None
        return
    from slimguard.runtime.yamlnodes import YamlError, compose_all

    try:
        compose_all(new)
    except YamlError as exc:
        try:
            compose_all(old)
        except YamlError:
            return
        raise FixError(f"a fix produced invalid YAML at line {exc.line}: {exc.message}") from None

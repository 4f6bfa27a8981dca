"""The one fix loop: find, apply the fixes that may be applied, validate, repeat until stable.

Each round lints the current text and walks its findings in order. A fix is taken whole or not at all:
it waits for a later round when one of its edits collides with an edit already taken (overlapping
ranges; two different insertions at one point; an insertion touching a replaced range), or when its
isolation group already has a fix in this round. A fix marked ``alone`` (one that restructures the
file) is taken first and by itself. The new text is validated (re-parsed for a Dockerfile,
re-composed for YAML) before it is kept. The loop ends when no fix applies, after ``max_rounds``, or
when a round produces a text seen before (a cycle between fixes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from slimguard.core.findings import Edit, Finding

MAX_ROUNDS = 40


class FixError(Exception):
    """A fix produced input that no longer parses: a bug in that fix, reported instead of written."""


def _collide(a: Edit, b: Edit) -> bool:
    if a == b:
        return False
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    if a.start == a.end:
        return b.start <= a.start <= b.end
    if b.start == b.end:
        return a.start <= b.start <= a.end
    return a.start < b.end and b.start < a.end


def choose(findings: list[Finding], unsafe: bool, size: int) -> tuple[list[Edit], list[Finding]]:
    """The edits of this round and the findings whose fixes they are."""
    for f in findings:
        fix = f.fix
        if fix is not None and fix.alone and fix.applies(unsafe) and \
                all(0 <= e.start <= e.end <= size for e in fix.edits):
            return list(dict.fromkeys(fix.edits)), [f]
    chosen: list[Edit] = []
    applied: list[Finding] = []
    groups: set[str] = set()
    for f in findings:
        fix = f.fix
        if fix is None or not fix.applies(unsafe):
            continue
        if fix.isolation is not None and fix.isolation in groups:
            continue
        if any(not (0 <= e.start <= e.end <= size) for e in fix.edits):
            continue
        if any(_collide(e, c) for e in fix.edits for c in chosen):
            continue
        chosen.extend(e for e in fix.edits if e not in chosen)
        applied.append(f)
        if fix.isolation is not None:
            groups.add(fix.isolation)
    return chosen, applied


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-colliding edits (as :func:`choose` returns them) in one pass."""
    out = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[pos:e.start])
        out.append(e.text)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


@dataclass(frozen=True)
class FixResult:
    """The fixed text, the findings whose fixes were applied, and what is left."""

    text: str
    applied: tuple[Finding, ...] = ()
    rounds: int = 0
    unfixed: tuple[Finding, ...] = ()
    cycle: bool = False  # stopped because a round reproduced an earlier text


def fix_text(text: str, find: Callable[[str], list[Finding]], *, unsafe: bool = False,
             validate: Callable[[str, str], None] | None = None, max_rounds: int = MAX_ROUNDS) -> FixResult:
    """Fix *text* with the findings *find* returns; *validate(new, old)* raises :class:`FixError`."""
    current = text
    applied: list[Finding] = []
    seen = {text}
    rounds = 0
    findings = find(current)
    cycle = False
    while rounds < max_rounds:
        edits, taken = choose(findings, unsafe, len(current))
        if not edits:
            break
        new = apply_edits(current, edits)
        if new == current:
            break
        if validate is not None:
            validate(new, current)
        if new in seen:
            cycle = True
            break
        seen.add(new)
        current = new
        applied.extend(taken)
        rounds += 1
        findings = find(current)
    return FixResult(current, tuple(applied), rounds, tuple(findings), cycle)

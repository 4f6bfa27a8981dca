"""Apply fixes centrally: text edits, re-parsed and re-linted until stable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from slimguard.core.findings import Edit, Finding

MAX_ROUNDS = 8


class FixError(Exception):
    pass


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, list[Edit]]:
    """Apply non-overlapping edits; returns the new text and the edits that were skipped."""
    chosen: list[Edit] = []
    skipped: list[Edit] = []
    # earliest first, then drop those overlapping an already chosen one
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if not (0 <= e.start <= e.end <= len(text)):
            skipped.append(e)
            continue
        if chosen and e.start < chosen[-1].end:
            skipped.append(e)
            continue
        if chosen and e.start == chosen[-1].end == chosen[-1].start == e.end and e.text == chosen[-1].text:
            continue  # the same insertion twice
        chosen.append(e)
    out = text
    for e in reversed(chosen):
        out = out[: e.start] + e.text + out[e.end :]
    return out, skipped


@dataclass
class FixResult:
    text: str
    applied: list[Finding] = field(default_factory=list)
    rounds: int = 0
    unfixed: list[Finding] = field(default_factory=list)


def fix_text(text: str, lint: Callable[[str], list[Finding]], unsafe: bool = False) -> FixResult:
    """Repeatedly lint, apply the available fixes and re-parse, until nothing changes."""
    from slimguard.dockerfile.syntax import parse

    result = FixResult(text)
    for round_no in range(1, MAX_ROUNDS + 1):
        findings = lint(result.text)
        fixes = [f for f in findings if f.fix is not None and (f.fix.safe or unsafe)]
        if not fixes:
            result.unfixed = findings
            break
        edits = [e for f in fixes for e in f.fix.edits]  # type: ignore[union-attr]
        new_text, skipped = apply_edits(result.text, edits)
        if new_text == result.text:
            result.unfixed = findings
            break
        tree = parse(new_text)
        if tree.errors and not parse(result.text).errors:
            raise FixError(f"a fix produced an unparsable Dockerfile: {tree.errors[0]}")
        result.text = new_text
        skipped_ids = {id(e) for e in skipped}
        result.applied.extend(f for f in fixes if not any(id(e) in skipped_ids for e in f.fix.edits))  # type: ignore[union-attr]
        result.rounds = round_no
    return result

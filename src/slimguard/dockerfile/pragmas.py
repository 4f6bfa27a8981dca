"""Inline ignore pragmas: hadolint's and slimguard's own.

- ``# hadolint ignore=DL3002,DL3008``      the instruction directly below
- ``# hadolint global ignore=DL3006``       the whole file
- ``# hadolint stage ignore=DL3002``        the stage whose FROM is directly below
- ``# slimguard: ignore=SG001,root-user``   the instruction directly below (ids, aliases or concerns)
- ``# slimguard: global ignore=...``        the whole file
- ``# slimguard: stage ignore=...``         the stage below
"""

from __future__ import annotations

import re

from slimguard.core.engine import Pragmas

from slimguard.dockerfile.syntax import Comment, Directive, Dockerfile, Instruction, Trivia

_PRAGMA = re.compile(
    r"^#\s*(?P<tool>hadolint|slimguard:?)\s+(?:(?P<scope>global|stage)\s+)?ignore\s*=\s*(?P<codes>[^#]*)",
    re.IGNORECASE,
)


_HADOLINT_CODE = re.compile(r"^(DL|SC|SG)\d{4}$|^SG\d{3}$")


def _codes(text: str) -> set[str]:
    return {c.strip().upper() for c in text.split(",") if c.strip()}


def parse_pragmas(tree: Dockerfile) -> Pragmas:
    """The ignore pragmas of a Dockerfile as line ranges (the instruction or stage below each)."""
    pragmas = Pragmas()
    pending: list[tuple[str | None, set[str]]] = []
    instructions = tree.instructions
    stage_bounds: dict[int, int] = {}
    froms = [i for i in instructions if i.name == "FROM"]
    for a, b in zip(froms, froms[1:] + [None]):
        end = b.start_line - 1 if b is not None else 10**9
        stage_bounds[id(a)] = end
    for child in tree.children:
        if isinstance(child, (Comment, Directive)):
            m = _PRAGMA.match(str(child).strip())
            if m:
                pragmas.count += 1
                scope = (m.group("scope") or "").lower() or None
                codes = _codes(m.group("codes"))
                if m.group("tool").lower() == "hadolint" and not all(_HADOLINT_CODE.match(c) for c in codes):
                    pending = []
                    continue  # hadolint disregards a pragma naming an invalid code

                if scope == "global":
                    pragmas.global_codes |= codes
                else:
                    pending.append((scope, codes))
                continue
            pending = []
        elif isinstance(child, Trivia):
            pending = []
        elif isinstance(child, Instruction):
            for scope, codes in pending:
                if scope == "stage":
                    if child.name == "FROM":
                        pragmas.ranges.append((child.start_line, stage_bounds.get(id(child), child.end_line), codes))
                else:
                    pragmas.ranges.append((child.start_line, child.end_line, codes))
            pending = []
    return pragmas

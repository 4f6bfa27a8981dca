"""Fix one Dockerfile with the core fix loop, re-parsing after every round."""

from __future__ import annotations

from typing import Callable

from slimguard.core.findings import Finding
from slimguard.core.fixes import FixError, FixResult, fix_text

MAX_ROUNDS = 8


def validate(new: str, old: str) -> None:
    """Refuse a round that turns a parsable Dockerfile into an unparsable one."""
    from slimguard.dockerfile.syntax import parse

    tree = parse(new)
    if tree.errors and not parse(old).errors:
        raise FixError(f"a fix produced an unparsable Dockerfile: {tree.errors[0]}")


def fix_dockerfile(text: str, lint: Callable[[str], list[Finding]], unsafe: bool = False) -> FixResult:
    """Apply the fixes *lint* offers to *text* until stable (unsafe ones too with *unsafe*)."""
    return fix_text(text, lint, unsafe=unsafe, validate=validate, max_rounds=MAX_ROUNDS)

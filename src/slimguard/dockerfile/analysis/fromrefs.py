"""FROM references of every stage (and instructions outside any stage) for image-tag rules."""

from __future__ import annotations

import re

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from slimguard.knowledge.imageref import ImageRef
    from slimguard.dockerfile.syntax import Instruction
    from slimguard.dockerfile.context import LintContext


@dataclass(frozen=True)
class FromRef:
    instruction: "Instruction"
    text: str  # after ARG substitution
    image: "ImageRef | None"  # None: a stage, a variable we could not resolve, or invalid
    is_stage: bool
    unresolved: bool


def from_refs(ctx: "LintContext") -> Iterator[FromRef]:
    for stage in ctx.model.stages:
        base = stage.base
        unresolved = bool(base.unresolved) or "$" in base.raw and base.text == base.raw
        yield FromRef(stage.from_instruction, base.text, None if base.is_stage else base.image,
                      base.is_stage, unresolved)


_MAJOR_IN_NAME = re.compile(r"^[a-z][a-z-]*?(\d+)(-[a-z]+)*$")


def major_in_name(repository: str) -> str | None:
    """The major version a repository name pins (``redhat/ubi9-minimal`` -> ``9``), or None: its ``latest`` is
    that major's rolling stream, like ``debian:bookworm``."""
    last = repository.rsplit("/", 1)[-1].lower()
    m = _MAJOR_IN_NAME.match(last)
    return m.group(1) if m else None


def rolling_major_note(ref_text: str, repository: str) -> str | None:
    """The information-level message for ``latest`` (or no tag) of a name that pins a major version, or None."""
    major = major_in_name(repository)
    if major is None:
        return None
    return (f"FROM {ref_text} follows the latest of a name that pins major version {major} (a rolling stream of "
            "that release); pin a minor release tag for reproducible builds")

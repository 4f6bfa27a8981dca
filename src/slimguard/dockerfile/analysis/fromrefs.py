"""FROM references of every stage (and instructions outside any stage) for image-tag rules."""

from __future__ import annotations

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

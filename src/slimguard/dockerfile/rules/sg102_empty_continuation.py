"""SG102: an empty line inside a continued instruction (BuildKit's NoEmptyContinuation)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.syntax import Instruction, Trivia


def _blank_lines(ins: Instruction) -> list[Trivia]:
    out: list[Trivia] = []
    for child in ins.children:
        if isinstance(child, Trivia):
            out.append(child)
        elif isinstance(child, Instruction):  # an ONBUILD trigger holds the rest of the line
            out.extend(_blank_lines(child))
    return out


class EmptyContinuation(Rule):
    id = "SG102"
    title = "Empty continuation line"
    severity = Severity.WARNING
    concern = "syntax"
    fixable = "safe"
    aliases = ("NoEmptyContinuation",)
    docs = RuleDocs(
        what=(
            "Finds blank lines inside an instruction continued with `\\` (a line ending in the escape "
            "character followed by an empty line, then more of the instruction), as BuildKit's "
            "NoEmptyContinuation check does. Lines holding only a comment are not empty. The finding is on "
            "the instruction's first line and names the empty lines; BuildKit reports the instruction's "
            "last line."
        ),
        why=(
            "The builder skips the empty line today, so the instruction goes on; BuildKit warns that empty "
            "continuation lines will become errors in a future release. A blank line in the middle of an "
            "instruction also reads like its end, which is how a later edit turns the rest into a "
            "separate, broken instruction."
        ),
        example="FROM debian:bookworm-slim\nRUN apt-get update && \\\n\n    apt-get install -y --no-install-recommends curl\n",
        instead="FROM debian:bookworm-slim\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends curl\n",
        fix_safety="Safe: deletes the empty lines; the builder ignores them, so the instruction stays the same.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ins in ctx.tree.instructions:
            blanks = _blank_lines(ins)
            if not blanks:
                continue
            lines = [b.start_line for b in blanks]
            shown = ", ".join(str(n) for n in lines)
            fix = Fix("delete the empty continuation lines",
                      tuple(Edit(b.start_offset, b.end_offset, "") for b in blanks), Applicability.SAFE)
            what = "line" if len(lines) == 1 else "lines"
            yield ctx.at(self, ins, f"empty continuation {what} {shown} inside this {ins.name}: future BuildKit "
                                    f"releases reject them; delete the empty {what}", fix=fix,
                         details={"lines": lines})


RULE = EmptyContinuation

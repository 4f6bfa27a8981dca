"""SG103: instruction keywords cased unlike the file's majority (BuildKit's ConsistentInstructionCasing)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.buildkit import keyword_casing_counts
from slimguard.dockerfile.context import LintContext


class ConsistentInstructionCasing(Rule):
    id = "SG103"
    title = "Instruction casing differs from the rest of the file"
    severity = Severity.STYLE
    concern = "syntax"
    fixable = "safe"
    aliases = ("ConsistentInstructionCasing",)
    default = False  # style
    in_hadolint_mode = False
    docs = RuleDocs(
        what=(
            "Counts the instruction keywords from the first FROM on that are all lower case or all upper "
            "case, and finds every keyword that does not match the majority (upper case on a tie) — "
            "`From`, or `copy` in an upper-case file — as BuildKit's ConsistentInstructionCasing check "
            "does. Global ARGs before the first FROM and ONBUILD triggers are not counted or checked, as "
            "in BuildKit. Outside the default set: run it with `--select ConsistentInstructionCasing`."
        ),
        why="Keywords work in any case; a file that mixes them is harder to read and to grep.",
        example="FROM debian:bookworm-slim\ncopy app /app\nCMD [\"/app\"]\n",
        instead="FROM debian:bookworm-slim\nCOPY app /app\nCMD [\"/app\"]\n",
        fix_safety="Safe: re-cases the keyword; Dockerfile keywords are read without case.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        lower, upper = keyword_casing_counts(ctx.tree)
        majority_lower = lower > upper
        started = False
        for ins in ctx.tree.instructions:
            started = started or ins.name == "FROM"
            if not started or not ins.keyword:
                continue
            kw = ins.keyword
            want = kw.lower() if majority_lower else kw.upper()
            if kw == want:
                continue
            casing = "lower case" if majority_lower else "upper case"
            span = ins.keyword_span
            fix = Fix(f"write {want}", (Edit(span.start.offset, span.end.offset, want),), Applicability.SAFE)
            yield ctx.at(self, ins, f"instruction '{kw}' should be {casing} like most instructions in this "
                                    f"file: write '{want}'", fix=fix)


RULE = ConsistentInstructionCasing

"""SG101: `AS` cased differently from `FROM` (BuildKit's FromAsCasing)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext


class FromAsCasing(Rule):
    id = "SG101"
    title = "AS keyword casing differs from FROM"
    severity = Severity.STYLE
    concern = "syntax"
    fixable = "safe"
    aliases = ("FromAsCasing",)
    default = False  # style
    in_hadolint_mode = False
    docs = RuleDocs(
        what=(
            "Finds `FROM image as name` (and `from image AS name`): the `as` keyword cased unlike the "
            "`FROM` keyword, as BuildKit's FromAsCasing check does. A FROM keyword of mixed case (`From`) "
            "is left to ConsistentInstructionCasing (SG103). Outside the default set: run it with "
            "`--select FromAsCasing`."
        ),
        why=(
            "Both spellings work; mixing them is inconsistent, and `docker build --check` warns about it."
        ),
        example="FROM node:20-slim as build\n",
        instead="FROM node:20-slim AS build\n",
        fix_safety="Safe: re-cases the `as` keyword; the builder reads it without case.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ins in ctx.tree.instructions:
            if ins.name != "FROM":
                continue
            args = list(ins.buildkit_value())
            if len(args) < 3 or args[1].lower() != "as":
                continue
            kw = ins.keyword
            if kw == kw.lower():
                want = args[1].lower()
            elif kw == kw.upper():
                want = args[1].upper()
            else:
                continue
            if args[1] == want:
                continue
            words = ins.words()
            fix = None
            if len(words) >= 2 and words[1].text == args[1]:
                span = words[1].span
                fix = Fix(f"write {want}", (Edit(span.start.offset, span.end.offset, want),), Applicability.SAFE)
            yield ctx.at(self, ins, f"'{args[1]}' and '{kw}' keywords' casing do not match; write '{want}'",
                         fix=fix)


RULE = FromAsCasing

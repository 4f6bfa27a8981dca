"""SG100: a stage name that is not lower case (BuildKit's StageNameCasing)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext


class StageNameCasing(Rule):
    id = "SG100"
    title = "Stage name is not lower case"
    severity = Severity.STYLE
    concern = "syntax"
    fixable = "safe"
    aliases = ("StageNameCasing",)
    default = False  # style: BuildKit matches stage names without case
    in_hadolint_mode = False
    docs = RuleDocs(
        what=(
            "Finds `FROM image AS Name` whose stage name has upper-case letters, as BuildKit's "
            "StageNameCasing check does (only the plain `FROM image AS name` form of three words is "
            "checked). Outside the default set: run it with `--select StageNameCasing`."
        ),
        why=(
            "BuildKit lower-cases stage names, so `AS Build`, `--from=build` and `--target BUILD` all name "
            "the same stage; a mixed-case name suggests a distinction that does not exist, and "
            "`docker build --check` warns about it."
        ),
        example="FROM golang:1.22 AS Builder\nRUN go build -o /app .\nFROM scratch\nCOPY --from=Builder /app /app\n",
        instead="FROM golang:1.22 AS builder\nRUN go build -o /app .\nFROM scratch\nCOPY --from=builder /app /app\n",
        fix_safety=(
            "Safe: lower-cases the name in the FROM line. References to the stage (`COPY --from=`, "
            "`FROM`, `--target`) keep working because the builder matches stage names without case; they "
            "are left as written."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ins in ctx.tree.instructions:
            if ins.name != "FROM":
                continue
            args = list(ins.buildkit_value())
            if len(args) != 3 or args[2] == args[2].lower():
                continue
            words = ins.words()
            fix = None
            if len(words) == 3 and words[2].text == args[2]:
                span = words[2].span
                fix = Fix(f"rename the stage {args[2]} to {args[2].lower()}",
                          (Edit(span.start.offset, span.end.offset, args[2].lower()),), Applicability.SAFE)
            yield ctx.at(self, ins, f"stage name '{args[2]}' should be lower case ('{args[2].lower()}'): "
                                    "stage names are matched without case", fix=fix)


RULE = StageNameCasing

"""SG076: a stage named like a reserved word (scratch, context)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext

RESERVED = frozenset({"scratch", "context"})


class ReservedStageName(Rule):
    id = "SG076"
    title = "Stage name is a reserved word"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("DL3063", "ReservedStageName")  # hadolint, BuildKit (docs/buildkit.md)
    docs = RuleDocs(
        what=(
            "Finds `FROM ... AS scratch` and `FROM ... AS context`. Stage names are case-insensitive for "
            "BuildKit, so `AS Scratch` is reported too; hadolint's DL3063 compares the exact lower-case "
            "word, and those findings carry only the alias of BuildKit's ReservedStageName check, which "
            "reports the same."
        ),
        why=(
            "`scratch` is the empty base image and `context` names the build context in `COPY --from` and "
            "`RUN --mount=from=`: a stage with either name makes `FROM scratch` or `--from=context` mean "
            "something else than readers (and newer BuildKit versions, which reject the name) expect."
        ),
        example="FROM golang:1.22 AS scratch\nRUN go build -o /app .\nFROM scratch\nCOPY --from=scratch /app /app\n",
        instead="FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n",
        fix_safety="No fix: renaming the stage means renaming every reference to it.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ins in ctx.tree.instructions:
            if ins.name != "FROM":
                continue
            words = list(ins.buildkit_value())
            if len(words) >= 3 and words[1].lower() == "as" and words[2].lower() in RESERVED:
                name = words[2]
                yield ctx.at(self, ins, f"stage name {name!r} is a reserved word; choose another name",
                             aliases=self.aliases if name in RESERVED else ("ReservedStageName",))


RULE = ReservedStageName

"""SG104: FROM uses a variable no global ARG declares (BuildKit's UndefinedArgInFrom)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.buildkit import PLATFORM_ARGS, global_arg_names, substitution_ok, suggest
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.expand import references


class UndefinedArgInFrom(Rule):
    id = "SG104"
    title = "FROM uses an undeclared ARG"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("UndefinedArgInFrom",)
    docs = RuleDocs(
        what=(
            "Finds variables in a FROM line (the image and `--platform`) that no ARG before the first FROM "
            "declares and that are not one of BuildKit's automatic platform args (BUILDPLATFORM, "
            "TARGETPLATFORM, TARGETARCH ...), as BuildKit's UndefinedArgInFrom check does, with its "
            "\"did you mean\" suggestion for a close declared name. An ARG inside a stage does not count: "
            "FROM only sees the global ones."
        ),
        why=(
            "An undeclared variable expands to nothing in FROM, even when --build-arg gives it a value: "
            "`FROM node:${NODE_VERSION}` becomes `FROM node:` (a build error) or, with a default "
            "elsewhere in the text, silently another image."
        ),
        example="FROM node:${NODE_VERSION}-slim\n",
        instead="ARG NODE_VERSION=20\nFROM node:${NODE_VERSION}-slim\n",
        fix_safety="No fix: the ARG's default value is the author's choice.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        declared = set(global_arg_names(ctx.tree))
        known = declared | PLATFORM_ARGS
        escape = ctx.tree.escape
        for ins in ctx.tree.instructions:
            if ins.name != "FROM":
                continue
            texts = list(ins.buildkit_value()[:1])
            flag = ins.flag("platform")
            if flag is not None and flag.value:
                texts.append(flag.value)
            names: list[str] = []
            for text in texts:
                if "$" in text and substitution_ok(text, escape):
                    names.extend(n for n in sorted(references(text, escape)) if n not in known and n not in names)
            for name in names:
                hint = suggest(name, known)
                tail = f" (did you mean {hint}?)" if hint else ""
                yield ctx.at(self, ins, f"FROM argument '{name}' is not declared{tail}: declare it with "
                                        f"`ARG {name}=<default>` before the first FROM", details={"name": name})


RULE = UndefinedArgInFrom

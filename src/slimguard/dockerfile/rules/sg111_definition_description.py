"""SG111: a comment above FROM ... AS or ARG that is not a description (BuildKit's experimental
InvalidDefinitionDescription)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.buildkit import previous_comments
from slimguard.dockerfile.context import LintContext


class InvalidDefinitionDescription(Rule):
    id = "SG111"
    title = "Comment above a stage or ARG is not a description"
    severity = Severity.INFO
    concern = "syntax"
    aliases = ("InvalidDefinitionDescription",)
    default = False  # experimental in BuildKit: on with `# check=experimental=...` or --select
    in_hadolint_mode = False
    docs = RuleDocs(
        what=(
            "Finds a comment right above `FROM ... AS name` or an ARG whose first word is not the stage "
            "name or one of the ARG's names, as BuildKit's experimental InvalidDefinitionDescription check "
            "does. Only the last comment line above the instruction counts; an empty `#` line or a blank "
            "line ends the comment block. Outside the default set: it runs with "
            "`# check=experimental=InvalidDefinitionDescription` (or `all`) in the Dockerfile, with the "
            "BUILDKIT_DOCKERFILE_CHECK build arg, or with `--select InvalidDefinitionDescription`."
        ),
        why=(
            "`docker build --call=outline` and `--call=targets` show the comment right above a stage or "
            "ARG as its description when it starts with the name; any other comment there is shown as "
            "nothing, or read by tools as a description it is not."
        ),
        example="# compile the server\nFROM golang:1.22 AS build\n# the version to stamp\nARG VERSION=dev\n",
        instead="# build compiles the server\nFROM golang:1.22 AS build\n# VERSION is the version to stamp\nARG VERSION=dev\n",
        fix_safety="No fix: whether the comment was meant as a description is for the author to say.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        comments = previous_comments(ctx.tree)
        for ins in ctx.tree.instructions:
            above = comments.get(id(ins)) or []
            if not above:
                continue
            if ins.name == "FROM":
                args = list(ins.buildkit_value())
                if len(args) < 3 or args[1].lower() != "as":
                    continue
                keys = [args[2].lower()]
            elif ins.name == "ARG":
                keys = [w.split("=", 1)[0] for w in ins.buildkit_value()]
            else:
                continue
            if not keys:
                continue
            first = above[-1].lstrip()[1:].strip().split(" ")[0]
            if first in keys:
                continue
            example = keys[0] if len(keys) == 1 else "<arg_key>"
            yield ctx.at(self, ins, f"the comment above this {ins.name} is not a description: start it with "
                                    f"the name (`# {example} <description>`), or end the comment block with "
                                    "an empty `#` line")


RULE = InvalidDefinitionDescription

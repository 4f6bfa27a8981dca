"""SG039: two stages with the same name."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.instrs import stage_names
from slimguard.dockerfile.context import LintContext


class DuplicateStageNames(Rule):
    id = "SG039"
    title = "Duplicate stage name"
    severity = Severity.ERROR
    concern = "syntax"
    peers = ("DS012", "DS-0012", "AVD-DS-0012", "CKV_DOCKER_11")
    aliases = ("DL3024", "DuplicateStageName")  # hadolint, BuildKit (docs/buildkit.md)
    docs = RuleDocs(
        what=("Finds a `FROM ... AS <name>` whose name an earlier FROM already uses (stage names are "
              "compared without case, as BuildKit does); BuildKit's DuplicateStageName check reports the same. "
              "Findings carry DL3024 only when hadolint, which compares names exactly, would report them too."),
        why=("BuildKit rejects a Dockerfile with duplicate stage names; older builders let the later "
             "stage win, so `COPY --from` and `--target` may silently pick the wrong one."),
        example="FROM node:20 AS build\nRUN npm ci\nFROM golang:1.22 AS build\nRUN go build ./...\n",
        instead="FROM node:20 AS web\nRUN npm ci\nFROM golang:1.22 AS api\nRUN go build ./...\n",
        fix_safety="No fix: renaming a stage means renaming its users too, and which one was meant is unclear.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        seen: dict[str, str] = {}
        exact: set[str] = set()
        for ins, name in stage_names(ctx):
            if name is None:
                continue
            if name.lower() in seen:
                yield ctx.at(self, ins, f"stage name {name} is already used by an earlier FROM; "
                                        "give every stage its own name",
                             aliases=self.aliases if name in exact else ("DuplicateStageName",))
            seen.setdefault(name.lower(), name)
            exact.add(name)


RULE = DuplicateStageNames

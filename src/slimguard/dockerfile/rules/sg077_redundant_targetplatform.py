"""SG077: FROM --platform=$TARGETPLATFORM, which is the default."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext

_TARGET = re.compile(r"^(\$TARGETPLATFORM|\$\{TARGETPLATFORM\})$")


class RedundantTargetPlatform(Rule):
    id = "SG077"
    title = "Redundant FROM --platform=$TARGETPLATFORM"
    severity = Severity.WARNING
    concern = "syntax"
    fixable = "safe"
    aliases = ("DL3065", "RedundantTargetPlatform")  # hadolint, BuildKit (docs/buildkit.md)
    docs = RuleDocs(
        what=("Finds `FROM --platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`, quoted or not), as hadolint's "
              "DL3065 and BuildKit's RedundantTargetPlatform check do (quoted values are BuildKit's only)."),
        why=(
            "A stage is built for the target platform unless --platform says otherwise, so the flag does "
            "nothing; it also suggests a cross-build setup (`$BUILDPLATFORM`) that is not there."
        ),
        example="FROM --platform=$TARGETPLATFORM alpine:3.20\n",
        instead="FROM alpine:3.20\n",
        fix_safety=(
            "Safe: removes the flag (and the blank after it). BuildKit uses the target platform for the "
            "stage either way."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ins in ctx.tree.instructions:
            if ins.name != "FROM":
                continue
            flag = ins.flag("platform")
            if flag is None or flag.value is None or not _TARGET.match(flag.value):
                continue
            end = flag.end
            text = ctx.tree.text
            while end < len(text) and text[end] in " \t":
                end += 1
            fix = Fix("remove --platform=$TARGETPLATFORM", (Edit(flag.start, end, ""),), Applicability.SAFE)
            raw = text[flag.start:flag.end]
            yield ctx.at(self, ins, "`--platform=$TARGETPLATFORM` is the default for FROM; remove it", fix=fix,
                         aliases=self.aliases if '"' not in raw and "'" not in raw else ("RedundantTargetPlatform",))


RULE = RedundantTargetPlatform

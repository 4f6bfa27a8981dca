"""SG035: apk add without package versions."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pinning import pin_findings
from slimguard.dockerfile.context import LintContext


class ApkPin(Rule):
    id = "SG035"
    title = "apk add without versions"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    aliases = ("DL3018",)
    default = False
    docs = RuleDocs(
        what=("Finds `apk add` operands without a version constraint (`name=version`, `name~version`, "
              "`name>=version`, `name<version`); local `.apk` files count as pinned. One finding per RUN. "
              "Off by default (hadolint parity)."),
        why=("An unpinned apk add takes whatever the repository has on the day of the build, so the image "
             "can change without any change to the Dockerfile."),
        example="FROM alpine:3.20\nRUN apk add --no-cache curl\n",
        instead="FROM alpine:3.20\nRUN apk add --no-cache curl~8.9\n",
        fix_safety="No fix: slimguard cannot know which version you want.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        yield from pin_findings(ctx, self, "apk", "pin versions with `apk add <package>=<version>`")


RULE = ApkPin

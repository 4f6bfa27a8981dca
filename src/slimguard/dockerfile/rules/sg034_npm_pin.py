"""SG034: npm install without package versions."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pinning import pin_findings
from slimguard.dockerfile.context import LintContext


class NpmPin(Rule):
    id = "SG034"
    title = "npm install without versions"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    aliases = ("DL3016",)
    default = False
    docs = RuleDocs(
        what=("Finds `npm install <package>` operands without a version (`name@version`, "
              "`@scope/name@version`); tarballs, folders and git URLs with `#ref` count as pinned, and "
              "`npm install` without operands installs what package.json pins. One finding per RUN. Off "
              "by default (hadolint parity)."),
        why=("An unpinned npm install takes the newest release on the day of the build, so the image can "
             "change without any change to the Dockerfile."),
        example="FROM node:20-slim\nRUN npm install -g pm2\n",
        instead="FROM node:20-slim\nRUN npm install -g pm2@5.4.2\n",
        fix_safety="No fix: slimguard cannot know which version you want.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        yield from pin_findings(ctx, self, "npm", "pin versions with `npm install <package>@<version>`")


RULE = NpmPin

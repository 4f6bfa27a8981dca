"""SG042: gem install without versions."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pinning import pin_findings
from slimguard.dockerfile.context import LintContext


class GemPin(Rule):
    id = "SG042"
    title = "gem install without versions"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    aliases = ("DL3028",)
    default = False
    docs = RuleDocs(
        what=("Finds `gem install` operands without a version (`name:version`); a `-v`/`--version` option "
              "pins the command. One finding per RUN. Off by default (hadolint parity)."),
        why=("An unpinned gem install takes the newest release on the day of the build, so the image can "
             "change without any change to the Dockerfile."),
        example="FROM ruby:3.3-slim\nRUN gem install bundler\n",
        instead="FROM ruby:3.3-slim\nRUN gem install bundler:2.5.16\n",
        fix_safety="No fix: slimguard cannot know which version you want.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        yield from pin_findings(ctx, self, "gem", "pin versions with `gem install <gem>:<version>`")


RULE = GemPin

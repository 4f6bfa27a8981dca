"""SG028: apt-get install without package versions."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pinning import pin_findings
from slimguard.dockerfile.context import LintContext


class AptPin(Rule):
    id = "SG028"
    title = "apt-get install without versions"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    aliases = ("DL3008",)
    default = False
    docs = RuleDocs(
        what=("Finds `apt-get install` operands without a version (`name=version`); a release pin "
              "(`name/bookworm-backports`) and local `.deb` files count as pinned. One finding per RUN. "
              "Off by default (hadolint parity): select it with `--select SG028` or use hadolint mode."),
        why=("An unpinned install takes whatever the mirror has on the day of the build, so two builds of "
             "the same Dockerfile can ship different packages. Pinning makes that change visible in the "
             "Dockerfile, at the price of builds that fail once the mirror drops the pinned version."),
        example="FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n",
        instead=("FROM debian:bookworm-slim\n"
                 "RUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u8\n"),
        fix_safety="No fix: slimguard cannot know which version you want.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        yield from pin_findings(ctx, self, "apt", "pin versions with `apt-get install <package>=<version>`")


RULE = AptPin

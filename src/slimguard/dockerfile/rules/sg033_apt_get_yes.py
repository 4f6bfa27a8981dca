"""SG033: apt-get install that waits for a confirmation."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pinning import apt_get_install_without_yes, hadolint_apt_get_install_without_yes
from slimguard.dockerfile.analysis.pkgsites import missing_yes_findings
from slimguard.dockerfile.context import LintContext


class AptGetYes(Rule):
    id = "SG033"
    title = "apt-get install without -y"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    peers = ("DS021", "DS-0021", "AVD-DS-0021")
    fixable = "safe"
    aliases = ("DL3014",)
    docs = RuleDocs(
        what=("Finds `apt-get install` without `-y` (`--yes`, `--assume-yes`, `-qq`). One finding per RUN, "
              "ONBUILD triggers included."),
        why=("Without -y apt-get asks for confirmation before installing anything that pulls in more "
             "packages; a build has no terminal to answer, so apt-get aborts and the build fails (or, "
             "with a different package set tomorrow, starts failing)."),
        example="FROM debian:bookworm-slim\nRUN apt-get update && apt-get install curl\n",
        instead="FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n",
        fix_safety=("Safe: inserts ` -y` after `install`. The same packages are installed; apt-get only "
                    "stops asking. No fix for exec-form RUNs or commands nested in strings."),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        yield from missing_yes_findings(ctx, self, apt_get_install_without_yes, hadolint_apt_get_install_without_yes, {"install"},
                                        "`apt-get install` without -y stops at the confirmation prompt; add -y")


RULE = AptGetYes

"""SG032: pip install without package versions."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pinning import pin_findings
from slimguard.dockerfile.context import LintContext


class PipPin(Rule):
    id = "SG032"
    title = "pip install without versions"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    aliases = ("DL3013",)
    default = False
    docs = RuleDocs(
        what=("Finds `pip install` (pip2, pip3, `python -m pip`, pipx) operands without a version "
              "specifier (`==`, `~=`, `>=`, `<`, `!=`, `@ url`). Requirement and constraint files "
              "(`-r`, `-c`), local paths, wheels and source archives, and VCS URLs with `@ref` count as "
              "pinned. One finding per RUN. Off by default (hadolint parity)."),
        why=("An unpinned pip install takes the newest release on the day of the build; a new major "
             "version of a dependency can break the image without any change to the Dockerfile."),
        example="FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n",
        instead="FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3\n",
        fix_safety="No fix: slimguard cannot know which version you want.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        yield from pin_findings(ctx, self, "pip",
                                "pin versions with `pip install <package>==<version>` or use `-r requirements.txt`")


RULE = PipPin

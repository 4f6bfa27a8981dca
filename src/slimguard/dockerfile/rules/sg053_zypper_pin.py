"""SG053: zypper installs a package without a version."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.rpmpins import zypper_pinned, rpm_pin_findings
from slimguard.dockerfile.context import LintContext

TOOLS = ('zypper',)
HADOLINT_TOOLS = ('zypper',)


class ZypperPin(Rule):
    id = "SG053"
    title = "zypper install without version pins"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    aliases = ("DL3037",)
    default = False
    docs = RuleDocs(
        what=(
            "Finds `zypper install` commands with a package that is not pinned as `name=version` or a comparison (`name>=1.2`, quoted or escaped), or an .rpm file, in every "
            "stage and ONBUILD trigger. `$VAR` in a package is expanded from the ARGs and ENVs "
            "the RUN sees (and, like hadolint, any ARG declared earlier in the file). Package "
            "files, URLs and `@group` specs are not reported (hadolint's DL3037 reports them; with "
            "--hadolint-compat they are reported too). A pinning rule: it runs only when selected or in "
            "hadolint mode."
        ),
        why=(
            "Without a version the build installs whatever the repositories hold that day: two builds of "
            "the same Dockerfile differ, and an update can break the image without any change to it."
        ),
        example="FROM opensuse/leap:15.6\nRUN zypper install -y curl && zypper clean --all\n",
        instead="FROM opensuse/leap:15.6\nRUN zypper install -y curl=8.6.0 && zypper clean --all\n",
        fix_safety="No fix: which version to pin is the author's choice.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        yield from rpm_pin_findings(ctx, self, TOOLS, HADOLINT_TOOLS, zypper_pinned, "Specify the version: `zypper install -y <package>=<version>`")


RULE = ZypperPin

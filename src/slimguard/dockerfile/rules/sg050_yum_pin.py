"""SG050: yum installs a package without a version."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.rpmpins import rpm_pinned, rpm_pin_findings
from slimguard.dockerfile.context import LintContext

TOOLS = ('yum',)
HADOLINT_TOOLS = ('yum',)


class YumPin(Rule):
    id = "SG050"
    title = "yum install without version pins"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    aliases = ("DL3033",)
    default = False
    docs = RuleDocs(
        what=(
            "Finds `yum install` commands with a package that is not pinned as `name-version` (a dash followed by a digit: `httpd-2.4.57`, `openssl-1:3.0.7`), in every "
            "stage and ONBUILD trigger. Module installs (`yum module install name:stream`) need a stream; group installs are not checked. `$VAR` in a package is expanded from the ARGs and ENVs "
            "the RUN sees (and, like hadolint, any ARG declared earlier in the file). Package "
            "files, URLs and `@group` specs are not reported (hadolint's DL3033 reports them; with "
            "--hadolint-compat they are reported too). A pinning rule: it runs only when selected or in "
            "hadolint mode."
        ),
        why=(
            "Without a version the build installs whatever the repositories hold that day: two builds of "
            "the same Dockerfile differ, and an update can break the image without any change to it."
        ),
        example="FROM rockylinux:9\nRUN yum install -y httpd && yum clean all\n",
        instead="FROM rockylinux:9\nRUN yum install -y httpd-2.4.57 && yum clean all\n",
        fix_safety="No fix: which version to pin is the author's choice.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        yield from rpm_pin_findings(ctx, self, TOOLS, HADOLINT_TOOLS, rpm_pinned, "Specify the version: `yum install -y <package>-<version>`")


RULE = YumPin

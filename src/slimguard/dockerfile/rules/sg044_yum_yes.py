"""SG044: yum install that waits for a confirmation."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pinning import hadolint_yum_install_without_yes, yum_install_without_yes
from slimguard.dockerfile.analysis.pkgsites import missing_yes_findings
from slimguard.dockerfile.context import LintContext

_VERBS = frozenset({"install", "groupinstall", "localinstall"})


class YumYes(Rule):
    id = "SG044"
    title = "yum install without -y"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    fixable = "safe"
    aliases = ("DL3030",)
    docs = RuleDocs(
        what=("Finds `yum install` (`groupinstall`, `localinstall`) without `-y` (`--assumeyes`). One "
              "finding per RUN, ONBUILD triggers included."),
        why=("Without -y yum asks for confirmation; a build has no terminal to answer, so yum aborts and "
             "the build fails."),
        example="FROM centos:7\nRUN yum install httpd && yum clean all\n",
        instead="FROM centos:7\nRUN yum install -y httpd && yum clean all\n",
        fix_safety=("Safe: inserts ` -y` after the install sub-command. The same packages are installed; "
                    "yum only stops asking. No fix for exec-form RUNs or commands nested in strings."),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        yield from missing_yes_findings(ctx, self, yum_install_without_yes, hadolint_yum_install_without_yes, _VERBS,
                                        "`yum install` without -y stops at the confirmation prompt; add -y")


RULE = YumYes

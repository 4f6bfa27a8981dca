"""SG055: dnf installs a package without a version."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.rpmpins import (
    expand, install_ops, module_pinned, not_a_name, rpm_pinned, visible_vars,
)
from slimguard.dockerfile.analysis.pkgsites import command_finding, hadolint_sees, run_sites
from slimguard.dockerfile.context import LintContext

TOOLS = ('dnf', 'microdnf', 'dnf5', 'tdnf')
HADOLINT_TOOLS = ('dnf', 'microdnf')


class DnfPin(Rule):
    id = "SG055"
    title = "dnf install without version pins"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    aliases = ("DL3041",)
    default = False
    docs = RuleDocs(
        what=(
            "Finds `dnf install` commands with a package that is not pinned as `name-version` (a dash followed by a digit: `httpd-2.4.57`, `openssl-1:3.0.7`), in every "
            "stage and ONBUILD trigger. Module installs (`dnf module install name:stream`) need a stream; group installs are not checked. `$VAR` in a package is expanded from the ARGs and ENVs "
            "the RUN sees (and, like hadolint, any ARG declared earlier in the file). dnf5, tdnf are checked too, without the hadolint alias. Package "
            "files, URLs and `@group` specs are not reported (hadolint's DL3041 reports them; with "
            "--hadolint-compat they are reported too). A pinning rule: it runs only when selected or in "
            "hadolint mode."
        ),
        why=(
            "Without a version the build installs whatever the repositories hold that day: two builds of "
            "the same Dockerfile differ, and an update can break the image without any change to it."
        ),
        example="FROM fedora:40\nRUN dnf install -y httpd && dnf clean all\n",
        instead="FROM fedora:40\nRUN dnf install -y httpd-2.4.57 && dnf clean all\n",
        fix_safety="No fix: which version to pin is the author's choice.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        compat = ctx.options.hadolint_compat
        for site in run_sites(ctx):
            ops = list(install_ops(site, TOOLS))
            if not ops:
                continue
            names = visible_vars(ctx, site)
            for op, kind in ops:
                pinned = module_pinned if kind == "module" else rpm_pinned
                specs = [expand(p, names) for p in op.packages]
                theirs = [s for s in specs if not pinned(s)]
                ours = [s for s in theirs if not not_a_name(s)]
                sees = op.command.name in HADOLINT_TOOLS and hadolint_sees(site, op.command)
                if not ours and not (compat and sees and theirs):
                    continue
                shown = ", ".join((ours or theirs)[:3])
                yield command_finding(ctx, self, site, op.command, f"Specify the version: `dnf install -y <package>-<version>` (unpinned: {shown})",
                                      aliases=self.aliases if sees and theirs else ())


RULE = DnfPin

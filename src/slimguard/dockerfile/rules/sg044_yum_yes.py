"""SG044: yum install that waits for a confirmation."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pinning import hadolint_yum_install_without_yes, yum_install_without_yes
from slimguard.dockerfile.analysis.pkgsites import hadolint_sees, insert_after_word, run_sites, subcommand_word
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.shell import PackageOp

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
        compat = ctx.options.hadolint_compat
        for site in run_sites(ctx):
            real = [op for op in site.script.of_type(PackageOp) if yum_install_without_yes(op)]
            hado = [c for c in site.script.commands
                    if hadolint_sees(site, c) and hadolint_yum_install_without_yes(c)]
            if not real and not (compat and hado):
                continue
            edits = []
            for op in real:
                word = subcommand_word(op.command, _VERBS)
                edit = insert_after_word(ctx, site, word, " -y") if word is not None else None
                if edit is None:
                    edits = []
                    break
                edits.append(edit)
            fix = Fix("add -y", tuple(edits), Applicability.SAFE) if edits else None
            yield ctx.at(self, site.instruction,
                         "`yum install` without -y stops at the confirmation prompt; add -y",
                         fix=fix, aliases=self.aliases if hado else ())


RULE = YumYes

"""SG054: dnf installs without -y."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import command_finding, hadolint_sees, insert_after_word, run_sites
from slimguard.dockerfile.analysis.shellview import verb_word
from slimguard.dockerfile.context import LintContext

# dnf sub-commands that ask for confirmation
VERBS = frozenset({
    "install", "in", "groupinstall", "reinstall", "rei", "upgrade", "up", "update", "remove", "rm", "erase",
    "autoremove", "downgrade", "distro-sync", "group", "groups", "module", "swap",
})
HADOLINT_VERBS = frozenset({"install", "groupinstall"})  # and `module install`
SWITCHES = ("-y", "--assumeyes")
SUBGROUP = frozenset({"group", "groups", "module"})


class DnfAssumeYes(Rule):
    id = "SG054"
    title = "dnf without -y"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    fixable = "safe"
    aliases = ("DL3038",)
    docs = RuleDocs(
        what=(
            "Finds dnf and dnf5 commands that ask for confirmation (install, groupinstall, "
            "`group install`, `module install`, reinstall, upgrade, remove, downgrade, distro-sync, swap) "
            "without `-y`/`--assumeyes`, in every stage and ONBUILD trigger. microdnf never prompts and is "
            "reported only with --hadolint-compat, since hadolint's DL3038 checks it too; DL3038 covers "
            "install, groupinstall and `module install`, findings for other sub-commands and dnf5 carry no "
            "alias. yum is checked by the rule for hadolint's DL3030."
        ),
        why=(
            "Without a terminal dnf's `Is this ok [y/N]` prompt reads end-of-file and the transaction is "
            "aborted, so the build fails."
        ),
        example="FROM fedora:40\nRUN dnf install httpd && dnf clean all\n",
        instead="FROM fedora:40\nRUN dnf install -y httpd && dnf clean all\n",
        fix_safety=(
            "Safe: inserts ` -y` after the sub-command word, which answers the prompt the build cannot "
            "answer; the transaction is the same. No fix for exec-form RUNs or commands nested in strings "
            "with escapes."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        compat = ctx.options.hadolint_compat
        for site in run_sites(ctx):
            for cmd in site.script.named("dnf", "dnf5", "microdnf"):
                verb = verb_word(cmd)
                if verb is None or verb.value not in VERBS or any(a.value in SWITCHES for a in cmd.args):
                    continue
                word = verb
                if verb.value in SUBGROUP:  # `dnf module install`, `dnf group install`
                    rest = cmd.args[cmd.args.index(verb) + 1:]
                    word = next((a for a in rest if a.value and not a.value.startswith("-")), None)
                    if word is None or word.value not in ("install", "remove", "upgrade", "update", "reset",
                                                          "enable", "disable", "switch-to", "mark"):
                        continue
                theirs = cmd.name in ("dnf", "microdnf") and hadolint_sees(site, cmd) and (
                    verb.value in HADOLINT_VERBS or (verb.value == "module" and word.value == "install"))
                if cmd.name == "microdnf" and not (compat and theirs):
                    continue
                edit = insert_after_word(ctx, site, word, " -y")
                fix = Fix("add -y", (edit,), Applicability.SAFE) if edit is not None else None
                yield command_finding(ctx, self, site, cmd,
                                      f"`{cmd.name} {verb.value}` without -y aborts at the confirmation prompt; "
                                      f"use `{cmd.name} {verb.value} -y`",
                                      fix=fix, aliases=self.aliases if theirs else ())


RULE = DnfAssumeYes

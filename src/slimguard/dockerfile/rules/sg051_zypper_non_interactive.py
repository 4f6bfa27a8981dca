"""SG051: zypper without its non-interactive switch."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import (
    command_finding, hadolint_sees, insert_after_word, run_sites,
)
from slimguard.dockerfile.analysis.shellview import verb_word
from slimguard.dockerfile.context import LintContext

# the sub-commands hadolint's DL3034 checks
HADOLINT_VERBS = frozenset({"install", "in", "remove", "rm", "source-install", "si", "patch"})
# sub-commands that ask for confirmation
VERBS = HADOLINT_VERBS | {"update", "up", "dist-upgrade", "dup", "reinstall", "install-new-recommends", "inr"}
SWITCHES = ("-n", "--non-interactive", "-y", "--no-confirm")


class ZypperNonInteractive(Rule):
    id = "SG051"
    title = "zypper without --non-interactive"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    fixable = "safe"
    aliases = ("DL3034",)
    docs = RuleDocs(
        what=(
            "Finds zypper commands that ask for confirmation (install/in, remove/rm, source-install/si, "
            "patch, update/up, dist-upgrade/dup, reinstall) without `-n`/`--non-interactive` or "
            "`-y`/`--no-confirm`, in every stage and ONBUILD trigger. hadolint's DL3034 checks install, "
            "remove, source-install and patch; findings for the other sub-commands carry no alias."
        ),
        why=(
            "Without a terminal zypper's confirmation prompt reads end-of-file and aborts, so the build "
            "fails (or, with some versions, waits). The switch makes the intent explicit."
        ),
        example="FROM opensuse/leap:15.6\nRUN zypper install curl && zypper clean --all\n",
        instead="FROM opensuse/leap:15.6\nRUN zypper install -y curl && zypper clean --all\n",
        fix_safety=(
            "Safe: inserts ` -y` after the sub-command, which answers the prompt the build cannot answer; "
            "the same packages are installed. No fix for exec-form RUNs or commands nested in strings with "
            "escapes."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in run_sites(ctx):
            for cmd in site.script.named("zypper"):
                verb = verb_word(cmd)
                verb = verb if verb is not None and verb.value in VERBS else None
                if verb is None or any(a.value in SWITCHES for a in cmd.args):
                    continue
                edit = insert_after_word(ctx, site, verb, " -y")
                fix = Fix("add -y", (edit,), Applicability.SAFE) if edit is not None else None
                aliases = self.aliases if verb.value in HADOLINT_VERBS and hadolint_sees(site, cmd) else ()
                yield command_finding(ctx, self, site, cmd,
                                      f"`zypper {verb.value}` without a non-interactive switch; use "
                                      f"`zypper {verb.value} -y` (or `zypper -n {verb.value}`)",
                                      fix=fix, aliases=aliases)


RULE = ZypperNonInteractive

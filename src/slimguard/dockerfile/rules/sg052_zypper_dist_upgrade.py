"""SG052: zypper dist-upgrade in a Dockerfile."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import command_finding, hadolint_sees, run_sites
from slimguard.dockerfile.analysis.shellview import verb_word
from slimguard.dockerfile.context import LintContext

VERBS = frozenset({"dist-upgrade", "dup"})


class ZypperDistUpgrade(Rule):
    id = "SG052"
    title = "zypper dist-upgrade"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    aliases = ("DL3035",)
    docs = RuleDocs(
        what="Finds `zypper dist-upgrade` and `zypper dup` in every stage and ONBUILD trigger.",
        why=(
            "A distribution upgrade inside a build moves the image to whatever the repositories hold today "
            "(possibly a new release with vendor changes), makes the build irreproducible and grows the "
            "layer by every upgraded package. Pick a newer base image tag instead, or `zypper patch` for "
            "security fixes."
        ),
        example="FROM opensuse/leap:15.6\nRUN zypper -n dup\n",
        instead="FROM opensuse/leap:15.6\nRUN zypper -n patch\n",
        fix_safety="No fix: replacing the upgrade changes which packages the image gets.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in run_sites(ctx):
            for cmd in site.script.named("zypper"):
                verb = verb_word(cmd)
                verb = verb if verb is not None and verb.value in VERBS else None
                if verb is not None:
                    yield command_finding(ctx, self, site, cmd,
                                          "do not use `zypper dist-upgrade` in a build; use a newer base image "
                                          "or `zypper patch`",
                                          aliases=self.aliases if hadolint_sees(site, cmd) else ())


RULE = ZypperDistUpgrade

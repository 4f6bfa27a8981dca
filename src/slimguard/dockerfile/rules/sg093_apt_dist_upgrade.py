"""SG093: apt-get dist-upgrade / full-upgrade in a Dockerfile."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import command_finding, run_sites
from slimguard.dockerfile.analysis.shellview import verb_word
from slimguard.dockerfile.context import LintContext

VERBS = frozenset({"dist-upgrade", "full-upgrade"})


class AptDistUpgrade(Rule):
    id = "SG093"
    title = "apt dist-upgrade in a build"
    severity = Severity.INFO
    concern = "pkg-hygiene"
    peers = ("DS024", "DS-0024", "AVD-DS-0024")
    default = False
    docs = RuleDocs(
        what=("Finds `apt-get dist-upgrade` and `apt full-upgrade` in every stage and ONBUILD trigger. Plain "
              "`apt-get upgrade` (security updates on top of the base) is not reported. Off by default: it "
              "runs when selected (`--select SG093` or `DS024`)."),
        why=("A distribution upgrade may install and remove packages to resolve dependencies, so the image "
             "differs from what its base promises and from the last build; the layer grows by every upgraded "
             "package. A newer base image tag brings the same fixes, tested together."),
        example="FROM debian:bookworm-slim\nRUN apt-get update && apt-get -y dist-upgrade\n",
        instead="FROM debian:bookworm-slim\nRUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*\n",
        fix_safety="No fix: a different upgrade changes which packages the image gets.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in run_sites(ctx):
            for cmd in site.script.named("apt-get", "apt"):
                verb = verb_word(cmd)
                if verb is not None and verb.value in VERBS:
                    yield command_finding(ctx, self, site, cmd,
                                          f"`{cmd.name} {verb.value}` in a build may add and remove packages; "
                                          "use a newer base image or `apt-get upgrade`")


RULE = AptDistUpgrade

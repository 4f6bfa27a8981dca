"""SG083: a RUN replaces /bin/sh with a link instead of using SHELL."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import command_finding, hadolint_sees, run_sites
from slimguard.dockerfile.context import LintContext

SHELL_PATHS = frozenset({"/bin/sh", "/usr/bin/sh"})


class LnBinSh(Rule):
    id = "SG083"
    title = "Linking /bin/sh instead of using SHELL"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("DL4005",)
    docs = RuleDocs(
        what=(
            "Finds `ln` commands whose link is /bin/sh (or /usr/bin/sh), in every stage and ONBUILD "
            "trigger. hadolint's DL4005 checks /bin/sh; findings for /usr/bin/sh, behind wrappers or "
            "nested in `sh -c` carry no alias."
        ),
        why=(
            "Replacing /bin/sh changes the shell of every script in the image, including the distribution's "
            "maintainer scripts and the programs that call `system()`, which expect a POSIX sh. The SHELL "
            "instruction changes the shell of the Dockerfile's own RUNs only."
        ),
        example="FROM debian:bookworm-slim\nRUN ln -sf /bin/bash /bin/sh\n",
        instead='FROM debian:bookworm-slim\nSHELL ["/bin/bash", "-c"]\n',
        fix_safety="No fix: whether later RUNs or the running container rely on the new /bin/sh is unknown.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in run_sites(ctx):
            for cmd in site.script.named("ln"):
                operands = [a.value for a in cmd.args if not (a.value or "").startswith("-")]
                if len(operands) < 2 or operands[-1] not in SHELL_PATHS:
                    continue
                exact = operands[-1] == "/bin/sh" and hadolint_sees(site, cmd)
                yield command_finding(ctx, self, site, cmd,
                                      f"`ln` replaces {operands[-1]}; use the SHELL instruction to change "
                                      "the shell of RUN", aliases=self.aliases if exact else ())


RULE = LnBinSh

"""SG098: a RUN grants passwordless sudo (NOPASSWD) in the sudoers files."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import command_finding, run_sites
from slimguard.dockerfile.context import LintContext

_NOPASSWD = re.compile(r"\bNOPASSWD\s*:")
_SUDOERS = re.compile(r"/etc/sudoers(\.d/\S*)?")


class PasswordlessSudo(Rule):
    id = "SG098"
    title = "Passwordless sudo granted"
    severity = Severity.WARNING
    concern = "privilege-escalation"
    docs = RuleDocs(
        what=("Finds RUN commands that write a `NOPASSWD:` rule into /etc/sudoers or /etc/sudoers.d "
              "(`echo … >> /etc/sudoers`, `tee`, `printf`, `sed -i`), in every stage and ONBUILD trigger."),
        why=("`user ALL=(ALL) NOPASSWD: ALL` makes the non-root user root again for anyone who gets a shell "
             "in the container: the USER line no longer limits anything. CI and dev-container images do it on "
             "purpose; they are reported as information (see the purpose rules in docs/rules/README.md)."),
        example=("FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y sudo && useradd -m app \\\n"
                 "    && echo 'app ALL=(ALL) NOPASSWD: ALL' >> /etc/sudoers\nUSER app\n"),
        instead=("FROM debian:bookworm-slim\n# do what needs root here, as root, then drop to the user\n"
                 "RUN useradd -m app\nUSER app\n"),
        fix_safety="No fix: whatever the user does with sudo at run time would stop working.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in run_sites(ctx):
            text = site.script.source
            if not _NOPASSWD.search(text) or not _SUDOERS.search(text):
                continue
            cmd = next((c for c in site.script.commands if any(_NOPASSWD.search(w.raw) for w in c.args)),
                       site.script.commands[0] if site.script.commands else None)
            message = ("this RUN grants passwordless sudo (NOPASSWD) in the sudoers files: the non-root user can "
                       "become root again without a password, so USER no longer limits it")
            if cmd is None:
                yield ctx.at(self, site.instruction, message)
            else:
                yield command_finding(ctx, self, site, cmd, message)


RULE = PasswordlessSudo

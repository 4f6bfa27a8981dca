"""SG096: an account password set during the build."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import command_finding, run_sites
from slimguard.dockerfile.context import LintContext


def _sets_password(name: str | None, args: list[str | None]) -> bool:
    if name == "chpasswd":
        return True
    if name == "passwd":
        return "--stdin" in args
    if name in ("useradd", "usermod", "adduser"):
        return any(a in ("-p", "--password") or (a or "").startswith("--password=") for a in args)
    return False


class PasswordInBuild(Rule):
    id = "SG096"
    title = "Account password set in the build"
    severity = Severity.WARNING
    concern = "secrets"
    peers = ("CKV2_DOCKER_17",)
    docs = RuleDocs(
        what=("Finds RUN commands that give an account a password: `chpasswd`, `passwd --stdin`, and "
              "`useradd`/`usermod -p`. Every stage and ONBUILD trigger is checked."),
        why=("The password (or its hash) is written into the Dockerfile, into `docker history` and into "
             "/etc/shadow of every container from the image, the same for all of them. Containers need no "
             "login password: processes run as the image's user and `docker exec` gives a shell."),
        example="FROM debian:bookworm-slim\nRUN useradd -m app && echo 'app:secret' | chpasswd\nUSER app\n",
        instead="FROM debian:bookworm-slim\nRUN useradd -m app\nUSER app\n",
        fix_safety="No fix: a login that relies on the password would stop working.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in run_sites(ctx):
            for cmd in site.script.commands:
                if _sets_password(cmd.name, [a.value for a in cmd.args]):
                    yield command_finding(ctx, self, site, cmd,
                                          f"`{cmd.name}` sets an account password during the build: it stays "
                                          "in the image history and in every container's /etc/shadow; "
                                          "containers need no login password")


RULE = PasswordInBuild

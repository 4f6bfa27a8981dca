"""SG091: EXPOSE of the SSH port 22."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.instrs import sites, unquote
from slimguard.dockerfile.context import LintContext


def _covers_22(spec: str) -> bool:
    port, _, proto = unquote(spec).partition("/")
    if "$" in port or proto.lower() not in ("", "tcp"):
        return False  # a variable cannot be known; SSH is TCP
    low, _, high = port.partition("-")
    if not low.isdigit() or (high and not high.isdigit()):
        return False
    return int(low) <= 22 <= int(high or low)


class SshPort(Rule):
    id = "SG091"
    title = "SSH port 22 exposed"
    severity = Severity.INFO
    concern = "remote-access"
    peers = ("DS004", "DS-0004", "AVD-DS-0004", "CKV_DOCKER_1")
    docs = RuleDocs(
        what=("Finds EXPOSE instructions that publish TCP port 22 (alone, as `22/tcp` or inside a range), "
              "in every stage and ONBUILD trigger. Ports given by a variable are not checked."),
        why=("Exposing 22 usually means an SSH daemon runs in the container: one more service with "
             "credentials or keys to manage and patch, for a job `docker exec` or `kubectl exec` already "
             "does. Images whose purpose is SSH (a git server, a bastion) are the exception, so this is "
             "information, not a warning."),
        example="FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y openssh-server\nEXPOSE 22\n",
        instead="FROM debian:bookworm-slim\n# no sshd: use docker exec -it <container> sh for a shell\n",
        fix_safety="No fix: whether the image's job is SSH cannot be known from the file.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in sites(ctx):
            if site.ins.name == "EXPOSE" and any(_covers_22(w) for w in site.ins.buildkit_value()):
                yield ctx.at(self, site.reported,
                             "port 22 (SSH) is exposed: run an SSH server in a container only when SSH is the "
                             "image's job; for a shell use `docker exec`")


RULE = SshPort

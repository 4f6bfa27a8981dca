"""SGA006: sudo, doas or pkexec in the image (lint's SG007)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import RuleDocs
from slimguard.image.layers import REG
from slimguard.image.rules.base import ImageContext, ImageRule
from slimguard.image.rules.privilege import PRIV_TOOLS


class PrivilegeTools(ImageRule):
    id = "SGA006"
    title = "sudo or another privilege tool in the image"
    severity = Severity.ERROR
    concern = "privilege-escalation"
    aliases = ("SG007",)
    docs = RuleDocs(
        what=(
            "Looks for sudo, doas and pkexec as regular files at their usual paths in the image's final "
            "filesystem (/usr/bin, /bin, /usr/sbin, /usr/local/bin; a symlink is not followed, so a merged-/usr "
            "image reports each binary once), whatever installed them."
        ),
        why=(
            "sudo, doas and pkexec are installed setuid root: with a passwordless sudoers entry anyone who gets "
            "a shell in the container becomes root, and even without one they are an attack surface (for "
            "example CVE-2021-3156 in sudo and CVE-2021-4034 in pkexec let any local user become root). A "
            "container needs no privilege switch at run time: it starts as the user it should run as."
        ),
        example=(
            "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends sudo \\\n"
            "    && rm -rf /var/lib/apt/lists/* && useradd --uid 10001 app \\\n"
            "    && echo 'app ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/app\nUSER 10001\n"
        ),
        instead=(
            "FROM debian:bookworm-slim\nRUN useradd --uid 10001 app\n"
            "# do what needed root here, as root, before USER\nUSER 10001\n"
        ),
        fix_safety=(
            "No automatic fix: the image is built. Do what needs root in RUN steps before `USER`, drop the "
            "package, and rebuild; an entrypoint that calls sudo must be changed to not need it."
        ),
    )

    def check(self, ctx: ImageContext) -> Iterator[Finding]:
        tools = []
        for path in sorted(PRIV_TOOLS):
            node = ctx.node(path)
            if node is not None and node.kind == REG:
                tools.append(path)
        if tools:
            names = sorted({PRIV_TOOLS[t] for t in tools})
            yield ctx.finding(
                self, f"{', '.join(names)} is installed (/{', /'.join(tools)}): a non-root user can become root "
                f"through it; remove it and drop privileges with USER instead", paths=["/" + t for t in tools])


RULE = PrivilegeTools

"""SGA007: setuid/setgid files and world-writable paths in the image (lint's SG008)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import RuleDocs
from slimguard.image.layers import DIR, REG, SYMLINK
from slimguard.image.rules.base import ImageContext, ImageRule
from slimguard.image.rules.privilege import PRIV_TOOLS

_TMP_DIRS = ("tmp", "var/tmp", "dev/shm", "run/lock", "var/lock")
_SHOWN = 8


def _shown(items: list[str]) -> str:
    more = len(items) - _SHOWN
    return ", ".join(items[:_SHOWN]) + (f" and {more} more" if more > 0 else "")


class SetuidWorldWritable(ImageRule):
    id = "SGA007"
    title = "setuid/setgid bit or world-writable path in the image"
    severity = Severity.WARNING
    concern = "privilege-escalation"
    aliases = ("SG008",)
    docs = RuleDocs(
        what=(
            "Walks the image's final filesystem and reports, in one finding each: regular files with the "
            "setuid or setgid bit (info; the privilege tools SGA006 reports are left out), and files and "
            "directories writable by everyone (warning) outside /tmp, /var/tmp, /dev/shm, /run/lock and "
            "/var/lock. Symlinks are not reported. The message shows the first 8 paths, the details list them "
            "with their mode and the layer that added them."
        ),
        why=(
            "A setuid-root binary runs as root whoever starts it, so a non-root USER is one bug away from root; "
            "Docker keeps the default capabilities in the bounding set, so only `--security-opt "
            "no-new-privileges` (Kubernetes `allowPrivilegeEscalation: false`) neutralises it. A world-writable "
            "path lets any process in the container, whatever its uid, replace code or configuration the "
            "application trusts."
        ),
        example="FROM debian:bookworm-slim\nRUN mkdir /data && chmod 777 /data\nUSER 10001\n",
        instead=(
            "FROM debian:bookworm-slim\nRUN mkdir /data && chown 10001:10001 /data \\\n"
            "    && find / -xdev -perm /6000 -type f -exec chmod a-s {} +\nUSER 10001\n"
        ),
        fix_safety=(
            "No automatic fix: the image is built. Give writable directories to the user that writes them "
            "(`chown`, `COPY --chown`) instead of mode 777, strip setuid/setgid bits the application does not "
            "need (`chmod a-s`), and rebuild; a tool that relies on its setuid bit (su, passwd, ping on old "
            "kernels) stops working for non-root users."
        ),
    )

    def check(self, ctx: ImageContext) -> Iterator[Finding]:
        ov = ctx.overlay
        if ov is None:
            return
        setuid: list[tuple[str, int, int]] = []
        writable: list[tuple[str, str, int]] = []
        for path, node in ov.walk():
            p = path[1:]
            kind = node.kind
            if kind == SYMLINK:
                continue
            mode = node.mode
            if kind == REG and mode & 0o6000 and p not in PRIV_TOOLS:
                setuid.append(("/" + p, mode & 0o7777, node.layer))
            if mode & 0o002 and kind in (REG, DIR):
                if any(p == d or p.startswith(d + "/") for d in _TMP_DIRS):
                    continue
                writable.append(("/" + p, "dir" if kind == DIR else "file", node.layer))
        setuid.sort()
        writable.sort()
        if setuid:
            yield ctx.finding(
                self, f"{len(setuid)} setuid/setgid file(s): {_shown([f'{p} ({m:04o})' for p, m, _ in setuid])}; "
                f"strip the bits (chmod a-s) for what the application does not need", Severity.INFO,
                files=[{"path": p, "mode": f"{m:04o}", "layer": layer} for p, m, layer in setuid])
        if writable:
            yield ctx.finding(
                self, f"{len(writable)} world-writable path(s) outside /tmp: {_shown([p for p, _, _ in writable])}; "
                f"any user in the container can change them",
                paths=[{"path": p, "type": t, "layer": layer} for p, t, layer in writable[:200]])


RULE = SetuidWorldWritable

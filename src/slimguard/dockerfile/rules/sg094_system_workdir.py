"""SG094: WORKDIR inside a directory the kernel or the runtime mounts over."""

from __future__ import annotations

import posixpath
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.instrs import sites, unquote
from slimguard.dockerfile.context import LintContext

SYSTEM_DIRS = ("/proc", "/dev", "/boot", "/initrd", "/lost+found", "/sys")


def system_dir(path: str) -> str | None:
    """The system directory *path* lies in (``/proc`` for ``/proc/app``), or None."""
    if "$" in path or not path.startswith("/"):
        return None
    norm = posixpath.normpath(path)
    for d in SYSTEM_DIRS:
        if norm == d or norm.startswith(d + "/"):
            return d
    return None


class SystemWorkdir(Rule):
    id = "SG094"
    title = "WORKDIR in a system directory"
    severity = Severity.WARNING
    concern = "syntax"
    peers = ("DS030", "DS-0030", "AVD-DS-0030")
    docs = RuleDocs(
        what=("Finds WORKDIR instructions whose absolute path lies in /proc, /sys, /dev, /boot, /initrd or "
              "/lost+found, in every stage and ONBUILD trigger. Paths built from variables are not checked."),
        why=("At run time the engine mounts procfs, sysfs and a fresh /dev over those directories, so whatever "
             "the build put there is hidden and the container starts in a kernel file system; /boot and "
             "/lost+found belong to the host's disk layout. Files written there at run time can reach the "
             "kernel's interfaces."),
        example="FROM debian:bookworm-slim\nWORKDIR /proc/app\nCOPY app /proc/app/\n",
        instead="FROM debian:bookworm-slim\nWORKDIR /app\nCOPY app /app/\n",
        fix_safety="No fix: the application's paths would move.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in sites(ctx):
            if site.ins.name != "WORKDIR":
                continue
            words = site.ins.buildkit_value()
            path = unquote(words[0]) if words else ""
            where = system_dir(path)
            if where is not None:
                yield ctx.at(self, site.reported,
                             f"WORKDIR {path} lies in {where}, which the runtime mounts over or which belongs "
                             "to the host; use an application directory such as /app")


RULE = SystemWorkdir

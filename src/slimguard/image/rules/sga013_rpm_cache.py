"""SGA013: the dnf or yum cache left in the image (lint's SG016)."""

from __future__ import annotations

from slimguard.core.rule import RuleDocs
from slimguard.image.rules.caches import CacheRule


class RpmCache(CacheRule):
    id = "SGA013"
    title = "dnf/yum cache left in the image"
    aliases = ("SG016",)
    caches = (
        ("var/cache/dnf", "the dnf cache", "dnf clean all in the same RUN"),
        ("var/cache/yum", "the yum cache", "yum clean all in the same RUN"),
    )
    docs = RuleDocs(
        what=(
            "Reports /var/cache/dnf and /var/cache/yum (repository metadata and downloaded packages) when "
            "either holds at least 1 MB of files in the image's final filesystem, one finding each."
        ),
        why=(
            "These package managers keep repository metadata (often 100+ MB for Fedora repositories) and "
            "downloaded packages in /var/cache. The running container does not need them, and files deleted in "
            "a later RUN still ship in the earlier layer."
        ),
        example="FROM fedora:40\nRUN dnf install -y python3\n",
        instead="FROM fedora:40\nRUN dnf install -y python3 && dnf clean all\n",
        fix_safety=(
            "No automatic fix: the image is built. Clean the cache in the RUN that installs (`slimguard fix` "
            "appends `dnf clean all` / `yum clean all` for lint's SG016) and rebuild; the installed packages "
            "are the same."
        ),
    )


RULE = RpmCache

"""SGA010: apt lists or downloaded .deb files left in the image (lint's SG013)."""

from __future__ import annotations

from slimguard.core.rule import RuleDocs
from slimguard.image.rules.caches import CacheRule


class AptLists(CacheRule):
    id = "SGA010"
    title = "apt lists or downloaded .deb files left in the image"
    aliases = ("SG013",)
    caches = (
        ("var/lib/apt/lists", "apt lists", "rm -rf /var/lib/apt/lists/* in the same RUN as apt-get install"),
        ("var/cache/apt/archives", "downloaded .deb files", "apt-get clean in the same RUN"),
    )
    docs = RuleDocs(
        what=(
            "Reports /var/lib/apt/lists (the package indexes `apt-get update` downloads) and "
            "/var/cache/apt/archives (downloaded .deb files) when either holds at least 1 MB of files in the "
            "image's final filesystem, one finding each, with the size and the number of files."
        ),
        why=(
            "`apt-get update` downloads the package indexes of every configured repository to "
            "/var/lib/apt/lists: several to tens of megabytes the running container never reads, and the same "
            "holds for .deb files apt keeps after installing them. Files deleted in a later RUN still ship in "
            "the earlier layer, so the removal has to happen in the RUN that downloaded them."
        ),
        example=(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates\n"
        ),
        instead=(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n"
        ),
        fix_safety=(
            "No automatic fix: the image is built. Remove the lists in the RUN that runs `apt-get update` "
            "(`slimguard fix` does that for lint's SG013) and rebuild; a container that runs `apt-get install` "
            "at run time must then run `apt-get update` first."
        ),
    )


RULE = AptLists

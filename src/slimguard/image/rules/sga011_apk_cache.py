"""SGA011: the apk cache left in the image (lint's SG014)."""

from __future__ import annotations

from slimguard.core.rule import RuleDocs
from slimguard.image.rules.caches import CacheRule


class ApkCache(CacheRule):
    id = "SGA011"
    title = "apk cache left in the image"
    aliases = ("SG014",)
    caches = (("var/cache/apk", "the apk cache", "apk add --no-cache"),)
    docs = RuleDocs(
        what=(
            "Reports /var/cache/apk when it holds at least 1 MB of files (repository indexes, downloaded "
            "packages) in the image's final filesystem."
        ),
        why=(
            "Without --no-cache apk stores the repository indexes (APKINDEX, a few MB per repository) in "
            "/var/cache/apk, and they ship with the layer although the container never installs anything. "
            "Deleting them in a later RUN does not remove them from the earlier layer."
        ),
        example="FROM alpine:3.20\nRUN apk update && apk add curl\n",
        instead="FROM alpine:3.20\nRUN apk add --no-cache curl\n",
        fix_safety=(
            "No automatic fix: the image is built. Use `apk add --no-cache` (`slimguard fix` does that for "
            "lint's SG014) and rebuild; the installed packages are the same."
        ),
    )


RULE = ApkCache

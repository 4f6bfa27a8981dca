"""SGA014: the npm cache left in the image (no lint rule checks npm's cache)."""

from __future__ import annotations

from slimguard.core.rule import RuleDocs
from slimguard.image.rules.caches import CacheRule


class NpmCache(CacheRule):
    id = "SGA014"
    title = "npm cache left in the image"
    caches = (("root/.npm/_cacache", "the npm cache", "npm cache clean --force in the same RUN"),)
    docs = RuleDocs(
        what=(
            "Reports root's npm cache, /root/.npm/_cacache, when it holds at least 1 MB of files (downloaded "
            "package tarballs and metadata) in the image's final filesystem. `slimguard lint` has no "
            "counterpart, so the rule has no lint alias."
        ),
        why=(
            "npm keeps every tarball it downloads in ~/.npm/_cacache, often tens of megabytes for an "
            "application's dependency tree. The running container does not need it, and deleting it in a later "
            "RUN does not remove it from the earlier layer."
        ),
        example="FROM node:20-slim\nCOPY package*.json ./\nRUN npm ci --omit=dev\n",
        instead="FROM node:20-slim\nCOPY package*.json ./\nRUN npm ci --omit=dev && npm cache clean --force\n",
        fix_safety=(
            "No automatic fix: the image is built. Run `npm cache clean --force` in the RUN that installs, or "
            "keep the cache in a `RUN --mount=type=cache,target=/root/.npm` mount, and rebuild; the installed "
            "packages are the same."
        ),
    )


RULE = NpmCache

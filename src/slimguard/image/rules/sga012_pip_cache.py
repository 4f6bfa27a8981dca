"""SGA012: the pip cache left in the image (lint's SG015)."""

from __future__ import annotations

from slimguard.core.rule import RuleDocs
from slimguard.image.rules.caches import CacheRule


class PipCache(CacheRule):
    id = "SGA012"
    title = "pip cache left in the image"
    aliases = ("SG015",)
    caches = (("root/.cache/pip", "the pip cache", "pip install --no-cache-dir"),)
    docs = RuleDocs(
        what=(
            "Reports root's pip cache, /root/.cache/pip, when it holds at least 1 MB of files (downloaded "
            "archives, built wheels) in the image's final filesystem."
        ),
        why=(
            "pip keeps every downloaded archive and every wheel it builds in ~/.cache/pip. In an image that "
            "cache is dead weight, often as large as the installed packages themselves (hundreds of MB for "
            "numpy, torch and friends), and it stays in the layer even if deleted by a later RUN."
        ),
        example="FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        instead=(
            "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
        ),
        fix_safety=(
            "No automatic fix: the image is built. Use `pip install --no-cache-dir` or `PIP_NO_CACHE_DIR=1` "
            "(`slimguard fix` adds the flag for lint's SG015) and rebuild; the installed packages are the same."
        ),
    )


RULE = PipCache

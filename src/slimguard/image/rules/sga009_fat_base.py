"""SGA009: the image is built on a full base image that has a smaller variant (lint's SG010)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import RuleDocs
from slimguard.image.rules.base import ImageContext, ImageRule
from slimguard.image.units import mb


class FatBase(ImageRule):
    id = "SGA009"
    title = "Full base image where a smaller variant exists"
    severity = Severity.INFO
    concern = "fat-base"
    aliases = ("SG010",)
    docs = RuleDocs(
        what=(
            "Guesses the base image (with a Docker engine: the local image whose layers are the longest prefix "
            "of this image's; else the image's own tag, or /etc/os-release and the toolchain packages) and "
            "reports it when slimguard's knowledge base knows a smaller variant of it (node:X -> node:X-slim, "
            "buildpack-deps:bookworm -> debian:bookworm-slim, ...). The saving is measured when the engine has "
            "both images, else the knowledge base's estimate; the message says which and how the base was "
            "found."
        ),
        why=(
            "The full official tags are built on buildpack-deps: compilers, make, git, curl, ImageMagick and "
            "dozens of -dev libraries. node:12.16 is 916 MB, node:12.16-slim 140 MB; openjdk:8 is 510 MB, "
            "8-jre-slim 184 MB. Everything in the image is pulled on every deploy, scanned, and available to "
            "whoever gets a shell in the container."
        ),
        example="FROM node:20\nCOPY . /app\nUSER 1000:1000\nCMD [\"node\", \"/app/server.js\"]\n",
        instead="FROM node:20-slim\nCOPY . /app\nUSER 1000:1000\nCMD [\"node\", \"/app/server.js\"]\n",
        fix_safety=(
            "No automatic fix: the image is built. Change FROM to the smaller variant (lint's SG010 offers "
            "that as an unsafe fix) and rebuild; what the application used from the full image (a compiler for "
            "native modules, a JDK tool, a shell utility) must then come from a build stage."
        ),
    )

    def check(self, ctx: ImageContext) -> Iterator[Finding]:
        b = ctx.base
        if not b or not b.get("smaller_variant"):
            return
        saving = b.get("saving_bytes")
        est = f" saves about {mb(saving)}" if saving else ""
        yield ctx.finding(
            self, f"built on {b['guess']} ({b.get('how', 'guessed')}); {b['smaller_variant']}{est}"
            f"{' (' + b['saving_source'] + ')' if saving and b.get('saving_source') else ''}: "
            f"{b.get('reason') or 'a smaller variant of the same base'}",
            base=b["guess"], variant=b["smaller_variant"], saving_bytes=saving)


RULE = FatBase

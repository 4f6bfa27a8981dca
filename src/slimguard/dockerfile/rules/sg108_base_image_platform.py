"""SG108: the base image's platform is not the one the stage is built for (BuildKit's
InvalidBaseImagePlatform)."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.buildkit import (engine_image_platform, host_platform, namespace_platform,
                                                    parse_platform)
from slimguard.dockerfile.context import LintContext

_DEFAULT_PLATFORM = re.compile(r"^[\"']?\$\{?(BUILD|TARGET)PLATFORM\}?[\"']?$")


class InvalidBaseImagePlatform(Rule):
    id = "SG108"
    title = "Base image platform does not match the build platform"
    severity = Severity.WARNING
    concern = "fat-base"
    aliases = ("InvalidBaseImagePlatform",)
    docs = RuleDocs(
        what=(
            "Compares the OS and architecture of each FROM image, as the local Docker engine has it, with "
            "the platform the stage is built for (its `--platform` value, else this machine's platform), "
            "as BuildKit's InvalidBaseImagePlatform check does with the image it pulls. An image of one of "
            "Docker Hub's per-architecture namespaces (`arm64v8/alpine`, `amd64/debian`, `i386/...`, "
            "`ppc64le/...`, `s390x/...`, `arm32v7/...`) has only that platform, so a constant `--platform` "
            "naming another one is reported, engine or not (without `--platform` such a Dockerfile is "
            "usually built on a machine of that architecture, so it is not). Nothing is "
            "pulled: without an engine (`--engine never`), or for an image the engine does not have, other "
            "images are not checked. A `--platform` from another build arg is not known and not checked; "
            "stage references and `scratch` are not checked."
        ),
        why=(
            "An image of another architecture runs under emulation (slowly, if binfmt is set up at all) or "
            "fails with `exec format error`; usually the tag is single-platform and a multi-platform tag "
            "or the right `--platform` was meant."
        ),
        example="FROM --platform=linux/amd64 arm64v8/alpine:3.20\n",
        instead="FROM --platform=linux/amd64 alpine:3.20\n",
        fix_safety="No fix: which image or platform was meant is the author's call.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            base = stage.base
            if base.image is None or base.is_scratch or base.is_stage or base.unresolved:
                continue
            expected = host_platform()
            constant = False
            flag = stage.from_instruction.flag("platform")
            if flag is not None and flag.value:
                if _DEFAULT_PLATFORM.match(flag.value.strip()):
                    pass  # $BUILDPLATFORM / $TARGETPLATFORM: this machine's platform by default
                elif "$" in flag.value:
                    continue  # a value from a build arg: not known
                else:
                    parsed = parse_platform(base.platform or flag.value)
                    if parsed is None:
                        continue
                    expected = parsed
                    constant = True
            # a per-architecture image without --platform is usually built on a machine of that
            # architecture: only a platform the Dockerfile states is compared with the namespace
            actual = namespace_platform(base.image) if constant else None
            where = "is published only for"
            if actual is None:
                actual = engine_image_platform(ctx.resolver, base.image)
                where = "is, in the local engine,"
            if actual is None or actual == expected:
                continue
            yield ctx.at(self, stage.from_instruction,
                         f"base image {base.text} {where} {actual[0]}/{actual[1]}, expected "
                         f"{expected[0]}/{expected[1]} for this build: use a multi-platform tag or the "
                         "matching --platform", details={"expected": "/".join(expected), "actual": "/".join(actual)})


RULE = InvalidBaseImagePlatform

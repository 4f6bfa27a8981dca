"""SG009: compilers, headers, SCM clients and downloaders ship in the final image."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.analysis.packages import BUILD_CATEGORIES, CATEGORY_LABEL, package_name, programs
from slimguard.dockerfile.analysis.installs import Installed, family, os_package_ops, run_build_tools

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Stage, Step


def removal_hint(manager: str, packages: list[str]) -> str:
    """How to remove *packages* again in the RUN that installs them."""
    shown = " ".join(packages)
    fam = family(manager)
    if fam == "apk":
        return f"apk add --virtual .build-deps {shown} && ... && apk del .build-deps"
    if fam == "dnf":
        return f"... && dnf remove -y {shown}"
    if fam == "zypper":
        return f"... && zypper remove -y {shown}"
    return f"... && apt-get purge -y --auto-remove {shown}"


def runtime_uses(stage: "Stage", package: str) -> bool:
    """True when CMD, ENTRYPOINT or HEALTHCHECK of the stage (or its parents) runs a program of *package*."""
    names = "|".join(re.escape(p) for p in programs(package))
    pattern = re.compile(rf"(?<![\w./-])(?:{names})(?![\w.-])")
    for s in stage.chain():
        for ins in (s.cmd, s.entrypoint, s.healthcheck):
            if ins is not None and pattern.search(ins.rest or ""):
                return True
    return False


def _describe(items: list[Installed]) -> str:
    parts = []
    for cat in BUILD_CATEGORIES:
        names = sorted({i.package for i in items if i.category == cat})
        if names:
            parts.append(f"{CATEGORY_LABEL[cat]} {', '.join(names)}")
    return "; ".join(parts)


# --------------------------------------------------------------------------- the rule


class BuildTools(Rule):
    id = "SG009"
    title = "Build tools ship in the final image"
    severity = Severity.WARNING
    concern = "build-tools"
    fixable = "none"
    aliases = ()
    docs = RuleDocs(
        what=(
            "Looks at the stage that ships (the final stage, or --target) and every stage it is built FROM. "
            "Reports each RUN that installs compilers (gcc, g++, clang, build-essential, build-base), build "
            "systems (make, cmake, autoconf, automake, libtool, pkg-config), -dev/-devel header packages, "
            "source-control clients (git, mercurial, subversion, bzr) or downloaders (curl, wget) with apt, "
            "apk, dnf/yum/microdnf or zypper and does not remove them again in the same RUN (apt-get purge, "
            "apk del, also of a --virtual group, dnf remove). Package lists held in an ENV, ARG or shell "
            "variable are expanded. It also reports a base image known to carry a toolchain: the full "
            "buildpack-deps-based tags (node:20, python:3.12, golang:1.22, buildpack-deps:bookworm) and JDK "
            "images. curl and wget are reported at info level, and not at all when CMD, ENTRYPOINT or "
            "HEALTHCHECK uses them. Builder stages that only feed COPY --from are never reported, and neither "
            "are ONBUILD triggers (they run in child images)."
        ),
        why=(
            "A compiler, make and git are what an attacker who gets a shell in the container wants: they can "
            "build and fetch tools on the spot. They also add hundreds of megabytes and a steady stream of CVE "
            "reports for software the application never runs: node:12.16 is 916 MB with gcc, make, git and "
            "dozens of -dev packages, node:12.16-slim is 140 MB without them. A package removed in a later RUN "
            "still ships, because every RUN is its own layer."
        ),
        example=(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make\n"
            "COPY . /src\n"
            "RUN make -C /src && cp /src/hello /usr/local/bin/hello\n"
            "CMD [\"hello\"]\n"
        ),
        instead=(
            "FROM debian:bookworm-slim AS build\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make\n"
            "COPY . /src\n"
            "RUN make -C /src\n\n"
            "FROM debian:bookworm-slim\n"
            "COPY --from=build /src/hello /usr/local/bin/hello\n"
            "USER 10001:10001\n"
            "CMD [\"hello\"]\n"
        ),
        fix_safety=(
            "No automatic fix. Removing packages can break a build step that still needs them, and only you "
            "know whether the application needs curl or git at run time. Either build in a separate stage "
            "(SG011 offers that split for common build shapes) or install, use and remove the tools in one "
            "RUN, e.g. apk add --virtual .build-deps gcc musl-dev && ... && apk del .build-deps."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        # No hadolint alias: only the stage that ships is checked, also with --hadolint-compat.
        stage = ctx.target
        if stage is None:
            return
        steps = [s for s in stage.all_steps() if s.run is not None and not s.in_onbuild]
        for index, step in enumerate(steps):
            kept, _ = run_build_tools(step)
            if not kept:
                continue
            kept = [i for i in kept if i.category != "downloader" or not runtime_uses(stage, i.package)]
            if not kept:
                continue
            yield self._run_finding(ctx, step, kept, steps[index + 1:])
        base = self._base_finding(ctx, stage)
        if base is not None:
            yield base

    def _run_finding(self, ctx: LintContext, step: "Step", kept: list[Installed], later: list["Step"]) -> Finding:
        # compilers, build tools and headers; git and curl alone are often what the application runs (a git
        # server, Jenkins, Hugo modules, a healthcheck): information
        heavy = [i for i in kept if i.category not in ("downloader", "scm")]
        names = sorted({i.package for i in kept})
        message = f"RUN leaves {_describe(kept)} in the final image"
        removed_at = None
        for other in later:
            for op in os_package_ops(other):
                if op.action == "remove" and set(names) & {package_name(p) for p in op.packages}:
                    removed_at = other.instruction.start_line
                    break
            if removed_at:
                break
        if removed_at is not None:
            message += (
                f" (the RUN at line {removed_at} removes some of them, but they stay in this RUN's layer)"
            )
        if heavy:
            message += (
                "; build in a separate stage and COPY --from only the result, or remove them in the same RUN: "
                + removal_hint(kept[0].op.manager, sorted({i.package for i in heavy}))
            )
            severity = Severity.WARNING
        else:
            message += (
                "; if the application does not run them (download or clone anything) at run time, remove them "
                "in the same RUN "
                "(a HEALTHCHECK that uses them keeps them)"
            )
            severity = Severity.INFO
        return ctx.at(self, step.instruction, message, severity=severity,
                      details={"packages": names})

    def _base_finding(self, ctx: LintContext, stage: "Stage") -> Finding | None:
        facts = ctx.facts(stage)
        if facts is None or not facts.carries_build_tools:
            return None
        root = stage.chain()[-1]
        base = root.base
        image = base.image
        shown = base.text or base.raw
        if facts.is_jdk:
            what = "ships a full JDK (javac, jar, jlink and the rest of the toolchain)"
        elif facts.build_tool_packages:
            what = "carries build tools (" + ", ".join(facts.build_tool_packages[:8]) + (
                ", ..." if len(facts.build_tool_packages) > 8 else "") + ")"
        else:
            what = "carries a build toolchain (compilers, build tools and development headers)"
        advice = "build in it as a separate stage and COPY --from only the result into a runtime image"
        if image is not None and image.effective_tag is not None:
            from slimguard.knowledge.bases import smaller_variant

            sugg = smaller_variant(image.familiar_name, image.effective_tag)
            if sugg is not None and not base.is_scratch and base.stage is None:
                return None  # SG010 reports this FROM with the smaller variant: one finding for one base
            if sugg is not None:
                if sugg.multi_stage:
                    advice = f"build in it as a separate stage and COPY --from the result into {sugg.image}"
                else:
                    advice = (f"run the application on {sugg.image} instead, building in a separate "
                              f"{shown} stage if the build needs the tools")
        where = "" if root is stage else f" (inherited by stage {stage.label})"
        return ctx.at(
            self, root.from_instruction,
            f"base image {shown} {what} that the running application does not need{where}; {advice}",
        )


RULE = BuildTools

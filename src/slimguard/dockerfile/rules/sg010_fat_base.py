"""SG010: the shipped stage runs on a full base image where the family offers a smaller variant."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.analysis.packages import package_name
from slimguard.dockerfile.analysis.basetag import retag_base
from slimguard.dockerfile.analysis.installs import os_package_ops

if TYPE_CHECKING:
    from slimguard.knowledge.bases import VariantSuggestion
    from slimguard.dockerfile.model import Stage

# Programs the full (buildpack-deps based) tags ship and the slim / JRE variants do not.
_FULL_ONLY_TOOLS = frozenset({
    "curl", "wget", "git", "hg", "svn", "bzr", "gcc", "g++", "cc", "c++", "clang", "make", "cmake",
    "autoconf", "automake", "libtool", "pkg-config", "ssh", "scp", "unzip", "bzip2", "patch", "file",
    "gpg", "node-gyp",
})
_JDK_ONLY_TOOLS = frozenset({"javac", "jar", "jlink", "jdeps", "jshell", "jpackage", "jarsigner", "native-image"})


def _saving(s: "VariantSuggestion") -> str:
    if s.saving_mb is None or s.saving_mb <= 0:
        return ""
    measure = " (compressed)" if s.size_measure == "compressed" else ""
    return f" saves about {s.saving_mb:g} MB{measure}"


class FatBase(Rule):
    id = "SG010"
    title = "Full base image where a smaller variant exists"
    severity = Severity.INFO
    concern = "fat-base"
    fixable = "unsafe"
    aliases = ()
    docs = RuleDocs(
        what=(
            "Checks the base image at the bottom of the shipped stage's FROM chain against slimguard's "
            "knowledge base and reports a full variant that has a smaller sibling in the same family: "
            "node:X -> node:X-slim, python:X -> python:X-slim, openjdk:8 (a JDK) -> openjdk:8-jre-slim, "
            "eclipse-temurin:17 -> eclipse-temurin:17-jre, buildpack-deps:bookworm -> debian:bookworm-slim. "
            "The message names the exact tag, spelled the family's way (node:20-bookworm-slim but "
            "python:3.12-slim-bookworm), and the size saving when both sizes are known. For golang, rust, "
            "maven and gradle, which have no runtime variant of their own, it advises a separate runtime "
            "stage (distroless, a JRE) instead of a tag change. A reference built from global ARGs "
            "(`ARG NODE_VERSION=12.16` / `FROM node:${NODE_VERSION}`, `ARG BASE=node:12.16` / `FROM ${BASE}`, "
            "`${VAR:-default}`) is checked with the ARG defaults and the configured build args."
        ),
        why=(
            "The full official tags are built on buildpack-deps: compilers, make, git, curl, ImageMagick and "
            "dozens of -dev libraries. node:12.16 is 916 MB, node:12.16-slim 140 MB; openjdk:8 is 510 MB, "
            "8-jre-slim 184 MB. Everything in the image is pulled on every deploy, scanned, and available to "
            "whoever gets a shell in the container."
        ),
        example=(
            "ARG NODE_VERSION=12.16\nFROM node:${NODE_VERSION}\nWORKDIR /app\nCOPY . .\n"
            "RUN npm ci --omit=dev\nUSER node\nCMD [\"node\", \"server.js\"]\n"
        ),
        instead=(
            "ARG NODE_VERSION=12.16\nFROM node:${NODE_VERSION}-slim\nWORKDIR /app\nCOPY . .\n"
            "RUN npm ci --omit=dev\nUSER node\nCMD [\"node\", \"server.js\"]\n"
        ),
        fix_safety=(
            "Unsafe: the base image changes. The smaller variant lacks what the full tag carried: compilers, "
            "make, python for node-gyp, curl, git and -dev headers, or javac and jar for a JRE. npm install "
            "of a native module, pip install of a package without a wheel, or a script that calls curl can "
            "then fail. The fix makes one edit, where the reference is written, and keeps flags, the AS name "
            "and the keyword's casing. A literal FROM gets the new tag (the repository too for "
            "buildpack-deps -> debian). When the tag comes from global ARGs and the new tag only adds a "
            "suffix, the suffix is appended in the FROM (`FROM node:${NODE_VERSION}` -> "
            "`FROM node:${NODE_VERSION}-slim`, also after `${NODE_VERSION:-12.16}` or several ARGs): the ARG "
            "keeps its value for other stages and RUN lines, and `--build-arg NODE_VERSION=14` still works "
            "and builds node:14-slim, which editing the ARG's default to 12.16-slim would not. When the whole "
            "reference is one ARG (`ARG BASE=node:12.16` / `FROM ${BASE}`), its default is rewritten "
            "(`ARG BASE=node:12.16-slim`, quotes kept), because appending -slim in the FROM would break "
            "`--build-arg BASE=node:14-alpine`; the same for a `${BASE:-node:12.16}` default in the FROM. "
            "When the new tag is not a suffix of the old one (python:3.12-bookworm -> 3.12-slim-bookworm) "
            "and the tag is exactly one ARG, that ARG's default is rewritten. An ARG default is only "
            "rewritten when no other FROM uses the ARG and no stage redeclares it. No fix is offered when a "
            "RUN, CMD, ENTRYPOINT or HEALTHCHECK of the stage uses such a tool, when the stage compiles "
            "(split it into a build stage first, SG011), when the FROM pins a digest, when another stage is "
            "also built on the same FROM, when the suggested tag spelling is not confirmed, or when the "
            "value of an ARG in the reference cannot be known: no default, a value the configured build "
            "args override, an automatic platform ARG, `${VAR:+...}` and other operators, quotes or escapes "
            "in the FROM, or several ARGs when the new tag is not a suffix."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        stage = ctx.target
        if stage is None:
            return
        root = stage.chain()[-1]
        base = root.base
        image = base.image
        if image is None or base.is_scratch or base.stage is not None:
            return
        tag = image.effective_tag
        if tag is None:  # pinned by digest only: the tag is not known
            return
        from slimguard.knowledge.bases import smaller_variant

        sugg = smaller_variant(image.familiar_name, tag)
        if sugg is None:
            return
        facts = ctx.facts(stage)
        # a base that ships a toolchain (buildpack-deps, a JDK) to run an application: the size problem and
        # SG009's build-tools problem are one, reported here once, as a warning
        sev = Severity.WARNING if facts is not None and (facts.carries_build_tools or facts.is_jdk) else self.severity
        shown = f"{image.familiar_name}:{tag}"
        if base.raw != base.text:
            shown += f" (FROM {base.raw})"
        if sugg.multi_stage:
            yield ctx.at(
                self, root.from_instruction,
                f"{shown} is a build image with no smaller tag of its own; {sugg.reason}", severity=sev,
            )
            return
        message = f"{shown} → {sugg.image}{_saving(sugg)}: {sugg.reason}"
        if not sugg.confirmed:
            yield ctx.at(
                self, root.from_instruction,
                message + f" (slimguard cannot confirm the tag spelling {sugg.image}: check that it exists)",
                severity=sev,
            )
            return
        blocker = self._blocker(ctx, stage, root)
        retag = None
        if blocker is None:
            retag = retag_base(ctx, root, sugg.image.rsplit(":", 1)[0], sugg.tag)
            if retag.edit is None:
                blocker = retag.reason or "the FROM line could not be rewritten safely"
        if blocker is not None:
            yield ctx.at(self, root.from_instruction, f"{message}; change it by hand ({blocker})", severity=sev)
            return
        assert retag is not None and retag.edit is not None
        fix = Fix(
            f"use {sugg.image}: edit {retag.where} (the smaller image lacks the compilers, headers and tools "
            "of the full tag that a build step may need)",
            (retag.edit,), applicability=Applicability.UNSAFE,
        )
        yield ctx.at(self, root.from_instruction, message, fix=fix, severity=sev)

    # ------------------------------------------------------------------ fix helpers

    def _blocker(self, ctx: LintContext, stage: "Stage", root: "Stage") -> str | None:
        """Why the FROM must not be rewritten automatically, or None."""
        from slimguard.dockerfile.shell import Build

        base = root.base
        if base.image is not None and base.image.digest is not None:
            return "the FROM pins a digest"
        chain = {id(s) for s in stage.chain()}
        for other in ctx.model.stages:
            if id(other) not in chain and any(s is root for s in other.chain()):
                return f"stage {other.label} is also built on line {root.from_instruction.start_line}"
        tools = _FULL_ONLY_TOOLS | _JDK_ONLY_TOOLS
        installed: set[str] = set()
        for step in stage.all_steps():
            if step.in_onbuild or step.run is None:
                continue
            for op in os_package_ops(step):
                if op.action == "install":
                    installed.update(package_name(p) for p in op.packages)
            builds = step.run.script.of_type(Build)
            if builds:
                return (f"the RUN at line {step.instruction.start_line} builds ({builds[0].tool}) in this stage: "
                        "move the build to its own stage first, see SG011")
            for cmd in step.run.script.commands:
                if cmd.name in tools and cmd.name not in installed:
                    return (f"the RUN at line {step.instruction.start_line} uses {cmd.name}, "
                            "which the smaller variant lacks")
        for s in stage.chain():
            for ins in (s.cmd, s.entrypoint, s.healthcheck):
                if ins is None:
                    continue
                words = set(re.findall(r"[\w.+-]+", ins.rest or ""))
                used = sorted(t for t in tools & words if t not in installed)
                if used:
                    return f"{ins.name} at line {ins.start_line} uses {used[0]}, which the smaller variant lacks"
        return None


RULE = FatBase

"""SG010: the shipped stage runs on a full base image where the family offers a smaller variant."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.analysis.packages import package_name
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
            "stage (distroless, a JRE) instead of a tag change."
        ),
        why=(
            "The full official tags are built on buildpack-deps: compilers, make, git, curl, ImageMagick and "
            "dozens of -dev libraries. node:12.16 is 916 MB, node:12.16-slim 140 MB; openjdk:8 is 510 MB, "
            "8-jre-slim 184 MB. Everything in the image is pulled on every deploy, scanned, and available to "
            "whoever gets a shell in the container."
        ),
        example=(
            "FROM node:12.16\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nUSER node\n"
            "CMD [\"node\", \"server.js\"]\n"
        ),
        instead=(
            "FROM node:12.16-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nUSER node\n"
            "CMD [\"node\", \"server.js\"]\n"
        ),
        fix_safety=(
            "Unsafe. The fix rewrites only the image reference in the FROM line (the tag, or the repository "
            "too for buildpack-deps -> debian); flags, the AS name and the keyword's casing stay. The smaller "
            "variant lacks what the full tag carried: compilers, make, python for node-gyp, curl, git and "
            "-dev headers, or javac and jar for a JRE. npm install of a native module, pip install of a "
            "package without a wheel, or a script that calls curl can then fail. No fix is offered when a "
            "RUN, CMD, ENTRYPOINT or HEALTHCHECK of the stage uses such a tool, when the stage compiles "
            "(split it into a build stage first, SG011), when the FROM uses an ARG or a digest, when another "
            "stage is also built on the same FROM, or when the suggested tag spelling is not confirmed."
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
        shown = f"{image.familiar_name}:{tag}"
        if base.raw != base.text:
            shown += f" (FROM {base.raw})"
        if sugg.multi_stage:
            yield ctx.at(
                self, root.from_instruction,
                f"{shown} is a build image with no smaller tag of its own; {sugg.reason}",
            )
            return
        message = f"{shown} → {sugg.image}{_saving(sugg)}: {sugg.reason}"
        if not sugg.confirmed:
            yield ctx.at(
                self, root.from_instruction,
                message + f" (slimguard cannot confirm the tag spelling {sugg.image}: check that it exists)",
            )
            return
        blocker = self._blocker(ctx, stage, root)
        if blocker is None:
            edit = self._edit(ctx, root, sugg)
            if edit is None:
                blocker = "the FROM line could not be rewritten safely"
        if blocker is not None:
            yield ctx.at(self, root.from_instruction, f"{message}; change it by hand ({blocker})")
            return
        assert edit is not None
        fix = Fix(
            f"use {sugg.image} in the FROM at line {root.from_instruction.start_line} (it lacks the compilers, "
            "headers and tools of the full tag that a build step may need)",
            (edit,), applicability=Applicability.UNSAFE,
        )
        yield ctx.at(self, root.from_instruction, message, fix=fix)

    # ------------------------------------------------------------------ fix helpers

    def _blocker(self, ctx: LintContext, stage: "Stage", root: "Stage") -> str | None:
        """Why the FROM must not be rewritten automatically, or None."""
        from slimguard.dockerfile.shell import Build

        base = root.base
        if "$" in base.raw:
            return "the FROM uses an ARG: change the tag where the ARG is set"
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

    def _edit(self, ctx: LintContext, root: "Stage", sugg: "VariantSuggestion") -> Edit | None:
        from slimguard.knowledge.bases import normalize_repository

        ins = root.from_instruction
        words = ins.words()
        if not words:
            return None
        word = words[0]
        start, end = word.span.start.offset, word.span.end.offset
        raw = ctx.tree.text[start:end]
        if raw != word.text or raw != root.base.raw or "@" in raw:
            return None
        colon, slash = raw.rfind(":"), raw.rfind("/")
        repo = raw[:colon] if colon > slash else raw
        new_repo = sugg.image.rsplit(":", 1)[0]
        if normalize_repository(repo) != normalize_repository(new_repo):
            return Edit(start, end, sugg.image)  # another repository (buildpack-deps -> debian)
        if colon > slash:
            return Edit(start + colon + 1, end, sugg.tag)
        return Edit(end, end, f":{sugg.tag}")  # implied latest: add the tag


RULE = FatBase

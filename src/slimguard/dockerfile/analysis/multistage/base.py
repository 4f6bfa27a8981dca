"""What every build planner shares: the plan, the interface, and the checks on paths, CMD and packages."""

from __future__ import annotations

import posixpath
import re
import shlex
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slimguard.core.findings import Edit

from slimguard.analysis.packages import LIBC_HEADERS, classify_operand, package_name
from slimguard.dockerfile.analysis.installs import os_package_ops, run_build_tools
from slimguard.dockerfile.shell import SHELLS
from slimguard.knowledge.bases import smaller_variant

if TYPE_CHECKING:
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.shell import Build, SimpleCommand
    from slimguard.dockerfile.syntax import Instruction

    Builds = list[tuple[Step, Build]]  # every build command of the stage, in file order

NO_OUTPUT = "could not determine the build output"

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_SAFE_PATH = re.compile(r"[\w./@+-]+")
_SUITE = re.compile(r"(?:^|-)(trixie|bookworm|bullseye|buster)(?:-|$)")


class NoSplit(Exception):
    """The build cannot be split automatically; the message says why."""


@dataclass(frozen=True)
class Plan:
    """What the runtime stage copies from the build stage, and the image it runs on."""

    outputs: list[str]  # absolute paths to COPY --from the build stage (a trailing / for a directory)
    runtime: str  # image for the runtime stage
    build_edits: tuple[Edit, ...] = ()  # edits inside the build stage (up to the end of the last build RUN)
    env: tuple[tuple[str, str], ...] = ()  # ENV lines the runtime stage gets after its COPY --from lines
    notes: tuple[str, ...] = ()  # what else the fix does or drops, for its description


class Planner(ABC):
    """Plans the split for the builds of one ecosystem, or raises :class:`NoSplit`."""

    @abstractmethod
    def builds(self, tool: str) -> bool:
        """Whether a build with *tool* is this planner's."""

    def prepares(self, tool: str) -> bool:
        """Whether *tool* only configures a build of this planner's (cmake, configure) and outputs nothing."""
        return False

    @abstractmethod
    def plan(self, ctx: "LintContext", stage: "Stage", builds: "Builds") -> Plan:
        """The plan for *builds*; they include the stage's preparing steps."""


# ---------------------------------------------------------------- paths


def cd_before(step: "Step", cmd: "SimpleCommand") -> bool:
    """Whether the RUN changes directory before *cmd*, so relative paths are not relative to WORKDIR."""
    assert step.run is not None
    return any(c.name in ("cd", "pushd") and c.start < cmd.start for c in step.run.script.commands)


def resolve(path: str, workdir: str) -> str:
    """*path* made absolute against *workdir* and normalised."""
    if not path.startswith("/"):
        path = posixpath.join(workdir or "/", path)
    return "/" + posixpath.normpath(path).lstrip("/")


def path_ok(path: str | None) -> bool:
    """Whether *path* can be written into a COPY as it is (no variables, quotes, globs or flags)."""
    return bool(path) and _SAFE_PATH.fullmatch(path or "") is not None and not (path or "").startswith("-")


def unique(items: list[str]) -> list[str]:
    """*items* without repeats, in order."""
    out: list[str] = []
    for i in items:
        if i not in out:
            out.append(i)
    return out


# ---------------------------------------------------------------- what the container runs


def _argv(ins: "Instruction | None") -> tuple[list[str], bool] | None:
    """(words, exec_form) of a CMD / ENTRYPOINT, None when not splittable."""
    if ins is None:
        return [], True
    if ins.is_json and ins.json_args is not None:
        return list(ins.json_args), True
    try:
        return shlex.split(ins.rest), False
    except ValueError:
        return None


def program(stage: "Stage") -> list[str] | None:
    """ENTRYPOINT + CMD as the container runs them (None: shell form or unparsable)."""
    ep = _argv(stage.entrypoint)
    cmd = _argv(stage.cmd)
    if ep is None or cmd is None:
        return None
    words = ep[0] + (cmd[0] if stage.entrypoint is None or ep[1] else [])
    if not words:
        return None
    return words


def runs_output(stage: "Stage", outputs: list[str]) -> None:
    """Raise :class:`NoSplit` unless ENTRYPOINT/CMD runs one of *outputs* (by path or through PATH)."""
    words = program(stage)
    if words is None:
        raise NoSplit("no CMD or ENTRYPOINT runs the build output")
    exe = words[0]
    candidates: list[str]
    if "/" in exe:
        candidates = [resolve(exe, stage.workdir)]
    else:
        path = stage.env.get("PATH", DEFAULT_PATH)
        candidates = [posixpath.join(d, exe) for d in path.split(":") if d.startswith("/")]
    for out in outputs:
        for c in candidates:
            if c == out or (out.endswith("/") and c.startswith(out)):
                return
    raise NoSplit(f"CMD/ENTRYPOINT runs {exe}, not the build output")


# ---------------------------------------------------------------- packages and the runtime image


def no_dev_packages(stage: "Stage") -> None:
    """Raise :class:`NoSplit` when the stage installs headers whose libraries the runtime image would lack."""
    for step in stage.all_steps():
        if step.run is None or step.in_onbuild:
            continue
        for op in os_package_ops(step):
            if op.action != "install":
                continue
            for p in op.packages:
                name = package_name(p)
                if classify_operand(p) == "dev-headers" and name not in LIBC_HEADERS:
                    raise NoSplit(f"the build installs {name}: the runtime stage would need the matching "
                                  "shared libraries")


def smaller_or_same(ctx: "LintContext", stage: "Stage", *, allow_suite: bool) -> str:
    """The runtime image: the base's smaller variant, the base itself when the build installed the tools,
    or (*allow_suite*) debian:<suite>-slim for a Debian-based tag that names its suite."""
    image = stage.base.image
    assert image is not None
    sugg = smaller_variant(image.familiar_name, image.effective_tag)
    if sugg is not None and sugg.confirmed and not sugg.multi_stage:
        return sugg.image
    facts = ctx.facts(stage)
    tools_installed = any(run_build_tools(s)[0] for s in stage.all_steps() if s.run is not None)
    if facts is not None and not facts.carries_build_tools and tools_installed:
        return stage.base.raw  # the same base, without the packages the build installed
    if allow_suite and facts is not None and facts.distro == "debian":
        m = _SUITE.search(image.effective_tag or "")
        if m is not None:
            return f"debian:{m.group(1)}-slim"
    raise NoSplit(f"no smaller runtime image is known for {stage.base.text}")


# ---------------------------------------------------------------- binaries on a runtime image without a shell

_FILE_SUFFIX = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,5}$")
_SHELL_NAMES = SHELLS | {"busybox"}


def no_shell_program(stage: "Stage", runtime: str) -> None:
    """Raise :class:`NoSplit` when ENTRYPOINT/CMD starts a shell (``sh -c ...``): *runtime* has none."""
    words = program(stage)
    if words is not None and posixpath.basename(words[0]) in _SHELL_NAMES:
        raise NoSplit(f"CMD/ENTRYPOINT runs {words[0]}, and {runtime} has no shell")


def no_file_arguments(stage: "Stage") -> None:
    """Raise :class:`NoSplit` when ENTRYPOINT/CMD passes the program a path or a file name: the file may come
    from the build context or the build, and the runtime stage would not have it."""
    words = program(stage)
    for word in (words or [])[1:]:
        value = word.split("=", 1)[1] if word.startswith("-") and "=" in word else word
        if value.startswith("-") or "://" in value:
            continue
        if "/" in value or _FILE_SUFFIX.search(value):
            raise NoSplit(f"CMD/ENTRYPOINT passes {value}: the runtime stage would not have files the program "
                          "reads besides the binary; split the stages by hand and copy them too")


def copies_only_sources(stage: "Stage", before: int, sources: "re.Pattern[str]", what: str) -> None:
    """Raise :class:`NoSplit` when a COPY/ADD before offset *before* brings in more than *sources* (``.`` and
    ``./`` count as sources: the whole context cannot be told apart): such files are often read at run time
    (templates, static files, configuration), and only the build output reaches the runtime stage."""
    for step in stage.steps:
        ins = step.instruction
        if ins.start_offset >= before:
            break
        if ins.name not in ("COPY", "ADD") or step.in_onbuild:
            continue
        line = ins.start_line
        if ins.flag("from") is not None or ins.heredocs or len(step.expanded) < 2:
            raise NoSplit(f"the {ins.name} at line {line} brings in files the program may need at run time, and "
                          "the runtime stage would not have them; split the stages by hand")
        for src in step.expanded[:-1]:
            if not sources.fullmatch(src):
                raise NoSplit(f"the {ins.name} at line {line} copies {src}, which is not {what}: the program may "
                              "read it at run time, and the runtime stage would not have it; split the stages "
                              "by hand and copy it into the runtime stage too")


@dataclass(frozen=True)
class Located:
    """The outputs the runtime stage copies and the PATH it needs to find the program by name (None: no ENV)."""

    outputs: list[str]
    path: str | None


def locate_program(stage: "Stage", files: list[str], dirs: list[str], *, search_path: str,
                   reserved: frozenset[str] = frozenset()) -> Located:
    """Match ENTRYPOINT/CMD against the build outputs.

    *files* are outputs at known paths (a trailing / for a directory that is copied whole); *dirs* hold
    binaries whose names the Dockerfile does not show (``go install ./...``, ``cargo install --path .``): the
    program CMD runs from one of them is taken as that output. A program named without a slash is looked up in
    *search_path*, the PATH of the build image (the stage's own ENV PATH wins); names in *reserved* are the
    build image's own tools and never taken from *dirs*. Raises :class:`NoSplit` when CMD runs none of them.
    """
    words = program(stage)
    if words is None:
        raise NoSplit("no CMD or ENTRYPOINT runs the build output")
    exe = words[0]
    bare = "/" not in exe
    own_path = stage.env.get("PATH")
    if bare:
        path = own_path if own_path is not None else search_path
        candidates = [posixpath.join(d, exe) for d in path.split(":") if d.startswith("/")]
    elif path_ok(exe):
        candidates = [resolve(exe, stage.workdir)]
    else:
        candidates = []
    for c in candidates:
        hit = next((f for f in files if c == f or (f.endswith("/") and c.startswith(f))), None)
        if hit is None and posixpath.dirname(c) in dirs and path_ok(c) and not (bare and exe in reserved):
            hit = c
        if hit is None:
            continue
        outputs = unique(files + ([c] if hit == c and c not in files else []))
        runtime_path = None
        if bare and own_path is None and posixpath.dirname(c) not in DEFAULT_PATH.split(":"):
            runtime_path = f"{posixpath.dirname(c)}:{DEFAULT_PATH}"
        return Located(outputs, runtime_path)
    raise NoSplit(f"CMD/ENTRYPOINT runs {exe}, not the build output")

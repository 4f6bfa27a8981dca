"""What every build planner shares: the plan, the interface, and the checks on paths, CMD and packages."""

from __future__ import annotations

import posixpath
import re
import shlex
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slimguard.analysis.packages import LIBC_HEADERS, classify_operand, package_name
from slimguard.dockerfile.analysis.installs import os_package_ops, run_build_tools
from slimguard.knowledge.bases import smaller_variant

if TYPE_CHECKING:
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.shell import Build, SimpleCommand
    from slimguard.dockerfile.syntax import Instruction

    Builds = list[tuple[Step, Build]]  # every build command of the stage, in file order

NO_OUTPUT = "could not determine the build output"

_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_SAFE_PATH = re.compile(r"[\w./@+-]+")
_SUITE = re.compile(r"(?:^|-)(trixie|bookworm|bullseye|buster)(?:-|$)")


class NoSplit(Exception):
    """The build cannot be split automatically; the message says why."""


@dataclass(frozen=True)
class Plan:
    """What the runtime stage copies from the build stage, and the image it runs on."""

    outputs: list[str]  # absolute paths to COPY --from the build stage (a trailing / for a directory)
    runtime: str  # image for the runtime stage


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


def exe_path(stage: "Stage") -> str | None:
    """Absolute path of the program ENTRYPOINT/CMD starts, when written as a path."""
    words = program(stage)
    if words is None or "/" not in words[0] or not path_ok(words[0]):
        return None
    return resolve(words[0], stage.workdir)


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
        path = stage.env.get("PATH", _DEFAULT_PATH)
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

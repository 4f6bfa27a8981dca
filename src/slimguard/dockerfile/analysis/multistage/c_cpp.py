"""C and C++ builds: gcc/clang ``-o FILE`` or ``make FILE``, when CMD/ENTRYPOINT runs that file."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from slimguard.dockerfile.analysis.multistage.base import (
    NO_OUTPUT, NoSplit, Plan, Planner, cd_before, no_dev_packages, path_ok, resolve, runs_output, smaller_or_same,
    unique,
)
from slimguard.dockerfile.shell.options import parse_opts, spec

if TYPE_CHECKING:
    from slimguard.dockerfile.analysis.multistage.base import Builds
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.shell import Build

_CC = re.compile(r"(?:[\w.+]+-)*(?:gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(?:-\d+(?:\.\d+)*)?")
_MAKES = frozenset({"make", "gmake", "bmake"})
_PREP = frozenset({"cmake", "configure", "meson", "muon"})
_PHONY = frozenset({
    "all", "install", "build", "release", "debug", "clean", "test", "tests", "check", "default", "dist", "static",
    "shared", "lib", "libs", "bin", "binaries", "deps", "depend", "compile", "prod", "production", "world",
    "everything", "uninstall", "package", "docs", "main",
})
_STD_LIBS = frozenset({"m", "c", "pthread", "dl", "rt"})
_MAKE_OPTIONS = spec("CfIloW", ("--directory", "--file", "--makefile"))


class CPlanner(Planner):
    """The runtime is the base's slim variant, the same base when the compilers were installed with
    apt/apk/dnf, or debian:<suite>-slim when a Debian-based tag names its suite."""

    def builds(self, tool: str) -> bool:
        return _CC.fullmatch(tool) is not None or tool in _MAKES

    def prepares(self, tool: str) -> bool:
        return tool in _PREP

    def plan(self, ctx: "LintContext", stage: "Stage", builds: "Builds") -> Plan:
        outputs: list[str] = []
        for step, op in builds:
            if op.tool in _PREP:
                continue
            output = _make_output(step, op) if op.tool in _MAKES else _compiler_output(step, op)
            if output is not None:
                outputs.append(output)
        if not outputs:
            raise NoSplit(NO_OUTPUT)
        no_dev_packages(stage)
        runtime = smaller_or_same(ctx, stage, allow_suite=True)
        runs_output(stage, outputs)
        return Plan(unique(outputs), runtime)


def _make_output(step: "Step", op: "Build") -> str:
    """The file ``make TARGET`` builds."""
    cmd = op.command
    target = op.target
    if target is None or target in _PHONY or not path_ok(target):
        raise NoSplit(NO_OUTPUT)
    parsed = parse_opts(cmd.args, _MAKE_OPTIONS)
    directory = parsed.last("-C", "--directory")
    rel = posixpath.join(directory, target) if directory else target
    if not rel.startswith("/") and cd_before(step, cmd):
        raise NoSplit(NO_OUTPUT)
    return resolve(rel, step.workdir)


def _compiler_output(step: "Step", op: "Build") -> str | None:
    """The executable a compiler driver links, None for an intermediate step (-c, -E, -S, .o, .a)."""
    cmd = op.command
    args = [a.text for a in cmd.args]
    libs = [a[2:] for a in args if a.startswith("-l") and len(a) > 2]
    if any(lib not in _STD_LIBS for lib in libs):
        raise NoSplit("the binary links libraries the runtime image would have to provide")
    target = op.target
    if "-shared" in args or (target or "").endswith((".so",)) or ".so." in (target or ""):
        raise NoSplit("the build produces a shared library")
    if target is None or target.endswith((".o", ".a")) or "-c" in args or "-E" in args or "-S" in args:
        return None
    if not path_ok(target) or (not target.startswith("/") and cd_before(step, cmd)):
        raise NoSplit(NO_OUTPUT)
    return resolve(target, step.workdir)

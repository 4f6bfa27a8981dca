"""Go builds: ``go build -o PATH`` with CGO_ENABLED=0, onto a distroless static image."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from slimguard.dockerfile.analysis.installs import shell_vars
from slimguard.dockerfile.analysis.multistage.base import (
    NO_OUTPUT, NoSplit, Plan, Planner, cd_before, exe_path, path_ok, resolve, runs_output, unique,
)

if TYPE_CHECKING:
    from slimguard.dockerfile.analysis.multistage.base import Builds
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.shell import Build

GO_RUNTIME = "gcr.io/distroless/static-debian12:nonroot"


class GoPlanner(Planner):
    """The runtime is gcr.io/distroless/static-debian12:nonroot, which runs as uid 65532 unless the
    Dockerfile sets USER."""

    def builds(self, tool: str) -> bool:
        return tool == "go"

    def plan(self, ctx: "LintContext", stage: "Stage", builds: "Builds") -> Plan:
        outputs = [_output(stage, step, op) for step, op in builds]
        runs_output(stage, outputs)
        return Plan(unique(outputs), GO_RUNTIME)


def _output(stage: "Stage", step: "Step", op: "Build") -> str:
    """The binary (or, for ``-o dir/``, the directory) one ``go build`` writes."""
    cmd = op.command
    args = [a.text for a in cmd.args]
    target = op.target
    if "-C" in args and not (target or "").startswith("/"):
        raise NoSplit(NO_OUTPUT)
    if not (target or "").startswith("/") and cd_before(step, cmd):
        raise NoSplit(NO_OUTPUT)
    if target is None:
        # no -o: go build writes the binary into the current directory; use it only when CMD runs
        # a file from exactly that directory
        exe = exe_path(stage)
        if exe is None or posixpath.dirname(exe) != resolve(".", step.workdir):
            raise NoSplit(NO_OUTPUT)
        target = exe
    if not path_ok(target.rstrip("/") or "/"):
        raise NoSplit(NO_OUTPUT)
    _require_static(step, op)
    path = resolve(target, step.workdir)
    return path + "/" if target.endswith("/") else path


def _require_static(step: "Step", op: "Build") -> None:
    """Raise :class:`NoSplit` unless CGO_ENABLED=0 (ENV, ARG, the RUN's shell or the command's prefix)."""
    cmd = op.command
    local = shell_vars(step, cmd.start)
    for pair in cmd.assignments:
        key, _, value = pair.partition("=")
        local[key] = value.strip("'\"")
    if local.get("CGO_ENABLED", step.env.get("CGO_ENABLED")) != "0":
        raise NoSplit("go build without CGO_ENABLED=0 may link against the C library; set "
                      "CGO_ENABLED=0 for a static binary or split the stages by hand")

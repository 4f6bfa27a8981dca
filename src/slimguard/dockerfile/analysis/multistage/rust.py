"""Rust builds: ``cargo build --release [--bin NAME]``, onto the distroless image the knowledge base names."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from slimguard.dockerfile.analysis.multistage.base import (
    NO_OUTPUT, NoSplit, Plan, Planner, cd_before, exe_path, no_dev_packages, path_ok, resolve, runs_output, unique,
)
from slimguard.dockerfile.shell.options import parse_opts, spec
from slimguard.knowledge.bases import smaller_variant

if TYPE_CHECKING:
    from slimguard.dockerfile.analysis.multistage.base import Builds
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.shell import Build

_CARGO_OPTIONS = spec("jFpZ", (
    "--bin", "--example", "--target", "--features", "--jobs", "--profile", "--target-dir", "--manifest-path",
    "--package", "--config", "--color"))


class RustPlanner(Planner):
    """Without --bin, the binary's name is taken only from a CMD/ENTRYPOINT that runs a file from exactly the
    release directory."""

    def builds(self, tool: str) -> bool:
        return tool == "cargo"

    def plan(self, ctx: "LintContext", stage: "Stage", builds: "Builds") -> Plan:
        outputs = [_output(stage, step, op) for step, op in builds]
        image = stage.base.image
        assert image is not None
        sugg = smaller_variant(image.familiar_name, image.effective_tag)
        if sugg is None or not sugg.confirmed or not sugg.multi_stage or "distroless" not in sugg.image:
            raise NoSplit(f"no runtime image is known for binaries built in {stage.base.text}")
        no_dev_packages(stage)
        runs_output(stage, outputs)
        return Plan(unique(outputs), sugg.image)


def _output(stage: "Stage", step: "Step", op: "Build") -> str:
    """The binary one ``cargo build --release`` writes."""
    cmd = op.command
    parsed = parse_opts(cmd.args, _CARGO_OPTIONS)
    if not parsed.has("--release", "-r") or parsed.has("--profile", "--manifest-path", "--example"):
        raise NoSplit(NO_OUTPUT)
    name = op.target
    if name is not None and (not path_ok(name) or "/" in name):
        raise NoSplit(NO_OUTPUT)
    target_dir = parsed.last("--target-dir") or step.env.get("CARGO_TARGET_DIR") or "target"
    triple = parsed.last("--target")
    if not path_ok(target_dir) or (triple is not None and not path_ok(triple)):
        raise NoSplit(NO_OUTPUT)
    if not target_dir.startswith("/") and cd_before(step, cmd):
        raise NoSplit(NO_OUTPUT)
    release = resolve(posixpath.join(target_dir, triple, "release") if triple else posixpath.join(
        target_dir, "release"), step.workdir)
    if name is not None:
        return posixpath.join(release, name)
    # no --bin: the binary is named after the package; use it only when CMD runs a file from exactly the
    # release directory
    exe = exe_path(stage)
    if exe is None or posixpath.dirname(exe) != release:
        raise NoSplit(NO_OUTPUT)
    return exe

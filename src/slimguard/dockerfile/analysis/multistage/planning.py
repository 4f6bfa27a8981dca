"""Choosing the planner for a stage's builds: one ecosystem per stage, or no split."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slimguard.dockerfile.analysis.multistage.base import NO_OUTPUT, NoSplit, Plan, Planner
from slimguard.dockerfile.analysis.multistage.c_cpp import CPlanner
from slimguard.dockerfile.analysis.multistage.go import GoPlanner, go_installs
from slimguard.dockerfile.analysis.multistage.java import JavaPlanner
from slimguard.dockerfile.analysis.multistage.node import NodePlanner
from slimguard.dockerfile.analysis.multistage.rust import RustPlanner, cargo_installs
from slimguard.dockerfile.shell import Build

if TYPE_CHECKING:
    from slimguard.dockerfile.analysis.multistage.base import Builds
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.knowledge.facts import ImageFacts

PLANNERS: tuple[Planner, ...] = (CPlanner(), GoPlanner(), RustPlanner(), NodePlanner(), JavaPlanner())


def plan(ctx: "LintContext", stage: "Stage", builds: "Builds", facts: "ImageFacts | None") -> Plan:
    """The split of *stage* (the final stage, its base known) whose *builds* all belong to one planner."""
    if stage is not ctx.model.final:
        raise NoSplit("the stage is not the last one in the file")
    if stage.parent is not None:
        raise NoSplit(f"the stage is built FROM stage {stage.parent.label}")
    base = stage.base
    if base.image is None or base.is_scratch:
        raise NoSplit("the base image is not known")
    if facts is None:
        raise NoSplit(f"{base.text} is not in slimguard's knowledge base")
    found = {_planner(op.tool) for _, op in builds if not any(p.prepares(op.tool) for p in PLANNERS)}
    if len(found) != 1:
        raise NoSplit(NO_OUTPUT)
    planner = found.pop()
    if planner is None:
        raise NoSplit(NO_OUTPUT)
    return planner.plan(ctx, stage, builds)


def build_commands(step: "Step") -> list[Build]:
    """The build commands of a RUN, in order: what the shell analysis calls a build, and installs of the
    project's own code that it files as package installs (``go install ./...``, ``cargo install --path .``)."""
    assert step.run is not None
    ops = [*step.run.script.of_type(Build), *go_installs(step), *cargo_installs(step)]
    return sorted(ops, key=lambda op: op.command.start)


def _planner(tool: str) -> Planner | None:
    return next((p for p in PLANNERS if p.builds(tool)), None)

"""Splitting a single-stage build into a build stage and a runtime stage (SG011).

:func:`plan` hands the stage's builds to the planner of their ecosystem (C/C++, Go, Rust, npm/yarn/pnpm,
Maven/Gradle: one module each, on the :class:`Planner` interface), which decides what to copy into which
runtime image; :func:`split_fix` turns that plan into the edit. Both raise :class:`NoSplit` with the reason
when the split is not certain.
"""

from slimguard.dockerfile.analysis.multistage.base import NoSplit, Plan, Planner
from slimguard.dockerfile.analysis.multistage.planning import build_commands, plan
from slimguard.dockerfile.analysis.multistage.split import split_fix

__all__ = ["NoSplit", "Plan", "Planner", "build_commands", "plan", "split_fix"]

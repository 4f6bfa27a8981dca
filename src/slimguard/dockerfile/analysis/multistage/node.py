"""npm / yarn / pnpm builds: ``npm run build`` and friends, when CMD runs node on a file in dist/ or build/."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from slimguard.dockerfile.analysis.multistage.base import (
    NO_OUTPUT, NoSplit, Plan, Planner, cd_before, no_dev_packages, path_ok, program, resolve, smaller_or_same,
)
from slimguard.dockerfile.shell import PackageOp

if TYPE_CHECKING:
    from slimguard.dockerfile.analysis.multistage.base import Builds
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.model import Stage

_JS_TOOLS = frozenset({
    "npm", "yarn", "pnpm", "bun", "tsc", "webpack", "rollup", "esbuild", "parcel", "vite", "next", "nuxt", "ng",
    "nest", "react-scripts", "gatsby", "astro", "remix", "svelte-kit", "tsup", "swc", "babel", "vue-cli-service",
})
_OUTPUT_DIRS = ("dist", "build")


class NodePlanner(Planner):
    """Copies the output directory, node_modules and package.json onto the -slim tag."""

    def builds(self, tool: str) -> bool:
        return tool in _JS_TOOLS

    def plan(self, ctx: "LintContext", stage: "Stage", builds: "Builds") -> Plan:
        wd = _build_dir(builds)
        _require_install(stage, wd)
        out_dir = _output_dir(stage, wd)
        no_dev_packages(stage)
        runtime = smaller_or_same(ctx, stage, allow_suite=False)
        outputs = [posixpath.join(wd, "package.json"), posixpath.join(wd, "node_modules"), out_dir]
        return Plan(outputs, runtime)


def _build_dir(builds: "Builds") -> str:
    """The one WORKDIR every build runs in."""
    wd = None
    for step, op in builds:
        if cd_before(step, op.command):
            raise NoSplit(NO_OUTPUT)
        if wd is not None and step.workdir != wd:
            raise NoSplit(NO_OUTPUT)
        wd = step.workdir
    assert wd is not None
    return wd


def _require_install(stage: "Stage", wd: str) -> None:
    """Raise :class:`NoSplit` unless the dependencies are installed, and only in *wd*."""
    installed = False
    for step in stage.all_steps():
        if step.run is None or step.in_onbuild:
            continue
        for op in step.run.script.of_type(PackageOp):
            if op.manager in ("npm", "yarn", "pnpm") and op.action in ("install", "ci"):
                if step.workdir != wd or cd_before(step, op.command):
                    raise NoSplit(NO_OUTPUT)
                installed = True
    if not installed:
        raise NoSplit(NO_OUTPUT)


def _output_dir(stage: "Stage", wd: str) -> str:
    """dist/ or build/ under *wd*, whichever holds the file CMD runs node on."""
    words = program(stage)
    if words is None or words[0] not in ("node", "nodejs"):
        raise NoSplit(NO_OUTPUT + ": CMD does not run node on a built file")
    for arg in words[1:]:
        if not path_ok(arg):
            continue
        path = resolve(arg, stage.workdir)
        for d in _OUTPUT_DIRS:
            root = posixpath.join(wd, d)
            if path == root or path.startswith(root + "/"):
                return root
    raise NoSplit(NO_OUTPUT + ": CMD does not run a file from dist/ or build/")

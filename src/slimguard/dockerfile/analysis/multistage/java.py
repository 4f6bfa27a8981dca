"""Maven / Gradle builds, when CMD runs ``java -jar`` on a jar path: the jar onto the JRE variant."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from slimguard.dockerfile.analysis.multistage.base import NO_OUTPUT, NoSplit, Plan, Planner, path_ok, program, resolve
from slimguard.knowledge.bases import smaller_variant

if TYPE_CHECKING:
    from slimguard.dockerfile.analysis.multistage.base import Builds
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.model import Stage


class JavaPlanner(Planner):
    """The runtime is the JRE variant the knowledge base names for the base's tag."""

    def builds(self, tool: str) -> bool:
        return tool in ("mvn", "gradle")

    def plan(self, ctx: "LintContext", stage: "Stage", builds: "Builds") -> Plan:
        words = program(stage)
        if words is None or posixpath.basename(words[0]) != "java" or "-jar" not in words[1:-1]:
            raise NoSplit(NO_OUTPUT + ": CMD does not run java -jar on a jar file")
        jar = words[words.index("-jar") + 1]
        if not path_ok(jar) or not jar.endswith(".jar"):
            raise NoSplit(NO_OUTPUT)
        image = stage.base.image
        assert image is not None
        sugg = smaller_variant(image.familiar_name, image.effective_tag)
        if sugg is None or not sugg.confirmed:
            raise NoSplit(f"no JRE image is known for {stage.base.text}")
        return Plan([resolve(jar, stage.workdir)], sugg.image)

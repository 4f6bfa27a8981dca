"""SG058: COPY to a relative destination while no WORKDIR is set."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.shellview import unquote
from slimguard.dockerfile.context import LintContext

_ABSOLUTE = re.compile(r"^(/|\$|[A-Za-z]:[\\/])")


def _from_parts(words: list[str]) -> tuple[str | None, str | None]:
    """(base, stage name) of a FROM's words (flags already removed by the parser)."""
    base = words[0].lower() if words else None
    name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
    return base, name


def _unknown_base(ctx: LintContext, from_ins) -> bool:
    """The FROM names an external image whose WORKDIR is not known (not scratch, not in the knowledge base)."""
    stage = next((st for st in ctx.model.stages if st.from_instruction is from_ins), None)
    if stage is None or stage.base.stage is not None or stage.base.is_scratch or stage.base.image is None:
        return False
    from slimguard.dockerfile.analysis.nonroot import base_info

    return base_info(stage) is None  # the knowledge base only: the answer must not depend on the local engine


class CopyRelativeDest(Rule):
    id = "SG058"
    title = "COPY to a relative destination without WORKDIR"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("DL3045",)
    docs = RuleDocs(
        what=(
            "Finds COPY instructions whose destination is relative (`COPY app.py .`, `COPY a b`, "
            "`COPY x ~/y`) in a stage that has not set a WORKDIR, itself or in the stage it is built FROM. "
            "Destinations that start with `/`, a Windows drive (`c:\\`, `c:/`) or a variable (`$DEST`) "
            "are not checked. ONBUILD COPY triggers run in the child image, whose WORKDIR is unknown "
            "here, and are skipped, like hadolint's DL3045 does; an ONBUILD WORKDIR does not count for "
            "the stage's own COPYs."
        ),
        why=(
            "A relative destination is resolved against the WORKDIR the base image happens to set. When "
            "the base image changes its WORKDIR (or a new tag has none) the files land somewhere else "
            "and the CMD no longer finds them."
        ),
        example="FROM python:3.12-slim\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n",
        instead="FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n",
        fix_safety=(
            "No fix: the right WORKDIR is the one the base image uses today, which the Dockerfile does "
            "not say; adding a guessed one moves the files and the commands that use them."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        stages: dict[str, bool] = {}
        has_workdir = False
        current: str | None = None  # the stage's name
        for ins in ctx.tree.instructions:
            if ins.name == "FROM":
                base, name = _from_parts(list(ins.buildkit_value()))
                has_workdir = bool(base and stages.get(base))
                if not has_workdir and not ctx.options.hadolint_compat and _unknown_base(ctx, ins):
                    has_workdir = True  # an image slimguard does not know may set its own WORKDIR
                if name:
                    stages[name] = has_workdir
                current = name
                continue
            if ins.name == "WORKDIR":
                has_workdir = True
                if current:
                    stages[current] = True
                continue
            if ins.name != "COPY" or has_workdir:
                continue
            args = list(ins.json_args) if ins.is_json and ins.json_args is not None else list(ins.buildkit_value())
            if len(args) < 2:
                continue
            dest = unquote(args[-1])
            if _ABSOLUTE.match(dest) or _ABSOLUTE.match(dest.lstrip("\"'")):
                continue  # absolute, or a variable ("$APP"/config): not a relative path that can be known
            yield ctx.at(self, ins, f"`COPY` to the relative destination {dest!r} without a `WORKDIR` set: "
                                    "it depends on the base image's WORKDIR; set WORKDIR first or use an "
                                    "absolute path")


RULE = CopyRelativeDest

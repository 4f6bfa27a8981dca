"""SG110: COPY or ADD of a file the build context's .dockerignore excludes (BuildKit's CopyIgnoredFile)."""

from __future__ import annotations

import os
import posixpath
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.dockerignore import excluded, find_ignore_file, root_excluded
from slimguard.dockerfile.context import LintContext

_REMOTE = ("http://", "https://", "git@", "git://", "ssh://")


class CopyIgnoredFile(Rule):
    id = "SG110"
    title = "COPY of a file .dockerignore excludes"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("CopyIgnoredFile",)
    docs = RuleDocs(
        what=(
            "Finds COPY and ADD sources from the build context that the ignore file excludes, as "
            "BuildKit's CopyIgnoredFile check does: the Dockerfile-specific `<Dockerfile name>.dockerignore` "
            "beside the Dockerfile when there is one, else `.dockerignore` in the Dockerfile's directory, "
            "which slimguard takes as the build context (what `docker build .` next to it uses). A source is "
            "excluded when a pattern matches it or one of its parent directories. As in BuildKit, nothing is "
            "reported when the ignore file has `!` exceptions (a file inside an excluded directory may be let "
            "back in), `.` is reported only when a pattern excludes everything (`*`, `**`), and COPY "
            "--from, heredocs, URLs and git sources are not checked; sources with a variable are checked "
            "after substitution when its value is known. Linting from stdin reads no ignore file."
        ),
        why=(
            "An excluded file is not sent to the builder: the COPY fails with \"not found\", or a wildcard "
            "quietly copies less than it seems to. Usually the ignore file was written for another "
            "Dockerfile, or a file was renamed."
        ),
        example="# .dockerignore: *.md\nFROM nginx:1.27\nCOPY README.md /usr/share/nginx/html/\n",
        instead="# .dockerignore: *.md and !README.md, or no *.md\nFROM nginx:1.27\nCOPY README.md /usr/share/nginx/html/\n",
        fix_safety="No fix: whether the ignore file or the COPY is wrong is for the author to decide.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        if ctx.path in ("", "-") or not os.path.isfile(ctx.path):
            return
        ignore = find_ignore_file(ctx.path)
        if ignore is None or not ignore.patterns or ignore.has_exceptions:
            return
        shown = os.path.basename(ignore.path)
        for stage in ctx.model.stages:
            for step in stage.steps:
                ins = step.instruction
                if step.in_onbuild or ins.name not in ("COPY", "ADD") or ins.flag("from") is not None:
                    continue
                raw = list(ins.buildkit_value())
                values = list(step.expanded) if len(step.expanded) == len(raw) else raw
                for src_raw, src in zip(raw[:-1], values[:-1]):
                    if src_raw.startswith("<<") or ("$" in src_raw and step.unresolved):
                        continue
                    if src.startswith(_REMOTE) or (ins.name == "ADD" and src.endswith(".git")):
                        continue
                    path = posixpath.normpath(src)
                    path = path.lstrip("/") or "."
                    if path == ".":
                        if not root_excluded(ignore.patterns):
                            continue
                    elif not excluded(ignore.patterns, path):
                        continue
                    verb = ins.name
                    yield ctx.at(self, ins, f"{verb} source '{src}' is excluded by {shown}: it is not in the "
                                            f"build context, so the {verb} fails or copies less; remove the "
                                            f"pattern from {shown} or the source from the {verb}",
                                 details={"source": src, "ignore_file": ignore.path})


RULE = CopyIgnoredFile

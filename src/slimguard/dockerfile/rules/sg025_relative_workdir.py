"""SG025: WORKDIR with a relative path."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.buildkit import workdir_relative_reports
from slimguard.dockerfile.analysis.instrs import sites, unquote
from slimguard.dockerfile.context import LintContext

_ABSOLUTE = re.compile(r"^(/|\$|[A-Za-z]:)")  # a variable is not checked; C:\ and C:/ are Windows paths


class RelativeWorkdir(Rule):
    id = "SG025"
    title = "Relative WORKDIR"
    severity = Severity.ERROR
    concern = "syntax"
    peers = ("DS009", "DS-0009", "AVD-DS-0009", "CKV_DOCKER_10")
    aliases = ("DL3000", "WorkdirRelativePath")  # hadolint, BuildKit (docs/buildkit.md)
    docs = RuleDocs(
        what=("Finds WORKDIR instructions whose path is relative (`WORKDIR app`, `WORKDIR ./src`, "
              "`WORKDIR ~/x`). Paths that start with a variable are not checked. Answers to BuildKit's "
              "WorkdirRelativePath too, which is narrower: it reports only the first relative WORKDIR of a stage "
              "whose FROM chain set no WORKDIR before (slimguard reports each one, as hadolint's DL3000 does)."),
        why=("A relative WORKDIR is resolved against the previous WORKDIR, which may come from the base "
             "image and change with it; the directory the image ends up in is then not the one the "
             "Dockerfile seems to say. `~` is not expanded: `WORKDIR ~/x` creates a directory named `~`."),
        example="FROM node:20-slim\nWORKDIR app\n",
        instead="FROM node:20-slim\nWORKDIR /app\n",
        fix_safety="No fix: which absolute path was meant depends on the base image's WORKDIR.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        buildkit = workdir_relative_reports(ctx.model)
        for site in sites(ctx):
            if site.ins.name != "WORKDIR":
                continue
            path = unquote(site.ins.rest.strip())
            if not path or _ABSOLUTE.match(path):
                continue
            yield ctx.at(self, site.reported,
                         f"WORKDIR {path} is relative to the previous WORKDIR; use an absolute path",
                         aliases=() if site.onbuild else self.aliases if id(site.ins) in buildkit else ("DL3000",))


RULE = RelativeWorkdir

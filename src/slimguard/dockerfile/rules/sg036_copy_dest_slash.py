"""SG036: COPY of several sources to a destination without a trailing slash."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.instrs import sites, unquote
from slimguard.dockerfile.context import LintContext


class CopyDestSlash(Rule):
    id = "SG036"
    title = "COPY with several sources needs a directory destination"
    severity = Severity.ERROR
    concern = "syntax"
    peers = ("DS011", "DS-0011", "AVD-DS-0011")
    fixable = "safe"
    aliases = ("DL3021",)
    docs = RuleDocs(
        what=("Finds COPY instructions with more than two arguments (several sources, heredocs counted) "
              "whose last argument, the destination, does not end with `/`."),
        why=("With several sources the destination must be a directory, and Docker requires it to end "
             "with `/`: `COPY a b /app` fails the build with \"When using COPY with more than one source "
             "file, the destination must be a directory and end with a /\"."),
        example="FROM alpine:3.20\nCOPY package.json package-lock.json /app\n",
        instead="FROM alpine:3.20\nCOPY package.json package-lock.json /app/\n",
        fix_safety=("Safe: appends `/` to the destination (inside its quotes). The build failed before; "
                    "afterwards it copies every source into that directory, the only meaning Docker "
                    "accepts. No fix for the JSON form or heredocs."),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in sites(ctx):
            ins = site.ins
            if ins.name != "COPY":
                continue
            args = list(ins.buildkit_value())  # split on blanks, like BuildKit: quotes do not group words
            if len(args) <= 2 or args[-1].strip("'\"").endswith("/"):
                continue
            fix = None
            words = ins.words()
            if not ins.is_json and not ins.heredocs and words:
                last = words[-1]
                end = last.span.end.offset
                if ctx.tree.text[last.span.start.offset:end] == last.text:
                    at = end - 1 if last.text[-1:] in "'\"" and len(last.text) > 1 else end
                    fix = Fix("end the destination with /", (Edit(at, at, "/"),), Applicability.SAFE)
            yield ctx.at(self, site.reported,
                         f"COPY with more than 2 arguments needs a directory destination ending with /: "
                         f"{unquote(args[-1])}/",
                         fix=fix, aliases=() if site.onbuild else self.aliases)


RULE = CopyDestSlash

"""SG078: COPY --from copies a stage's whole filesystem into /."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.shellview import all_instructions, unquote
from slimguard.dockerfile.context import LintContext

ROOTS = frozenset({"/", "/.", "/./"})


class CopyWholeFilesystem(Rule):
    id = "SG078"
    title = "COPY --from of a whole filesystem"
    severity = Severity.WARNING
    concern = "fat-base"
    aliases = ("DL3067",)
    docs = RuleDocs(
        what=(
            "Finds `COPY --from=<stage or image> / /`: the source's root copied onto the root (also `/.`), "
            "ONBUILD triggers included. hadolint's DL3067 matches `/` exactly; findings for `/.` carry no "
            "alias."
        ),
        why=(
            "Copying a whole filesystem drags in everything the builder had (compilers, caches, package "
            "databases, /etc/passwd, maybe secrets), overwrites the target's own files, and defeats the "
            "point of a multi-stage build."
        ),
        example="FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM gcr.io/distroless/static\nCOPY --from=build / /\n",
        instead=(
            "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM gcr.io/distroless/static\n"
            "COPY --from=build /out/app /app\n"
        ),
        fix_safety="No fix: which files the image needs is for the author to list.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for reported, ins in all_instructions(ctx.tree):
            if ins.name != "COPY" or ins.flag("from") is None:
                continue
            args = list(ins.json_args) if ins.is_json and ins.json_args is not None else list(ins.buildkit_value())
            if len(args) != 2:
                continue
            src, dest = unquote(args[0]), unquote(args[1])
            if src in ROOTS and dest in ROOTS:
                exact = src == "/" and dest == "/"
                yield ctx.at(self, reported, "do not copy an entire filesystem from another stage; copy the "
                                             "files the image needs",
                             aliases=self.aliases if exact and reported is ins else ())


RULE = CopyWholeFilesystem

"""SG107: ENV or LABEL in the legacy `key value` form (BuildKit's LegacyKeyValueFormat)."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.syntax.buildkit import parse_words

_SPACE = re.compile(r"[\t\v\f\r ]+")


class LegacyKeyValueFormat(Rule):
    id = "SG107"
    title = "Legacy ENV/LABEL key value form"
    severity = Severity.STYLE
    concern = "syntax"
    fixable = "safe"
    aliases = ("LegacyKeyValueFormat",)
    default = False  # style: both forms build the same image
    in_hadolint_mode = False
    docs = RuleDocs(
        what=(
            "Finds `ENV key value` and `LABEL key value`: the legacy form whose first word has no `=`, "
            "where everything after the key is the value, as BuildKit's LegacyKeyValueFormat check does "
            "(ONBUILD triggers are not checked). Outside the default set: run it with "
            "`--select LegacyKeyValueFormat`."
        ),
        why=(
            "The legacy form sets one variable per instruction and makes `ENV A B=c` mean A=\"B=c\"; "
            "Docker documents it as deprecated and `docker build --check` warns about it."
        ),
        example="FROM golang:1.22\nENV GOPATH /go\n",
        instead="FROM golang:1.22\nENV GOPATH=/go\n",
        fix_safety=(
            "Safe: rewrites a one-line instruction as `key=value`, the value in double quotes when it "
            "holds blanks. Values with quotes or the escape character are not rewritten, since quoting "
            "them again could change what the builder reads."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ins in ctx.tree.instructions:
            if ins.name not in ("ENV", "LABEL") or not ins.rest:
                continue
            words = parse_words(ins.rest, ins.escape)
            if not words or "=" in words[0][0]:
                continue
            parts = _SPACE.split(ins.rest, maxsplit=1)
            if len(parts) < 2:
                continue
            key, value = parts
            fix = None
            span = ins.rest_span
            if (span.start.line == span.end.line and not any(c in value for c in "'\"") and ins.escape not in value
                    and ins.escape not in key):
                shown = f'"{value}"' if _SPACE.search(value) else value
                fix = Fix(f"write {ins.name} {key}={shown}",
                          (Edit(span.start.offset, span.end.offset, f"{key}={shown}"),), Applicability.SAFE)
            yield ctx.at(self, ins, f'"{ins.name} {key} ..." uses the legacy "key value" form; write '
                                    f'"{ins.name} {key}=<value>"', fix=fix)


RULE = LegacyKeyValueFormat

"""SG079: the deprecated MAINTAINER instruction."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.edits import keyword


def _label_value(rest: str) -> str:
    """MAINTAINER's text as a double-quoted LABEL value (LABEL expands $ and removes quotes; MAINTAINER
    does neither)."""
    escaped = rest.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


class Maintainer(Rule):
    id = "SG079"
    title = "MAINTAINER is deprecated"
    severity = Severity.ERROR
    concern = "syntax"
    peers = ("DS022", "DS-0022", "AVD-DS-0022", "CKV_DOCKER_6")
    fixable = "safe"
    aliases = ("DL4000", "MaintainerDeprecated")  # hadolint, BuildKit (docs/buildkit.md)
    docs = RuleDocs(
        what=(
            "Finds MAINTAINER instructions, in any stage and before the first FROM (an ONBUILD MAINTAINER "
            "is SG056's finding); hadolint's DL4000 and BuildKit's MaintainerDeprecated check report the same."
        ),
        why=(
            "MAINTAINER has been deprecated since Docker 1.13: it only sets the image's Author field, "
            "which tools no longer show, and BuildKit warns about it. A `maintainer` label carries the "
            "same information where `docker inspect` and registries show labels."
        ),
        example="FROM debian:bookworm-slim\nMAINTAINER Jane Doe <jane@example.com>\n",
        instead='FROM debian:bookworm-slim\nLABEL maintainer="Jane Doe <jane@example.com>"\n',
        fix_safety=(
            "Safe: replaces the instruction by `LABEL maintainer=\"...\"` with the same text (quotes, "
            "backslashes and `$` escaped, since LABEL would otherwise interpret them). The image gets the "
            "label instead of the Author field; nothing in the container changes. No fix for a MAINTAINER "
            "that spans several lines."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ins in ctx.tree.instructions:
            if ins.name != "MAINTAINER":
                continue
            fix = None
            rest_span = ins.rest_span
            if ins.rest and rest_span.start.line == rest_span.end.line == ins.keyword_span.start.line:
                text = f"{keyword(ctx.tree, 'LABEL')} maintainer={_label_value(ins.rest)}"
                fix = Fix("replace MAINTAINER by LABEL maintainer=", (
                    Edit(ins.keyword_start, rest_span.end.offset, text),), Applicability.SAFE)
            yield ctx.at(self, ins, "MAINTAINER is deprecated; use LABEL maintainer=\"...\"", fix=fix)


RULE = Maintainer

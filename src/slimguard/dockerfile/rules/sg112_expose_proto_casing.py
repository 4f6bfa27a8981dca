"""SG112: an EXPOSE protocol not in lower case (BuildKit's ExposeProtoCasing)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.buildkit import expose_sites
from slimguard.dockerfile.context import LintContext


class ExposeProtoCasing(Rule):
    id = "SG112"
    title = "EXPOSE protocol not in lower case"
    severity = Severity.STYLE
    concern = "syntax"
    fixable = "safe"
    aliases = ("ExposeProtoCasing",)
    default = False  # style: the builder lower-cases the protocol
    in_hadolint_mode = False
    docs = RuleDocs(
        what=(
            "Finds EXPOSE ports whose protocol is not lower case (`80/TCP`, `53/Udp`), after variable "
            "substitution, as BuildKit's ExposeProtoCasing check does (ONBUILD triggers are not checked). "
            "Outside the default set: run it with `--select ExposeProtoCasing`."
        ),
        why="The builder lower-cases the protocol anyway; other tools reading the Dockerfile may not.",
        example="FROM nginx:1.27\nEXPOSE 80/TCP\n",
        instead="FROM nginx:1.27\nEXPOSE 80/tcp\n",
        fix_safety="Safe: lower-cases the protocol of a port written literally; the image records it lower-cased either way.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in expose_sites(ctx.model):
            port, value = site.port, site.value
            if not port.valid_proto or not port.proto or port.proto == port.proto.lower():
                continue
            fix = None
            if site.span is not None:
                fixed = value[: len(value) - len(port.proto)] + port.proto.lower()
                fix = Fix(f"write {fixed}", (Edit(site.span.start.offset, site.span.end.offset, fixed),),
                          Applicability.SAFE)
            yield ctx.at(self, site.instruction, f"protocol '{port.proto}' in EXPOSE {value} should be lower case "
                                                 f"('{port.proto.lower()}')", fix=fix)


RULE = ExposeProtoCasing

"""SG080: one stage uses both wget and curl."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import hadolint_sees, run_sites
from slimguard.dockerfile.context import LintContext

TOOLS = frozenset({"wget", "curl"})


class WgetAndCurl(Rule):
    id = "SG080"
    title = "Both wget and curl in one stage"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    peers = ("DS014", "DS-0014", "AVD-DS-0014")
    aliases = ("DL4001",)
    default = False
    docs = RuleDocs(
        what=(
            "Finds stages whose RUNs call both `wget` and `curl`. Once both have been seen in a stage, "
            "every RUN of that stage that calls either is reported (the first RUN that used only one is "
            "not). Each FROM starts afresh, also `FROM <stage>`; ONBUILD triggers are skipped. hadolint's "
            "DL4001 does not see commands behind wrappers (`sudo wget`) or nested in `sh -c`; those "
            "findings carry no alias. A consistency rule: it runs only when selected or in hadolint mode."
        ),
        why=(
            "Both tools do the same job. Needing both means installing and maintaining two HTTP clients "
            "(and their TLS libraries) in the image, with two sets of options and behaviours on errors."
        ),
        example=(
            "FROM debian:bookworm-slim\nRUN wget -q -O /tmp/a.tgz https://example.com/a.tgz\n"
            "RUN curl -fsSL https://example.com/b.sh -o /tmp/b.sh\n"
        ),
        instead=(
            "FROM debian:bookworm-slim\nRUN curl -fsSL -o /tmp/a.tgz https://example.com/a.tgz\n"
            "RUN curl -fsSL https://example.com/b.sh -o /tmp/b.sh\n"
        ),
        fix_safety="No fix: the two tools' options differ; rewriting one into the other is a manual change.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        sites = {id(s.instruction): s for s in run_sites(ctx) if not s.onbuild}
        seen: set[str] = set()
        seen_h: set[str] = set()  # what hadolint sees
        for ins in ctx.tree.instructions:
            if ins.name == "FROM":
                seen, seen_h = set(), set()
                continue
            site = sites.get(id(ins)) if ins.name == "RUN" else None
            if site is None:
                continue
            used = {c.name for c in site.script.commands if c.name in TOOLS}
            used_h = {c.name for c in site.script.commands if c.name in TOOLS and hadolint_sees(site, c)}
            seen |= used  # type: ignore[arg-type]
            seen_h |= used_h  # type: ignore[arg-type]
            if used and seen == TOOLS:
                yield ctx.at(self, ins, "this stage uses both wget and curl; use one of them",
                             aliases=self.aliases if used_h and seen_h == TOOLS else ())


RULE = WgetAndCurl

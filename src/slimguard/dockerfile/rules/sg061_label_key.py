"""SG061: a LABEL key that breaks Docker's label key guidelines."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.labels import key_problem, label_instructions
from slimguard.dockerfile.context import LintContext


class LabelKey(Rule):
    id = "SG061"
    title = "Invalid label key"
    severity = Severity.STYLE
    concern = "syntax"
    aliases = ("DL3048",)
    default = False
    docs = RuleDocs(
        what=(
            "Finds LABEL instructions (ONBUILD LABEL triggers too) with a key outside Docker's key "
            "guidelines: the reserved namespaces `com.docker.*`, `io.docker.*` and `org.dockerproject.*`; "
            "characters other than lower-case letters, digits, `.`, `-` and `_`; a first character that is "
            "not a letter or a last one that is not a letter or digit; consecutive dots or dashes. One "
            "finding per LABEL, like hadolint's DL3048. A style rule: it runs only when selected or in "
            "hadolint mode."
        ),
        why=(
            "Docker reserves its namespaces for its own tooling, and keys in reverse-DNS lower case "
            "(`org.opencontainers.image.source`) are what registries, scanners and `docker inspect "
            "--format` filters expect; an upper-case or oddly punctuated key is easy to miss or clash."
        ),
        example='FROM debian:bookworm-slim\nLABEL Version="1.0" com.docker.team="ops"\n',
        instead='FROM debian:bookworm-slim\nLABEL org.opencontainers.image.version="1.0" com.example.team="ops"\n',
        fix_safety="No fix: renaming a label breaks whatever reads it.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ins, pairs in label_instructions(ctx):
            bad = [(p.key, why) for p in pairs if (why := key_problem(p.key)) is not None]
            if bad:
                key, why = bad[0]
                more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
                yield ctx.at(self, ins, f"invalid label key {key!r}{more}: {why}")


RULE = LabelKey

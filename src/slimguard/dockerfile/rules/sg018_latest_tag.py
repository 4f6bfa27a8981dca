"""SG018: a base image pinned to :latest."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.dockerfile.analysis.fromrefs import from_refs, rolling_major_note
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext


class LatestTag(Rule):
    id = "SG018"
    title = "Base image uses the latest tag"
    severity = Severity.WARNING
    concern = "latest-tag"
    peers = ("DS001", "DS-0001", "AVD-DS-0001", "CKV_DOCKER_7")
    fixable = "none"
    aliases = ("DL3007",)
    docs = RuleDocs(
        what="Finds FROM lines with an explicit `:latest` tag and no digest.",
        why=("`latest` is whatever was pushed last: rebuilds change the operating system, its users and "
             "its size without any change in your repository, and a cached build differs from a fresh "
             "one."),
        example="FROM debian:latest\n",
        instead="FROM debian:bookworm-slim\n",
        fix_safety="No automatic fix: only you know which release you want.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ref in from_refs(ctx):
            if ref.is_stage or ref.unresolved or ref.image is None:
                continue
            if ref.image.tag == "latest" and ref.image.digest is None:
                rolling = None if ctx.options.hadolint_compat else rolling_major_note(ref.text, ref.image.repository)
                if rolling is not None:
                    yield ctx.at(self, ref.instruction, rolling, severity=Severity.INFO)
                    continue
                yield ctx.at(self, ref.instruction,
                             f"FROM {ref.text} uses latest; pin a release tag")


RULE = LatestTag

"""SG017: a base image without a tag or digest."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.dockerfile.analysis.fromrefs import from_refs, rolling_major_note
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext


class UntaggedImage(Rule):
    id = "SG017"
    title = "Base image without a tag"
    severity = Severity.WARNING
    concern = "latest-tag"
    peers = ("DS001", "DS-0001", "AVD-DS-0001", "CKV_DOCKER_7")
    fixable = "none"
    aliases = ("DL3006",)
    docs = RuleDocs(
        what=("Finds FROM lines naming an image without a tag or digest (`FROM node`), which Docker "
              "resolves to `:latest`. Earlier stages used by name, `scratch` and references built "
              "from ARGs that cannot be resolved are not flagged."),
        why=("`latest` moves: the same Dockerfile builds a different image next week, with a different "
             "distribution, different users and a different size. slimguard's advice about the base "
             "(which users it ships, which slim variant exists) needs a known tag."),
        example="FROM node\nUSER node\n",
        instead="FROM node:20.11-slim\nUSER node\n",
        fix_safety="No automatic fix: only you know which release you want.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ref in from_refs(ctx):
            if ref.is_stage or ref.unresolved or ref.image is None or ref.image.is_scratch:
                continue
            if ref.image.tag is None and ref.image.digest is None:
                rolling = None if ctx.options.hadolint_compat else rolling_major_note(ref.text, ref.image.repository)
                if rolling is not None:
                    yield ctx.at(self, ref.instruction, rolling, severity=Severity.INFO)
                    continue
                yield ctx.at(self, ref.instruction,
                             f"FROM {ref.text} has no tag and resolves to {ref.image.familiar_name}:latest; "
                             "pin a release tag (and a slim variant where one exists)")


RULE = UntaggedImage

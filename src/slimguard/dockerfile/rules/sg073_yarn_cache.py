"""SG073: yarn leaves its package cache in the layer."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import (
    RunSite, append_to_run, command_finding, hadolint_sees, mount_targets, package_ops, run_sites,
    subcommand_word,
)
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.shell import CacheCleanup

_YARN_CACHE_MOUNT = re.compile(r"(^|/)\.cache/yarn(/|$)")


def _mounted(site: RunSite, hadolint: bool) -> bool:
    return any(_YARN_CACHE_MOUNT.search(t) for t in mount_targets(site.run, hadolint=hadolint))


def _cleaned_after(site: RunSite, after: int, *, hadolint: bool) -> bool:
    for c in site.script.of_type(CacheCleanup):
        if c.kind != "yarn-cache" or c.command.start <= after:
            continue
        if c.command.name == "yarn" or not hadolint:
            return True
    return False


def _hadolint_stages(ctx: LintContext) -> set[int]:
    """Indexes of the stages hadolint's DL3060 reports on: the last one and every stage some FROM names."""
    stages = ctx.model.stages
    out = {stages[-1].index} if stages else set()
    for s in stages:
        if s.base.stage is not None:
            out.add(s.base.stage.index)
    return out


class YarnCache(Rule):
    id = "SG073"
    title = "yarn cache not cleaned"
    severity = Severity.INFO
    concern = "pkg-hygiene"
    fixable = "safe"
    aliases = ("DL3060",)
    docs = RuleDocs(
        what=(
            "Finds RUNs where yarn installs packages (`yarn install`, bare `yarn`, `yarn add`, "
            "`yarn global add`) and no `yarn cache clean` (or removal of the yarn cache directory) "
            "follows in the same RUN, unless a `--mount=type=cache` or `type=tmpfs` mount holds a "
            "`.cache/yarn` directory. Only stages that ship are checked: the target and the stages it is "
            "built FROM; ONBUILD triggers always (they run in the child image). hadolint's DL3060 checks "
            "`yarn install` only, in the last stage and every stage some FROM names, and accepts only "
            "`yarn cache clean`; with --hadolint-compat it is followed. Findings on `yarn add` and bare "
            "`yarn` carry no alias."
        ),
        why=(
            "yarn v1 keeps every downloaded package tarball in its cache (/usr/local/share/.cache/yarn "
            "for root): typically as large as node_modules itself, shipped in the layer and never used at "
            "run time."
        ),
        example="FROM node:20-slim\nWORKDIR /app\nCOPY package.json yarn.lock ./\nRUN yarn install --frozen-lockfile\n",
        instead=(
            "FROM node:20-slim\nWORKDIR /app\nCOPY package.json yarn.lock ./\n"
            "RUN yarn install --frozen-lockfile && yarn cache clean\n"
        ),
        fix_safety=(
            "Safe: appends ` && yarn cache clean` to the end of the RUN. Installed packages stay; later "
            "installs download again. No fix for exec-form or heredoc RUNs, or when the RUN ends in a "
            "comment, `;` or `&`."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        compat = ctx.options.hadolint_compat
        target = ctx.target
        shipping = {s.index for s in target.chain()} if target is not None else set()
        theirs = _hadolint_stages(ctx)
        for site in run_sites(ctx):
            if site.stage is None:  # before the first FROM: the image itself only when there is no FROM
                ours_stage = their_stage = site.onbuild or not ctx.model.stages
            else:
                ours_stage = site.onbuild or site.stage.index in shipping
                their_stage = site.onbuild or site.stage.index in theirs
            if not ours_stage and not (compat and their_stage):
                continue
            ops = [op for op in package_ops(site, "yarn") if op.action == "install" and op.command.name == "yarn"]
            if not ops:
                continue
            last = ops[-1]
            hadolint_ops = [op for op in ops if subcommand_word(op.command, {"install"}) is not None
                            and hadolint_sees(site, op.command)]
            they_report = (their_stage and bool(hadolint_ops) and not _mounted(site, True)
                           and not _cleaned_after(site, hadolint_ops[-1].command.start, hadolint=True))
            we_report = ours_stage and not _mounted(site, compat) and not _cleaned_after(
                site, last.command.start, hadolint=False)
            if not we_report and not (compat and they_report):
                continue
            edit = append_to_run(ctx, site, "yarn cache clean", new_line=False)
            fix = Fix("append && yarn cache clean", (edit,), Applicability.SAFE) if edit is not None else None
            yield command_finding(
                ctx, self, site, last.command,
                "yarn keeps the downloaded packages in its cache; add `&& yarn cache clean` in the same RUN",
                fix=fix, aliases=self.aliases if they_report else (),
            )


RULE = YarnCache

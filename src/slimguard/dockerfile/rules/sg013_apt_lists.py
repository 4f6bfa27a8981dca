"""SG013: apt package lists stay in the layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.dockerfile.shell import CacheCleanup
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.analysis.pkgsites import (
    RunSite, append_to_run, command_finding, covered, hadolint_sees, mount_targets, package_ops,
    run_sites,
)

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Stage

LISTS = "/var/lib/apt/lists"
CLEANUP = "rm -rf /var/lib/apt/lists/*"


def hadolint_stages(stages: "list[Stage]") -> "list[Stage]":
    """The stages hadolint's DL3009 reports on: the last stage and every stage a later stage is built FROM."""
    if not stages:
        return []
    used = {s.parent.index for s in stages if s.parent is not None}
    return [s for s in stages if s.index in used or s is stages[-1]]


class AptLists(Rule):
    id = "SG013"
    title = "apt lists not removed"
    severity = Severity.INFO
    concern = "pkg-hygiene"
    fixable = "safe"
    aliases = ("DL3009",)
    docs = RuleDocs(
        what=(
            "Finds RUNs with `apt-get update` (also `apt update`, `aptitude update`) that do not remove "
            "/var/lib/apt/lists afterwards in the same RUN (`rm -rf /var/lib/apt/lists/*`) and do not keep the "
            "lists in a `--mount=type=cache` or `type=tmpfs` mount. Like hadolint's DL3009 it checks the last "
            "stage, every stage a later stage is built FROM, the stage chain of --target, every ONBUILD RUN "
            "and RUNs before the first FROM; a builder stage that is only copied from is not checked. "
            "Differences from hadolint: a removal that comes before the update does not count (reported "
            "without the DL3009 alias), and a cache mount of /var/lib/apt alone is enough; with "
            "--hadolint-compat any removal counts and /var/lib/apt must be mounted together with "
            "/var/cache/apt (or /var/lib/apt/lists itself), as hadolint requires."
        ),
        why=(
            "`apt-get update` downloads the package indexes of every configured repository to "
            "/var/lib/apt/lists: several to tens of megabytes the running container never reads. Files "
            "deleted in a later RUN still ship in the earlier layer, so the removal has to happen in the "
            "RUN that downloaded them."
        ),
        example="FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
        instead=(
            "FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n"
        ),
        fix_safety=(
            "Safe: appends ` \\` and a new line `    && rm -rf /var/lib/apt/lists/*` to the end of the RUN. "
            "Later RUNs that install packages must run `apt-get update` again (they should anyway, a "
            "cached index goes stale). No fix for exec-form or heredoc RUNs, or when the RUN ends in a "
            "comment, `;` or `&`."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        stages = ctx.model.stages
        aliased = hadolint_stages(stages)
        checked = list(aliased)
        target = ctx.target
        if target is not None:
            checked += [s for s in target.chain() if s not in checked]
        checked_ids = {s.index for s in checked}
        aliased_ids = {s.index for s in aliased}
        for site in run_sites(ctx):
            in_checked = site.stage is None or site.onbuild or site.stage.index in checked_ids
            if not in_checked:
                continue
            hadolint_reports = site.stage is None or site.onbuild or site.stage.index in aliased_ids
            finding = self._check_run(ctx, site, hadolint_reports)
            if finding is not None:
                yield finding

    def _check_run(self, ctx: LintContext, site: RunSite, hadolint_reports: bool) -> Finding | None:
        compat = ctx.options.hadolint_compat
        updates = [op for op in package_ops(site, "apt")
                   if op.action == "update" and op.tool in ("apt-get", "apt", "aptitude")]
        if not updates:
            return None
        targets = mount_targets(site.run, hadolint=ctx.options.hadolint_compat)
        mount = covered(targets, LISTS)
        if mount is not None and (not compat or mount != "/var/lib/apt" or covered(targets, "/var/cache/apt")):
            return None
        last = updates[-1].command.start
        cleanups = [c for c in site.script.of_type(CacheCleanup) if c.kind == "apt-lists"]
        visible = any(hadolint_sees(site, op.command) for op in updates)
        aliases = self.aliases if hadolint_reports and visible else ()
        if cleanups:
            if compat or any(c.command.start > last for c in cleanups):
                return None
            message = (f"/var/lib/apt/lists is removed before `{updates[-1].tool} update`, which downloads the "
                       f"lists again; remove them at the end of the RUN: && {CLEANUP}")
            aliases = ()  # hadolint accepts a removal anywhere in the RUN
        else:
            message = (f"`{updates[0].tool} update` leaves the package lists in the layer; remove them in the "
                       f"same RUN: && {CLEANUP}")
        edit = append_to_run(ctx, site, CLEANUP, new_line=True)
        fix = Fix(f"append && {CLEANUP}", (edit,), applicability=Applicability.SAFE) if edit is not None else None
        return command_finding(ctx, self, site, updates[0].command, message, fix=fix, aliases=aliases)


RULE = AptLists

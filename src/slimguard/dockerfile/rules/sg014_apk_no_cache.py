"""SG014: apk keeps its index and package cache."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.dockerfile.shell import CacheCleanup, PackageOp
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.analysis.pkgsites import (
    RunSite, command_finding, covered, hadolint_sees, insert_after_word, mount_targets, package_ops,
    run_sites, subcommand_word,
)

APK_CACHE = ("/var/cache/apk", "/etc/apk/cache")


def _removed_after(site: RunSite, op: PackageOp) -> bool:
    """``rm -rf /var/cache/apk/*`` after the command in the same RUN."""
    return any(c.kind == "apk-cache" and c.paths and c.command.start > op.command.start
               for c in site.script.of_type(CacheCleanup))


class ApkNoCache(Rule):
    id = "SG014"
    title = "apk add without --no-cache"
    severity = Severity.INFO
    concern = "pkg-hygiene"
    peers = ("DS025", "DS-0025", "AVD-DS-0025")
    fixable = "safe"
    aliases = ("DL3019",)
    docs = RuleDocs(
        what=(
            "Finds `apk add` (and `apk upgrade`, without the DL3019 alias) without `--no-cache`, unless "
            "/var/cache/apk is a `--mount=type=cache` or `type=tmpfs` mount or the same RUN removes "
            "/var/cache/apk/* afterwards. Also reports `apk update` whose index is not removed (no alias, no "
            "fix). Every stage, ONBUILD trigger and RUN is checked, like hadolint. hadolint's DL3019 does "
            "not accept the `rm -rf /var/cache/apk/*` way; with --hadolint-compat it is reported too."
        ),
        why=(
            "Without --no-cache apk stores the repository indexes (APKINDEX, a few MB per repository) in "
            "/var/cache/apk, and they ship with the layer although the container never installs anything. "
            "`--no-cache` fetches a fresh index, uses it and keeps nothing, which also makes "
            "`apk update` / `--update` unnecessary."
        ),
        example="FROM alpine:3.20\nRUN apk add --update curl\n",
        instead="FROM alpine:3.20\nRUN apk add --no-cache curl\n",
        fix_safety=(
            "Safe: inserts ` --no-cache` right after `add` (or `upgrade`). The same packages are installed; "
            "only the index is not kept. No fix for exec-form RUNs or commands nested in strings with "
            "escapes; no fix for `apk update` (drop it and use --no-cache)."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        compat = ctx.options.hadolint_compat
        for site in run_sites(ctx):
            ops = package_ops(site, "apk")
            if not ops:
                continue
            targets = mount_targets(site.run, hadolint=ctx.options.hadolint_compat)
            if any(covered(targets, p) for p in APK_CACHE):
                continue
            for i, op in enumerate(ops):
                if op.has_flag("--no-cache"):
                    continue
                if op.action == "update":
                    if _removed_after(site, op):
                        continue
                    if any(o.action in ("install", "upgrade") and not o.has_flag("--no-cache", "--no-network")
                           for o in ops[i + 1:]):
                        continue  # the add after it is reported: one finding for one cache
                    yield command_finding(
                        ctx, self, site, op.command,
                        "`apk update` stores the package index in /var/cache/apk; drop it and use "
                        "`apk add --no-cache`, or remove /var/cache/apk/* in the same RUN",
                        aliases=(),
                    )
                    continue
                if op.action not in ("install", "upgrade"):
                    continue
                if op.has_flag("--no-network") and not compat:
                    continue  # installs local files only: nothing is fetched, no index is kept
                word = subcommand_word(op.command, {"add"} if op.action == "install" else {"upgrade"})
                if word is None:
                    continue
                if not compat and _removed_after(site, op):
                    continue
                edit = insert_after_word(ctx, site, word, " --no-cache")
                fix = Fix("add --no-cache", (edit,), applicability=Applicability.SAFE) if edit is not None else None
                yield command_finding(
                    ctx, self, site, op.command,
                    f"`apk {word.value}` without --no-cache keeps the package index in /var/cache/apk; "
                    "add --no-cache" + ("" if not any(o.action == "update" for o in ops[:i]) else
                                        " (and drop the `apk update` before it: --no-cache fetches a fresh index)"),
                    fix=fix, aliases=self.aliases if op.action == "install" and hadolint_sees(site, op.command) else (),
                )


RULE = ApkNoCache

"""SG015: pip keeps its download and wheel cache."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.dockerfile.shell import CacheCleanup, PackageOp
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.analysis.pkgsites import (
    RunSite, command_finding, covered, hadolint_sees, insert_after_word, mount_targets, package_ops,
    run_sites, subcommand_word,
)

_PIP_TOOL = re.compile(r"(?:pip(?:\d+(?:\.\d+)*)?|\S+ -m pip(?:\d+(?:\.\d+)*)?)$")
_TRUE = {"1", "true", "yes", "on", "y", "t"}
_FALSE = {"0", "false", "no", "off", "n", "f"}
VAR = "PIP_NO_CACHE_DIR"


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value


def _no_cache_value(site: RunSite, op: PackageOp) -> str | None:
    """PIP_NO_CACHE_DIR as pip sees it: ENV/ARG, then `export` earlier in the RUN, then `X=1 pip ...`."""
    value = site.env.get(VAR)
    for cmd in site.script.commands:
        if cmd.start >= op.command.start:
            break
        if cmd.name in ("export", "declare", "typeset"):
            for word in cmd.args:
                key, eq, v = word.text.partition("=")
                if eq and key == VAR:
                    value = _unquote(v)
    for assignment in op.command.assignments:
        key, eq, v = assignment.partition("=")
        if eq and key == VAR:
            value = _unquote(v)
    return value


def _cache_mounted(site: RunSite, compat: bool) -> bool:
    targets = mount_targets(site.run, hadolint=compat)
    if covered(targets, "/root/.cache/pip"):
        return True
    own = site.env.get("PIP_CACHE_DIR")
    if own and covered(targets, own):
        return True
    # the cache of another user: /home/app/.cache/pip, or a mount of the whole ~/.cache
    return any(t.endswith(("/.cache", "/.cache/pip")) for t in targets)


def _removed_after(site: RunSite, op: PackageOp) -> bool:
    """`rm -rf ~/.cache/pip` / `pip cache purge` later in the same RUN."""
    return any(c.kind in ("pip-cache", "user-cache") and c.command.start > op.command.start
               for c in site.script.of_type(CacheCleanup))


class PipNoCache(Rule):
    id = "SG015"
    title = "pip install without --no-cache-dir"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    fixable = "safe"
    aliases = ("DL3042",)
    docs = RuleDocs(
        what=(
            "Finds `pip install` (pip, pip3, pip3.12, `python -m pip`) without `--no-cache-dir`, in every "
            "stage, ONBUILD trigger and RUN like hadolint. Not reported: PIP_NO_CACHE_DIR set by ENV or ARG "
            "(also in a stage the current one is built FROM), by `export` earlier in the RUN or as "
            "`PIP_NO_CACHE_DIR=1 pip install`; a `--mount=type=cache` or `type=tmpfs` mount of the pip "
            "cache (~/.cache/pip or PIP_CACHE_DIR); `rm -rf ~/.cache/pip` or `pip cache purge` later in the "
            "same RUN. pipx, pipenv, poetry and `uv pip` are other tools with their own caches and are not "
            "checked. pip disables its cache for any valid PIP_NO_CACHE_DIR value, `0`, `false`, `no` and "
            "`off` included (a backwards-compatibility rule in pip's option handling); hadolint's DL3042 "
            "treats those as enabling the cache and ignores removals, so with --hadolint-compat they are "
            "reported."
        ),
        why=(
            "pip keeps every downloaded archive and every wheel it builds in ~/.cache/pip. In an image "
            "that cache is dead weight, often as large as the installed packages themselves (hundreds of MB "
            "for numpy, torch and friends), and it stays in the layer even if deleted by a later RUN."
        ),
        example="FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        instead="FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n",
        fix_safety=(
            "Safe: inserts ` --no-cache-dir` right after `install`. The same packages are installed; pip "
            "just downloads (and builds) them without keeping a copy. Builds that rely on the cache being "
            "reused across RUNs should use `RUN --mount=type=cache,target=/root/.cache/pip` instead. No fix "
            "for exec-form RUNs or commands nested in strings with escapes."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        compat = ctx.options.hadolint_compat
        for site in run_sites(ctx):
            ops = [op for op in package_ops(site, "pip") if op.action == "install" and _PIP_TOOL.match(op.tool)]
            if not ops or _cache_mounted(site, compat):
                continue
            for op in ops:
                # pip takes any unambiguous prefix of a long option: --no-cache (not --no-c: --no-clean)
                if op.has_flag("--no-cache-dir") or any(
                        a.text.startswith("--no-cach") and "--no-cache-dir".startswith(a.text.split("=")[0])
                        for a in op.command.args):
                    continue
                word = subcommand_word(op.command, {"install"})
                if word is None:
                    continue
                value = (_no_cache_value(site, op) or "").lower()
                if value in _TRUE or (not compat and value in _FALSE):
                    continue
                if not compat and _removed_after(site, op):
                    continue
                edit = insert_after_word(ctx, site, word, " --no-cache-dir")
                fix = Fix("add --no-cache-dir", (edit,), applicability=Applicability.SAFE) if edit is not None else None
                yield command_finding(
                    ctx, self, site, op.command,
                    f"`{op.tool} install` without --no-cache-dir keeps pip's download and wheel cache in "
                    "the layer; add --no-cache-dir (or set ENV PIP_NO_CACHE_DIR=1)",
                    fix=fix, aliases=self.aliases if hadolint_sees(site, op.command) else (),
                )


RULE = PipNoCache

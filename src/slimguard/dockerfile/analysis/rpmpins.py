"""Version pinning of rpm-based package installs (yum, dnf, microdnf, zypper), the way hadolint reads it:
package words with ``$VAR`` expanded from the ARGs and ENVs the RUN can see, then a pin test per tool.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from slimguard.dockerfile.analysis.shellview import verb_word
from slimguard.dockerfile.shell import PackageOp

if TYPE_CHECKING:
    from collections.abc import Callable

    from slimguard.core.findings import Finding
    from slimguard.core.rule import Rule
    from slimguard.dockerfile.analysis.pkgsites import RunSite
    from slimguard.dockerfile.context import LintContext

_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))")
GROUP_VERBS = frozenset({"group", "groups", "groupinstall"})


def visible_vars(ctx: "LintContext", site: "RunSite") -> dict[str, str]:
    """Names the RUN can expand, with their values ("0" when declared without one): the stage's ARGs and
    ENVs, and (as hadolint does) every ARG declared earlier in the file, whatever its stage."""
    out: dict[str, str] = {}
    for ins in ctx.tree.instructions:
        if ins is site.instruction:
            break
        if ins.name == "ARG":
            for word in ins.buildkit_value():
                name, _, value = word.partition("=")
                out.setdefault(name, value.strip("\"'") or "0")
    for name, value in site.env.items():
        out[name] = value or "0"
    return out


def expand(word: str, names: Mapping[str, str]) -> str:
    """*word* with ``$X`` / ``${X}`` replaced by their values (unknown names by nothing)."""
    return _VAR.sub(lambda m: names.get(m.group(1) or m.group(2), ""), word)


def rpm_pinned(spec: str) -> bool:
    """``name-version`` (hadolint: a dash followed by a digit), or a module stream ``name:stream``."""
    return re.search(r"-\d", spec) is not None


def module_pinned(spec: str) -> bool:
    return ":" in spec


def zypper_pinned(spec: str) -> bool:
    """``name=version``, ``name>=version`` and the other comparisons, or an .rpm file."""
    return any(c in spec for c in "=<>") or spec.endswith(".rpm")


def not_a_name(spec: str) -> bool:
    """Package files, URLs and ``@group`` specs, which a version pin does not apply to (slimguard's view)."""
    return spec.endswith(".rpm") or spec.startswith(("/", "./", "@")) or "://" in spec


def install_ops(site: "RunSite", tools: tuple[str, ...]) -> Iterator[tuple[PackageOp, str]]:
    """``(op, kind)`` for the package installs of *tools* in the RUN: kind ``package`` or ``module``
    (``dnf module install``); group installs are left out."""
    for op in site.script.of_type(PackageOp):
        if op.command.name not in tools or op.action != "install":
            continue
        verb = verb_word(op.command)
        if verb is None or verb.value in GROUP_VERBS:
            continue
        if verb.value == "module":
            yield op, "module"
        elif verb.value in ("install", "in"):
            yield op, "package"


def rpm_pin_findings(ctx: "LintContext", rule: "Rule", tools: tuple[str, ...], hadolint_tools: tuple[str, ...],
                     pinned: "Callable[[str], bool]", advice: str) -> "Iterator[Finding]":
    """One finding per install command of *tools* with unpinned packages (the check of SG050, SG053, SG055).

    A finding carries the rule's hadolint alias only where hadolint would report it (*hadolint_tools*, a
    command hadolint sees); with --hadolint-compat, hadolint's extra findings (package files, URLs) are
    reported too."""
    from slimguard.dockerfile.analysis.pkgsites import command_finding, hadolint_sees, run_sites

    compat = ctx.options.hadolint_compat
    for site in run_sites(ctx):
        ops = list(install_ops(site, tools))
        if not ops:
            continue
        names = visible_vars(ctx, site)
        for op, kind in ops:
            check = module_pinned if kind == "module" else pinned
            specs = [expand(p, names) for p in op.packages]
            theirs = [s for s in specs if not check(s)]
            ours = [s for s in theirs if not not_a_name(s)]
            sees = op.command.name in hadolint_tools and hadolint_sees(site, op.command)
            if not ours and not (compat and sees and theirs):
                continue
            shown = ", ".join((ours or theirs)[:3])
            yield command_finding(ctx, rule, site, op.command, f"{advice} (unpinned: {shown})",
                                  aliases=rule.aliases if sees and theirs else ())

"""The operating-system packages a RUN installs and removes (apt, apk, dnf/yum, zypper), and which of them
are build tools by the shared taxonomy."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slimguard.analysis.packages import BUILD_CATEGORIES, classify_operand, package_name
from slimguard.dockerfile.shell import PackageOp, ShellScript

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Step

# package managers of the operating system (pip, npm, ... install application dependencies)
OS_MANAGERS = frozenset({"apt", "apk", "dnf", "zypper"})

_VAR = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


@dataclass(frozen=True)
class Installed:
    """A build-tool package a RUN installs."""

    package: str  # bare name
    category: str  # one of BUILD_CATEGORIES
    op: PackageOp


def family(manager: str) -> str:
    """The package family of a manager: dpkg installs apt's packages."""
    return "apt" if manager == "dpkg" else manager


def os_package_ops(step: "Step") -> list[PackageOp]:
    """The operating-system package operations of a RUN, in order."""
    if step.run is None:
        return []
    return [op for op in step.run.script.of_type(PackageOp) if family(op.manager) in OS_MANAGERS]


def shell_vars(step: "Step", before: int) -> dict[str, str]:
    """Simple ``NAME=value`` assignments the RUN's script makes before offset *before*."""
    assert step.run is not None
    return script_vars(step.run.script, before)


def script_vars(script: "ShellScript", before: int) -> dict[str, str]:
    """Simple ``NAME=value`` assignments *script* makes before offset *before*."""
    out: dict[str, str] = {}
    for cmd in script.commands:
        if cmd.start >= before:
            break
        pairs: list[str] = []
        if cmd.name is None:
            pairs = list(cmd.assignments)
        elif cmd.name in ("export", "readonly", "local", "declare"):
            pairs = [a.raw for a in cmd.args if "=" in a.raw]
        for pair in pairs:
            key, _, value = pair.partition("=")
            if key.isidentifier():
                out[key] = _strip_quotes(value)
    return out


def _strip_quotes(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _operands(op: PackageOp, step: "Step") -> list[str]:
    assert step.run is not None
    return package_operands(op, step.run.script, step.env)


def package_operands(op: PackageOp, script: "ShellScript", env: Mapping[str, str]) -> list[str]:
    """The package operands of *op*, with ``$VAR`` operands replaced by the words of their value when known
    (an assignment earlier in *script*, else *env*: the ARG and ENV values the RUN sees)."""
    local = script_vars(script, op.command.start)
    out: list[str] = []
    for w in op.packages:
        m = _VAR.fullmatch(w)
        if m is not None:
            name = m.group(1) or m.group(2)
            value = local.get(name, env.get(name))
            if value is not None:
                out.extend(value.split())
                continue
        out.append(w)
    return out


def run_build_tools(step: "Step") -> tuple[list[Installed], list[Installed]]:
    """(kept, removed): build-tool packages a RUN installs, split by whether the same RUN removes them again."""
    if step.run is None:
        return [], []
    ops = os_package_ops(step)
    apt_mark_auto = any(
        c.name == "apt-mark" and c.args and c.args[0].text in ("auto", "markauto") for c in step.run.script.commands
    )
    kept: list[Installed] = []
    removed: list[Installed] = []
    for i, op in enumerate(ops):
        if op.action != "install":
            continue
        for pkg in _operands(op, step):
            category = classify_operand(pkg)
            if category not in BUILD_CATEGORIES:
                continue
            item = Installed(package_name(pkg), category, op)
            (removed if _removed_later(item, ops[i + 1:], step, apt_mark_auto) else kept).append(item)
    return kept, removed


def _removed_later(item: Installed, later: list[PackageOp], step: "Step", apt_mark_auto: bool) -> bool:
    fam = family(item.op.manager)
    for op in later:
        if op.action != "remove" or family(op.manager) != fam:
            continue
        operands = _operands(op, step)
        if item.package in {package_name(p) for p in operands}:
            return True
        if any("$" in p or "`" in p for p in operands):
            return True  # a removal list that cannot be known ($(dpkg -l | grep …)): do not claim it ships
        if fam == "apk" and item.op.virtual and item.op.virtual in op.packages:
            return True
        if fam == "apt" and not op.packages and apt_mark_auto:
            # apt-mark auto '.*'; apt-mark manual $saved; apt-get purge --auto-remove: the official-image idiom
            return True
    return False

"""SG009: compilers, headers, SCM clients and downloaders ship in the final image."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Mapping

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.shell import PackageOp

# --------------------------------------------------------------------------- classification

_COMPILER = re.compile(r"(?:gcc|g\+\+|cpp|cc|c\+\+|clang|clang\+\+|gfortran|tcc|llvm)(?:-\d+(?:\.\d+)*)?")
_COMPILER_NAMES = frozenset({
    "build-essential", "build-base", "alpine-sdk", "binutils", "gcc-c++", "development tools",
    "@development-tools", "@development tools",
})
_BUILD_SYSTEMS = frozenset({
    "make", "cmake", "cmake3", "autoconf", "automake", "libtool", "libtool-bin", "pkg-config", "pkgconf",
    "pkgconfig", "ninja-build", "meson", "dpkg-dev",
})
_HEADERS = frozenset({"linux-headers", "kernel-headers", "linux-libc-dev"})
_SCM = frozenset({"git", "git-core", "git-lfs", "mercurial", "hg", "subversion", "svn", "bzr", "breezy"})
_DOWNLOADERS = frozenset({"curl", "wget"})

CATEGORY_ORDER = ("compiler", "build", "headers", "scm", "download")
CATEGORY_LABELS = {
    "compiler": "compilers",
    "build": "build tools",
    "headers": "development headers",
    "scm": "source-control clients",
    "download": "downloaders",
}
# package managers of the operating system (pip, npm, ... install application dependencies)
OS_MANAGERS = frozenset({"apt", "apk", "dnf", "zypper"})

_VERSION_SPLIT = re.compile(r"[=<>~]")
_VAR = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def package_name(text: str) -> str:
    """``gcc=4:12.2.0-3`` / ``libc6-dev:amd64`` / ``git/bookworm`` / ``curl~8`` -> the bare name."""
    name = _VERSION_SPLIT.split(text, 1)[0]
    name = name.split("/", 1)[0] if not name.startswith("/") else name
    if ":" in name and not name.startswith("@"):
        name = name.split(":", 1)[0]
    return name.strip().lower()


_RPM_VERSION = re.compile(r"(.+?)-\d[\w.+~^]*(?:-[\w.+~^]+)?")


def classify_package(text: str) -> str | None:
    """The build-tool category of a package name, or None for anything else."""
    name = package_name(text)
    if not name or name.startswith(("-", ".")) or name.endswith((".deb", ".rpm", ".apk")):
        return None
    category = _category(name)
    if category is None:
        m = _RPM_VERSION.fullmatch(name)  # dnf/zypper name-version[-release]: openssl-devel-3.0.7
        if m is not None:
            category = _category(m.group(1))
    return category


def _category(name: str) -> str | None:
    if name in _COMPILER_NAMES or _COMPILER.fullmatch(name):
        return "compiler"
    if name in _BUILD_SYSTEMS:
        return "build"
    if name in _HEADERS or name.endswith(("-dev", "-devel")):
        return "headers"
    if name in _SCM:
        return "scm"
    if name in _DOWNLOADERS:
        return "download"
    return None


# --------------------------------------------------------------------------- installs in a RUN


@dataclass(frozen=True)
class Installed:
    package: str  # bare name
    category: str
    op: "PackageOp"


def _strip_quotes(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _shell_vars(step: "Step", before: int) -> dict[str, str]:
    """Simple ``NAME=value`` assignments made by the script before offset *before*."""
    out: dict[str, str] = {}
    assert step.run is not None
    for cmd in step.run.script.commands:
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


def _expand(words: tuple[str, ...], env: Mapping[str, str], local: Mapping[str, str]) -> list[str]:
    """Package operands with ``$VAR`` operands replaced by the words of their value when known."""
    out: list[str] = []
    for w in words:
        m = _VAR.fullmatch(w)
        if m is not None:
            name = m.group(1) or m.group(2)
            value = local.get(name, env.get(name))
            if value is not None:
                out.extend(value.split())
                continue
        out.append(w)
    return out


def _family(manager: str) -> str:
    return "apt" if manager == "dpkg" else manager


def package_ops(step: "Step") -> list["PackageOp"]:
    from slimguard.dockerfile.shell import PackageOp

    if step.run is None:
        return []
    return [op for op in step.run.script.of_type(PackageOp) if _family(op.manager) in OS_MANAGERS]


def run_build_tools(step: "Step") -> tuple[list[Installed], list[Installed]]:
    """(kept, removed): build-tool packages a RUN installs, split by whether the same RUN removes them again."""
    if step.run is None:
        return [], []
    ops = package_ops(step)
    apt_mark_auto = any(
        c.name == "apt-mark" and c.args and c.args[0].text in ("auto", "markauto") for c in step.run.script.commands
    )
    kept: list[Installed] = []
    removed: list[Installed] = []
    for i, op in enumerate(ops):
        if op.action != "install":
            continue
        local = _shell_vars(step, op.command.start)
        for pkg in _expand(op.packages, step.env, local):
            category = classify_package(pkg)
            if category is None:
                continue
            item = Installed(package_name(pkg), category, op)
            (removed if _removed_later(item, ops[i + 1:], step, apt_mark_auto) else kept).append(item)
    return kept, removed


def _removed_later(item: Installed, later: list["PackageOp"], step: "Step", apt_mark_auto: bool) -> bool:
    fam = _family(item.op.manager)
    for op in later:
        if op.action != "remove" or _family(op.manager) != fam:
            continue
        names = {package_name(p) for p in _expand(op.packages, step.env, _shell_vars(step, op.command.start))}
        if item.package in names:
            return True
        if fam == "apk" and item.op.virtual and item.op.virtual in op.packages:
            return True
        if fam == "apt" and not op.packages and apt_mark_auto:
            # apt-mark auto '.*'; apt-mark manual $saved; apt-get purge --auto-remove: the official-image idiom
            return True
    return False


def removal_hint(manager: str, packages: list[str]) -> str:
    shown = " ".join(packages)
    fam = _family(manager)
    if fam == "apk":
        return f"apk add --virtual .build-deps {shown} && ... && apk del .build-deps"
    if fam == "dnf":
        return f"... && dnf remove -y {shown}"
    if fam == "zypper":
        return f"... && zypper remove -y {shown}"
    return f"... && apt-get purge -y --auto-remove {shown}"


def runtime_uses(stage: "Stage", tool: str) -> bool:
    """True when CMD, ENTRYPOINT or HEALTHCHECK of the stage (or its parents) runs *tool*."""
    pattern = re.compile(rf"(?<![\w./-]){re.escape(tool)}(?![\w.-])")
    for s in stage.chain():
        for ins in (s.cmd, s.entrypoint, s.healthcheck):
            if ins is not None and pattern.search(ins.rest or ""):
                return True
    return False


def _describe(items: list[Installed]) -> str:
    parts = []
    for cat in CATEGORY_ORDER:
        names = sorted({i.package for i in items if i.category == cat})
        if names:
            parts.append(f"{CATEGORY_LABELS[cat]} {', '.join(names)}")
    return "; ".join(parts)


# --------------------------------------------------------------------------- the rule


class BuildTools(Rule):
    id = "SG009"
    title = "Build tools ship in the final image"
    severity = Severity.WARNING
    concern = "build-tools"
    fixable = "none"
    aliases = ()
    docs = RuleDocs(
        what=(
            "Looks at the stage that ships (the final stage, or --target) and every stage it is built FROM. "
            "Reports each RUN that installs compilers (gcc, g++, clang, build-essential, build-base), build "
            "systems (make, cmake, autoconf, automake, libtool, pkg-config), -dev/-devel header packages, "
            "source-control clients (git, mercurial, subversion, bzr) or downloaders (curl, wget) with apt, "
            "apk, dnf/yum/microdnf or zypper and does not remove them again in the same RUN (apt-get purge, "
            "apk del, also of a --virtual group, dnf remove). Package lists held in an ENV, ARG or shell "
            "variable are expanded. It also reports a base image known to carry a toolchain: the full "
            "buildpack-deps-based tags (node:20, python:3.12, golang:1.22, buildpack-deps:bookworm) and JDK "
            "images. curl and wget are reported at info level, and not at all when CMD, ENTRYPOINT or "
            "HEALTHCHECK uses them. Builder stages that only feed COPY --from are never reported, and neither "
            "are ONBUILD triggers (they run in child images)."
        ),
        why=(
            "A compiler, make and git are what an attacker who gets a shell in the container wants: they can "
            "build and fetch tools on the spot. They also add hundreds of megabytes and a steady stream of CVE "
            "reports for software the application never runs: node:12.16 is 916 MB with gcc, make, git and "
            "dozens of -dev packages, node:12.16-slim is 140 MB without them. A package removed in a later RUN "
            "still ships, because every RUN is its own layer."
        ),
        example=(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make\n"
            "COPY . /src\n"
            "RUN make -C /src && cp /src/hello /usr/local/bin/hello\n"
            "CMD [\"hello\"]\n"
        ),
        instead=(
            "FROM debian:bookworm-slim AS build\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make\n"
            "COPY . /src\n"
            "RUN make -C /src\n\n"
            "FROM debian:bookworm-slim\n"
            "COPY --from=build /src/hello /usr/local/bin/hello\n"
            "USER 10001:10001\n"
            "CMD [\"hello\"]\n"
        ),
        fix_safety=(
            "No automatic fix. Removing packages can break a build step that still needs them, and only you "
            "know whether the application needs curl or git at run time. Either build in a separate stage "
            "(SG011 offers that split for common build shapes) or install, use and remove the tools in one "
            "RUN, e.g. apk add --virtual .build-deps gcc musl-dev && ... && apk del .build-deps."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        # No hadolint alias: only the stage that ships is checked, also with --hadolint-compat.
        stage = ctx.target
        if stage is None:
            return
        steps = [s for s in stage.all_steps() if s.run is not None and not s.in_onbuild]
        for index, step in enumerate(steps):
            kept, _ = run_build_tools(step)
            if not kept:
                continue
            kept = [i for i in kept if i.category != "download" or not runtime_uses(stage, i.package)]
            if not kept:
                continue
            yield self._run_finding(ctx, step, kept, steps[index + 1:])
        base = self._base_finding(ctx, stage)
        if base is not None:
            yield base

    def _run_finding(self, ctx: LintContext, step: "Step", kept: list[Installed], later: list["Step"]) -> Finding:
        heavy = [i for i in kept if i.category != "download"]
        names = sorted({i.package for i in kept})
        message = f"RUN leaves {_describe(kept)} in the final image"
        removed_at = None
        for other in later:
            for op in package_ops(other):
                if op.action == "remove" and set(names) & {package_name(p) for p in op.packages}:
                    removed_at = other.instruction.start_line
                    break
            if removed_at:
                break
        if removed_at is not None:
            message += (
                f" (the RUN at line {removed_at} removes some of them, but they stay in this RUN's layer)"
            )
        if heavy:
            message += (
                "; build in a separate stage and COPY --from only the result, or remove them in the same RUN: "
                + removal_hint(kept[0].op.manager, sorted({i.package for i in heavy}))
            )
            severity = Severity.WARNING
        else:
            message += (
                "; if the application does not download anything at run time, remove them in the same RUN "
                "(a HEALTHCHECK that uses them keeps them)"
            )
            severity = Severity.INFO
        return ctx.at(self, step.instruction, message, severity=severity,
                      details={"packages": names})

    def _base_finding(self, ctx: LintContext, stage: "Stage") -> Finding | None:
        facts = ctx.facts(stage)
        if facts is None or not facts.carries_build_tools:
            return None
        root = stage.chain()[-1]
        base = root.base
        image = base.image
        shown = base.text or base.raw
        if facts.is_jdk:
            what = "ships a full JDK (javac, jar, jlink and the rest of the toolchain)"
        elif facts.build_tool_packages:
            what = "carries build tools (" + ", ".join(facts.build_tool_packages[:8]) + (
                ", ..." if len(facts.build_tool_packages) > 8 else "") + ")"
        else:
            what = "carries a build toolchain (compilers, build tools and development headers)"
        advice = "build in it as a separate stage and COPY --from only the result into a runtime image"
        if image is not None and image.effective_tag is not None:
            from slimguard.knowledge.bases import smaller_variant

            sugg = smaller_variant(image.familiar_name, image.effective_tag)
            if sugg is not None:
                if sugg.multi_stage:
                    advice = f"build in it as a separate stage and COPY --from the result into {sugg.image}"
                else:
                    advice = (f"run the application on {sugg.image} instead, building in a separate "
                              f"{shown} stage if the build needs the tools")
        where = "" if root is stage else f" (inherited by stage {stage.label})"
        return ctx.at(
            self, root.from_instruction,
            f"base image {shown} {what} that the running application does not need{where}; {advice}",
        )


RULE = BuildTools

"""Package-manager commands -> PackageOp (and CacheCleanup for cache-clean commands)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from slimguard.dockerfile.shell.model import CacheCleanup, Operation, PackageOp, SimpleCommand, Word
from slimguard.dockerfile.shell.options import Parsed, parse_opts, spec

__all__ = ["package_ops", "has_package_handler", "pip_invocation", "PIP_NAME", "PYTHON_NAME"]

PIP_NAME = re.compile(r"pip(\d+(\.\d+)*)?$")
PYTHON_NAME = re.compile(r"(python|pypy)(\d+(\.\d+)*)?$")

_Handler = Callable[[SimpleCommand, str, Sequence[Word]], list[Operation]]


def _op(cmd: SimpleCommand, manager: str, tool: str, action: str, p: Parsed,
        packages: Sequence[str], *, sources: Sequence[str] = (), virtual: str | None = None,
        extra_flags: Sequence[str] = ()) -> PackageOp:
    return PackageOp(
        command=cmd, manager=manager, action=action, packages=tuple(packages),
        flags=tuple(p.flags) + tuple(extra_flags), virtual=virtual, sources=tuple(sources),
        tool=tool, options=tuple(p.options),
    )


def _texts(words: Sequence[Word]) -> list[str]:
    return [w.text for w in words]


def _with_clean(op: PackageOp, kind: str) -> list[Operation]:
    if op.action == "clean":
        return [op, CacheCleanup(command=op.command, kind=kind)]
    return [op]


# ---------------------------------------------------------------- apt / dpkg

_APT = spec("octa", ("--option", "--config-file", "--target-release", "--default-release",
                      "--host-architecture", "--arch"))
_APT_ACTIONS = {
    "install": "install", "reinstall": "install", "build-dep": "install", "satisfy": "install",
    "remove": "remove", "purge": "remove", "autoremove": "remove", "autopurge": "remove",
    "auto-remove": "remove", "update": "update", "upgrade": "upgrade",
    "dist-upgrade": "upgrade", "full-upgrade": "upgrade", "safe-upgrade": "upgrade",
    "clean": "clean", "autoclean": "clean", "auto-clean": "clean",
}


def _apt(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _APT)
    if not p.positionals:
        return []
    action = _APT_ACTIONS.get(p.positionals[0].text)
    if action is None:
        return []
    op = _op(cmd, "apt", tool, action, p, _texts(p.positionals[1:]))
    return _with_clean(op, "apt-cache")


_DPKG = spec("", ("--admindir", "--root", "--instdir", "--log", "--status-fd", "--status-logger"))


def _dpkg(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _DPKG)
    if p.has("-i", "--install", "--unpack"):
        action = "install"
    elif p.has("-r", "--remove", "-P", "--purge"):
        action = "remove"
    else:
        return []
    return [_op(cmd, "dpkg", tool, action, p, _texts(p.positionals))]


# ---------------------------------------------------------------- apk

_APK = spec("tXpQ", ("--virtual", "--repository", "--root", "--arch", "--keys-dir",
                      "--repositories-file", "--cache-dir", "--cache-max-age", "--timeout",
                      "--wait", "--from"))
_APK_ACTIONS = {"add": "install", "del": "remove", "update": "update", "upgrade": "upgrade"}


def _apk(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _APK)
    if not p.positionals:
        return []
    sub = p.positionals[0].text
    rest = _texts(p.positionals[1:])
    if sub == "cache":
        if rest and rest[0] in ("clean", "purge"):
            return _with_clean(_op(cmd, "apk", tool, "clean", p, ()), "apk-cache")
        return []
    action = _APK_ACTIONS.get(sub)
    if action is None:
        return []
    return [_op(cmd, "apk", tool, action, p, rest, virtual=p.last("-t", "--virtual"))]


# ---------------------------------------------------------------- dnf / yum / microdnf / tdnf

_DNF = spec("cxdeR", ("--setopt", "--enablerepo", "--disablerepo", "--repo", "--repoid",
                       "--installroot", "--releasever", "--config", "--exclude", "--excludepkgs",
                       "--repofrompath", "--forcearch", "--debuglevel", "--errorlevel",
                       "--downloaddir", "--destdir", "--color", "--rpmverbosity", "--comment",
                       "--disableplugin", "--enableplugin", "--installonly-limit", "--advisory",
                       "--cve", "--bz", "--sec-severity", "--secseverity"))
_DNF_ACTIONS = {
    "install": "install", "in": "install", "localinstall": "install", "reinstall": "install",
    "groupinstall": "install", "remove": "remove", "erase": "remove", "rm": "remove",
    "autoremove": "remove", "groupremove": "remove", "grouperase": "remove",
    "makecache": "update", "update": "upgrade", "up": "upgrade", "upgrade": "upgrade",
    "update-minimal": "upgrade", "upgrade-minimal": "upgrade", "distro-sync": "upgrade",
    "distrosync": "upgrade", "dsync": "upgrade", "clean": "clean",
}


def _dnf(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _DNF)
    pos = _texts(p.positionals)
    if not pos:
        return []
    sub = pos[0]
    rest = pos[1:]
    if sub in ("group", "groups", "module") and rest:
        action = _DNF_ACTIONS.get(rest[0])
        rest = rest[1:]
    else:
        action = _DNF_ACTIONS.get(sub)
    if action is None:
        return []
    return _with_clean(_op(cmd, "dnf", tool, action, p, rest), "dnf-cache")


# ---------------------------------------------------------------- zypper

_ZYPPER_GLOBAL = spec("Rc", ("--root", "--config", "--reposd-dir", "--cache-dir",
                             "--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir",
                             "--userdata", "--installroot"), stop_at_positional=True)
_ZYPPER_CMD = spec("tr", ("--type", "--repo", "--from", "--download", "--name"))
_ZYPPER_ACTIONS = {
    "install": "install", "in": "install", "remove": "remove", "rm": "remove",
    "refresh": "update", "ref": "update", "update": "upgrade", "up": "upgrade",
    "dist-upgrade": "upgrade", "dup": "upgrade", "patch": "upgrade", "clean": "clean",
    "cc": "clean",
}


def _zypper(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    g = parse_opts(args, _ZYPPER_GLOBAL)
    if not g.positionals:
        return []
    action = _ZYPPER_ACTIONS.get(g.positionals[0].text)
    if action is None:
        return []
    c = parse_opts(args, _ZYPPER_CMD, g.end)
    g.flags.extend(c.flags)
    g.options.extend(c.options)
    return _with_clean(_op(cmd, "zypper", tool, action, g, _texts(c.positionals)), "zypper-cache")


# ---------------------------------------------------------------- pip / uv / pipx / poetry

_PIP = spec("rceiftCp", (
    "--requirement", "--constraint", "--editable", "--index-url", "--extra-index-url",
    "--find-links", "--target", "--prefix", "--root", "--src", "--upgrade-strategy",
    "--platform", "--python-version", "--implementation", "--abi", "--only-binary",
    "--no-binary", "--progress-bar", "--cache-dir", "--trusted-host", "--log", "--log-file",
    "--proxy", "--retries", "--timeout", "--exists-action", "--cert", "--client-cert",
    "--global-option", "--config-settings", "--install-option", "--python", "--report",
    "--root-user-action", "--build-option", "--keyring-provider", "--use-feature",
    "--use-deprecated", "--index-strategy", "--index", "--default-index", "--directory",
    "--project", "--group", "--extra", "--package", "--resolution", "--prerelease",
    "--python-platform", "--with", "--with-requirements", "--exclude-newer", "--link-mode",
    "--only-group", "--no-group"))


def pip_invocation(cmd: SimpleCommand) -> tuple[str, tuple[Word, ...]] | None:
    """(tool, arguments after pip) for pip, pipX.Y, python -m pip and uv pip."""
    name = cmd.name
    if name is None:
        return None
    args = cmd.args
    if PIP_NAME.match(name):
        return name, args
    if name == "uv" and args and args[0].text == "pip":
        return "uv pip", args[1:]
    if PYTHON_NAME.match(name):
        i = 0
        while i < len(args):
            t = args[i].text
            if t == "-m" and i + 1 < len(args):
                mod = args[i + 1].text
                return (f"{name} -m {mod}", args[i + 2:]) if PIP_NAME.match(mod) else None
            if t.startswith("-m") and len(t) > 2:
                return (f"{name} -m {t[2:]}", args[i + 1:]) if PIP_NAME.match(t[2:]) else None
            if t in ("-W", "-X"):
                i += 2
                continue
            if t.startswith("-") and t != "-" and not t.startswith("-c"):
                i += 1
                continue
            return None
    return None


def _pip_like(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _PIP)
    pos = _texts(p.positionals)
    if not pos:
        return []
    sub = pos[0]
    rest = pos[1:]
    if sub == "cache":
        if rest and rest[0] in ("purge", "remove", "clean", "prune"):
            return _with_clean(_op(cmd, "pip", tool, "clean", p, ()), "pip-cache")
        return []
    if sub in ("install", "sync"):
        packages = rest + p.values("-e", "--editable")
        sources = p.values("-r", "--requirement")
        if sub == "sync":  # uv pip sync requirements.txt
            sources = sources + rest
            packages = p.values("-e", "--editable")
        return [_op(cmd, "pip", tool, "install", p, packages, sources=sources)]
    if sub == "uninstall":
        return [_op(cmd, "pip", tool, "remove", p, rest, sources=p.values("-r", "--requirement"))]
    return []


def _uv(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _PIP)
    pos = _texts(p.positionals)
    if not pos:
        return []
    sub, rest = pos[0], pos[1:]
    if sub == "tool" and rest:
        sub, rest = "tool " + rest[0], rest[1:]
    actions = {"sync": "install", "add": "install", "tool install": "install",
               "remove": "remove", "tool uninstall": "remove"}
    if sub == "cache" and rest and rest[0] in ("clean", "prune"):
        return _with_clean(_op(cmd, "pip", tool, "clean", p, ()), "uv-cache")
    action = actions.get(sub)
    if action is None:
        return []
    return [_op(cmd, "pip", tool, action, p, rest, sources=p.values("-r", "--requirements"))]


def _pipx(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _PIP)
    pos = _texts(p.positionals)
    actions = {"install": "install", "uninstall": "remove", "upgrade": "upgrade"}
    if not pos or pos[0] not in actions:
        return []
    return [_op(cmd, "pip", tool, actions[pos[0]], p, pos[1:])]


_POETRY = spec("E", ("--with", "--without", "--only", "--extras", "--directory", "--group",
                      "--source", "--python"))


def _poetry(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _POETRY)
    pos = _texts(p.positionals)
    actions = {"install": "install", "add": "install", "remove": "remove", "update": "upgrade"}
    if not pos or pos[0] not in actions:
        return []
    return [_op(cmd, "pip", tool, actions[pos[0]], p, pos[1:])]


# ---------------------------------------------------------------- npm / yarn / pnpm

_NPM = spec("wC", ("--prefix", "--registry", "--omit", "--include", "--only", "--workspace",
                    "--cache", "--loglevel", "--userconfig", "--globalconfig", "--tag",
                    "--location", "--install-strategy", "--script-shell", "--otp"))
_NPM_ACTIONS = {
    **dict.fromkeys(("install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta",
                     "isntal", "isntall", "add"), "install"),
    **dict.fromkeys(("ci", "clean-install", "ic", "install-clean", "isntall-clean"), "ci"),
    **dict.fromkeys(("uninstall", "unlink", "remove", "rm", "r", "un", "prune"), "remove"),
    **dict.fromkeys(("update", "up", "upgrade", "udpate"), "upgrade"),
}


def _npm(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _NPM)
    pos = _texts(p.positionals)
    if not pos:
        return []
    if pos[0] == "cache":
        if len(pos) > 1 and pos[1] in ("clean", "clear", "rm"):
            return _with_clean(_op(cmd, "npm", tool, "clean", p, ()), "npm-cache")
        return []
    action = _NPM_ACTIONS.get(pos[0])
    if action is None:
        return []
    return [_op(cmd, "npm", tool, action, p, pos[1:])]


_YARN = spec("", ("--modules-folder", "--cache-folder", "--network-timeout", "--registry",
                   "--mutex", "--cwd", "--global-folder", "--link-folder",
                   "--network-concurrency", "--https-proxy", "--proxy", "--otp"))
_YARN_ACTIONS = {"install": "install", "add": "install", "remove": "remove",
                 "upgrade": "upgrade", "up": "upgrade"}


def _yarn(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _YARN)
    pos = _texts(p.positionals)
    if not pos:
        return [_op(cmd, "yarn", tool, "install", p, ())]
    extra: tuple[str, ...] = ()
    if pos[0] == "global" and len(pos) > 1:
        pos = pos[1:]
        extra = ("global",)
    if pos[0] == "cache":
        if len(pos) > 1 and pos[1] == "clean":
            return _with_clean(_op(cmd, "yarn", tool, "clean", p, ()), "yarn-cache")
        return []
    if pos[0] == "workspaces" and len(pos) > 1 and pos[1] == "focus":
        return [_op(cmd, "yarn", tool, "install", p, pos[2:])]
    action = _YARN_ACTIONS.get(pos[0])
    if action is None:
        return []
    return [_op(cmd, "yarn", tool, action, p, pos[1:], extra_flags=extra)]


_PNPM = spec("FCw", ("--filter", "--dir", "--store-dir", "--registry", "--reporter",
                      "--workspace-dir", "--virtual-store-dir", "--modules-dir"))
_PNPM_ACTIONS = {
    "install": "install", "i": "install", "add": "install", "fetch": "install",
    "remove": "remove", "rm": "remove", "uninstall": "remove", "un": "remove", "prune": "remove",
    "update": "upgrade", "up": "upgrade", "upgrade": "upgrade",
}


def _pnpm(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _PNPM)
    pos = _texts(p.positionals)
    if not pos:
        return []
    if pos[0] == "store":
        if len(pos) > 1 and pos[1] == "prune":
            return _with_clean(_op(cmd, "pnpm", tool, "clean", p, ()), "pnpm-store")
        return []
    action = _PNPM_ACTIONS.get(pos[0])
    if action is None:
        return []
    return [_op(cmd, "pnpm", tool, action, p, pos[1:])]


# ---------------------------------------------------------------- gem / bundler

_GEM = spec("vinsp", ("--version", "--install-dir", "--bindir", "--source", "--platform",
                       "--build-root", "--document", "--http-proxy", "--config-file"))
_GEM_ACTIONS = {"install": "install", "i": "install", "uninstall": "remove",
                "update": "upgrade", "cleanup": "clean"}
_BUNDLE = spec("j", ("--jobs", "--retry", "--path", "--without", "--with", "--binstubs",
                      "--gemfile", "--standalone", "--shebang", "--trust-policy"))


def _gem(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _GEM)
    pos = _texts(p.positionals)
    if not pos or pos[0] not in _GEM_ACTIONS:
        return []
    return [_op(cmd, "gem", tool, _GEM_ACTIONS[pos[0]], p, pos[1:])]


def _bundle(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _BUNDLE)
    pos = _texts(p.positionals)
    actions = {"install": "install", "update": "upgrade", "clean": "clean", "add": "install",
               "remove": "remove"}
    if not pos:
        return [_op(cmd, "gem", tool, "install", p, ())]
    if pos[0] not in actions:
        return []
    return [_op(cmd, "gem", tool, actions[pos[0]], p, pos[1:])]


# ---------------------------------------------------------------- go / cargo / conda

_GO = spec("", ("-o", "-ldflags", "-gcflags", "-asmflags", "-tags", "-mod", "-modfile", "-p",
                 "-C", "-pkgdir", "-overlay", "-pgo", "-buildmode", "-compiler",
                 "-installsuffix", "-exec", "-toolexec", "-covermode", "-coverpkg"),
           single_dash=True)


def _go(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _GO)
    pos = _texts(p.positionals)
    if not pos:
        return []
    if pos[0] in ("install", "get"):
        return [_op(cmd, "go", tool, "install", p, pos[1:])]
    if pos[0] == "mod" and len(pos) > 1 and pos[1] == "download":
        return [_op(cmd, "go", tool, "install", p, pos[2:])]
    if pos[0] == "clean" and p.has("-modcache", "-cache"):
        return _with_clean(_op(cmd, "go", tool, "clean", p, pos[1:]), "go-cache")
    return []


_CARGO = spec("jFpZ", ("--root", "--version", "--vers", "--git", "--branch", "--tag", "--rev",
                        "--path", "--target", "--features", "--jobs", "--profile", "--index",
                        "--registry", "--bin", "--example", "--target-dir", "--config",
                        "--color", "--manifest-path", "--package"))


def _cargo(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _CARGO)
    pos = _texts(p.positionals)
    if not pos:
        return []
    if pos[0] == "install":
        return [_op(cmd, "cargo", tool, "install", p, pos[1:],
                    sources=p.values("--git", "--path"))]
    if pos[0] == "fetch":
        return [_op(cmd, "cargo", tool, "install", p, ())]
    if pos[0] == "uninstall":
        return [_op(cmd, "cargo", tool, "remove", p, pos[1:])]
    return []


_CONDA = spec("cnpfr", ("--channel", "--name", "--prefix", "--file", "--repodata-fn",
                         "--solver", "--root-prefix", "--platform", "--subdir"))
_CONDA_ACTIONS = {"install": "install", "create": "install", "remove": "remove",
                  "uninstall": "remove", "update": "upgrade", "upgrade": "upgrade",
                  "clean": "clean"}


_CONDA_CLEAN = spec("", ("--repodata-fn",))


def _conda(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _CONDA)
    pos = _texts(p.positionals)
    if not pos:
        return []
    if pos[0] == "clean":  # here -f is --force-pkgs-dirs, not --file
        p = parse_opts(args, _CONDA_CLEAN)
        pos = _texts(p.positionals)
    sub, rest = pos[0], pos[1:]
    if sub == "env" and rest:
        sub, rest = {"create": "create", "update": "update", "remove": "remove"}.get(
            rest[0], ""), rest[1:]
    action = _CONDA_ACTIONS.get(sub)
    if action is None:
        return []
    op = _op(cmd, "conda", tool, action, p, rest, sources=p.values("-f", "--file"))
    return _with_clean(op, "conda-cache")


# ---------------------------------------------------------------- dispatch

_HANDLERS: dict[str, _Handler] = {
    "apt-get": _apt, "apt": _apt, "aptitude": _apt,
    "dpkg": _dpkg,
    "apk": _apk,
    "dnf": _dnf, "dnf5": _dnf, "yum": _dnf, "microdnf": _dnf, "tdnf": _dnf,
    "zypper": _zypper,
    "uv": _uv, "pipx": _pipx, "poetry": _poetry,
    "npm": _npm, "yarn": _yarn, "yarnpkg": _yarn, "pnpm": _pnpm,
    "gem": _gem, "bundle": _bundle, "bundler": _bundle,
    "go": _go, "cargo": _cargo,
    "conda": _conda, "mamba": _conda, "micromamba": _conda,
}


def package_ops(cmd: SimpleCommand) -> list[Operation]:
    name = cmd.name
    if name is None:
        return []
    pip = pip_invocation(cmd)
    if pip is not None:
        return _pip_like(cmd, pip[0], pip[1])
    handler = _HANDLERS.get(name)
    if handler is None:
        return []
    return handler(cmd, name, cmd.args)


def has_package_handler(name: str) -> bool:
    """Whether commands called ``name`` can be package-manager operations."""
    return name in _HANDLERS or bool(PIP_NAME.match(name) or PYTHON_NAME.match(name))

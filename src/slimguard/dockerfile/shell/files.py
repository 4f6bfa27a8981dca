"""File-system commands: chown/chgrp, chmod, cache removal, file writes."""

from __future__ import annotations

import re
from collections.abc import Sequence

from slimguard.dockerfile.shell.model import CacheCleanup, ChmodOp, ChownOp, FileWrite, Operation, SimpleCommand
from slimguard.dockerfile.shell.options import parse_opts, spec

__all__ = ["chown_ops", "chmod_ops", "decode_mode", "cleanup_ops", "cache_kind",
           "command_writes", "write_ops", "WRITE_TOOLS"]


# ---------------------------------------------------------------- chown / chgrp

_PLAIN = spec()
_CHOWN = spec("", ("--from", "--reference"))


def _split_owner(spec_: str) -> tuple[str | None, str | None]:
    for sep in (":", "."):
        if sep in spec_:
            if sep == "." and not re.fullmatch(r"[^.:]*\.[^.:]*", spec_):
                break
            owner, _, group = spec_.partition(sep)
            return owner or None, group or None
    return spec_ or None, None


def chown_ops(cmd: SimpleCommand) -> list[Operation]:
    p = parse_opts(cmd.args, _CHOWN)
    recursive = p.has("-R", "--recursive")
    pos = [w.text for w in p.positionals]
    ref = p.last("--reference")
    if cmd.name == "chgrp":
        if ref is not None:
            return [ChownOp(command=cmd, owner=None, group=None, paths=tuple(pos),
                            recursive=recursive, tool="chgrp")]
        if not pos:
            return []
        return [ChownOp(command=cmd, owner=None, group=pos[0], paths=tuple(pos[1:]),
                        recursive=recursive, tool="chgrp")]
    if ref is not None:
        return [ChownOp(command=cmd, owner=None, group=None, paths=tuple(pos),
                        recursive=recursive)]
    if not pos:
        return []
    owner, group = _split_owner(pos[0])
    return [ChownOp(command=cmd, owner=owner, group=group, paths=tuple(pos[1:]),
                    recursive=recursive)]


# ---------------------------------------------------------------- chmod

_CHMOD_OPTIONS = frozenset({"-R", "-c", "-f", "-v", "--recursive", "--changes", "--silent",
                            "--quiet", "--verbose", "--preserve-root", "--no-preserve-root",
                            "-h", "-H", "-L", "-P"})
_SYMBOLIC = re.compile(r"[ugoa]*(?:[-+=](?:[rwxXst]*|[ugo]))+")


def decode_mode(mode: str) -> tuple[bool, bool, bool, bool, bool]:
    """(setuid, setgid, sticky, world_writable, removes_special) set by ``mode``.

    ``removes_special`` is True when the mode clears setuid/setgid bits
    (``a-s``, ``u-s``, ``g-s``, ``-s``, or a 3-digit octal mode is not
    reported as clearing since GNU chmod keeps directory setgid bits)."""
    if re.fullmatch(r"[0-7]{1,5}", mode):
        value = int(mode, 8)
        return (bool(value & 0o4000), bool(value & 0o2000), bool(value & 0o1000),
                bool(value & 0o002), False)
    setuid = setgid = sticky = ww = removes = False
    for clause in mode.split(","):
        if not _SYMBOLIC.fullmatch(clause):
            continue
        m = re.match(r"[ugoa]*", clause)
        who = m.group(0) if m else ""
        rest = clause[len(who):]
        u = not who or "u" in who or "a" in who
        g = not who or "g" in who or "a" in who
        o_explicit = "o" in who or "a" in who
        for op, perms in re.findall(r"([-+=])([rwxXstugo]*)", rest):
            if op == "=":
                # '=' replaces the bits of the classes named
                if u:
                    setuid = "s" in perms
                if g:
                    setgid = "s" in perms
                if o_explicit:
                    ww = "w" in perms
                    sticky = "t" in perms
                continue
            on = op == "+"
            if "s" in perms:
                if u:
                    setuid = on
                if g:
                    setgid = on
                if not on:
                    removes = True
            if "t" in perms and (o_explicit or not who):
                sticky = on
            if "w" in perms and o_explicit:
                ww = on
    return setuid, setgid, sticky, ww, removes


def chmod_ops(cmd: SimpleCommand) -> list[Operation]:
    mode: str | None = None
    paths: list[str] = []
    recursive = False
    end_opts = False
    for w in cmd.args:
        t = w.text
        if not end_opts and t == "--":
            end_opts = True
            continue
        if not end_opts and t in _CHMOD_OPTIONS:
            recursive = recursive or t in ("-R", "--recursive")
            continue
        if not end_opts and t.startswith("--reference="):
            mode = mode or t
            continue
        if not end_opts and t.startswith("-") and mode is None and not _SYMBOLIC.fullmatch(t):
            # bundled options such as -Rv
            if "R" in t[1:] and t[1:].isalpha():
                recursive = True
            continue
        if mode is None:
            mode = t
        else:
            paths.append(t)
    if mode is None:
        return []
    setuid, setgid, sticky, ww, removes = decode_mode(mode)
    return [ChmodOp(command=cmd, mode=mode, paths=tuple(paths), recursive=recursive,
                    setuid=setuid, setgid=setgid, world_writable=ww, sticky=sticky,
                    removes_special=removes)]


# ---------------------------------------------------------------- cache cleanup

_CACHE_PATHS: tuple[tuple[str, str], ...] = (
    ("/var/lib/apt/lists", "apt-lists"),
    ("/var/cache/apt", "apt-cache"),
    ("/var/cache/apk", "apk-cache"),
    ("/etc/apk/cache", "apk-cache"),
    ("/var/cache/yum", "dnf-cache"),
    ("/var/cache/dnf", "dnf-cache"),
    ("/var/cache/libdnf5", "dnf-cache"),
    ("/var/cache/zypp", "zypper-cache"),
    ("~/.cache/pip", "pip-cache"),
    ("~/.cache/uv", "uv-cache"),
    ("~/.npm", "npm-cache"),
    ("~/.cache/yarn", "yarn-cache"),
    ("/usr/local/share/.cache/yarn", "yarn-cache"),
    ("~/.yarn/berry/cache", "yarn-cache"),
    ("~/.local/share/pnpm/store", "pnpm-store"),
    ("~/.cache/pnpm", "pnpm-store"),
    ("~/.gem", "gem-cache"),
    ("/usr/local/bundle/cache", "gem-cache"),
    ("~/.bundle/cache", "gem-cache"),
    ("~/go/pkg/mod", "go-cache"),
    ("/go/pkg/mod", "go-cache"),
    ("~/.cache/go-build", "go-cache"),
    ("~/.cargo/registry", "cargo-cache"),
    ("/usr/local/cargo/registry", "cargo-cache"),
    ("/opt/conda/pkgs", "conda-cache"),
    ("~/.cache", "user-cache"),
    ("/tmp", "tmp"),
    ("/var/tmp", "tmp"),
)


def _normalise(path: str) -> str:
    p = path
    if '"' in p or "'" in p:
        p = p.replace('"', "").replace("'", "")
    if p.startswith(("$", "/root")):
        for home in ("${HOME}", "$HOME", "/root"):
            if p == home or p.startswith(home + "/"):
                p = "~" + p[len(home):]
                break
    if "//" in p:
        while "//" in p:
            p = p.replace("//", "/")
    return p


def _first_component(p: str) -> str:
    if p.startswith("~"):
        return "~"
    return p[:p.find("/", 1)] if p.find("/", 1) > 0 else p.rstrip("*")


_BY_ROOT: dict[str, tuple[tuple[str, str], ...]] = {}
for _prefix, _kind in _CACHE_PATHS:
    _root = _first_component(_prefix)
    _BY_ROOT[_root] = _BY_ROOT.get(_root, ()) + ((_prefix, _kind),)
del _prefix, _kind, _root


def cache_kind(path: str) -> str | None:
    """The cache kind a removed path belongs to, or None."""
    p = _normalise(path)
    candidates = _BY_ROOT.get(_first_component(p))
    if not candidates:
        return None
    for prefix, kind in candidates:
        if p.startswith(prefix) and (len(p) == len(prefix) or p[len(prefix)] in "/*"):
            return kind
    return None


def _group_cleanups(cmd: SimpleCommand, paths: Sequence[str]) -> list[Operation]:
    groups: dict[str, list[str]] = {}
    for path in paths:
        kind = cache_kind(path)
        if kind is not None:
            groups.setdefault(kind, []).append(path)
    return [CacheCleanup(command=cmd, kind=k, paths=tuple(v)) for k, v in groups.items()]


def cleanup_ops(cmd: SimpleCommand) -> list[Operation]:
    name = cmd.name
    if name == "rm":
        p = parse_opts(cmd.args, _PLAIN)
        return _group_cleanups(cmd, [w.text for w in p.positionals])
    if name == "find":
        texts = [a.text for a in cmd.args]
        deleting = "-delete" in texts or any(
            texts[i] in ("-exec", "-execdir") and i + 1 < len(texts) and texts[i + 1] == "rm"
            for i in range(len(texts)))
        if not deleting:
            return []
        roots: list[str] = []
        for t in texts:
            if t.startswith("-") or t in ("(", "!", ")"):
                break
            roots.append(t)
        return _group_cleanups(cmd, roots)
    return []


# ---------------------------------------------------------------- writes by commands

_CP = spec("tS", ("--target-directory", "--suffix"))
_INSTALL = spec("gmoStZ", ("--group", "--mode", "--owner", "--suffix", "--target-directory",
                           "--context", "--strip-program"))
_MKDIR = spec("mZ", ("--mode", "--context"))
_TOUCH = spec("drt", ("--date", "--reference"))
_SED = spec("efl", ("--expression", "--file", "--line-length"))
_TAR = spec("fCTXbHIKLgNV", ("--file", "--directory", "--files-from", "--exclude-from",
                              "--blocking-factor", "--format", "--use-compress-program",
                              "--starting-file", "--newer", "--after-date", "--label",
                              "--listed-incremental", "--exclude", "--transform", "--owner",
                              "--group", "--mode", "--strip-components"))
_UNZIP = spec("dxP")


def _dest(p_target: str | None, positionals: list[str]) -> list[str]:
    if p_target is not None:
        return [p_target]
    if len(positionals) >= 2:
        return [positionals[-1]]
    return []


def command_writes(cmd: SimpleCommand) -> list[tuple[str, str]]:
    """(path, via) pairs for the files ``cmd`` creates or modifies by itself
    (redirections are handled by the caller)."""
    name = cmd.name
    args = cmd.args
    if name in ("cp", "mv", "ln"):
        p = parse_opts(args, _CP)
        pos = [w.text for w in p.positionals]
        return [(d, name) for d in _dest(p.last("-t", "--target-directory"), pos)]
    if name == "install":
        p = parse_opts(args, _INSTALL)
        pos = [w.text for w in p.positionals]
        if p.has("-d", "--directory"):
            return [(d, name) for d in pos]
        return [(d, name) for d in _dest(p.last("-t", "--target-directory"), pos)]
    if name == "mkdir":
        p = parse_opts(args, _MKDIR)
        return [(w.text, name) for w in p.positionals]
    if name == "touch":
        p = parse_opts(args, _TOUCH)
        return [(w.text, name) for w in p.positionals]
    if name == "tee":
        p = parse_opts(args, _PLAIN)
        return [(w.text, name) for w in p.positionals if not w.text.startswith("/dev/")]
    if name == "sed":
        p = parse_opts(args, _SED)
        in_place = any(o == "--in-place" or (o == "-i") for o, _ in p.options) or any(
            f.startswith("-i") or f.startswith("--in-place") for f in p.flags)
        if not in_place:
            return []
        pos = [w.text for w in p.positionals]
        files = pos if p.has("-e", "--expression", "-f", "--file") else pos[1:]
        return [(f, name) for f in files]
    if name == "tar":
        texts = [a.text for a in args]
        if texts and texts[0] and not texts[0].startswith("-"):
            # old-style bundle: tar xzf file -C dir
            bundle = texts[0]
            extract = "x" in bundle
        else:
            bundle = ""
            extract = False
        p = parse_opts(args, _TAR, 1 if bundle else 0)
        extract = extract or p.has("-x", "--extract", "--get")
        directory = p.last("-C", "--directory")
        if extract and directory is not None:
            return [(directory, name)]
        return []
    if name == "unzip":
        p = parse_opts(args, _UNZIP)
        d = p.last("-d")
        return [(d, name)] if d is not None else []
    if name == "dd":
        return [(a.text[3:], name) for a in args if a.text.startswith("of=")]
    return []


def write_ops(cmd: SimpleCommand) -> list[Operation]:
    return [FileWrite(command=cmd, path=path, via=via) for path, via in command_writes(cmd)
            if not path.startswith("/dev/")]


WRITE_TOOLS = frozenset({"cp", "mv", "ln", "install", "mkdir", "touch", "tee", "sed", "tar",
                         "unzip", "dd"})

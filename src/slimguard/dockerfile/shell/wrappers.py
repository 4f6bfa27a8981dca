"""Commands that run another command (sudo, env, xargs, ...) and how to skip them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from slimguard.dockerfile.shell.model import Word
from slimguard.dockerfile.shell.options import OptSpec, parse_opts, spec

__all__ = ["WRAPPERS", "PRIVILEGE_WRAPPERS", "Stripped", "strip_wrappers", "basename"]

_ASSIGN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def basename(path: str) -> str:
    if "/" not in path:
        return path
    base = path.rstrip("/").rsplit("/", 1)[-1]
    return base or path


@dataclass(frozen=True, slots=True)
class _Wrapper:
    opts: OptSpec
    leading: int = 0
    """Operands before the wrapped command (gosu USER, timeout DURATION, chroot DIR)."""
    user_opts: tuple[str, ...] = ()
    """Options whose value is the target user."""
    user_operand: bool = False
    """The first leading operand is the target user (gosu, su-exec)."""
    assignments: bool = False
    """NAME=value words may follow the options (env, sudo)."""
    no_command_opts: tuple[str, ...] = ()
    """Options after which no command is run (command -v, sudo -l)."""
    requires_opt: tuple[str, ...] = ()
    """The wrapper only runs a command when one of these options is given (runuser -u)."""


def _w(short_val: str = "", long_val: Sequence[str] = (), *, numeric: bool = False,
       leading: int = 0, user_opts: tuple[str, ...] = (), user_operand: bool = False,
       assignments: bool = False, no_command_opts: tuple[str, ...] = (),
       requires_opt: tuple[str, ...] = ()) -> _Wrapper:
    opts = spec(short_val, long_val, stop_at_positional=True, numeric=numeric)
    return _Wrapper(opts, leading, user_opts, user_operand, assignments, no_command_opts,
                    requires_opt)


WRAPPERS: dict[str, _Wrapper] = {
    "sudo": _w("CDghpRrtTUu", ("--user", "--group", "--prompt", "--chdir", "--chroot", "--role",
                               "--type", "--command-timeout", "--other-user", "--close-from",
                               "--host"),
               user_opts=("-u", "--user"), assignments=True,
               no_command_opts=("-l", "--list", "-v", "--validate", "-K", "--remove-timestamp",
                                "-e", "--edit", "-V", "--version", "--help")),
    "gosu": _w(leading=1, user_operand=True),
    "su-exec": _w(leading=1, user_operand=True),
    "setuidgid": _w(leading=1, user_operand=True),
    "s6-setuidgid": _w(leading=1, user_operand=True),
    "doas": _w("uC", user_opts=("-u",)),
    "runuser": _w("ugGw", ("--user", "--group", "--supp-group", "--whitelist-environment"),
                  user_opts=("-u", "--user"), requires_opt=("-u", "--user")),
    "setpriv": _w("", ("--reuid", "--regid", "--ruid", "--rgid", "--euid", "--egid", "--groups",
                       "--inh-caps", "--ambient-caps", "--bounding-set", "--securebits",
                       "--pdeathsig", "--selinux-label", "--apparmor-profile", "--landlock-access",
                       "--landlock-rule", "--seccomp-filter"),
                  user_opts=("--reuid", "--ruid", "--euid")),
    "chpst": _w("uUbe/nlLmdofpcrt", user_opts=("-u",)),
    "env": _w("uCS", ("--unset", "--chdir", "--split-string", "--block-signal",
                      "--default-signal", "--ignore-signal"), assignments=True),
    "nice": _w("n", ("--adjustment",), numeric=True),
    "ionice": _w("cnpP", ("--class", "--classdata", "--pid", "--pgid", "--uid"),
                 no_command_opts=("-p", "--pid", "-P", "--pgid", "-u", "--uid")),
    "time": _w("fo", ("--format", "--output")),
    "exec": _w("a"),
    "command": _w("", no_command_opts=("-v", "-V")),
    "builtin": _w(),
    "nohup": _w(),
    "stdbuf": _w("ioe", ("--input", "--output", "--error")),
    "timeout": _w("sk", ("--signal", "--kill-after"), leading=1),
    "chroot": _w("", ("--userspec", "--groups"), leading=1),
    "xargs": _w("adEeIiLlnPs", ("--arg-file", "--delimiter", "--eof", "--replace", "--max-lines",
                                "--max-args", "--max-procs", "--max-chars", "--process-slot-var")),
    "busybox": _w(),
    "tini": _w("ep"),
    "dumb-init": _w("r", ("--rewrite",)),
    "catatonit": _w(),
    "unbuffer": _w(),
    "fakeroot": _w("lsib", ("--lib", "--faked")),
}

# xargs: -i / -e / -l take an optional attached value only.
_XARGS_OPTIONAL = frozenset({"-i", "-e", "-l"})

PRIVILEGE_WRAPPERS = frozenset({"sudo", "gosu", "su-exec", "doas", "runuser", "setpriv", "chpst",
                                "setuidgid", "s6-setuidgid"})


@dataclass(frozen=True, slots=True)
class Stripped:
    index: int
    """Index in the word list of the real command name (len(words) if none)."""
    wrappers: tuple[str, ...]
    users: tuple[str | None, ...]
    """Target user per wrapper (None when not given or not applicable)."""
    assignments: tuple[str, ...]


def _skip(name: str, words: Sequence[Word], i: int) -> tuple[int, str | None, list[str]] | None:
    """Skip wrapper ``words[i]``.  Returns (index of wrapped command, user,
    assignments) or None when the wrapper does not run a command."""
    wr = WRAPPERS[name]
    if name == "xargs":
        # xargs has options with optional attached values; parse by hand.
        j = i + 1
        while j < len(words):
            t = words[j].text
            if t == "--":
                j += 1
                break
            if len(t) < 2 or t[0] != "-":
                break
            if t.startswith("--"):
                if "=" not in t and t in wr.opts.long_val:
                    j += 1
            elif t[:2] not in _XARGS_OPTIONAL and t[1] in wr.opts.short_val and len(t) == 2:
                j += 1
            j += 1
        return (j, None, []) if j < len(words) else None
    p = parse_opts(words, wr.opts, i + 1)
    if any(p.has(o) for o in wr.no_command_opts):
        return None
    if wr.requires_opt and not p.has(*wr.requires_opt):
        return None
    user = p.last(*wr.user_opts) if wr.user_opts else None
    # p.end is the index after the first operand (stop_at_positional) or after "--".
    j = p.end
    if p.positionals:
        j -= 1  # back to the first operand
    assigns: list[str] = []
    if wr.assignments:
        while j < len(words) and words[j].value is not None and _ASSIGN.match(words[j].value or ""):
            assigns.append(words[j].value or "")
            j += 1
    if wr.leading:
        if wr.user_operand and j < len(words):
            user = words[j].text.split(":", 1)[0]
        j += wr.leading
        if j < len(words) and words[j].text == "--":
            j += 1
    if name == "chpst" and user:
        user = user.split(":", 1)[0]
    if j >= len(words):
        return None
    return j, user, assigns


def strip_wrappers(words: Sequence[Word]) -> Stripped:
    """Strip leading wrapper commands from ``words`` (name word first)."""
    i = 0
    wrappers: list[str] = []
    users: list[str | None] = []
    assigns: list[str] = []
    while i < len(words) and len(wrappers) < 16:
        v = words[i].value
        if v is None:
            break
        name = basename(v)
        if name not in WRAPPERS:
            break
        res = _skip(name, words, i)
        if res is None:
            break
        i, user, more = res
        wrappers.append(name)
        users.append(user)
        assigns.extend(more)
    return Stripped(i, tuple(wrappers), tuple(users), tuple(assigns))

"""Data model of an analysed shell script: words, simple commands and operations.

All classes are frozen dataclasses.  Offsets are character offsets into
``ShellScript.source``.  Commands that come from a nested script whose text
cannot be mapped back exactly (for example the body of ``sh -c "..."`` with
escapes) carry the offsets of the enclosing word instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from typing import Any, TypeVar

__all__ = [
    "Word",
    "Redirect",
    "SimpleCommand",
    "Operation",
    "PackageOp",
    "UserOp",
    "ChownOp",
    "ChmodOp",
    "Download",
    "CacheCleanup",
    "FileWrite",
    "Build",
    "PrivilegeTool",
    "ShellScript",
]

_OUTPUT_OPS = frozenset({">", ">>", ">|", "&>", "&>>", "<>"})


@dataclass(frozen=True, slots=True)
class Word:
    """One shell word.  ``value`` is the literal after quote removal, or None
    when the word contains an expansion (``$X``, ``${X}``, ``$(..)``, backticks,
    ``$((..))``, ``<(..)``)."""

    raw: str
    value: str | None
    start: int
    end: int

    @property
    def literal(self) -> bool:
        return self.value is not None

    @property
    def text(self) -> str:
        """The literal value when there is one, else the source text."""
        return self.raw if self.value is None else self.value


@dataclass(frozen=True, slots=True)
class Redirect:
    """A redirection.  ``op`` includes a leading descriptor (``2>``) and, for
    descriptor duplication, the target descriptor (``2>&1``, ``>&2``); then
    ``target`` is None.  ``target`` is the literal file name (or the raw text
    if it contains an expansion).  Here-documents have op ``<<``/``<<-``,
    ``target`` None and their body in ``heredoc``; here-strings have op
    ``<<<`` and the string as ``target``."""

    op: str
    target: str | None
    start: int
    end: int
    heredoc: str | None = None

    @property
    def fd(self) -> int | None:
        """The explicit descriptor on the left (``2>`` -> 2), if any."""
        digits = ""
        for ch in self.op:
            if not ch.isdigit():
                break
            digits += ch
        return int(digits) if digits else None

    @property
    def writes_file(self) -> bool:
        """True for an output redirection to a named file (not a descriptor)."""
        if self.target is None:
            return False
        return self.op.lstrip("0123456789") in _OUTPUT_OPS


@dataclass(frozen=True, slots=True)
class SimpleCommand:
    """A simple command.  ``name`` is the literal command name after wrapper
    commands (sudo, env, ...) were stripped, reduced to its basename, or None
    when it is not literal (``$CC``) or absent (``X=1``, ``> file``)."""

    name: str | None
    args: tuple[Word, ...]
    assignments: tuple[str, ...]
    redirects: tuple[Redirect, ...]
    wrappers: tuple[str, ...]
    pipeline_position: int
    pipeline_length: int
    start: int
    end: int
    name_word: Word | None = None

    def argv(self) -> list[str | None]:
        """``[name, *literal values of args]`` (None for non-literal args)."""
        return [self.name, *(a.value for a in self.args)]

    def arg_texts(self) -> list[str]:
        """Argument values, falling back to raw text for non-literal ones."""
        return [a.text for a in self.args]

    @property
    def in_pipeline(self) -> bool:
        return self.pipeline_length > 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    """Base class of everything :func:`slimguard.dockerfile.shell.analyze` classifies."""

    command: SimpleCommand


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageOp(Operation):
    """A package-manager operation.

    ``manager``: apt, dpkg, apk, dnf, zypper, pip, npm, yarn, pnpm, gem, go,
    cargo or conda; ``tool`` is the program actually used (apt-get, yum,
    microdnf, pip3, uv, bundle, mamba, ...).  ``action``: install, remove,
    update, upgrade, clean or ci.  ``packages`` are the positional operands as
    written (quote-removed; raw text for non-literal words); for ``clean``
    actions they are the clean targets (``dnf clean all`` -> ("all",)).
    ``flags`` are the option words as written; ``options`` pairs every option
    with its value (None for switches).  ``sources`` lists requirement /
    environment files and source paths (``pip -r``, ``conda env create -f``,
    ``cargo install --path``)."""

    manager: str
    action: str
    packages: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    virtual: str | None = None
    sources: tuple[str, ...] = ()
    tool: str = ""
    options: tuple[tuple[str, str | None], ...] = ()

    def has_flag(self, *names: str) -> bool:
        """True if any of ``names`` was given.  Long names (``--yes``) also
        match ``--yes=...``; one-letter names (``-y``) also match inside a
        bundle of short switches (``-qqy``, ``-yq``)."""
        return any(name == opt for opt, _ in self.options for name in names)

    def option_values(self, *names: str) -> tuple[str, ...]:
        return tuple(v for opt, v in self.options if opt in names and v is not None)

    @property
    def assume_yes(self) -> bool:
        """True when the command will not stop at an interactive prompt."""
        m = self.manager
        if m == "apt":
            if self.has_flag("-y", "--yes", "--assume-yes", "--force-yes"):
                return True
            if any(v.lower().replace("_", "-").startswith("apt::get::assume-yes=")
                   for v in self.option_values("-o", "--option")):
                return True
            return _qq(self.options)
        if m == "dnf":
            return self.has_flag("-y", "--assumeyes")
        if m == "zypper":
            return self.has_flag("-n", "--non-interactive", "-y", "--no-confirm")
        if m == "conda":
            return self.has_flag("-y", "--yes")
        if m == "pip":
            return self.action != "remove" or self.has_flag("-y", "--yes")
        return True


def _qq(options: tuple[tuple[str, str | None], ...]) -> bool:
    # apt-get: quiet level 2 (-qq, -q=2) implies -y
    level = 0
    for opt, value in options:
        if opt in ("-q", "--quiet"):
            level = level + 1 if value is None else (int(value) if value.isdigit() else level)
    return level >= 2


@dataclass(frozen=True, slots=True, kw_only=True)
class UserOp(Operation):
    """Creation / change / deletion of a user or group, or adding a user to a
    group (``kind='membership'``: ``name`` is the user, ``group`` the group).

    ``tool``: useradd, adduser, groupadd, addgroup, usermod, gpasswd, userdel,
    deluser, groupdel, delgroup or ``passwd-file`` (a line written to
    /etc/passwd or /etc/group).  ``action``: create, modify or delete.
    ``gid`` is an int when numeric, else the group name as given; ``group``
    is the primary group's name when known."""

    tool: str
    kind: str
    name: str | None
    uid: int | None = None
    gid: int | str | None = None
    group: str | None = None
    system: bool = False
    home: str | None = None
    create_home: bool | None = None
    shell: str | None = None
    groups: tuple[str, ...] = ()
    action: str = "create"
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ChownOp(Operation):
    owner: str | None
    group: str | None
    paths: tuple[str, ...]
    recursive: bool = False
    tool: str = "chown"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChmodOp(Operation):
    """``mode`` as written.  The booleans are what the mode sets: setuid,
    setgid, sticky and write permission for others (``world_writable``;
    True for 777, 1777, o+w, a+w, a=rwx; ``+w`` without who is limited by the
    umask and does not count)."""

    mode: str
    paths: tuple[str, ...]
    recursive: bool = False
    setuid: bool = False
    setgid: bool = False
    world_writable: bool = False
    sticky: bool = False
    removes_special: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Download(Operation):
    """A file fetched over the network.  ``output`` is the file written (None
    for stdout).  ``piped_to_shell``: the content is executed by a shell or
    interpreter (``curl .. | sh``, ``bash -c "$(curl ..)"``, ``sh <(curl ..)``);
    ``shell`` names it."""

    tool: str
    urls: tuple[str, ...]
    output: str | None = None
    piped_to_shell: bool = False
    shell: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheCleanup(Operation):
    """Removal of a package-manager cache or temporary files.  ``kind``:
    apt-lists, apt-cache, apk-cache, dnf-cache, zypper-cache, pip-cache,
    npm-cache, yarn-cache, pnpm-store, gem-cache, go-cache, cargo-cache,
    conda-cache, user-cache, tmp.  ``paths`` are the removed paths (empty when
    the cleanup is a package-manager command such as ``apt-get clean``)."""

    kind: str
    paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class FileWrite(Operation):
    """The command creates or modifies ``path``.  ``via`` is the redirection
    operator (``>``, ``>>``) or the command (mkdir, touch, cp, mv, ln,
    install, tee, sed, curl, wget, tar, unzip, git, dd)."""

    path: str
    via: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Build(Operation):
    """A compile / build step.  ``target`` is what the tool is asked to make:
    the make/ninja target, Maven goal, Gradle task, npm script, dotnet verb,
    setup.py command, or the ``-o`` output of compilers and ``go build``."""

    tool: str
    target: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivilegeTool(Operation):
    """sudo, gosu, su-exec, doas, su, runuser, setpriv, chpst, setuidgid...
    ``user`` is the target user when given."""

    tool: str
    user: str | None = None


Op = TypeVar("Op", bound=Operation)


@dataclass(frozen=True, slots=True)
class ShellScript:
    source: str
    commands: tuple[SimpleCommand, ...]
    operations: tuple[Operation, ...]
    has_errors: bool

    def of_type(self, cls: type[Op]) -> tuple[Op, ...]:
        """The operations that are instances of ``cls``, in source order."""
        return tuple(op for op in self.operations if isinstance(op, cls))

    def named(self, *names: str) -> tuple[SimpleCommand, ...]:
        """The commands whose name is one of ``names``."""
        return tuple(c for c in self.commands if c.name in names)


def _slot_setters(cls: type, names: list[str]) -> dict[str, Any]:
    return {"_set_" + n: getattr(cls, n).__set__ for n in names}


def _install_fast_init(cls: type) -> None:
    """Replace the dataclass-generated ``__init__`` of a frozen, slotted
    dataclass by one that fills the slots through their descriptors.  Same
    signature, defaults and result; roughly twice as fast, which matters for
    the many small objects an analysis creates."""
    flds = list(fields(cls))
    names = [f.name for f in flds]
    ns: dict[str, Any] = _slot_setters(cls, names)
    params: list[str] = []
    kw_only = False
    for f in flds:
        if f.kw_only and not kw_only:
            params.append("*")
            kw_only = True
        if f.default is not MISSING:
            ns["_d_" + f.name] = f.default
            params.append(f"{f.name}=_d_{f.name}")
        else:
            params.append(f.name)
    body = "".join(f"    _set_{n}(self, {n})\n" for n in names) or "    pass\n"
    code = f"def __init__(self, {', '.join(params)}):\n{body}"
    exec(code, ns)  # noqa: S102 - generated from dataclass field names only
    init = ns["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[misc]


def fast_constructor(cls: type) -> Callable[..., Any]:
    """A positional constructor that skips ``type.__call__``: it creates the
    same object as ``cls(...)`` (all fields passed in declaration order)."""
    names = [f.name for f in fields(cls)]
    ns: dict[str, Any] = {"_new": object.__new__, "_cls": cls, **_slot_setters(cls, names)}
    body = "".join(f"    _set_{n}(o, {n})\n" for n in names)
    code = f"def make({', '.join(names)}):\n    o = _new(_cls)\n{body}    return o\n"
    exec(code, ns)  # noqa: S102 - generated from dataclass field names only
    make: Callable[..., Any] = ns["make"]
    return make


for _cls in (Word, Redirect, SimpleCommand, PackageOp, UserOp, ChownOp, ChmodOp, Download,
             CacheCleanup, FileWrite, Build, PrivilegeTool, ShellScript):
    _install_fast_init(_cls)
del _cls

new_word: Callable[[str, str | None, int, int], Word] = fast_constructor(Word)
new_redirect: Callable[[str, str | None, int, int, str | None], Redirect] = fast_constructor(
    Redirect)
new_command: Callable[..., SimpleCommand] = fast_constructor(SimpleCommand)

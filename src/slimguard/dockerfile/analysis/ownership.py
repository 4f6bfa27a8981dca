"""Who owns a directory at a given instruction of a stage's FROM chain, as far as the Dockerfile shows it.

WORKDIR, COPY/ADD, VOLUME, mkdir, chown, chmod and the home directories of created users, in order,
and whether a user can create entries in a directory because of them.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slimguard.analysis.users import UserSpec
from slimguard.dockerfile.analysis.accounts import Accounts, expand_known, resolve_ids
from slimguard.dockerfile.shell import ChmodOp, ChownOp, FileWrite, UserOp

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.model.users import UserRef
    from slimguard.dockerfile.syntax import Instruction
    from slimguard.knowledge.facts import Resolver

# Directories that belong to root in every base image (and everything below them, unless the
# Dockerfile hands a subdirectory over).
SYSTEM_DIRS = ("/etc", "/usr", "/var", "/opt", "/root", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
               "/libx32", "/boot", "/srv", "/home", "/mnt", "/media", "/run")
# Writable by everyone, or not files at all.
OPEN_DIRS = ("/tmp", "/var/tmp", "/dev", "/proc", "/sys", "/run/lock")


def under(path: str, prefix: str) -> bool:
    """Whether *path* is *prefix* or below it."""
    return path == prefix or prefix == "/" or path.startswith(prefix.rstrip("/") + "/")


def is_open(path: str) -> bool:
    """Whether everyone may write below *path* (/tmp, ...) or it holds no files (/proc, ...)."""
    return any(under(path, d) for d in OPEN_DIRS)


def is_system(path: str) -> bool:
    """Whether *path* is in a directory that belongs to root in every base image."""
    return not is_open(path) and (path == "/" or any(under(path, d) for d in SYSTEM_DIRS))


def norm(path: str | None, workdir: str) -> str | None:
    """An absolute, normalised path; None when it depends on the shell (variables, ~, globs)."""
    if not path or any(c in path for c in "$`*?[~{"):
        return None
    if not path.startswith("/"):
        path = posixpath.join(workdir or "/", path)
    out = posixpath.normpath(path)
    return "/" + out.lstrip("/")


@dataclass(frozen=True)
class Owner:
    """Who owns a path."""

    kind: str  # root, user, unknown
    spec: str | None = None  # the owner as written (name or uid) for kind user


@dataclass(frozen=True)
class Event:
    """One change to a path's owner or mode, and the instruction that makes it."""

    path: str
    attr: str  # owner or mode
    owner: Owner | None = None
    mode: str | None = None  # all (world-writable), group (group-writable), none
    recursive: bool = False
    instruction: "Instruction | None" = None
    how: str = ""


@dataclass
class Ownership:
    """Ownership and mode changes the Dockerfile makes, in order."""

    events: list[Event] = field(default_factory=list)
    known: set[str] = field(default_factory=set)  # paths known to exist
    unresolved: bool = False  # a mkdir/chown/chmod path depended on a value that cannot be known

    def exists(self, path: str) -> bool:
        """Whether the Dockerfile is known to create *path*."""
        return path in self.known

    def add(self, ev: Event, *, create: bool = False) -> None:
        """Record *ev*; with *create*, only when it creates a path not yet known to exist."""
        if create:
            if ev.path in self.known:
                return
        self.known.add(ev.path)
        self.events.append(ev)

    def last(self, path: str, attr: str) -> Event | None:
        """The last event that sets *attr* (owner or mode) of *path*, directly or recursively."""
        found = None
        for ev in self.events:
            if ev.attr == attr and (ev.path == path or (ev.recursive and under(path, ev.path))):
                found = ev
        return found


@dataclass(frozen=True)
class Identity:
    """The runtime (or build-step) user as far as it is known."""

    name: str | None
    uid: int | None
    accounts: Accounts | None

    def matches(self, spec: str | None) -> bool | None:
        """Whether this user is the owner *spec* (``user[:group]`` or chown's ``user.group``); None: not known."""
        if spec is None:
            return None
        owner_spec = UserSpec.parse(spec.replace(".", ":"))
        owner = owner_spec.user
        if not owner:
            return None
        if owner_spec.uid is not None:
            return None if self.uid is None else owner_spec.uid == self.uid
        if self.name is not None and owner == self.name:
            return True
        if self.accounts is not None and owner in self.accounts.users:
            other = self.accounts.users[owner].uid
            if other is not None and self.uid is not None:
                return other == self.uid
            return None if self.uid is None else False
        return None if self.uid is None and self.name is None else False


def identity(resolver: "Resolver", stage: "Stage", user: "UserRef") -> Identity:
    """*user* as the accounts of *stage* just before its USER instruction know it."""
    uid, _, acc = resolve_ids(resolver, stage, user.text, user.instruction)
    return Identity(None if user.spec.numeric_user else user.user, uid, acc)


def _owner_of_step(step: "Step") -> Owner:
    u = step.user
    if u.is_root:
        return Owner("root")
    if u.is_root is False and not u.unresolved:
        return Owner("user", u.user)
    return Owner("unknown")


def _group_writable(mode: str) -> bool:
    if mode.isdigit():
        return len(mode) >= 2 and int(mode[-2]) & 2 == 2
    for clause in mode.split(","):
        who = ""
        i = 0
        while i < len(clause) and clause[i] in "ugoa":
            who += clause[i]
            i += 1
        rest = clause[i:]
        if (not who or "g" in who or "a" in who) and rest[:1] in ("+", "=") and ("w" in rest or "u" in rest):
            return bool(who)  # +w without who is limited by the umask
    return False


def _copy_dir(step: "Step") -> str | None:
    """The directory a COPY/ADD creates (or fills), or None."""
    words = list(step.expanded)
    if len(words) < 2:
        return None
    if words[0].startswith("<<"):
        return None
    *sources, dest = words
    if dest.endswith("/") or dest in (".", "./") or len(sources) > 1 or \
            any(s in (".", "./") or s.endswith("/") for s in sources) or \
            "." not in posixpath.basename(sources[0].rstrip("/")):
        return norm(dest, step.workdir)
    d = norm(dest, step.workdir)
    return posixpath.dirname(d) if d else None


copy_dir = _copy_dir


def _resolved(own: Ownership, raw: str | None, step: "Step") -> str | None:
    """*raw* (a path word of a RUN: quotes and ``${VAR}`` as written) as an absolute path, with the ARG/ENV
    values the step sees; None (and ``own.unresolved`` set) when it depends on what cannot be known."""
    if not raw:
        return None
    text = raw.replace('"', "") if raw.count('"') % 2 == 0 else raw
    if "$" in text:
        expanded = expand_known(text, step.env)
        if expanded is None:
            own.unresolved = True
            return None
        text = expanded
    p = norm(text, step.workdir)
    if p is None:
        own.unresolved = True
    return p


def build_ownership(stage: "Stage", until: "Instruction | None" = None,
                    accounts: Accounts | None = None,
                    marks: dict[int, tuple[int, bool]] | None = None) -> Ownership:
    """What the Dockerfile does to directory ownership in *stage*'s FROM chain before *until*.

    The home directories of the base image's non-root *accounts* count as theirs. *marks*, when given, is
    filled with id(instruction) -> (events so far, unresolved so far) at each step, for
    :class:`OwnershipTimeline`.
    """
    own = Ownership()
    base_acc = accounts
    if base_acc is not None:
        for acc in base_acc.users.values():
            if acc.where is None and acc.home and acc.uid:
                own.add(Event(acc.home, "owner", Owner("user", acc.name), recursive=True, how="home directory"))
    for step in stage.all_steps():
        ins = step.instruction
        if marks is not None:
            marks.setdefault(id(ins), (len(own.events), own.unresolved))
        if until is not None and ins is until:
            break
        if step.in_onbuild:
            continue
        name = ins.name
        if name == "WORKDIR" and step.expanded:
            p = norm(step.expanded[0], "/")
            if p and p != "/":
                # BuildKit creates a missing WORKDIR as the USER in effect (the legacy builder as root)
                own.add(Event(p, "owner", _owner_of_step(step), instruction=ins, how="WORKDIR"), create=True)
        elif name in ("COPY", "ADD"):
            d = _copy_dir(step)
            if d and d != "/":
                chown = ins.flag("chown")
                if chown is not None and chown.value:
                    spec = expand_known(chown.value, step.env)
                    who = Owner("unknown") if spec is None else (
                        Owner("root") if UserSpec.parse(spec).user in ("root", "0") else Owner("user", spec))
                else:
                    who = Owner("root")
                own.add(Event(d, "owner", who, instruction=ins, how=f"{name} without --chown" if who.kind == "root"
                              else f"{name} --chown"), create=True)
        elif name == "VOLUME":
            for v in step.expanded:
                p = norm(v, step.workdir)
                if p:
                    own.add(Event(p, "owner", Owner("root"), instruction=ins, how="VOLUME"), create=True)
        elif name == "RUN" and step.run is not None:
            for op in step.run.script.operations:
                if isinstance(op, FileWrite) and op.via in ("mkdir", "install"):
                    p = _resolved(own, op.path, step)
                    if p:
                        own.add(Event(p, "owner", _owner_of_step(step), instruction=ins, how=op.via), create=True)
                elif isinstance(op, ChownOp) and op.owner:
                    spec = expand_known(op.owner, step.env)
                    who = Owner("unknown") if spec is None else (
                        Owner("root") if spec in ("root", "0") else Owner("user", spec))
                    for raw in op.paths:
                        p = _resolved(own, raw, step)
                        if p:
                            own.add(Event(p, "owner", who, recursive=op.recursive, instruction=ins, how="chown"))
                elif isinstance(op, ChmodOp):
                    mode = "all" if op.world_writable else ("group" if _group_writable(op.mode) else (
                        "none" if op.mode.isdigit() else None))
                    if mode is None:
                        continue
                    for raw in op.paths:
                        p = _resolved(own, raw, step)
                        if p:
                            own.add(Event(p, "mode", mode=mode, recursive=op.recursive, instruction=ins,
                                          how="chmod"))
                elif isinstance(op, UserOp) and op.kind == "user" and op.action == "create" and op.name:
                    uname = expand_known(op.name, step.env)
                    if uname is None or op.create_home is False:
                        continue
                    home = norm(op.home, "/") if op.home else f"/home/{uname}"
                    if home and home not in ("/", "/nonexistent"):
                        own.add(Event(home, "owner", Owner("user", uname), recursive=True, instruction=ins,
                                      how="home directory"), create=True)
    return own


class OwnershipTimeline:
    """:func:`build_ownership` before any instruction of a stage, from one pass over the chain: rules that
    ask it for every RUN or VOLUME of a long file stay linear in the build (the state before an instruction
    is a prefix of the whole)."""

    def __init__(self, stage: "Stage", accounts: Accounts | None = None) -> None:
        self.stage, self.accounts = stage, accounts
        self.marks: dict[int, tuple[int, bool]] = {}
        self.full = build_ownership(stage, None, accounts, marks=self.marks)

    def before(self, until: "Instruction") -> Ownership:
        mark = self.marks.get(id(until))
        if mark is None:  # not a step of this chain
            return build_ownership(self.stage, until, self.accounts)
        count, unresolved = mark
        events = self.full.events[:count]
        return Ownership(events=events, known={e.path for e in events}, unresolved=unresolved)


def writable(own: Ownership, path: str, who: Identity) -> tuple[bool | None, Event | None]:
    """Whether *who* can create entries in directory *path*: True, False, or None (not known).

    Also the event that decides it, when there is one.
    """
    if is_open(path):
        return True, None
    mode = own.last(path, "mode")
    owner = own.last(path, "owner")
    if mode is not None and mode.mode == "all":
        return True, mode
    if mode is not None and mode.mode == "group":
        return None, mode
    if owner is None:
        return None, None
    if owner.owner is None or owner.owner.kind == "unknown":
        return None, owner
    if owner.owner.kind == "root":
        return (True if who.uid == 0 else False), owner
    m = who.matches(owner.owner.spec)
    return m, owner

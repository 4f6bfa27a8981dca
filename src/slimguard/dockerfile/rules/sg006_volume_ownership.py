"""SG006: a VOLUME or working directory the non-root user must write to is owned by root.

Also holds the directory-ownership bookkeeping SG004 reuses: who owns a path at a given
instruction, as far as the Dockerfile shows it.
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.dockerfile.edits import insert_before, keyword
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.rules.sg002_unknown_user import Accounts, _expand, chain_accounts, resolve_ids

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.model.users import UserRef
    from slimguard.dockerfile.syntax import Instruction

# Directories that belong to root in every base image (and everything below them, unless the
# Dockerfile hands a subdirectory over).
SYSTEM_DIRS = ("/etc", "/usr", "/var", "/opt", "/root", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
               "/libx32", "/boot", "/srv", "/home", "/mnt", "/media", "/run")
# Writable by everyone, or not files at all.
OPEN_DIRS = ("/tmp", "/var/tmp", "/dev", "/proc", "/sys", "/run/lock")


def under(path: str, prefix: str) -> bool:
    return path == prefix or prefix == "/" or path.startswith(prefix.rstrip("/") + "/")


def is_open(path: str) -> bool:
    return any(under(path, d) for d in OPEN_DIRS)


def is_system(path: str) -> bool:
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
    kind: str  # root, user, unknown
    spec: str | None = None  # the owner as written (name or uid) for kind user


@dataclass(frozen=True)
class Event:
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

    def exists(self, path: str) -> bool:
        return path in self.known

    def add(self, ev: Event, *, create: bool = False) -> None:
        if create:
            if ev.path in self.known:
                return
        self.known.add(ev.path)
        self.events.append(ev)

    def last(self, path: str, attr: str) -> Event | None:
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
        if spec is None:
            return None
        owner = spec.replace(".", ":").split(":", 1)[0]
        if not owner:
            return None
        if owner.isdigit():
            return None if self.uid is None else int(owner) == self.uid
        if self.name is not None and owner == self.name:
            return True
        if self.accounts is not None and owner in self.accounts.users:
            other = self.accounts.users[owner].uid
            if other is not None and self.uid is not None:
                return other == self.uid
            return None if self.uid is None else False
        return None if self.uid is None and self.name is None else False


def identity(ctx: LintContext, stage: "Stage", user: "UserRef") -> Identity:
    uid, _, acc = resolve_ids(ctx, stage, user.text, user.instruction)
    name = None if user.user.isdigit() else user.user
    if uid is None and name is None and user.user.isdigit():
        uid = int(user.user)
    return Identity(name, uid, acc)


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


def build_ownership(ctx: LintContext, stage: "Stage", until: "Instruction | None" = None,
                    accounts: Accounts | None = None) -> Ownership:
    """What the Dockerfile does to directory ownership in *stage*'s FROM chain before *until*."""
    from slimguard.dockerfile.shell import ChmodOp, ChownOp, FileWrite, UserOp

    own = Ownership()
    base_acc = accounts
    if base_acc is not None:
        for acc in base_acc.users.values():
            if acc.where is None and acc.home and acc.uid:
                own.add(Event(acc.home, "owner", Owner("user", acc.name), recursive=True, how="home directory"))
    for step in stage.all_steps():
        ins = step.instruction
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
                    spec = _expand(chown.value, step.env)
                    who = Owner("unknown") if spec is None else (
                        Owner("root") if spec.split(":")[0] in ("root", "0") else Owner("user", spec))
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
                    p = norm(op.path, step.workdir)
                    if p:
                        own.add(Event(p, "owner", _owner_of_step(step), instruction=ins, how=op.via), create=True)
                elif isinstance(op, ChownOp) and op.owner:
                    spec = _expand(op.owner, step.env)
                    who = Owner("unknown") if spec is None else (
                        Owner("root") if spec in ("root", "0") else Owner("user", spec))
                    for raw in op.paths:
                        p = norm(raw, step.workdir)
                        if p:
                            own.add(Event(p, "owner", who, recursive=op.recursive, instruction=ins, how="chown"))
                elif isinstance(op, ChmodOp):
                    mode = "all" if op.world_writable else ("group" if _group_writable(op.mode) else (
                        "none" if op.mode.isdigit() else None))
                    if mode is None:
                        continue
                    for raw in op.paths:
                        p = norm(raw, step.workdir)
                        if p:
                            own.add(Event(p, "mode", mode=mode, recursive=op.recursive, instruction=ins,
                                          how="chmod"))
                elif isinstance(op, UserOp) and op.kind == "user" and op.action == "create" and op.name:
                    uname = _expand(op.name, step.env)
                    if uname is None or op.create_home is False:
                        continue
                    home = norm(op.home, "/") if op.home else f"/home/{uname}"
                    if home and home not in ("/", "/nonexistent"):
                        own.add(Event(home, "owner", Owner("user", uname), recursive=True, instruction=ins,
                                      how="home directory"), create=True)
    return own


def writable(own: Ownership, path: str, who: Identity) -> tuple[bool | None, Event | None]:
    """Whether *who* can create entries in directory *path*: True, False, or None (not known)."""
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


def describe(ev: Event) -> str:
    line = f" on line {ev.instruction.start_line}" if ev.instruction is not None else ""
    if ev.how == "chown" and ev.owner is not None:
        return f"chowned to {ev.owner.spec or 'root'}{line}"
    if ev.owner is not None and ev.owner.kind == "root":
        return f"owned by root (created by {ev.how}{line})"
    if ev.owner is not None:
        return f"owned by {ev.owner.spec} ({ev.how}{line})"
    return f"{ev.how}{line}"


_CWD_TOOLS = frozenset({"npm", "yarn", "pnpm"})


def writes_cwd(step: "Step") -> str | None:
    """What a RUN writes into its working directory implicitly (node_modules, build output)."""
    from slimguard.dockerfile.shell import Build, PackageOp

    if step.run is None:
        return None
    for op in step.run.script.operations:
        if isinstance(op, PackageOp) and op.manager in _CWD_TOOLS and op.action in ("install", "ci") \
                and not op.has_flag("-g", "--global") and "global" not in op.command.arg_texts()[:1]:
            return f"{op.tool} {op.action} (node_modules)"
        if isinstance(op, Build) and (op.target is None or not op.target.startswith("/")):
            return f"{op.tool} build output"
    return None


class VolumeOwnership(Rule):
    id = "SG006"
    title = "Non-root user cannot write to its VOLUME or working directory"
    severity = Severity.WARNING
    concern = "volume-ownership"
    fixable = "safe"
    docs = RuleDocs(
        what=(
            "In a target stage that runs as a non-root user, finds VOLUME paths that the Dockerfile never "
            "creates and hands to that user before the VOLUME line (RUN mkdir + chown, COPY --chown into a "
            "new directory, a WORKDIR created while that USER is in effect, chmod 777), and working "
            "directories that a RUN step of that user writes into (npm ci, yarn install, a build) while "
            "the directory belongs to root (WORKDIR or COPY created it before the USER line)."
        ),
        why=(
            "A directory that does not exist in the image is created as root:root 0755 when the volume "
            "is mounted, and a new named volume copies the owner and mode of the image's directory "
            "(copy-up), so the non-root process gets `Permission denied` as soon as it writes its data. "
            "Changing ownership after the VOLUME line does not help: the legacy builder discards changes "
            "to a volume path. A root-owned WORKDIR breaks `npm ci` and builds run as that user. Note "
            "that a WORKDIR created after USER belongs to that user only with BuildKit; the legacy "
            "builder creates it as root."
        ),
        example=(
            "FROM debian:bookworm-slim\n"
            "RUN groupadd --gid 10001 app && useradd --uid 10001 --gid 10001 --no-create-home app\n"
            "VOLUME /data\nUSER 10001:10001\nCMD [\"sh\", \"-c\", \"date > /data/started\"]\n"
        ),
        instead=(
            "FROM debian:bookworm-slim\n"
            "RUN groupadd --gid 10001 app && useradd --uid 10001 --gid 10001 --no-create-home app\n"
            "RUN mkdir -p /data && chown 10001:10001 /data\n"
            "VOLUME /data\nUSER 10001:10001\nCMD [\"sh\", \"-c\", \"date > /data/started\"]\n"
        ),
        fix_safety=(
            "Safe. Adds `RUN mkdir -p <dirs> && chown <uid:gid> <dirs>` before the USER line that switches "
            "to the non-root user (before the VOLUME line when that comes first), only when the step there "
            "runs as root, the image has a shell, and the user's uid is known (numeric USER, or a "
            "useradd/base-image account with a fixed uid). The chown is not recursive: files already in "
            "the directory keep their owner. For bind mounts the host directory's owner still decides; "
            "see the runtime notes for --user, fsGroup and idmapped mounts."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        target = ctx.target
        if target is None:
            return
        user = target.user
        if user.is_root is not False or user.unresolved or not user.user:
            return
        who = identity(ctx, target, user)
        accounts = chain_accounts(ctx, target)
        flagged: list[tuple["Instruction", str, str, "Instruction | None"]] = []  # (ins, path, message, user ins)
        steps = [s for s in target.all_steps() if not s.in_onbuild]
        full = build_ownership(ctx, target, None, accounts)
        for step in steps:
            ins = step.instruction
            if ins.name == "VOLUME":
                own = build_ownership(ctx, target, ins, accounts)
                for v in step.expanded:
                    p = norm(v, step.workdir)
                    if p is None or p == "/":
                        continue
                    ok, ev = writable(own, p, who)
                    if ok is True or (ok is None and ev is not None):
                        continue
                    if ok is None:
                        if accounts is None or who.name is None and who.uid is None:
                            continue
                        why = ("the image has no such directory, so Docker creates the mount point as "
                               "root:root 0755")
                    else:
                        why = f"the directory is {describe(ev)}" if ev is not None else "the directory is root's"
                    later_ok, later = writable(full, p, who)
                    if later_ok is True and later is not None and later.instruction is not None:
                        why += (f" (the {later.how} on line {later.instruction.start_line} comes after the VOLUME "
                                "line, and changes to a volume path after VOLUME are discarded)")
                    flagged.append((ins, p, f"VOLUME {p}: {why}; a new named volume copies that owner, so "
                                    f"user {user.text} cannot write its data there (Permission denied)",
                                    user.instruction))
            elif ins.name == "RUN" and step.user.is_root is False and step.user.text == user.text:
                what = writes_cwd(step)
                wd = norm(step.workdir, "/")
                if what is None or wd is None or wd == "/":
                    continue
                own = build_ownership(ctx, target, ins, accounts)
                ok, ev = writable(own, wd, who)
                if ok is False and ev is not None:
                    flagged.append((ins, wd, f"RUN writes into WORKDIR {wd} as {user.text} ({what}), but {wd} "
                                    f"is {describe(ev)}: Permission denied",
                                    step.user.instruction))
        if not flagged:
            return
        fix = self._fix(ctx, target, who, flagged, steps)
        for ins, _path, message, _uins in flagged:
            yield ctx.at(self, ins, message, fix=fix, aliases=())

    def _fix(self, ctx: LintContext, stage: "Stage", who: Identity, flagged, steps) -> Fix | None:
        if who.uid is None or who.uid == 0:
            return None
        facts = ctx.facts(stage)
        if stage.root_base.is_scratch or facts is None or facts.has_shell is False:
            return None
        shell = stage.shell[0].rsplit("/", 1)[-1] if stage.shell else "sh"
        if shell not in ("sh", "bash", "ash", "dash", "zsh", "ksh"):
            return None
        order = {id(s.instruction): i for i, s in enumerate(steps)}
        points = [u for *_x, u in flagged if u is not None]
        points += [ins for ins, *_x in flagged if ins.name == "VOLUME"]
        points = [p for p in points if id(p) in order]
        if not points:
            return None
        at = min(points, key=lambda p: order[id(p)])
        at_step = steps[order[id(at)]]
        if at_step.user.is_root is not True:
            return None
        _, gid, _ = resolve_ids(ctx, stage, stage.user.text, stage.user.instruction)
        spec = f"{who.uid}:{gid}" if gid is not None else str(who.uid)
        paths: list[str] = []
        for _ins, p, *_rest in flagged:
            if p not in paths:
                paths.append(p)
        quoted = " ".join(shlex.quote(p) for p in paths)
        line = f"{keyword(ctx.tree, 'RUN')} mkdir -p {quoted} && chown {spec} {quoted}"
        return Fix(f"create {', '.join(paths)} owned by {spec}", (insert_before(ctx.tree, at, [line]),), applicability=Applicability.SAFE)


RULE = VolumeOwnership

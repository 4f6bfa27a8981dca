"""Running a stage as non-root without breaking it: which user, its home, and the paths it must own.

The plan behind SG001's fix (and SG002's account creation):

- **which user**: one the Dockerfile already creates, else an application user the base ships (node's
  ``node``, distroless ``nonroot``), else a new system user with free fixed ids, created the base's own way,
  **with a home directory** (pip, npm and XDG caches write under ``$HOME``);
- **what it must own**: the directories the Dockerfile creates as root for the application (its WORKDIRs,
  ``mkdir`` targets outside the system tree) are handed to the user (not recursively), and files COPY'd from
  the build context into its working directory are copied ``--chown`` so an app that rewrites its own files
  keeps working (build output copied ``--from`` another stage stays root's);
- **when not to edit**: a base whose own server must start as root (nginx, httpd, php's apache tags) or whose
  entrypoint steps down to its own user itself (postgres, redis, mysql) gets advice only, or, where a drop-in
  twin exists (nginx → nginxinc/nginx-unprivileged), an unsafe move to it; a stage that serves on a port
  below 1024 only gets the USER edit as an unsafe fix, because that port cannot be bound by a non-root
  process where ports below 1024 are privileged (Kubernetes).
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slimguard.core.findings import Applicability, Edit, Fix
from slimguard.dockerfile.analysis.ownership import build_ownership, copy_dir, is_open, norm, under
from slimguard.dockerfile.edits import insert_after, keyword, newline_of

if TYPE_CHECKING:
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.model import Stage
    from slimguard.dockerfile.syntax import Instruction
    from slimguard.knowledge.bases import BaseImageInfo
    from slimguard.knowledge.facts import ImageFacts

ROOT_NEEDING = frozenset({"RUN", "COPY", "ADD", "WORKDIR", "USER", "VOLUME", "ONBUILD"})
APP_NAME = "app"
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})

# Directories of the operating system: an application never needs to own these (or anything below the
# ones in SYSTEM_TREES), so the fix never hands them over.
SYSTEM_TREES = ("/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/proc", "/sys",
                "/dev", "/run", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libx32",
                "/usr/libexec", "/usr/include", "/usr/share", "/usr/local/bin", "/usr/local/sbin",
                "/usr/local/lib", "/usr/local/include", "/usr/local/share", "/usr/local/etc", "/usr/local/man",
                "/var/lib/apt", "/var/lib/dpkg", "/var/cache/apt", "/var/cache/debconf", "/var/log/apt")
SYSTEM_ROOTS = frozenset({"/", "/usr", "/usr/local", "/var", "/var/lib", "/var/log", "/var/cache", "/var/spool",
                          "/var/run", "/opt", "/srv", "/home", "/mnt", "/media", "/usr/src", "/usr/local/src",
                          "/var/www"})


@dataclass(frozen=True)
class UserPlan:
    user: str  # what goes after USER: numeric uid:gid, or a name the Dockerfile creates without fixed ids
    create: list[str]  # shell commands that create the user (empty: the base or the Dockerfile has it)
    reason: str
    created_at: int | None = None  # line of the RUN that creates a reused Dockerfile user


@dataclass(frozen=True)
class AppPaths:
    """What the application may write to: directories to chown and COPY/ADD lines to copy ``--chown``."""

    dirs: tuple[str, ...]
    copies: tuple["Instruction", ...]
    in_root_home: str | None  # a WORKDIR under /root: a non-root user cannot even enter it


@dataclass
class _Created:
    """Accounts that RUN steps of a stage's FROM chain create (useradd, adduser, groupadd, ...)."""

    users: list[tuple[str, int | None, int | str | None, int]]  # (name, uid, gid or group, line)
    groups: dict[str, int | None]
    uids: set[int]
    gids: set[int]


def _created_accounts(stage: "Stage", until: "Instruction | None" = None) -> _Created:
    from slimguard.dockerfile.shell import UserOp

    made = _Created([], {}, set(), set())
    for step in stage.all_steps():
        if until is not None and step.instruction is until:
            break
        if step.run is None or step.in_onbuild:
            continue
        for op in step.run.script.of_type(UserOp):
            if op.action != "create" or not op.name:
                continue
            if op.kind == "user":
                made.users.append((op.name, op.uid, op.gid, step.instruction.start_line))
                if op.uid is not None:
                    made.uids.add(op.uid)
            elif op.kind == "group":
                made.groups[op.name] = op.gid if isinstance(op.gid, int) else None
            if isinstance(op.gid, int):
                made.gids.add(op.gid)
    return made


def _reuse_created(made: _Created, facts: "ImageFacts") -> UserPlan | None:
    """The last non-root user the Dockerfile itself creates, if any: USER goes back to it."""
    for name, uid, gid, line in reversed(made.users):
        if name == "root" or uid == 0:
            continue
        if isinstance(gid, str):
            gid = made.groups.get(gid, facts.groups.get(gid))
        if uid is not None and isinstance(gid, int):
            return UserPlan(f"{uid}:{gid}", [], f"the Dockerfile creates user {name!r} ({uid}:{gid}) at line {line}",
                            line)
        # ids chosen by useradd/adduser: the name resolves at run time (USER name uses its primary group)
        return UserPlan(name, [], f"the Dockerfile creates user {name!r} at line {line}", line)
    return None


def free_ids(facts: "ImageFacts", made: _Created, uid: int, gid: int) -> tuple[int, int]:
    """*uid* and *gid*, moved up past ids the base or the Dockerfile already uses (groupadd fails on those)."""
    taken_u = {u for u, _ in facts.users.values()} | made.uids
    taken_g = set(facts.groups.values()) | made.gids
    while uid in taken_u:
        uid += 1
    while gid in taken_g:
        gid += 1
    return uid, gid


def free_name(facts: "ImageFacts", made: _Created, base: str = APP_NAME) -> str:
    taken = set(facts.users) | set(facts.groups) | {u[0] for u in made.users} | set(made.groups)
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    return name


def plan_user(ctx: "LintContext", stage: "Stage") -> UserPlan | None:
    """How to run *stage* as non-root, or None when the base is not known well enough."""
    base = stage.root_base
    uid, gid = ctx.options.uid, ctx.options.gid
    if base.is_scratch:
        return UserPlan(f"{uid}:{gid}", [], "scratch has no /etc/passwd: a numeric uid:gid is the only option")
    facts: ImageFacts | None = ctx.facts(stage)
    if facts is None:
        return None
    made = _created_accounts(stage)
    reuse = _reuse_created(made, facts)
    if reuse is not None:
        return reuse
    for name in ("nonroot", "node", "app"):  # users images ship for applications
        if name in facts.users and facts.users[name][0] != 0:
            u, g = facts.users[name]
            return UserPlan(f"{u}:{g}", [], f"the base image ships user {name!r} ({u}:{g})")
    # avoid ids already taken in the base (Ubuntu 24.04 ships ubuntu with uid 1000, node ships 1000)
    uid, gid = free_ids(facts, made, uid, gid)
    style = facts.user_creation
    if style == "none" or facts.has_shell is False:
        return UserPlan(f"{uid}:{gid}", [], "the base has no shell to create users: numeric uid:gid")
    name = free_name(facts, made)
    commands = creation_commands(style, name, uid, gid)
    if commands is None:
        return None
    return UserPlan(f"{uid}:{gid}", commands, f"a dedicated system user {name!r} ({uid}:{gid}, home /home/{name})")


def creation_commands(style: str | None, name: str, uid: int, gid: int, *, group: str | None = None,
                      make_group: bool = True) -> list[str] | None:
    """Shell commands that create system user *name* (uid, gid) with a home, the base's own way.

    *group* names the primary group (default: a group called *name*); *make_group* False means it exists.
    """
    group = group or name
    home = f"/home/{name}"
    q = shlex.quote
    if style in ("debian", "ubuntu", "rhel", "rhel-minimal"):
        nologin = "/sbin/nologin" if style == "rhel-minimal" else "/usr/sbin/nologin"
        cmds = [f"groupadd --system --gid {gid} {q(group)}"] if make_group else []
        cmds.append(f"useradd --system --uid {uid} --gid {q(group) if not make_group else gid} --create-home "
                    f"--home-dir {q(home)} --shell {nologin} {q(name)}")
        if style == "rhel-minimal":
            return ["microdnf install -y shadow-utils", *cmds, "microdnf clean all"]
        return cmds
    if style in ("alpine", "busybox"):
        cmds = [f"addgroup -S -g {gid} {q(group)}"] if make_group else []
        cmds.append(f"adduser -S -D -u {uid} -G {q(group)} -h {q(home)} -s /sbin/nologin {q(name)}")
        return cmds
    return None


def group_commands(style: str | None, group: str, gid: int) -> list[str] | None:
    """Shell commands that create system group *group* with *gid*, the base's own way."""
    if style in ("debian", "ubuntu", "rhel", "rhel-minimal"):
        cmds = [f"groupadd --system --gid {gid} {shlex.quote(group)}"]
        return ["microdnf install -y shadow-utils", *cmds, "microdnf clean all"] if style == "rhel-minimal" else cmds
    if style in ("alpine", "busybox"):
        return [f"addgroup -S -g {gid} {shlex.quote(group)}"]
    return None


def anchor(stage: "Stage") -> "Instruction":
    """The instruction after which USER goes: the last one that still needs root."""
    anchor_ins = stage.from_instruction
    for step in stage.steps:
        if step.instruction.name in ROOT_NEEDING:
            anchor_ins = step.instruction
    return anchor_ins


def is_app_dir(path: str) -> bool:
    """Whether *path* may be an application's own directory (not the OS's, not world-writable)."""
    if path in SYSTEM_ROOTS or is_open(path) or under(path, "/root"):
        return False
    return not any(under(path, tree) for tree in SYSTEM_TREES)


def app_paths(stage: "Stage", until: "Instruction | None" = None) -> AppPaths:
    """Directories the Dockerfile makes as root for the application before *until*, and the COPY/ADD
    lines from the build context into its working directory (to copy ``--chown``: an app may rewrite its
    config there). ``COPY --from`` output stays root's. VOLUME paths are left to SG006: a chown after the
    VOLUME line is discarded."""
    steps = [s for s in stage.all_steps() if not s.in_onbuild]
    if until is not None:
        steps = steps[: next((i for i, s in enumerate(steps) if s.instruction is until), len(steps))]
    own = build_ownership(stage, until)
    volumes = [p for s in steps if s.instruction.name == "VOLUME" for v in s.expanded
               if (p := norm(v, s.workdir)) is not None]
    dirs: list[str] = []
    workdirs: list[str] = []
    root_home = None
    for ev in own.events:
        if ev.attr != "owner" or ev.owner is None or ev.owner.kind != "root" or ev.how == "VOLUME":
            continue
        if ev.how not in ("WORKDIR", "mkdir", "install"):
            continue
        if ev.how == "WORKDIR" and under(ev.path, "/root"):
            root_home = ev.path
        if not is_app_dir(ev.path) or any(under(ev.path, v) for v in volumes):
            continue
        last = own.last(ev.path, "owner")
        if last is not None and last.owner is not None and last.owner.kind != "root":
            continue  # the Dockerfile hands it to someone itself
        if ev.path not in dirs:
            dirs.append(ev.path)
        if ev.how == "WORKDIR":
            workdirs.append(ev.path)
    copies: list["Instruction"] = []
    for step in steps:
        ins = step.instruction
        if ins.name not in ("COPY", "ADD") or ins.heredocs or ins.flag("chown") is not None \
                or ins.flag("from") is not None:
            continue  # build output copied --from stays root's: the app should not rewrite its own binaries
        if step.user.is_root is not True:
            continue
        d = copy_dir(step)
        if d is None:
            continue
        if any(under(d, v) for v in volumes):
            continue
        if any(under(d, w) for w in workdirs):
            copies.append(ins)  # files from the context in the app's working directory (config, data)
    return AppPaths(tuple(dirs), tuple(copies), root_home)


def base_info(stage: "Stage") -> "BaseImageInfo | None":
    """The knowledge base's entry for the external image at the bottom of *stage*'s FROM chain."""
    image = stage.root_base.image
    if image is None or stage.root_base.is_scratch:
        return None
    from slimguard.knowledge.bases import lookup

    return lookup(f"{image.registry}/{image.repository}", image.effective_tag)


def sets_own_command(stage: "Stage") -> bool:
    """Whether the Dockerfile replaces the base's ENTRYPOINT (so the base's start-up script does not run)."""
    return any(s.instruction.name == "ENTRYPOINT" for s in stage.all_steps() if not s.in_onbuild)


def privileged_ports(stage: "Stage") -> list[int]:
    """Ports below 1024 that the stage's FROM chain EXPOSEs."""
    return sorted({p for s in stage.chain() for spec, _ in s.exposed for p in spec.ports if 0 < p < 1024})


def user_fix(ctx: "LintContext", stage: "Stage") -> Fix | None:
    """SG001's fix for *stage*: a USER edit that keeps the app working, advice, or None (base unknown)."""
    info = base_info(stage)
    if info is not None and info.entrypoint_drops_privileges and not sets_own_command(stage):
        return Fix(
            f"leave USER unset: {stage.root_base.text}'s entrypoint starts as root, prepares its data "
            "directories and then switches to its own user itself; a USER line stops that set-up. To start "
            "it as non-root, run it with --user and data directories that user owns, as the image's docs "
            "describe", (), applicability=Applicability.DISPLAY_ONLY)
    if info is not None and info.needs_root:
        twin = variant_fix(ctx, stage, info)
        if twin is not None:
            return twin
        return Fix(f"no proven USER edit: {info.needs_root}. Adding USER makes it fail at start-up; "
                   + (f"use {info.nonroot_variant.reference(stage.root_base.image.effective_tag)} instead "
                      f"({info.nonroot_variant.reason}) and move what this Dockerfile changes under "
                      f"{', '.join(info.nonroot_variant.config_paths)} to its layout"
                      if info.nonroot_variant and stage.root_base.image else
                      "reconfigure it for a port above 1024 and pid, lock and temp files in a directory the "
                      "user owns, then add USER"), (), applicability=Applicability.DISPLAY_ONLY)
    plan = plan_user(ctx, stage)
    if plan is None:
        return None
    at = anchor(stage)
    paths = app_paths(stage)
    facts = ctx.facts(stage)
    shell = stage.shell[0].rsplit("/", 1)[-1] if stage.shell else "sh"
    can_run = not stage.root_base.is_scratch and facts is not None and facts.has_shell is not False \
        and shell in SHELLS
    if paths.in_root_home:
        return Fix(f"no USER edit: the application's WORKDIR {paths.in_root_home} is in root's home, which "
                   "a non-root user cannot enter; move it (e.g. WORKDIR /app) and then run as non-root",
                   (), applicability=Applicability.DISPLAY_ONLY)
    tree = ctx.tree
    nl = newline_of(tree)
    commands = list(plan.create)
    owner = plan.user
    dirs = list(paths.dirs) if can_run else []
    if dirs:
        commands.append(f"chown {owner} " + " ".join(shlex.quote(d) for d in dirs))
    lines: list[str] = []
    if commands:
        lines.append(f"{keyword(tree, 'RUN')} " + f" && \\{nl}    ".join(commands))
    lines.append(f"{keyword(tree, 'USER')} {plan.user}")
    edits: list[Edit] = []
    numeric = plan.user.split(":")[0].isdigit()
    # COPY --chown=name resolves the name when the COPY runs: only after the RUN that creates it
    copies = [c for c in paths.copies if numeric or plan.created_at is None or c.start_line > plan.created_at]
    for ins in copies:
        edits.append(Edit(ins.keyword_end, ins.keyword_end, f" --chown={owner}"))
    if at.name == "USER" and stage.user.instruction is at:
        # the root USER is the last thing that needs root: replace it instead of adding after it
        body = str(at).rstrip("\r\n")
        edits.append(Edit(at.start_offset, at.start_offset + len(body), nl.join(lines)))
    else:
        edits.append(insert_after(tree, at, lines))
    owned = [*dirs] + ([f"{len(copies)} COPY/ADD line(s) copied --chown"] if copies else [])
    description = f"run as {plan.user}: {plan.reason}"
    if owned:
        description += f"; hands {', '.join(owned)} to that user so the app can still write there"
    low = privileged_ports(stage)
    applicability = Applicability.SAFE
    if low:
        applicability = Applicability.UNSAFE
        description += (f" (unsafe: the stage serves on port {', '.join(map(str, low))}, which a non-root "
                        "process cannot bind where ports below 1024 are privileged, as in Kubernetes; move it "
                        "to 1024 or above, see SG005)")
    return Fix(description, tuple(sorted(edits, key=lambda e: e.start)), applicability=applicability)


def variant_fix(ctx: "LintContext", stage: "Stage", info: "BaseImageInfo") -> Fix | None:
    """Unsafe: move FROM to the base's non-root twin (nginx -> nginxinc/nginx-unprivileged) when the
    Dockerfile changes nothing the twin lays out differently, and renumber the EXPOSEd ports it moves."""
    twin = info.nonroot_variant
    root = stage.chain()[-1]
    image = root.base.image
    if twin is None or image is None or root.base.unresolved or "$" in root.base.raw or "@" in root.base.raw:
        return None
    for step in stage.all_steps():
        ins = step.instruction
        if ins.name == "RUN" or ins.name in ("ENTRYPOINT", "USER", "ONBUILD"):
            return None  # RUN steps would run as the twin's user; a custom entrypoint may need root
        if ins.name in ("COPY", "ADD"):
            d = copy_dir(step)
            if d is None or any(under(d, p) or under(p, d) for p in twin.config_paths):
                return None
        if ins.name == "HEALTHCHECK" and any(str(old) in ins.rest for old, _ in twin.ports):
            return None
    words = root.from_instruction.words()
    if not words or words[0].text != root.base.raw:
        return None
    word = words[0]
    new_ref = twin.reference(image.tag)
    edits = [Edit(word.span.start.offset, word.span.end.offset, new_ref)]
    moved: list[str] = []
    for s in stage.chain():
        for spec, ins in s.exposed:
            if spec.start is None or spec.start != spec.end:
                continue
            new = twin.port_for(spec.start)
            if new is None:
                continue
            for w in ins.words():
                if w.text.split("/")[0] == str(spec.start):
                    edits.append(Edit(w.span.start.offset, w.span.start.offset + len(str(spec.start)), str(new)))
                    moved.append(f"{spec.start} -> {new}")
    ports = f"; EXPOSE {', '.join(moved)} (publish it with -p {moved[0].split(' ')[0]}:{moved[0].split(' ')[-1]})" \
        if moved else ""
    return Fix(f"FROM {new_ref}: {twin.reason}{ports}", tuple(edits), applicability=Applicability.UNSAFE)


def account_fix(ctx: "LintContext", stage: "Stage", ins: "Instruction", user: str | None,
                group: str | None) -> Fix | None:
    """SG002's fix: create the missing *user* (and/or *group*) the base's own way just before USER *ins*."""
    from slimguard.dockerfile.edits import insert_before

    facts = ctx.facts(stage)
    if stage.root_base.is_scratch or facts is None or facts.has_shell is False:
        return None
    shell = stage.shell[0].rsplit("/", 1)[-1] if stage.shell else "sh"
    if shell not in SHELLS:
        return None
    if not _root_before(stage, ins, facts):
        return None
    made = _created_accounts(stage, ins)
    uid, gid = free_ids(facts, made, ctx.options.uid, ctx.options.gid)
    style = facts.user_creation
    if user:
        group_exists = group is not None and (group in facts.groups or group in made.groups)
        commands = creation_commands(style, user, uid, gid, group=group or user, make_group=not group_exists)
        what = f"user {user!r} ({uid}, home /home/{user})"
    else:
        commands = group_commands(style, group or "", gid)
        what = f"group {group!r} ({gid})"
    if commands is None:
        return None
    line = f"{keyword(ctx.tree, 'RUN')} " + f" && \\{newline_of(ctx.tree)}    ".join(commands)
    return Fix(f"create {what} the base's own way before USER {ins.rest}", (insert_before(ctx.tree, ins, [line]),),
               applicability=Applicability.SAFE)


def _root_before(stage: "Stage", ins: "Instruction", facts: "ImageFacts") -> bool:
    """Whether a RUN placed just before *ins* would run as root (a step's user is the one in effect when
    it runs, so the USER step's own is the one before it)."""
    step = next((s for s in stage.steps if s.instruction is ins), None)
    return step is not None and step.user.is_root is True

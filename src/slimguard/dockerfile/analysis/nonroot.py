"""Choosing and creating a non-root user that really exists in a stage's base image."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from slimguard.core.findings import Applicability, Edit, Fix
from slimguard.dockerfile.edits import insert_after, keyword

if TYPE_CHECKING:
    from slimguard.knowledge.facts import ImageFacts
    from slimguard.dockerfile.model import Stage
    from slimguard.dockerfile.context import LintContext

ROOT_NEEDING = frozenset({"RUN", "COPY", "ADD", "WORKDIR", "USER", "VOLUME", "ONBUILD"})
APP_NAME = "app"


@dataclass(frozen=True)
class UserPlan:
    user: str  # what goes after USER: always numeric uid:gid
    create: list[str]  # shell commands that create the user (empty: the base ships it)
    reason: str


@dataclass
class _Created:
    """Accounts that RUN steps of a stage's FROM chain create (useradd, adduser, groupadd, ...)."""

    users: list[tuple[str, int | None, int | str | None, int]]  # (name, uid, gid or group, line)
    groups: dict[str, int | None]
    uids: set[int]
    gids: set[int]


def _created_accounts(stage: "Stage") -> _Created:
    from slimguard.dockerfile.shell import UserOp

    made = _Created([], {}, set(), set())
    for step in stage.all_steps():
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
            return UserPlan(f"{uid}:{gid}", [], f"the Dockerfile creates user {name!r} ({uid}:{gid}) at line {line}")
        # ids chosen by useradd/adduser: the name resolves at run time (USER name uses its primary group)
        return UserPlan(name, [], f"the Dockerfile creates user {name!r} at line {line}")
    return None


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
    # (and those the Dockerfile's own RUN steps take: groupadd fails on a name or gid in use)
    taken_u = {u for u, _ in facts.users.values()} | made.uids
    taken_g = set(facts.groups.values()) | made.gids
    while uid in taken_u:
        uid += 1
    while gid in taken_g:
        gid += 1
    style = facts.user_creation
    if style == "none" or facts.has_shell is False:
        return UserPlan(f"{uid}:{gid}", [], "the base has no shell to create users: numeric uid:gid")
    taken_names = set(facts.users) | set(facts.groups) | {u[0] for u in made.users} | set(made.groups)
    name, n = APP_NAME, 1
    while name in taken_names:
        n += 1
        name = f"{APP_NAME}{n}"
    commands = creation_commands(style, name, uid, gid)
    if commands is None:
        return None
    return UserPlan(f"{uid}:{gid}", commands, f"a dedicated system user {name!r} ({uid}:{gid})")


def creation_commands(style: str | None, name: str, uid: int, gid: int) -> list[str] | None:
    if style in ("debian", "ubuntu", "rhel"):
        return [
            f"groupadd --system --gid {gid} {name}",
            f"useradd --system --uid {uid} --gid {gid} --no-create-home --home-dir /nonexistent "
            f"--shell /usr/sbin/nologin {name}",
        ]
    if style == "rhel-minimal":
        return [
            "microdnf install -y shadow-utils",
            f"groupadd --system --gid {gid} {name}",
            f"useradd --system --uid {uid} --gid {gid} --no-create-home --home-dir /nonexistent "
            f"--shell /sbin/nologin {name}",
            "microdnf clean all",
        ]
    if style in ("alpine", "busybox"):
        return [
            f"addgroup -S -g {gid} {name}",
            f"adduser -S -D -H -u {uid} -G {name} -h /nonexistent -s /sbin/nologin {name}",
        ]
    return None


def anchor(stage: "Stage"):
    """The instruction after which USER goes: the last one that still needs root."""
    anchor_ins = stage.from_instruction
    for step in stage.steps:
        if step.instruction.name in ROOT_NEEDING:
            anchor_ins = step.instruction
    return anchor_ins


def user_fix(ctx: "LintContext", stage: "Stage") -> Fix | None:
    plan = plan_user(ctx, stage)
    if plan is None:
        return None
    tree = ctx.tree
    lines: list[str] = []
    if plan.create:
        lines.append(f"{keyword(tree, 'RUN')} " + " && \\\n    ".join(plan.create).replace("\n", _nl(tree)))
    lines.append(f"{keyword(tree, 'USER')} {plan.user}")
    at = anchor(stage)
    if at.name == "USER" and stage.user.instruction is at:
        # the root USER is the last thing that needs root: replace it instead of adding after it
        text = str(at)
        body = text.rstrip("\r\n")
        edit: Edit = Edit(at.start_offset, at.start_offset + len(body), _nl(tree).join(lines))
    else:
        edit = insert_after(tree, at, lines)
    return Fix(f"run as {plan.user}: {plan.reason}", (edit,), applicability=Applicability.SAFE)


def _nl(tree) -> str:
    from slimguard.dockerfile.edits import newline_of

    return newline_of(tree)

"""Choosing and creating a non-root user that really exists in a stage's base image."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..findings import Edit, Fix
from ._edits import insert_after, keyword

if TYPE_CHECKING:
    from ..baseinfo import ImageFacts
    from ..model import Stage
    from .base import LintContext

ROOT_NEEDING = frozenset({"RUN", "COPY", "ADD", "WORKDIR", "USER", "VOLUME", "ONBUILD"})
APP_NAME = "app"


@dataclass(frozen=True)
class UserPlan:
    user: str  # what goes after USER: always numeric uid:gid
    create: list[str]  # shell commands that create the user (empty: the base ships it)
    reason: str


def plan_user(ctx: "LintContext", stage: "Stage") -> UserPlan | None:
    """How to run *stage* as non-root, or None when the base is not known well enough."""
    base = stage.root_base
    uid, gid = ctx.options.uid, ctx.options.gid
    if base.is_scratch:
        return UserPlan(f"{uid}:{gid}", [], "scratch has no /etc/passwd: a numeric uid:gid is the only option")
    facts: ImageFacts | None = ctx.facts(stage)
    if facts is None:
        return None
    for name in ("nonroot", "node", "app"):  # users images ship for applications
        if name in facts.users and facts.users[name][0] != 0:
            u, g = facts.users[name]
            return UserPlan(f"{u}:{g}", [], f"the base image ships user {name!r} ({u}:{g})")
    # avoid ids already taken in the base (Ubuntu 24.04 ships ubuntu with uid 1000, node ships 1000)
    taken_u = {u for u, _ in facts.users.values()}
    taken_g = set(facts.groups.values())
    while uid in taken_u:
        uid += 1
    while gid in taken_g:
        gid += 1
    style = facts.user_creation
    if style == "none" or facts.has_shell is False:
        return UserPlan(f"{uid}:{gid}", [], "the base has no shell to create users: numeric uid:gid")
    commands = creation_commands(style, APP_NAME, uid, gid)
    if commands is None:
        return None
    return UserPlan(f"{uid}:{gid}", commands, f"a dedicated system user {APP_NAME!r} ({uid}:{gid})")


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
    return Fix(f"run as {plan.user}: {plan.reason}", (edit,), safe=True)


def _nl(tree) -> str:
    from ._edits import newline_of

    return newline_of(tree)

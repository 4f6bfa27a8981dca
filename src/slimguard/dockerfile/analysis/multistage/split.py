"""The edit that splits a stage: name it the build stage and start a runtime stage after its last build RUN.

The runtime stage repeats the earlier ARG, ENV, WORKDIR, USER, LABEL, EXPOSE, CMD and ENTRYPOINT lines
verbatim, copies the plan's outputs with COPY --from to the same paths, adds the plan's ENV lines, and keeps every
later instruction. On a runtime image without a shell, RUNs right after the build that only create users and
groups stay in the build stage (nothing could run them in the runtime stage); the runtime stage then accepts only
numeric USER values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slimguard.core.findings import Applicability, Edit, Fix
from slimguard.dockerfile.analysis.multistage.base import NO_OUTPUT, NoSplit, Plan, path_ok, resolve
from slimguard.dockerfile.edits import insert_after, keyword, newline_of
from slimguard.dockerfile.shell import ChmodOp, ChownOp, UserOp
from slimguard.knowledge.bases import lookup

if TYPE_CHECKING:
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.syntax import Dockerfile, Instruction

ISOLATION = "multistage-split"
_META = frozenset({"ARG", "ENV", "WORKDIR", "USER", "LABEL", "EXPOSE", "VOLUME", "STOPSIGNAL", "HEALTHCHECK",
                   "CMD", "ENTRYPOINT", "SHELL", "ONBUILD", "MAINTAINER"})
_SETUP_COMMANDS = frozenset({"mkdir", "chown", "chmod", "groupadd", "useradd", "addgroup", "adduser", "true", "ln"})
_ACCOUNT_COMMANDS = frozenset({"groupadd", "useradd", "addgroup", "adduser", "true"})
_STAGE_NAMES = ("build", "builder", "build-stage", "slimguard-build")


@dataclass(frozen=True)
class _Runtime:
    """What the runtime image offers the instructions that move into the runtime stage."""

    image: str
    same_base: bool
    has_shell: bool
    users: frozenset[str]  # users and groups, those the runtime stage's RUNs create included
    default_user: str | None = None  # the image's own USER


def split_fix(ctx: "LintContext", stage: "Stage", split: "Step", plan: Plan) -> Fix:
    """The fix splitting *stage* after the RUN *split*, or :class:`NoSplit` when the runtime stage would break."""
    index = next(i for i, s in enumerate(stage.steps) if s is split)
    image = _runtime_image(ctx, stage, plan)
    kept = _account_runs(stage, index, image)
    index += len(kept)
    runtime = _runtime(image, stage.steps[index + 1:])
    _check_users(stage, index, runtime)
    _check_commands(stage, plan, runtime)
    chown = _build_user_chown(split, runtime)
    for out in plan.outputs:
        if not path_ok(out.rstrip("/") or "/"):
            raise NoSplit(NO_OUTPUT)
    tree = ctx.tree
    name = next(n for n in _STAGE_NAMES if n not in {s.name.lower() for s in ctx.model.stages if s.name})
    from_edit, as_part = _name_build_stage(tree, stage.from_instruction, name)
    lines = _runtime_lines(tree, stage, plan, stage.steps[: index + 1], name, chown, as_part)
    # The runtime stage is inserted after the split RUN, and the edit rewrites everything from that RUN to the
    # end of the file (unchanged apart from the insertion): other rules' fixes were planned for the old base
    # image, so the split is applied alone and first (SG001 would otherwise add a groupadd/useradd RUN for
    # golang that cannot run in a distroless stage); they see the runtime stage in the next round.
    insert = insert_after(tree, stage.steps[index].instruction, lines)
    start = split.instruction.start_offset
    text = tree.text
    before = [e for e in plan.build_edits if e.start < start]
    inside = sorted((e for e in plan.build_edits if e.start >= start), key=lambda e: (e.start, e.end))
    if any(e.end > insert.start for e in inside):
        raise NoSplit(NO_OUTPUT)
    head = _apply(text, start, insert.start, inside)
    rest = Edit(start, len(text), head + insert.text + text[insert.start:])
    what = ", ".join(o.rstrip("/") for o in plan.outputs)
    notes = list(plan.notes)
    if kept:
        where = ", ".join(str(s.instruction.start_line) for s in kept)
        chowns = any(c.name in ("chown", "chmod") for s in kept if s.run for c in s.run.script.commands)
        what_runs = "creates accounts and sets the working directory's owner or mode" if chowns else \
            "only creates accounts"
        notes.append(f"leaves the RUN at line {where}, which {what_runs}, in the build stage: {runtime.image} "
                     "has no shell to run it, so the runtime stage lacks what it does, and only a numeric USER "
                     "works there")
    if (stage.user.source == "default" and not runtime.same_base
            and runtime.default_user not in (None, "", "0", "root")):
        notes.append(f"the application runs as user {runtime.default_user}, the default user of "
                     f"{runtime.image}, instead of root")
    extra = "".join(f"; {n}" for n in notes)
    return Fix(
        f"split into a build stage and a runtime stage on {plan.runtime} that copies {what}{extra} (files the "
        "application reads besides the build output, and libraries installed for the build, no longer ship)",
        (from_edit, *before, rest), applicability=Applicability.UNSAFE, isolation=ISOLATION, alone=True,
    )


def _apply(text: str, start: int, end: int, edits: "list[Edit]") -> str:
    """text[start:end] with *edits* (sorted, inside that range) applied."""
    out: list[str] = []
    pos = start
    for e in edits:
        out.append(text[pos:e.start])
        out.append(e.text)
        pos = e.end
    out.append(text[pos:end])
    return "".join(out)


def _runtime_image(ctx: "LintContext", stage: "Stage", plan: Plan) -> _Runtime:
    """The runtime image's shell, users and default user, from the knowledge base."""
    same_base = plan.runtime == stage.base.raw
    if same_base:
        facts = ctx.facts(stage)
        if facts is None:
            raise NoSplit("the runtime image is not known")
        return _Runtime(plan.runtime, True, facts.has_shell is not False,
                        frozenset(set(facts.users) | set(facts.groups)), facts.default_user)
    info = lookup(plan.runtime, None)
    if info is None:
        raise NoSplit(f"{plan.runtime} is not in slimguard's knowledge base")
    return _Runtime(plan.runtime, False, info.has_shell, frozenset(u.name for u in info.users), info.default_user)


def _account_runs(stage: "Stage", index: int, image: _Runtime) -> "list[Step]":
    """On a runtime image without a shell: the RUNs right after the build that only create users and groups,
    and chown or chmod the working directory for them (they stay in the build stage: nothing could run them in
    the runtime stage, and the runtime stage's WORKDIR line creates that directory anyway)."""
    kept: list["Step"] = []
    if image.has_shell:
        return kept
    for step in stage.steps[index + 1:]:
        if step.instruction.name != "RUN" or step.run is None or step.in_onbuild or step.instruction.flags:
            break
        script = step.run.script
        names = [c.name for c in script.commands]
        if not names or any(n not in _ACCOUNT_COMMANDS and n not in ("chown", "chmod") for n in names):
            break
        changed = [p for op in (*script.of_type(ChownOp), *script.of_type(ChmodOp)) for p in op.paths]
        if sum(n in ("chown", "chmod") for n in names) > len(script.of_type(ChownOp) + script.of_type(ChmodOp)):
            break  # a chown/chmod the shell analysis could not read
        if any(not path_ok(p) or resolve(p, step.workdir) != resolve(".", step.workdir) for p in changed):
            break
        kept.append(step)
    return kept


def _runtime(image: _Runtime, after: "list[Step]") -> _Runtime:
    """*image* with the users its RUNs create; every RUN after the split must only set up users and
    directories."""
    users = set(image.users)
    for step in after:
        if step.instruction.name == "RUN":
            _setup_only(step, image.has_shell, image.image)
            assert step.run is not None
            ops = step.run.script.of_type(UserOp)
            users.update(op.name for op in ops if op.name)
            users.update(op.group for op in ops if op.group)
    return _Runtime(image.image, image.same_base, image.has_shell, frozenset(users), image.default_user)


def _setup_only(step: "Step", has_shell: bool, runtime: str) -> None:
    line = step.instruction.start_line
    if not has_shell:
        raise NoSplit(f"the RUN at line {line} after the build needs a shell, and {runtime} has none")
    assert step.run is not None
    for cmd in step.run.script.commands:
        if cmd.name is not None and cmd.name not in _SETUP_COMMANDS:
            raise NoSplit(f"the RUN at line {line} after the build would run in {runtime}")


def _check_users(stage: "Stage", index: int, runtime: _Runtime) -> None:
    """Every USER of the stage, and every --chown after the split, must name a user the runtime stage has."""
    for i, step in enumerate(stage.steps):
        ins = step.instruction
        if ins.name == "USER":
            _user_ok(step.expanded[0] if step.expanded else ins.rest, runtime)
        if i > index and ins.name in ("COPY", "ADD"):
            chown = ins.flag("chown")
            if chown is not None and chown.value:
                _user_ok(chown.value, runtime)


def _user_ok(text: str, runtime: _Runtime) -> None:
    for part in text.split(":", 1):
        part = part.strip()
        if not part or part.isdigit():
            continue
        if "$" in part or part not in runtime.users:
            raise NoSplit(f"user or group {part} would not exist in {runtime.image}")


def _check_commands(stage: "Stage", plan: Plan, runtime: _Runtime) -> None:
    """CMD, ENTRYPOINT and HEALTHCHECK must be able to run in the runtime image."""
    for ins in (stage.cmd, stage.entrypoint):
        if ins is not None and not ins.is_json and not runtime.has_shell:
            raise NoSplit(f"{ins.name} in shell form needs a shell that {runtime.image} does not have")
    hc = stage.healthcheck
    if hc is None or hc.rest.strip().upper() == "NONE" or runtime.same_base:
        return
    if not _healthcheck_runs_output(hc, plan.outputs, stage.workdir):
        if not runtime.has_shell or re.search(r"\b(curl|wget)\b", hc.rest):
            raise NoSplit(f"the HEALTHCHECK needs tools {runtime.image} may not have")


def _healthcheck_runs_output(hc: "Instruction", outputs: list[str], workdir: str) -> bool:
    """HEALTHCHECK CMD ["<build output>", ...] works on any runtime image."""
    m = re.fullmatch(r"\s*(?:--\S+\s+)*CMD\s+(\[.*\])\s*", hc.rest, re.IGNORECASE | re.DOTALL)
    if m is None:
        return False
    try:
        argv = json.loads(m.group(1))
    except ValueError:
        return False
    if not argv or not isinstance(argv[0], str) or "/" not in argv[0]:
        return False
    exe = resolve(argv[0], workdir)
    return any(exe == o or (o.endswith("/") and exe.startswith(o)) for o in outputs)


def _build_user_chown(split: "Step", runtime: _Runtime) -> str:
    """`` --chown=USER`` for the COPY lines when the build runs as a non-root user, else ``""``."""
    build_user = split.user
    if build_user.is_root is None:
        raise NoSplit("the build runs as a user slimguard cannot resolve")
    if build_user.is_root:
        return ""
    _user_ok(build_user.text, runtime)
    return f" --chown={build_user.text}"


def _name_build_stage(tree: "Dockerfile", from_ins: "Instruction", name: str) -> tuple[Edit, str]:
    """(the edit naming the stage *name*, `` AS old`` when the stage had a name the runtime stage takes over)."""
    words = from_ins.words()
    if len(words) >= 3 and words[1].text.lower() == "as":
        old = words[2]
        return Edit(old.span.start.offset, old.span.end.offset, name), f" {words[1].text} {old.text}"
    if len(words) == 1:
        end = words[0].span.end.offset
        return Edit(end, end, f" {keyword(tree, 'AS')} {name}"), ""
    raise NoSplit("the FROM line could not be read")


def _runtime_lines(tree: "Dockerfile", stage: "Stage", plan: Plan, before: "list[Step]", name: str, chown: str,
                   as_part: str) -> list[str]:
    """The lines of the runtime stage up to its COPY --from lines, after a blank line."""
    from_ins = stage.from_instruction
    flags = " ".join(tree.text[f.span.start.offset:f.span.end.offset] for f in from_ins.flags)
    nl = newline_of(tree)
    lines = ["", f"{keyword(tree, 'FROM')} {flags + ' ' if flags else ''}{plan.runtime}{as_part}"]
    for step in before:
        ins = step.instruction
        if ins.name in _META:
            lines.append(tree.text[ins.start_offset:ins.end_offset].rstrip("\r\n").replace("\r\n", nl))
    copy_kw = keyword(tree, "COPY")
    for out in plan.outputs:
        src = out.rstrip("/") if out != "/" else out
        lines.append(f"{copy_kw} --from={name}{chown} {src} {src}")
    env_kw = keyword(tree, "ENV")
    for key, value in plan.env:
        lines.append(f"{env_kw} {key}={value}")
    return lines

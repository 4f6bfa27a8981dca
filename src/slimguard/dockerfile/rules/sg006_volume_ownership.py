"""SG006: a VOLUME or working directory the non-root user must write to is owned by root."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.dockerfile.edits import insert_before, keyword
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.analysis.accounts import chain_accounts, resolve_ids
from slimguard.dockerfile.analysis.ownership import Event, Identity, OwnershipTimeline, identity, norm, writable
from slimguard.dockerfile.shell import Build, PackageOp

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.syntax import Instruction


def describe(ev: Event) -> str:
    """How an ownership event reads in a message."""
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
        who = identity(ctx.resolver, target, user)
        accounts = chain_accounts(ctx.resolver, target)
        flagged: list[tuple["Instruction", str, str, "Instruction | None"]] = []  # (ins, path, message, user ins)
        steps = [s for s in target.all_steps() if not s.in_onbuild]
        timeline = OwnershipTimeline(target, accounts)
        full = timeline.full
        for step in steps:
            ins = step.instruction
            if ins.name == "VOLUME":
                own = timeline.before(ins)
                for v in step.expanded:
                    p = norm(v, step.workdir)
                    if p is None or p == "/":
                        continue
                    ok, ev = writable(own, p, who)
                    if ok is True or (ok is None and ev is not None):
                        continue
                    if ok is None:
                        if accounts is None or who.name is None and who.uid is None or own.unresolved:
                            continue  # unknown user, or a mkdir/chown of a path that cannot be known
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
                own = timeline.before(ins)
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
        _, gid, _ = resolve_ids(ctx.resolver, stage, stage.user.text, stage.user.instruction)
        spec = f"{who.uid}:{gid}" if gid is not None else str(who.uid)
        paths: list[str] = []
        for _ins, p, *_rest in flagged:
            if p not in paths:
                paths.append(p)
        quoted = " ".join(shlex.quote(p) for p in paths)
        line = f"{keyword(ctx.tree, 'RUN')} mkdir -p {quoted} && chown {spec} {quoted}"
        return Fix(f"create {', '.join(paths)} owned by {spec}", (insert_before(ctx.tree, at, [line]),), applicability=Applicability.SAFE)


RULE = VolumeOwnership

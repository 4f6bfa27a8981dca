"""SG004: a RUN that needs root runs as a non-root user, so the build fails."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.dockerfile.model.users import UserRef
from slimguard.dockerfile.edits import insert_after, insert_before, keyword
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.analysis.accounts import SYSTEM_MANAGERS, chain_accounts
from slimguard.dockerfile.analysis.ownership import (Identity, Ownership, OwnershipTimeline, is_open, is_system, norm,
                                                     writable)

if TYPE_CHECKING:
    from slimguard.dockerfile.syntax import Instruction
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.shell import Operation

# commands that run their argument with other privileges: whatever they run is not ours to judge
_ELEVATING = frozenset({"sudo", "doas", "su", "su-exec", "gosu", "runuser", "setpriv", "chpst", "fakeroot",
                        "fakechroot", "pkexec", "setuidgid"})
_NPM_PREFIX_VARS = ("NPM_CONFIG_PREFIX", "npm_config_prefix")
_GLOBAL_MODULES = "/usr/local/lib/node_modules"


def _elevated(op: "Operation") -> bool:
    return any(w.rsplit("/", 1)[-1] in _ELEVATING for w in op.command.wrappers)


class _Checker:
    """Decides, per RUN, which operations need root."""

    def __init__(self, ctx: LintContext, stage: "Stage") -> None:
        self.stage = stage
        self.accounts = chain_accounts(ctx.resolver, stage)
        self._timeline: OwnershipTimeline | None = None  # built on the first question, then shared

    def ownership_before(self, ins: "Instruction") -> Ownership:
        if self._timeline is None:
            self._timeline = OwnershipTimeline(self.stage, self.accounts)
        return self._timeline.before(ins)

    def problems(self, step: "Step", user: UserRef) -> list[tuple["Operation", str]]:
        from slimguard.dockerfile.shell import ChmodOp, ChownOp, FileWrite, PackageOp, UserOp

        assert step.run is not None
        out: list[tuple[Operation, str]] = []
        own: Ownership | None = None
        if user.uid is not None:
            who = Identity(None, user.uid, self.accounts)
        else:
            who = Identity(user.user, self._uid(user.user), self.accounts)

        def ownership() -> Ownership:
            nonlocal own
            if own is None:
                own = self.ownership_before(step.instruction)
            return own

        def blocked(directory: str) -> bool:
            """True when *directory* is root's (a system directory nobody handed over)."""
            if is_open(directory):
                return False
            ok, ev = writable(ownership(), directory, who)
            if ok is not None or ev is not None:
                return ok is False
            return is_system(directory)

        for op in step.run.script.operations:
            if _elevated(op):
                continue
            if isinstance(op, PackageOp):
                if op.manager in SYSTEM_MANAGERS and op.action in ("install", "remove", "update", "upgrade"):
                    verb = next((a for a in op.command.arg_texts() if not a.startswith("-")), op.action)
                    out.append((op, f"`{op.tool} {verb}` needs root (it writes the package database)"))
                elif op.manager in ("npm", "yarn", "pnpm") and op.action in ("install", "remove") and (
                        op.has_flag("-g", "--global") or op.command.arg_texts()[:1] == ["global"]):
                    if any(v in step.env for v in _NPM_PREFIX_VARS):
                        continue
                    if blocked(_GLOBAL_MODULES):
                        out.append((op, f"`{op.tool} {op.action} -g` writes to {_GLOBAL_MODULES}, which "
                                        "belongs to root"))
                elif op.manager == "pip" and op.tool.startswith("uv") and op.has_flag("--system"):
                    out.append((op, "`uv pip install --system` writes to the system site-packages, which "
                                    "belong to root"))
            elif isinstance(op, UserOp):
                if op.tool == "passwd-file":
                    continue  # reported as a write to /etc/passwd or /etc/group
                out.append((op, f"`{op.tool}` needs root (it edits /etc/passwd, /etc/group and /etc/shadow)"))
            elif isinstance(op, FileWrite):
                p = norm(op.path, step.workdir)
                if p is None or p == "/" or is_open(p):
                    continue
                if op.via in ("mkdir", "install") and ownership().exists(p):
                    continue  # mkdir -p of a directory that is already there
                target = p
                owner_ev = ownership().last(p, "owner")
                if op.via in ("mkdir", "install", "cp", "mv", "ln", "tar", "unzip", "git", "curl", "wget") \
                        or owner_ev is None:
                    # into a directory the Dockerfile made (`git clone URL .` in the WORKDIR): that directory
                    target = p if op.via in ("cp", "tar", "unzip", "git") and ownership().exists(p) \
                        and owner_ev is not None else posixpath.dirname(p)
                if blocked(target):
                    out.append((op, f"writes {p}, but {target} belongs to root (Permission denied)"))
            elif isinstance(op, (ChownOp, ChmodOp)):
                tool = "chown" if isinstance(op, ChownOp) else "chmod"
                for raw in op.paths:
                    p = norm(raw, step.workdir)
                    if p is None or is_open(p):
                        continue
                    ok, ev = writable(ownership(), p, who)
                    if ok is False or (ok is None and ev is None and is_system(p)):
                        out.append((op, f"`{tool}` of {p}, which belongs to root: only root (or the owner) "
                                        "may change it (Operation not permitted)"))
                        break
        return out

    def _uid(self, name: str) -> int | None:
        if self.accounts is None or name not in self.accounts.users:
            return None
        return self.accounts.users[name].uid


def _restore_text(step: "Step") -> str | None:
    """What to put after USER to switch back to the user *step* runs as."""
    user = step.user
    if user.unresolved or not user.text:
        return None
    if user.source == "instruction" and user.instruction is not None and \
            any(s.instruction is user.instruction for s in step.stage.steps):
        return user.instruction.rest
    return user.text


class InstallAsNonroot(Rule):
    id = "SG004"
    title = "Step that needs root runs as a non-root user"
    severity = Severity.ERROR
    concern = "install-as-nonroot"
    fixable = "safe"
    docs = RuleDocs(
        what=(
            "Finds RUN steps that execute while the effective user is not root (after a non-root USER, in "
            "a stage built FROM such a stage, or on a base image that itself runs as non-root, such as "
            "Bitnami or distroless :nonroot) and do something only root may: install, remove or update "
            "packages with apt, dpkg, apk, dnf/yum/microdnf or zypper; create or change users and groups; "
            "write into root's directories (/etc, /usr, /var, /opt, /root, a new top-level directory); "
            "chown or chmod root's files; `npm install -g`. User-level installs are not flagged: `npm ci` "
            "in the user's own directory, `pip install` (pip falls back to a user install, or writes to the "
            "user's virtualenv), gem and go installs. "
            "ONBUILD RUN triggers are checked against the user the image ends with. Commands run through "
            "sudo, gosu or su-exec are left alone."
        ),
        why=(
            "The step fails and with it the build: `E: Could not open lock file /var/lib/dpkg/lock-frontend "
            "- open (13: Permission denied) ... are you root?`, `useradd: Permission denied`, `touch: cannot "
            "touch '/etc/x': Permission denied`. It usually happens when a package is added late in a "
            "Dockerfile that already switched users, or to an image whose base sets USER."
        ),
        example=(
            "FROM debian:bookworm-slim\nRUN useradd --uid 10001 app\nUSER 10001\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
        ),
        instead=(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n"
            "RUN useradd --uid 10001 app\nUSER 10001\n"
            "\n# On a base image that sets USER itself (the fix does the same):\n"
            "# USER root\n# RUN apt-get update && apt-get install -y --no-install-recommends curl\n# USER 1001\n"
        ),
        fix_safety=(
            "Safe. Puts `USER root` before the step and switches back to the previous user after it "
            "(`USER` with the same text as before), so everything else keeps running as the non-root user. "
            "Consecutive failing steps are wrapped together; the switch back is left out when the next "
            "instruction is a USER line anyway. Files the step creates belong to root, which is what the "
            "step would have needed to succeed at all. ONBUILD triggers are reported without a fix."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            checker: _Checker | None = None
            found: list[tuple[int, "Step", list]] = []
            onbuild_user: UserRef | None = stage.user
            for i, step in enumerate(stage.steps):
                ins = step.instruction
                if step.in_onbuild:
                    trig = ins.trigger
                    if trig is not None and trig.name == "USER":
                        text = trig.rest.strip()
                        onbuild_user = None if "$" in text else UserRef(text, "instruction", ins)
                        continue
                    user = onbuild_user
                else:
                    user = step.user
                if step.run is None or user is None or user.is_root is not False or user.unresolved:
                    continue
                if checker is None:
                    checker = _Checker(ctx, stage)
                problems = checker.problems(step, user)
                if problems:
                    found.append((i, step, problems))
            if not found:
                continue
            blocks = self._blocks(found)
            for i, step, problems in found:
                op, why = problems[0]
                more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                assert step.run is not None
                span = step.run.span_of(op.command.start, op.command.end)
                if step.in_onbuild:
                    msg = (f"ONBUILD trigger runs as {user_label(onbuild_user_for(stage, step))} in every image "
                           f"built FROM this one: {why}{more}, so those builds fail; add ONBUILD USER root "
                           "before it, or do the step here as root")
                    yield ctx.finding(self, span, msg, aliases=())
                    continue
                fix = self._fix(ctx, stage, blocks[i])
                msg = (f"RUN as non-root user {user_label(step.user)}: {why}{more}; the build fails here. "
                       f"Switch to USER root for this step and back to USER {_restore_text(step) or step.user.text} "
                       "after it")
                yield ctx.finding(self, span, msg, fix=fix, aliases=())

    @staticmethod
    def _blocks(found) -> dict[int, tuple["Step", "Step", "Step | None"]]:
        """Consecutive failing steps (same user) grouped: index -> (first, last, step after last)."""
        out: dict[int, tuple] = {}
        group: list[tuple[int, "Step"]] = []
        plain = [(i, s) for i, s, _ in found if not s.in_onbuild]

        def flush() -> None:
            if not group:
                return
            first, last = group[0][1], group[-1][1]
            stage_steps = last.stage.steps
            nxt = stage_steps[group[-1][0] + 1] if group[-1][0] + 1 < len(stage_steps) else None
            for j, _ in group:
                out[j] = (first, last, nxt)

        for i, s in plain:
            if group and (group[-1][0] + 1 != i or group[-1][1].user.text != s.user.text):
                flush()
                group = []
            group.append((i, s))
        flush()
        return out

    def _fix(self, ctx: LintContext, stage: "Stage", block) -> Fix | None:
        first, last, nxt = block
        restore = _restore_text(last)
        if restore is None:
            return None
        tree = ctx.tree
        user_kw = keyword(tree, "USER")
        edits = [insert_before(tree, first.instruction, [f"{user_kw} root"])]
        if nxt is None or nxt.instruction.name != "USER":
            edits.append(insert_after(tree, last.instruction, [f"{user_kw} {restore}"]))
        return Fix(f"run as root, then USER {restore} again", tuple(edits), applicability=Applicability.SAFE)


def user_label(user: UserRef | None) -> str:
    if user is None:
        return "an unknown user"
    if user.source == "base":
        return f"{user.text} (set by the base image)"
    if user.source == "stage":
        return f"{user.text} (inherited from the parent stage)"
    return user.text


def onbuild_user_for(stage: "Stage", step: "Step") -> UserRef | None:
    current: UserRef | None = stage.user
    for s in stage.steps:
        if s is step:
            return current
        trig = s.instruction.trigger if s.in_onbuild else None
        if trig is not None and trig.name == "USER":
            text = trig.rest.strip()
            current = None if "$" in text else UserRef(text, "instruction", s.instruction)
    return current


RULE = InstallAsNonroot

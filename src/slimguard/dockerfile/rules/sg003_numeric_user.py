"""SG003: the runtime user is a name, which Kubernetes runAsNonRoot cannot verify."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.dockerfile.edits import insert_after, keyword
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.analysis.accounts import resolve_ids

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Stage
    from slimguard.dockerfile.syntax import Instruction

_DIGITS = frozenset("0123456789")


def hadolint_flags(raw: str, args: set[str]) -> bool:
    """Whether hadolint 2.15's DL3066 reports ``USER raw`` given the ARG names declared before it.

    DL3066 looks at the text before the first ``:``; all ASCII digits (or nothing) passes, and so
    does any USER text that mentions a declared ARG as ``$NAME`` or ``${NAME}``.
    """
    uid = raw.split(":", 1)[0] if ":" in raw else raw
    if all(c in _DIGITS for c in uid):
        return False
    return not any(f"${{{a}}}" in raw or f"${a}" in raw for a in args)


def _arg_names(ins: "Instruction") -> list[str]:
    return [w.split("=", 1)[0] for w in ins.buildkit_value() if w]


_WINDOWS_BASES = ("mcr.microsoft.com/windows", "mcr.microsoft.com/powershell:nanoserver",
                  "mcr.microsoft.com/dotnet/framework")
_WINDOWS_TAGS = ("nanoserver", "windowsservercore", "servercore", "ltsc20")


def _windows(stage: "Stage", user: str) -> bool:
    """A Windows image: a Windows user name or a Windows base (nanoserver, servercore, ltsc tags)."""
    if user.lower() in ("containeruser", "containeradministrator"):
        return True
    ref = stage.root_base.text.lower()
    return ref.startswith(_WINDOWS_BASES) or any(t in ref for t in _WINDOWS_TAGS)


class NumericUser(Rule):
    id = "SG003"
    title = "Runtime USER is a name, not a numeric uid"
    severity = Severity.INFO
    concern = "numeric-user"
    fixable = "safe"
    aliases = ("DL3066",)
    docs = RuleDocs(
        what=(
            "Finds target stages whose runtime user (the last USER, possibly inherited from the stage they "
            "are built FROM, or set by the base image) is a name such as `app` or `node` instead of a "
            "numeric uid. Only the part before the colon counts: `USER 10001:app` is fine. `USER root` is "
            "left to SG001. With --hadolint-compat every USER instruction of every stage is checked the "
            "way hadolint's DL3066 does (including `USER root`; a USER that mentions a declared ARG passes)."
        ),
        why=(
            "The kubelet enforces `runAsNonRoot: true` by reading the image's user. It cannot look a name "
            "up in the image's /etc/passwd, so it refuses to start the pod: `container has runAsNonRoot "
            "and image has non-numeric user (app), cannot verify user is non-root` "
            "(CreateContainerConfigError), unless every manifest also sets runAsUser. A numeric USER "
            "passes the check as it is, and it does not depend on /etc/passwd at run time."
        ),
        example=(
            "FROM debian:bookworm-slim\n"
            "RUN groupadd --gid 10001 app && useradd --uid 10001 --gid app --no-create-home app\n"
            "USER app\n"
        ),
        instead=(
            "FROM debian:bookworm-slim\n"
            "RUN groupadd --gid 10001 app && useradd --uid 10001 --gid app --no-create-home app\n"
            "USER 10001:10001\n"
        ),
        fix_safety=(
            "Safe. The USER value is rewritten to `uid:gid` only when both ids are known: from the "
            "useradd/adduser/groupadd (or /etc/passwd line) in the stage's FROM chain that gives them "
            "explicitly, or from what the base image ships (node is 1000:1000, distroless nonroot "
            "65532:65532). The process keeps the same uid and primary gid. When the user is a member of "
            "extra groups, the fix writes only the uid, because an explicit group would make Docker drop "
            "those supplementary groups. USER values built from variables are not rewritten. When the "
            "name comes from the base image, `USER uid:gid` is added at the end of the stage."
        ),
    )

    def _runtime_finding(self, ctx: LintContext, stage: "Stage", dl3066: set[int]) -> Finding | None:
        user = stage.user
        if user.is_root is not False or user.unresolved or not user.user or user.spec.numeric_user:
            return None
        if _windows(stage, user.user):
            return None  # Windows containers (ContainerUser) have no uids; runAsNonRoot does not apply
        k8s = (f"Kubernetes runAsNonRoot cannot verify it (\"container has runAsNonRoot and image has "
               f"non-numeric user ({user.user}), cannot verify user is non-root\")")
        if user.source in ("instruction", "stage") and user.instruction is not None:
            ins = user.instruction
            uid, gid, acc = resolve_ids(ctx.resolver, stage, user.text, ins)
            extra = bool(acc and user.group is None and user.user in acc.users and acc.users[user.user].extra_groups)
            fix = None
            suggestion = "use the numeric uid:gid"
            if uid is not None:
                # without a known gid the uid alone: Docker takes the primary group from /etc/passwd
                value = str(uid) if extra or gid is None else f"{uid}:{gid}"
                suggestion = f"use USER {value}"
                if extra:
                    suggestion += f" (without a group, so {user.user}'s supplementary groups stay)"
                if "$" not in ins.rest:
                    span = ins.rest_span
                    fix = Fix(f"USER {value}", (Edit(span.start.offset, span.end.offset, value),), applicability=Applicability.SAFE)
            where = "" if user.source == "instruction" else f" (inherited from stage {stage.parent.label if stage.parent else '?'})"
            return ctx.at(
                self, ins,
                f"the container runs as user name {user.user!r}{where}: {k8s}; {suggestion}",
                fix=fix,
                aliases=self.aliases if ins.start_offset in dl3066 else (),
            )
        if user.source == "base":
            root_stage = stage.chain()[-1]
            uid, gid, _ = resolve_ids(ctx.resolver, stage, user.text, None)
            fix = None
            if uid is not None and gid is not None:
                last = stage.steps[-1].instruction if stage.steps else stage.from_instruction
                value = f"{uid}:{gid}"
                fix = Fix(f"add USER {value}", (insert_after(ctx.tree, last, [f"{keyword(ctx.tree, 'USER')} {value}"]),),
                          applicability=Applicability.SAFE)
            return ctx.at(
                self, root_stage.from_instruction,
                f"{root_stage.base.text} runs as user name {user.user!r}: {k8s}; add "
                + (f"USER {uid}:{gid}" if fix else "a numeric USER uid:gid"),
                fix=fix, aliases=(),
            )
        return None

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        # what hadolint's DL3066 reports: every top-level USER (ONBUILD USER is not checked)
        dl3066: dict[int, "Instruction"] = {}
        args: set[str] = set()
        for ins in ctx.tree.instructions:
            if ins.name == "ARG":
                args.update(_arg_names(ins))
            elif ins.name == "USER" and hadolint_flags(ins.rest, args):
                dl3066[ins.start_offset] = ins
        target = ctx.target
        runtime = self._runtime_finding(ctx, target, set(dl3066)) if target is not None else None
        runtime_ins = target.user.instruction if runtime is not None and target is not None else None
        if runtime is not None:
            yield runtime
        if not ctx.options.hadolint_compat:
            return
        for offset, ins in dl3066.items():
            if runtime_ins is not None and runtime_ins.start_offset == offset and runtime.aliases:
                continue
            yield ctx.at(
                self, ins,
                f"USER {ins.rest} is not a numeric uid: the user cannot be checked without the image's "
                "/etc/passwd (Kubernetes runAsNonRoot refuses non-numeric users)",
                aliases=self.aliases,
            )


RULE = NumericUser

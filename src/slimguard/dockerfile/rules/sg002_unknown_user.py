"""SG002: USER names a user or group that does not exist in the image."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from slimguard.analysis.users import UserSpec
from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.accounts import chain_accounts, created_elsewhere
from slimguard.dockerfile.analysis.nonroot import account_fix
from slimguard.dockerfile.context import LintContext

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Step


def _user_text(step: "Step") -> tuple[str, bool]:
    """The value a USER step sets, and whether it is known."""
    text = step.expanded[0] if step.expanded else step.instruction.rest
    return text.strip(), not step.unresolved


class UnknownUser(Rule):
    id = "SG002"
    title = "USER names a user or group the image does not have"
    severity = Severity.ERROR
    concern = "unknown-user"
    fixable = "safe"
    docs = RuleDocs(
        what=(
            "Finds USER instructions whose user or group is given by name and does not exist at that point: "
            "no useradd, adduser, groupadd or addgroup (and no line written to /etc/passwd or /etc/group) "
            "earlier in the stage's FROM chain creates it, and the base image does not ship it (Debian's "
            "www-data and nobody, node's node, distroless's nonroot, ...). Only USER lines that matter are "
            "checked: the one the target stage runs as, and any that a later RUN runs as. A user created "
            "in a different stage does not count: each stage has its own /etc/passwd. Numeric ids, unknown "
            "base images and stages that copy /etc/passwd in are not flagged."
        ),
        why=(
            "Docker resolves a USER name in the container's own /etc/passwd when the container (or a "
            "RUN step) starts. If the name is missing, the container cannot start at all: "
            "`unable to find user app: no matching entries in passwd file` (or `unable to find group "
            "... in group file`). The image builds fine when no RUN follows the USER line, so the mistake "
            "only shows when the image is deployed. scratch has no users at all; distroless ships only "
            "root, nobody and nonroot."
        ),
        example="FROM debian:bookworm-slim\nCOPY app /usr/local/bin/app\nUSER appuser\nCMD [\"app\"]\n",
        instead=(
            "FROM debian:bookworm-slim\nCOPY app /usr/local/bin/app\n"
            "RUN groupadd --system --gid 10001 appuser && \\\n"
            "    useradd --system --uid 10001 --gid 10001 --no-create-home appuser\n"
            "USER 10001:10001\nCMD [\"app\"]\n"
        ),
        fix_safety=(
            "Safe: the container cannot start as it is, and the fix only creates the account the USER line "
            "names, just before it, the base's own way (groupadd/useradd on Debian, Ubuntu and RHEL, "
            "addgroup -S/adduser -S on Alpine and BusyBox) as a system user with free fixed ids (from "
            "--uid/--gid, 10001 by default) and a home directory /home/<name>; a missing group is created "
            "alone. The USER line is left as it is. No fix when the base is unknown or has no shell, or "
            "when the step before USER does not run as root. If the name is a typo for an account that "
            "exists, correct the USER line instead."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        target = ctx.target
        if target is None:
            return
        needed = ctx.model.needed_stages(target)
        for stage in needed:
            built_from: list | None = None  # the needed stages built on this one: only for stages with a USER
            for step in stage.steps:
                ins = step.instruction
                if ins.name != "USER" or step.in_onbuild:
                    continue
                text, known = _user_text(step)
                if not known or not text:
                    continue
                spec = UserSpec.parse(text)
                if spec.is_numeric:
                    continue
                user, group = spec.user, spec.group
                runtime = target.user.instruction is ins
                run_line = None
                if built_from is None:
                    built_from = [s for s in needed if any(c is stage for c in s.chain())]
                for s in built_from:
                    for later in s.steps:
                        if later.instruction.name == "RUN" and later.user.instruction is ins:
                            run_line = later.instruction.start_line
                            break
                    if run_line is not None:
                        break
                if not runtime and run_line is None:
                    continue
                acc = chain_accounts(ctx.resolver, stage, ins)
                if acc is None or acc.opaque:
                    continue
                problems: list[str] = []
                errors: list[str] = []
                base = acc.base_label or "the base image"
                missing_user = missing_group = None
                if user and not spec.numeric_user and user not in acc.users and not acc.package_may_create(user):
                    where = created_elsewhere(ctx.model, stage, user, "user")
                    hint = (f" (stage {where} creates it, but that is a different image)" if where else "")
                    problems.append(f"user {user!r} is never created in stage {stage.label}'s FROM chain and "
                                    f"{base} does not ship it{hint}")
                    errors.append(f"unable to find user {user}: no matching entries in passwd file")
                    missing_user = user
                if group and not spec.numeric_group and group not in acc.groups:
                    where = created_elsewhere(ctx.model, stage, group, "group")
                    hint = (f" (stage {where} creates it, but that is a different image)" if where else "")
                    problems.append(f"group {group!r} is never created in stage {stage.label}'s FROM chain and "
                                    f"{base} does not ship it{hint}")
                    errors.append(f"unable to find group {group}: no matching entries in group file")
                    missing_group = group
                if not problems:
                    continue
                if run_line is not None:
                    effect = f"the RUN on line {run_line} cannot start its build container, so the build fails"
                else:
                    effect = "the image builds, but its container cannot start"
                yield ctx.at(
                    self, ins,
                    f"USER {ins.rest}: " + "; ".join(problems) + f": {effect} (\"{errors[0]}\"); create it "
                    "earlier in this stage or use a numeric uid:gid",
                    fix=account_fix(ctx, stage, ins, missing_user, group if group and not spec.numeric_group
                                    else None) if missing_user or missing_group else None,
                    aliases=(),
                )


RULE = UnknownUser

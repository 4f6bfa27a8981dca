"""SG001: the image runs as root."""

from __future__ import annotations

from typing import Iterator

from slimguard.analysis.users import UserSpec
from slimguard.core.findings import Finding, Severity
from slimguard.dockerfile.analysis.nonroot import base_info, sets_own_command, user_fix
from slimguard.dockerfile.analysis.purpose import purpose
from slimguard.core.findings import Applicability, Fix
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext


def _literal_root(text: str) -> bool:
    """Whether USER *text* spells root the way hadolint's DL3002 looks for it (``root`` or ``0``)."""
    return UserSpec.parse(text).user in ("root", "0")


class RootUser(Rule):
    id = "SG001"
    title = "Container runs as root"
    severity = Severity.WARNING
    concern = "root-user"
    peers = ("DS002", "DS-0002", "AVD-DS-0002", "CKV_DOCKER_3", "CKV_DOCKER_8")
    fixable = "safe"
    aliases = ("DL3002",)
    docs = RuleDocs(
        what=(
            "Finds target stages whose process runs as uid 0: no USER anywhere in the stage's FROM chain "
            "while the base image runs as root, a last USER of root, 0, 0:0, root:group or an ARG that "
            "resolves to one of those, or a stage that inherits root from the stage it is built FROM. "
            "Builder stages do not ship and are not checked; bases that already run as non-root "
            "(distroless :nonroot, Chainguard, nginx-unprivileged, Bitnami) are not flagged."
        ),
        why=(
            "Docker runs containers as uid 0 unless told otherwise, and without user namespaces that uid 0 "
            "is root on the host: a process that breaks out, or a bind-mounted host directory, is fully "
            "exposed. Most official images (node, openjdk, python, debian) do not set a USER."
        ),
        example="FROM openjdk:8-jre\nCOPY app.jar /app.jar\nCMD [\"java\", \"-jar\", \"/app.jar\"]\n",
        instead=(
            "FROM openjdk:8-jre\nCOPY app.jar /app.jar\n"
            "RUN groupadd --system --gid 10001 app && \\\n"
            "    useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent "
            "--shell /usr/sbin/nologin app\nUSER 10001:10001\nCMD [\"java\", \"-jar\", \"/app.jar\"]\n"
        ),
        fix_safety=(
            "Safe when it keeps the app working, else unsafe or advice only. The user: one the Dockerfile "
            "already creates, else a non-root user the base ships (node's uid 1000, distroless nonroot "
            "65532), else a new system user with free fixed ids and a home directory (/home/app, so pip, "
            "npm and XDG caches under $HOME work), created the base's own way (groupadd/useradd on Debian, "
            "Ubuntu and RHEL, addgroup -S/adduser -S on Alpine and BusyBox, shadow-utils first on "
            "ubi-minimal, a numeric uid:gid where there is no shell). USER uid:gid goes after the last "
            "instruction that needs root. Ownership: directories the Dockerfile creates as root for the app "
            "(WORKDIRs and mkdir targets outside the system tree) are chowned to that user, not recursively, "
            "and COPY/ADD lines from the build context into its WORKDIR get --chown, so an app that writes its "
            "data or rewrites its config keeps working; build output copied --from another stage and files "
            "RUN steps generate stay root's (readable, not writable); VOLUME paths are SG006's. Unsafe when the stage EXPOSEs a port below 1024, because a non-root "
            "process cannot bind it where low ports are privileged (Kubernetes; see SG005). Advice only "
            "(display-only) when the base's server must start as root (nginx, httpd, php's apache tags) or "
            "its entrypoint steps down to its own user itself (postgres, redis, mysql, ...), and when the "
            "app lives under /root; for nginx the unsafe fix moves FROM to nginxinc/nginx-unprivileged "
            "(uid 101, port 8080, EXPOSE 80 renumbered) when the Dockerfile has no RUN and changes nothing "
            "under /etc/nginx. No fix when the base image is unknown."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for stage in ctx.runtime_stages():
            user = stage.user
            is_target = stage is ctx.target
            if user.source == "instruction" and user.instruction is not None:
                if user.is_root:
                    literal = _literal_root(user.instruction.rest)
                    yield ctx.at(
                        self, user.instruction,
                        f"USER {user.instruction.rest} makes the container run as root"
                        + (f" ({user.text})" if user.text != user.instruction.rest else "")
                        + "; switch to a non-root user after the last step that needs root",
                        fix=user_fix(ctx, stage) if is_target else None,
                        aliases=self.aliases if literal else (),
                    )
                continue
            if user.source == "stage":
                if user.is_root and user.instruction is not None:
                    parent = stage.parent.label if stage.parent else "?"
                    yield ctx.at(
                        self, stage.from_instruction,
                        f"stage {stage.label} inherits USER {user.instruction.rest} from stage {parent} "
                        f"(line {user.instruction.start_line}) and runs as root",
                        fix=user_fix(ctx, stage) if is_target else None,
                        aliases=self.aliases if _literal_root(user.instruction.rest) else (),
                    )
                continue
            if not is_target or ctx.options.hadolint_compat and not is_target:
                continue
            base = stage.root_base
            if user.source == "base":
                continue  # the base image sets a non-root user
            if user.source == "default":
                info = base_info(stage)
                if info is not None and info.entrypoint_drops_privileges and not sets_own_command(stage):
                    yield ctx.at(
                        self, stage.from_instruction,
                        f"no USER in stage {stage.label}: the container starts as root, and {base.text}'s "
                        "entrypoint switches to the image's own user after preparing its data directories; "
                        "that is intended, but the start-up script runs as root",
                        fix=user_fix(ctx, stage), aliases=(), severity=Severity.INFO,
                    )
                    continue
                purpose_ = purpose(ctx.path, stage)
                if purpose_.kind != "app":
                    yield ctx.at(
                        self, stage.from_instruction,
                        f"no USER in stage {stage.label}: the container starts as root; {purpose_.reason}",
                        fix=Fix(f"no USER edit: {purpose_.reason}", (), applicability=Applicability.DISPLAY_ONLY),
                        aliases=(), severity=Severity.INFO,
                    )
                    continue
                why = "scratch has no USER" if base.is_scratch else f"{base.text} runs as root"
                if info is not None and info.needs_root:
                    yield ctx.at(
                        self, stage.from_instruction,
                        f"no USER in stage {stage.label}: the container runs as root ({why}: {info.needs_root}); "
                        "a USER line alone makes it fail at start-up, so run a non-root build of the server "
                        "or reconfigure its port and pid/temp paths first",
                        fix=user_fix(ctx, stage), aliases=(),
                        # the server's master starts as root by design and drops its workers: information
                        severity=Severity.INFO,
                    )
                    continue
                yield ctx.at(
                    self, stage.from_instruction,
                    f"no USER in stage {stage.label}: the container runs as root ({why}); "
                    "add a non-root user and USER uid:gid",
                    fix=user_fix(ctx, stage), aliases=(),
                )
            elif user.source == "unknown":
                yield ctx.at(
                    self, stage.from_instruction,
                    f"no USER in stage {stage.label}: the container runs as root unless {base.text or 'the base'} "
                    "sets a non-root USER itself (the base image is not known to slimguard and not in the "
                    "local engine)",
                    aliases=(), severity=Severity.INFO,
                )


RULE = RootUser

"""SG007: sudo in RUN, and privilege tools (sudo, doas, gosu, su-exec) shipped in the image."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.dockerfile.shell import Download, PackageOp, PrivilegeTool
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Step
    from slimguard.dockerfile.shell import ShellScript, SimpleCommand
    from slimguard.dockerfile.syntax import Instruction, Span

# package name -> the tool it installs; only system package managers
_TOOL_PACKAGES = {
    "sudo": "sudo",
    "sudo-ldap": "sudo",
    "sudo-rs": "sudo",
    "doas": "doas",
    "opendoas": "doas",
    "gosu": "gosu",
    "su-exec": "su-exec",
}
_SETUID_TOOLS = frozenset({"sudo", "doas"})  # installed setuid root: a real way back to uid 0
_STEP_DOWN_TOOLS = frozenset({"gosu", "su-exec"})  # not setuid: only useful to a process that is root
_SYSTEM_MANAGERS = frozenset({"apt", "apk", "dnf", "zypper"})
_VERSION_SUFFIX = re.compile(r"-\d.*$")  # dnf/yum name-version (sudo-1.9.5p2)


def _package_name(manager: str, spec: str) -> str:
    name = spec.strip().lower()
    for sep in ("=", "~", ">", "<", ":"):
        name = name.split(sep, 1)[0]
    if manager in ("dnf", "zypper"):
        name = _VERSION_SUFFIX.sub("", name)
        for arch in (".x86_64", ".aarch64", ".noarch", ".i686"):
            if name.endswith(arch):
                name = name[: -len(arch)]
    return name


def _basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


class PrivilegeTools(Rule):
    id = "SG007"
    title = "sudo or another privilege tool in the image"
    severity = Severity.ERROR
    concern = "privilege-escalation"
    peers = ("DS010", "DS-0010", "AVD-DS-0010", "CKV2_DOCKER_1")
    fixable = "none"
    aliases = ("DL3004",)
    docs = RuleDocs(
        what=(
            "Two checks. (1) `sudo` used in a RUN or ONBUILD RUN command of any stage (error, hadolint "
            "DL3004), including `sudo` behind wrappers such as `env` or `nice`. (2) sudo, doas, gosu or "
            "su-exec installed with apt-get/apt, apk, dnf/yum/microdnf or zypper, downloaded with curl or "
            "wget, or copied in, in the stage that ships (its FROM chain and its ONBUILD triggers "
            "included), unless a later step removes the package again. sudo and doas are reported as "
            "warnings, gosu and su-exec as info. Installing sudo without running it is not a DL3004 "
            "violation and carries no hadolint alias."
        ),
        why=(
            "RUN already executes as the stage's USER: if that is root, sudo adds nothing; if it is not, "
            "sudo only works with a passwordless sudoers entry, which then ships and lets anyone who gets "
            "a shell in the container become root (without a TTY, sudo may also hang or fail). Switch "
            "users with USER instead. sudo and doas are installed setuid root: even without a sudoers "
            "entry they are an attack surface (for example CVE-2021-3156 in sudo let any local user "
            "become root). gosu and su-exec are not setuid and cannot raise privileges, but they only "
            "make sense for an entrypoint that starts as root and steps down, which fails under "
            "`docker run --user`, Kubernetes runAsNonRoot and `allowPrivilegeEscalation: false` setups "
            "that expect the image to start as its final user."
        ),
        example=(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends sudo\n"
            "RUN useradd --uid 10001 app && echo 'app ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/app\n"
            "USER 10001\n"
            "RUN sudo apt-get install -y --no-install-recommends curl\n"
        ),
        instead=(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n"
            "RUN useradd --system --uid 10001 --no-create-home app\n"
            "USER 10001:10001\n"
        ),
        fix_safety=(
            "No automatic fix: removing sudo changes what the commands can do. Run the steps that need "
            "root before USER (or switch with `USER root` and back), drop the sudo package, and start the "
            "container directly as the non-root user instead of stepping down with gosu/su-exec."
        ),
    )

    # ------------------------------------------------------------------ sudo in RUN

    def _runs(self, ctx: LintContext
              ) -> Iterator[tuple["Instruction", "Instruction", "ShellScript | None", "Step | None"]]:
        """(reported instruction, RUN instruction, analysed script, step) for every RUN and ONBUILD RUN."""
        steps = {id(step.instruction): step for stage in ctx.model.stages for step in stage.steps}
        for ins in ctx.tree.instructions:
            run = ins if ins.name == "RUN" else ins.trigger if ins.name == "ONBUILD" else None
            if run is None or run.name != "RUN":
                continue
            step = steps.get(id(ins))
            if step is not None:
                yield ins, run, step.run.script if step.run is not None else None, step
            else:  # before the first FROM: Docker rejects it, hadolint still lints it
                yield ins, run, _analyze(run), None

    def _sudo(self, ctx: LintContext) -> Iterator[Finding]:
        for ins, run, script, step in self._runs(ctx):
            if script is None:
                continue
            cmds: list["SimpleCommand"] = []
            for op in script.operations:
                if isinstance(op, PrivilegeTool) and op.tool == "sudo":
                    if op.command not in cmds:
                        cmds.append(op.command)
            if not cmds:
                continue
            cmd = cmds[0]
            span = _command_span(ctx, ins, run, step, cmd)
            what = "sudo" if len(cmds) == 1 else f"sudo ({len(cmds)} commands)"
            user = step.user if step is not None and ins.name != "ONBUILD" else None
            if user is not None and user.is_root is True:
                context = "RUN already runs as root here, so sudo adds nothing"
            elif user is not None and user.is_root is False:
                context = (f"RUN runs as {user.text}, and sudo only works if a passwordless sudoers entry "
                           "for it ships in the image")
            else:
                context = ("RUN runs as the stage's USER: as root sudo adds nothing, as non-root it needs a "
                           "sudoers entry that ships")
            where = " (ONBUILD trigger)" if ins.name == "ONBUILD" else ""
            yield ctx.finding(
                self, span,
                f"{what} used in RUN{where}: {context}; run root steps before USER (or after USER root) and "
                "switch users with USER instead",
            )

    # ------------------------------------------------------------------ tools that ship

    def _installed(self, ctx: LintContext) -> Iterator[Finding]:
        target = ctx.target
        if target is None:
            return
        steps = target.all_steps()
        removed_after: dict[str, int] = {}
        for i, step in enumerate(steps):
            if step.run is None or step.in_onbuild:
                continue
            for op in step.run.script.operations:
                if isinstance(op, PackageOp) and op.action == "remove" and op.manager in _SYSTEM_MANAGERS:
                    for p in op.packages:
                        tool = _TOOL_PACKAGES.get(_package_name(op.manager, p))
                        if tool is not None:
                            removed_after[tool] = i
        reported: set[tuple[int, str]] = set()
        for i, step in enumerate(steps):
            found: list[tuple[str, str, "Span"]] = []  # (tool, how, span)
            if step.run is not None:
                for op in step.run.script.operations:
                    if isinstance(op, PackageOp) and op.action == "install" and op.manager in _SYSTEM_MANAGERS:
                        for p in op.packages:
                            tool = _TOOL_PACKAGES.get(_package_name(op.manager, p))
                            if tool is not None:
                                found.append((tool, f"installs {p} with {op.tool or op.manager}",
                                              step.run.span_of(op.command.start, op.command.end)))
                    elif isinstance(op, Download) and op.output and _basename(op.output) in _STEP_DOWN_TOOLS:
                        found.append((_basename(op.output), f"downloads {_basename(op.output)} to {op.output}",
                                      step.run.span_of(op.command.start, op.command.end)))
            copy = step.instruction if step.instruction.name in ("COPY", "ADD") else (
                step.instruction.trigger if step.in_onbuild and step.instruction.trigger is not None
                and step.instruction.trigger.name in ("COPY", "ADD") else None)
            if copy is not None and not copy.heredocs:
                args = list(copy.buildkit_value())
                for src in args[:-1]:
                    if _basename(src) in _STEP_DOWN_TOOLS:
                        found.append((_basename(src), f"copies {_basename(src)} into the image",
                                      _first_line(ctx, step.instruction)))
            for tool, how, span in found:
                if removed_after.get(tool, -1) > i and not step.in_onbuild:
                    continue
                key = (id(step.instruction), tool)
                if key in reported:
                    continue
                reported.add(key)
                where = " in an ONBUILD trigger (it runs in every image built FROM this one)" if step.in_onbuild else ""
                if tool in _SETUID_TOOLS:
                    msg = (f"{how}{where}: {tool} is installed setuid root and stays in the final image as a way "
                           "back to root; do root work before USER and drop the package")
                    sev = Severity.WARNING
                else:
                    msg = (f"{how}{where}: {tool} is not setuid and cannot raise privileges, but it is only "
                           "needed by an entrypoint that starts as root and steps down; start the container "
                           "as the non-root USER instead")
                    sev = Severity.INFO
                yield ctx.finding(self, span, msg, aliases=(), severity=sev)

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        yield from self._sudo(ctx)
        yield from self._installed(ctx)


def _analyze(run: "Instruction") -> "ShellScript | None":
    from slimguard.dockerfile import shell

    if run.is_json and run.json_args is not None:
        return shell.analyze_argv(list(run.json_args))
    text = run.rest
    if run.heredocs:
        text = run.rest + "\n" + "".join(h.content + h.name + "\n" for h in run.heredocs)
    return shell.analyze(text)


def _command_span(ctx: LintContext, ins: "Instruction", run: "Instruction", step: "Step | None",
                  cmd: "SimpleCommand") -> "Span":
    if step is not None and step.run is not None and step.run.form != "exec":
        return step.run.span_of(cmd.start, cmd.end)
    if step is None and not run.is_json and cmd.end <= len(run.rest):
        return run.source_span(cmd.start, cmd.end)
    return _first_line(ctx, ins)


def _first_line(ctx: LintContext, ins: "Instruction") -> "Span":
    span = ins.span
    assert span is not None
    end = ctx.tree.text.find("\n", span.start.offset)
    end = span.end.offset if end == -1 else min(end, span.end.offset)
    return ctx.text_span(span.start.offset, max(end, span.start.offset))


RULE = PrivilegeTools

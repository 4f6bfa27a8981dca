"""Where package-manager commands sit in the RUNs of a Dockerfile, and the two edits the package-hygiene
rules (SG012-SG016) make there: a flag inserted after a word, ``&& cleanup`` appended to the RUN.

Every RUN is visited, ONBUILD triggers and RUNs before the first FROM included (hadolint lints them too);
BuildKit cache and tmpfs mounts are read, since what they hold never enters the layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slimguard.core.findings import Applicability, Edit, Finding, Fix
from slimguard.core.rule import Rule
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.edits import newline_of
from slimguard.dockerfile.shell import PackageOp, ShellScript, SimpleCommand, Word

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Stage
    from slimguard.dockerfile.syntax import Instruction, Span


@dataclass(frozen=True)
class RunSite:
    """One RUN to check: a stage's RUN, an ONBUILD RUN trigger, or a RUN before the first FROM."""

    instruction: "Instruction"  # what the finding is reported on (the RUN, or the ONBUILD around it)
    run: "Instruction"  # the RUN instruction itself (its flags, rest and heredocs)
    script: ShellScript
    form: str  # shell, exec or heredoc
    span_of: Callable[[int, int], "Span"]
    stage: "Stage | None"  # None before the first FROM
    env: Mapping[str, str]  # ARG and ENV values visible to the RUN
    onbuild: bool
    index: int  # position of the step in its stage (-1 before the first FROM)


def _orphan_site(ins: "Instruction", env: Mapping[str, str]) -> RunSite | None:
    """A RUN before the first FROM: Docker rejects it, hadolint lints it, the model has no stage for it."""
    from slimguard.dockerfile import shell

    run = ins.trigger if ins.name == "ONBUILD" else ins
    if run is None or run.name != "RUN":
        return None
    if run.is_json and run.json_args is not None:
        span = run.rest_span
        return RunSite(ins, run, shell.analyze_argv(list(run.json_args)), "exec",
                       lambda s, e, _sp=span: _sp, None, env, ins is not run, -1)
    if run.heredocs:
        return None
    n = len(run.rest)
    return RunSite(ins, run, shell.analyze(run.rest), "shell",
                   lambda s, e: run.source_span(min(s, n), min(e, n)), None, env, ins is not run, -1)


def run_sites(ctx: LintContext) -> Iterator[RunSite]:
    """Every analysed RUN of every stage (like hadolint), ONBUILD triggers and RUNs before the first FROM
    included, in file order."""
    env: dict[str, str] = {}
    for ins in ctx.tree.instructions:
        if ins.name == "FROM":
            break
        if ins.name == "ENV":
            values = ins.buildkit_value()
            env.update(zip(values[0::2], values[1::2]))
        site = _orphan_site(ins, dict(env))
        if site is not None:
            yield site
    for stage in ctx.model.stages:
        for i, step in enumerate(stage.steps):
            if step.run is None:
                continue
            run = step.instruction.trigger if step.in_onbuild else step.instruction
            if run is None:
                continue
            yield RunSite(step.instruction, run, step.run.script, step.run.form, step.run.span_of,
                          stage, step.env, step.in_onbuild, i)


_MIDLINE_MOUNT = re.compile(r"\\[ \t]+--mount=(\S+)[ \t]*")


def mount_targets(run: "Instruction", *, hadolint: bool = False) -> set[str]:
    """Targets of ``--mount=type=cache`` and ``--mount=type=tmpfs``: what they hold never enters the layer.

    ``hadolint``: also read ``--mount`` words that follow a backslash and blanks in the middle of a line
    (``RUN --mount=a \\    --mount=b cmd`` on one line). BuildKit ends the flags at the backslash, so
    the second mount is shell text; hadolint's parser reads it as a flag, and its test cases rely on that.
    """
    values = [f.value for f in run.flags if f.name.lower() == "mount" and f.value]
    if hadolint:
        pos = 0
        while (m := _MIDLINE_MOUNT.match(run.rest, pos)) is not None:
            values.append(m.group(1))
            pos = m.end()
    out: set[str] = set()
    for value in values:
        fields: dict[str, str] = {}
        for part in value.split(","):
            key, _, v = part.partition("=")
            fields[key.strip().strip("\"'").lower()] = v.strip().strip("\"'")
        target = fields.get("target") or fields.get("dst") or fields.get("destination")
        if fields.get("type", "bind").lower() in ("cache", "tmpfs") and target:
            out.add(normal_path(target))
    return out


def normal_path(path: str) -> str:
    path = re.sub(r"/+", "/", path.strip())
    return path.rstrip("/") or "/"


def covered(targets: set[str], path: str) -> str | None:
    """The mount target that contains *path* (the path itself or a parent directory), if any."""
    path = normal_path(path)
    for t in sorted(targets, key=len, reverse=True):
        if path == t or path.startswith(t.rstrip("/") + "/"):
            return t
    return None


def subcommand_word(cmd: SimpleCommand, words: set[str] | frozenset[str]) -> Word | None:
    """The sub-command word of *cmd*: its first literal argument that is one of *words* (install, add...)."""
    for w in cmd.args:
        if w.value is not None and w.value in words:
            return w
    return None


def insert_after_word(ctx: LintContext, site: RunSite, word: Word, text: str) -> Edit | None:
    """An edit inserting *text* right after *word* in the file, or None if the word cannot be located
    exactly (exec form, ``<<-`` heredocs, commands nested in strings with escapes)."""
    if site.form == "exec":
        return None
    if site.form == "heredoc" and any(h.chomp for h in site.run.heredocs):
        return None
    if site.script.source[word.start:word.end] != word.raw:
        return None
    span = site.span_of(word.start, word.end)
    start, end = span.start.offset, span.end.offset
    if ctx.tree.text[start:end] != word.raw:
        return None
    return Edit(end, end, text)


_TAIL = re.compile(r"(?:\s*;?\s*(?:\)|\}|fi|done|esac))*\s*")


def append_to_run(ctx: LintContext, site: RunSite, command: str, *, new_line: bool) -> Edit | None:
    """An edit appending ``&& command`` to the end of a shell-form RUN, or None when that is not
    clearly safe (exec form, heredocs, a trailing comment, ``;`` or ``&``, shell syntax errors)."""
    run = site.run
    if site.form != "shell" or run.heredocs or site.script.has_errors or not site.script.commands:
        return None
    rest = run.rest
    last_end = max(c.end for c in site.script.commands)
    if last_end > len(rest) or not _TAIL.fullmatch(rest[last_end:]):
        return None
    end = site.span_of(0, len(rest)).end.offset
    if new_line:
        text = f" {run.escape}{newline_of(ctx.tree)}    && {command}"
    else:
        text = f" && {command}"
    return Edit(end, end, text)


def command_finding(ctx: LintContext, rule: Rule, site: RunSite, cmd: SimpleCommand, message: str,
                    **kw) -> Finding:
    """A finding on the command's own source span (inside multi-line RUNs and heredocs)."""
    if site.form == "exec":
        return ctx.at(rule, site.instruction, message, **kw)
    span = site.span_of(cmd.start, cmd.end)
    return ctx.finding(rule, span, message, **kw)


def hadolint_sees(site: RunSite, cmd: SimpleCommand) -> bool:
    """False for commands hadolint's shell analysis does not reach: behind a wrapper (``sudo apt-get``,
    ``env X=1 pip``) or nested in another command's string (``sh -c "apt-get ..."``). Findings on them
    carry no hadolint alias."""
    if cmd.wrappers:
        return False
    width = cmd.end - cmd.start
    return not any(c is not cmd and c.start <= cmd.start and cmd.end <= c.end and c.end - c.start > width
                   for c in site.script.commands)


def package_ops(site: RunSite, manager: str) -> list[PackageOp]:
    """The operations of one package manager (apt, apk, pip, ...) in the RUN, in order."""
    return [op for op in site.script.of_type(PackageOp) if op.manager == manager]


def missing_yes_findings(ctx: LintContext, rule: Rule, without_yes: Callable[[PackageOp], bool],
                         hadolint_without_yes: Callable[[SimpleCommand], bool], verbs: set[str] | frozenset[str],
                         message: str) -> Iterator[Finding]:
    """One finding per RUN with an install that would stop at the confirmation prompt (apt-get, yum), with a
    safe fix that adds ``-y`` after each install verb (none when one of them cannot be edited). In
    hadolint-compat mode a RUN hadolint reports is reported too; the alias goes only where hadolint sees it."""
    compat = ctx.options.hadolint_compat
    for site in run_sites(ctx):
        real = [op for op in site.script.of_type(PackageOp) if without_yes(op)]
        hado = [c for c in site.script.commands if hadolint_sees(site, c) and hadolint_without_yes(c)]
        if not real and not (compat and hado):
            continue
        edits = []
        for op in real:
            word = subcommand_word(op.command, verbs)
            edit = insert_after_word(ctx, site, word, " -y") if word is not None else None
            if edit is None:
                edits = []
                break
            edits.append(edit)
        fix = Fix("add -y", tuple(edits), Applicability.SAFE) if edits else None
        yield ctx.at(rule, site.instruction, message, fix=fix, aliases=rule.aliases if hado else ())

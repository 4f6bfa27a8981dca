"""Build the semantic model from a parsed Dockerfile."""

from __future__ import annotations

import re
from typing import Callable, Mapping

from slimguard.dockerfile.syntax import Dockerfile, Instruction
from slimguard.dockerfile.model.ports import parse_port
from slimguard.dockerfile.model.stages import BaseRef, CopyFrom, Model, RunInfo, Stage, Step, Volume
from slimguard.dockerfile.model.users import UserRef

# ARGs BuildKit defines automatically in the global scope (usable in FROM).
AUTOMATIC_PLATFORM_ARGS = {
    "BUILDPLATFORM": "linux/amd64",
    "BUILDOS": "linux",
    "BUILDARCH": "amd64",
    "BUILDVARIANT": "",
    "TARGETPLATFORM": "linux/amd64",
    "TARGETOS": "linux",
    "TARGETARCH": "amd64",
    "TARGETVARIANT": "",
}
_SHELLS = {"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"}

BaseUserResolver = Callable[["object"], "str | None"]


_EMPTY: frozenset[str] = frozenset()


def _expand(text: str, env: Mapping[str, str], escape: str, notes: list[str] | None = None,
            ins: Instruction | None = None) -> tuple[str, frozenset[str]]:
    """(value, missing names) of *text*; on an error the text itself with the name "?" missing.

    A value that would exceed the expansion bounds (see :class:`ExpansionTooLarge`) is unknown
    too: the text is kept, and a note naming the line goes to *notes*.
    """
    if "$" not in text and "'" not in text and '"' not in text and escape not in text:
        return text, _EMPTY  # nothing to substitute or unquote
    from slimguard.dockerfile.expand import ExpansionError, ExpansionTooLarge, expand_word

    try:
        e = expand_word(text, env, escape)
    except ExpansionTooLarge as exc:
        if notes is not None:
            span = getattr(ins, "span", None)
            where = f"{span.start.line}:{span.start.column}: " if span is not None else ""
            what = f"{ins.name} " if ins is not None else ""
            notes.append(f"{where}note: {what}value not expanded: {exc.reason}")
        return text, frozenset({"?"})
    except ExpansionError:
        return text, frozenset({"?"})
    return e.value, e.missing


def default_base_user(image: object) -> str | None:
    """The configured user of a known base image, from the knowledge base.

    Returns "" for images known to run as root, None when unknown.
    """
    from slimguard.knowledge.facts import facts_from_knowledge

    if not getattr(image, "repository", None):
        return None
    facts = facts_from_knowledge(image)
    return None if facts is None else facts.default_user


def build_model(
    tree: Dockerfile,
    build_args: Mapping[str, str] | None = None,
    base_user: Callable[[object], str | None] | None = default_base_user,
) -> Model:
    from slimguard.knowledge.imageref import try_parse_image_ref

    escape = tree.escape
    build_args = dict(build_args or {})
    global_args: dict[str, str] = dict(AUTOMATIC_PLATFORM_ARGS)
    declared_global: dict[str, str] = {}
    stages: list[Stage] = []
    current: Stage | None = None
    by_name: dict[str, Stage] = {}  # lower-cased name -> last earlier stage of that name
    scope: dict[str, str] | None = None  # the current stage's ARG+ENV scope, shared by steps until it changes
    notes: list[str] = []  # values not computed (expansion bounds)

    for ins in tree.instructions:
        name = ins.name
        if current is None and name == "ARG":
            for key, value in _arg_pairs(ins, global_args, escape, notes):
                if key in build_args:
                    value = build_args[key]
                if value is not None:
                    global_args[key] = value
                    declared_global[key] = value
                else:
                    declared_global.setdefault(key, "")
            continue
        if name == "FROM":
            if current is not None and current.name is not None:
                by_name[current.name.lower()] = current  # the last stage of a name wins
            current = _new_stage(ins, stages, global_args, escape, try_parse_image_ref, base_user, by_name, notes)
            stages.append(current)
            scope = None
            continue
        if current is None:
            continue  # instructions before the first FROM other than ARG are build errors
        if scope is None:
            scope = _scope(current)
        if _apply(ins, current, stages, global_args, build_args, escape, tree, scope, by_name, notes):
            scope = None  # ARG/ENV changed the scope: the next step gets a new snapshot
    for stage in stages:
        stage.frozen = True
    return Model(tree, stages, declared_global, build_args, notes)


def _arg_pairs(ins: Instruction, env: Mapping[str, str], escape: str,
               notes: list[str] | None = None) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for word in ins.buildkit_value():
        if "=" in word:
            key, raw = word.split("=", 1)
            value, _ = _expand(raw, env, escape, notes, ins)
            out.append((key, value))
        else:
            out.append((word, None))
    return out


def _new_stage(ins, stages, global_args, escape, parse_ref, base_user, by_name=None, notes=None) -> Stage:
    words = list(ins.buildkit_value())
    raw = words[0] if words else ""
    text, missing = _expand(raw, global_args, escape, notes, ins)
    stage_name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    platform = None
    pf = ins.flag("platform")
    if pf is not None and pf.value is not None:
        platform, _ = _expand(pf.value, global_args, escape, notes, ins)
    if by_name is not None:
        parent = by_name.get(text.lower())
    else:
        parent = None
        for s in stages:
            if s.name is not None and s.name.lower() == text.lower():
                parent = s
    image = None if parent is not None or text.lower() == "scratch" else parse_ref(text)
    if text.lower() == "scratch":
        image = parse_ref("scratch")
    base = BaseRef(raw=raw, text=text, image=image, stage=parent, platform=platform, unresolved=missing)
    stage = Stage(index=len(stages), name=stage_name, from_instruction=ins, base=base, parent=parent)
    if parent is not None:
        stage.env = dict(parent.env)
        stage.user = parent.user if parent.user.source == "default" else UserRef(parent.user.text, "stage", parent.user.instruction, parent.user.unresolved)
        stage.workdir = parent.workdir
        stage.shell = list(parent.shell)
    elif base.is_scratch:
        stage.user = UserRef("", "default")
    elif image is not None and base_user is not None:
        configured = base_user(image)
        if configured is None:
            stage.user = UserRef("", "unknown")
        elif configured == "" or configured.split(":", 1)[0] in ("0", "root"):
            stage.user = UserRef(configured, "default")
        else:
            stage.user = UserRef(configured, "base")
    elif image is None:
        stage.user = UserRef("", "unknown", unresolved=missing)
    stage.start_user = stage.user
    return stage


def _scope(stage: Stage) -> dict[str, str]:
    scope = dict(stage.args)
    scope.update(stage.env)
    return scope


def _apply(ins: Instruction, stage: Stage, stages: list[Stage], global_args: dict[str, str],
           build_args: dict[str, str], escape: str, tree: Dockerfile,
           env: dict[str, str] | None = None, by_name: Mapping[str, Stage] | None = None,
           notes: list[str] | None = None) -> bool:
    """Add the step of *ins* to *stage*; True when it changed the stage's ARG/ENV scope.

    *env* is the stage's current scope (built here when not given); it is stored on the step, so
    it is not modified.  *by_name* maps names of the stages before *stage* to the last of them.
    """
    name = ins.name
    if env is None:
        env = _scope(stage)
    step = Step(ins, stage, stage.user, env, stage.workdir)
    stage.steps.append(step)
    missing: set[str] = set()

    def sub(text: str) -> str:
        value, miss = _expand(text, env, escape, notes, ins)
        missing.update(miss)
        return value

    if name == "ARG":
        for key, value in _arg_pairs(ins, env, escape, notes):
            if key in build_args:
                stage.args[key] = build_args[key]
            elif value is not None:
                stage.args[key] = value
            elif key in global_args:
                stage.args[key] = global_args[key]
            else:
                stage.args.setdefault(key, "")
    elif name == "ENV":
        values = ins.buildkit_value()
        pairs = list(zip(values[0::2], values[1::2]))
        for key, raw in pairs:
            stage.env[key] = sub(raw)
        step.expanded = tuple(f"{k}={stage.env[k]}" for k, _ in pairs)
    elif name == "USER":
        text = sub(ins.rest) if ins.rest else ""
        stage.user = UserRef(text, "instruction", ins, frozenset(missing))
        step.expanded = (text,)
    elif name == "WORKDIR":
        path = sub(ins.rest)
        if not path.startswith("/"):
            path = stage.workdir.rstrip("/") + "/" + path
        stage.workdir = path
        step.expanded = (path,)
    elif name == "EXPOSE":
        for word in ins.buildkit_value():
            value = sub(word)
            for part in value.split():
                stage.exposed.append((parse_port(part), ins))
        step.expanded = tuple(sub(w) for w in ins.buildkit_value())
    elif name == "VOLUME":
        for word in ins.buildkit_value():
            path = sub(word)
            if path:
                stage.volumes.append(Volume(path, ins))
        step.expanded = tuple(v.path for v in stage.volumes if v.instruction is ins)
    elif name in ("COPY", "ADD"):
        step.expanded = tuple(sub(w) for w in ins.buildkit_value())
        src = ins.flag("from")
        if src is not None and src.value is not None:
            ref = sub(src.value)
            target = _copy_source(ref, stage, stages, by_name)
            stage.copies_from.append(CopyFrom(ins, ref, target))
    elif name == "SHELL":
        if ins.json_args:
            stage.shell = list(ins.json_args)
    elif name == "CMD":
        stage.cmd = ins
    elif name == "ENTRYPOINT":
        stage.entrypoint = ins
    elif name == "HEALTHCHECK":
        stage.healthcheck = ins
    elif name == "ONBUILD":
        step.in_onbuild = True
        if ins.trigger is not None and ins.trigger.name == "RUN":
            step.run = _run_info(ins.trigger, stage)
    if name == "RUN":
        step.run = _run_info(ins, stage)
    step.unresolved = frozenset(missing)
    return name in ("ARG", "ENV")


def _copy_source(ref: str, stage: Stage, stages: list[Stage], by_name: Mapping[str, Stage] | None) -> Stage | None:
    """The last stage other than *stage* that ``--from=ref`` names (by name or index)."""
    if by_name is None:
        target = None
        for s in stages:
            if s is not stage and ((s.name and s.name.lower() == ref.lower()) or (ref.isdigit() and s.index == int(ref))):
                target = s
        return target
    candidates = []
    named = by_name.get(ref.lower())
    if named is not None and named is not stage:
        candidates.append(named)
    if ref.isdigit():
        number = int(ref)
        if 0 <= number < len(stages) and stages[number] is not stage and stages[number].index == number:
            candidates.append(stages[number])
    return max(candidates, key=lambda s: s.index) if candidates else None


_HEREDOC_ONLY = re.compile(r"^\s*\d*<<-?\s*(['\"]?)([^'\"\s<]+)\1\s*$")


def _run_info(ins: Instruction, stage: Stage) -> RunInfo | None:
    from slimguard.dockerfile import shell

    shell_name = stage.shell[0].rsplit("/", 1)[-1].lower() if stage.shell else "sh"
    if ins.is_json and ins.json_args is not None:
        script = shell.analyze_argv(list(ins.json_args))
        span = ins.rest_span
        return RunInfo(script, "exec", lambda s, e, _sp=span: _sp)
    if shell_name not in _SHELLS:
        return None  # PowerShell / cmd: not parsed with a POSIX shell parser
    if ins.heredocs and _HEREDOC_ONLY.match(ins.rest) and len(ins.heredocs) == 1:
        doc = ins.heredocs[0]
        body = doc.content  # raw text (tabs kept for <<-) so offsets map back to the file exactly
        first = body.split("\n", 1)[0]
        if first.startswith("#!") and not any(sh in first for sh in ("sh", "bash")):
            return None
        index = ins._index
        base = doc.start_offset
        assert index is not None
        return RunInfo(shell.analyze(body), "heredoc", lambda s, e: index.span(base + s, base + e))
    text = ins.rest
    if ins.heredocs:
        text = ins.rest + "\n" + "".join(h.content + h.name + "\n" for h in ins.heredocs)
    n = len(ins.rest)
    return RunInfo(
        shell.analyze(text),
        "shell",
        lambda s, e: ins.source_span(min(s, n), min(e, n)),
    )

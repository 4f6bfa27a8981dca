"""Plain-data views of the syntax tree and the semantic model (for `slimguard dump`)."""

from __future__ import annotations

from typing import Any

from slimguard.dockerfile.model import Model, Stage, Step
from slimguard.dockerfile.syntax import Comment, Directive, Dockerfile, Heredoc, Instruction, Node, Span, Token, Trivia


def span_dict(span: Span | None) -> dict[str, int] | None:
    if span is None:
        return None
    return {
        "offset": span.start.offset,
        "end_offset": span.end.offset,
        "line": span.start.line,
        "column": span.start.column,
        "end_line": span.end.line,
        "end_column": span.end.column,
    }


def node_dict(node: Node | Token, tokens: bool = False) -> dict[str, Any]:
    if isinstance(node, Token):
        return {"token": node.kind.value, "text": node.text, "offset": node.offset}
    out: dict[str, Any] = {"node": node.kind, "span": span_dict(node.span)}
    if isinstance(node, Directive):
        out.update(name=node.name, value=node.value)
    elif isinstance(node, Comment):
        out["text"] = node.text
    elif isinstance(node, Heredoc):
        out.update(name=node.name, fd=node.fd, chomp=node.chomp, expand=node.expand,
                   terminated=node.terminated, content=node.content)
    elif isinstance(node, Instruction):
        out.update(
            keyword=node.keyword,
            name=node.name,
            lines=[node.start_line, node.end_line],
            flags=[{"text": f.text, "name": f.name, "value": f.value, "span": span_dict(f.span)} for f in node.flags],
            arguments=node.rest,
            arguments_span=span_dict(node.rest_span),
            json=node.is_json,
            value=list(node.buildkit_value()),
            errors=[str(e) for e in node.errors],
        )
    if tokens or isinstance(node, Instruction):
        kids = [c for c in node.children if tokens or isinstance(c, Node)]
        if kids:
            out["children"] = [node_dict(c, tokens) for c in kids]
    return out


def tree_dict(tree: Dockerfile, tokens: bool = False) -> dict[str, Any]:
    return {
        "escape": tree.escape,
        "directives": {d.name: d.value for d in tree.directives},
        "errors": [{"message": e.message, "line": e.line, "column": e.column} for e in tree.errors],
        "children": [node_dict(c, tokens) for c in tree.children if tokens or not isinstance(c, Trivia)],
    }


def _user(u) -> dict[str, Any]:
    return {"user": u.text or "root", "source": u.source, "is_root": u.is_root,
            "line": u.instruction.start_line if u.instruction is not None else None}


def step_dict(step: Step) -> dict[str, Any]:
    ins = step.instruction
    out: dict[str, Any] = {
        "instruction": ins.name,
        "line": ins.start_line,
        "column": ins.keyword_span.start.column if ins.keyword_span else 1,
        "user": step.user.text or "root",
        "user_source": step.user.source,
    }
    if step.expanded:
        out["expanded"] = list(step.expanded)
    if step.unresolved:
        out["unresolved"] = sorted(step.unresolved)
    if step.in_onbuild:
        out["onbuild"] = True
    if step.run is not None:
        script = step.run.script
        out["run"] = {
            "form": step.run.form,
            "commands": [c.name for c in script.commands],
            "operations": [_operation(op, step) for op in script.operations],
            "shell_errors": script.has_errors,
        }
    return out


def _operation(op: Any, step: Step) -> dict[str, Any]:
    out: dict[str, Any] = {"type": type(op).__name__}
    for key in ("manager", "tool", "action", "packages", "flags", "virtual", "kind", "name", "uid", "gid",
                "owner", "group", "mode", "paths", "path", "recursive", "urls", "piped_to_shell", "target"):
        if hasattr(op, key):
            value = getattr(op, key)
            if isinstance(value, tuple):
                value = list(value)
            if value not in (None, (), [], False) or key in ("packages",):
                out[key] = value
    cmd = getattr(op, "command", None)
    if cmd is not None and step.run is not None:
        span = step.run.span_of(cmd.start, cmd.end)
        out["line"], out["column"] = span.start.line, span.start.column
    return out


def stage_dict(stage: Stage) -> dict[str, Any]:
    base = stage.base
    return {
        "index": stage.index,
        "name": stage.name,
        "line": stage.from_instruction.start_line,
        "base": {
            "as_written": base.raw,
            "resolved": base.text,
            "stage": base.stage.label if base.stage is not None else None,
            "image": str(base.image) if base.image is not None and not base.is_stage else None,
            "registry": base.image.registry if base.image is not None and not base.is_scratch else None,
            "repository": base.image.repository if base.image is not None and not base.is_scratch else None,
            "tag": base.image.effective_tag if base.image is not None and not base.is_scratch else None,
            "digest": base.image.digest if base.image is not None and not base.is_scratch else None,
            "platform": base.platform,
            "unresolved": sorted(base.unresolved),
        },
        "start_user": _user(stage.start_user),
        "user": _user(stage.user),
        "args": stage.args,
        "env": stage.env,
        "workdir": stage.workdir,
        "shell": stage.shell,
        "exposed": [{"port": p.text, "start": p.start, "end": p.end, "protocol": p.protocol,
                     "line": ins.start_line} for p, ins in stage.exposed],
        "volumes": [{"path": v.path, "line": v.instruction.start_line} for v in stage.volumes],
        "copies_from": [{"from": c.source, "stage": c.stage.label if c.stage else None,
                         "line": c.instruction.start_line} for c in stage.copies_from],
        "steps": [step_dict(s) for s in stage.steps],
    }


def model_dict(model: Model) -> dict[str, Any]:
    return {
        "global_args": model.global_args,
        "build_args": model.build_args,
        "stages": [stage_dict(s) for s in model.stages],
        "target": model.final.label if model.final else None,
    }

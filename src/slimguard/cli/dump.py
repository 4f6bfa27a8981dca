"""`slimguard dump`: the syntax tree and the semantic model, for users and debugging."""

from __future__ import annotations

import json
import sys

import click

from slimguard.dockerfile.inputs import InputError, read_source


@click.command("dump")
@click.argument("path", metavar="FILE")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--tokens", is_flag=True, help="Include every token (whitespace, newlines, continuations).")
@click.option("--build-arg", "build_args", multiple=True, metavar="KEY=VALUE", help="Override an ARG.")
def command(path: str, fmt: str, tokens: bool, build_args: tuple[str, ...]) -> None:
    """Print the syntax tree and semantic model of FILE ('-' for stdin)."""
    from slimguard import parse
    from slimguard.dockerfile.dumping import model_dict, tree_dict
    from slimguard.dockerfile.model import build_model

    try:
        source = read_source(path)
    except InputError as exc:
        click.echo(f"slimguard: error: {exc}", err=True)
        sys.exit(2)
    tree = parse(source.text)
    if tree.errors:
        for err in tree.errors:
            click.echo(f"{source.display}:{err.line}:{err.column}: error: {err.message}", err=True)
        sys.exit(2)
    from slimguard.cli._output import parse_build_args

    model = build_model(tree, parse_build_args(build_args))
    data = {"file": source.display, "tree": tree_dict(tree, tokens), "model": model_dict(model)}
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(render_text(data))


def render_text(data: dict) -> str:
    lines: list[str] = [f"# {data['file']}", "", "Syntax tree:"]

    def walk(node: dict, depth: int) -> None:
        pad = "  " * depth
        span = node.get("span") or {}
        where = f"{span.get('line')}:{span.get('column')}-{span.get('end_line')}:{span.get('end_column')}"
        if "token" in node:
            lines.append(f"{pad}{node['token']} {node['text']!r}")
            return
        kind = node["node"]
        if kind == "instruction":
            flags = " ".join(f["text"] for f in node["flags"])
            lines.append(f"{pad}{node['name']} {where}" + (f" flags[{flags}]" if flags else "")
                         + (" json" if node["json"] else "") + f" value={node['value']!r}")
        elif kind == "directive":
            lines.append(f"{pad}directive {node['name']}={node['value']} {where}")
        elif kind == "comment":
            lines.append(f"{pad}comment {node.get('text', '')!r} {where}")
        elif kind == "heredoc":
            lines.append(f"{pad}heredoc <<{'-' if node['chomp'] else ''}{node['name']} fd={node['fd']} "
                         f"expand={node['expand']} {where} ({len(node['content'])} chars)")
        else:
            lines.append(f"{pad}{kind} {where}")
        for child in node.get("children", []):
            walk(child, depth + 1)

    for child in data["tree"]["children"]:
        walk(child, 1)
    model = data["model"]
    lines += ["", "Stages:"]
    for st in model["stages"]:
        base = st["base"]
        origin = f"stage {base['stage']}" if base["stage"] is not None else (base["image"] or base["resolved"])
        lines.append(f"  [{st['index']}] {st['name'] or '(unnamed)'}  FROM {origin}  (line {st['line']})")
        lines.append(f"      user at start: {st['start_user']['user']} ({st['start_user']['source']}), "
                     f"at end: {st['user']['user']} ({st['user']['source']})")
        if st["exposed"]:
            lines.append("      exposes: " + ", ".join(f"{p['port']}" for p in st["exposed"]))
        if st["volumes"]:
            lines.append("      volumes: " + ", ".join(v["path"] for v in st["volumes"]))
        for step in st["steps"]:
            lines.append(f"      {step['line']:>4}  {step['instruction']:<11} as {step['user']}")
            run = step.get("run")
            if run:
                for op in run["operations"]:
                    detail = " ".join(
                        str(op[k]) for k in ("manager", "tool", "action", "kind", "name", "mode", "owner") if k in op
                    )
                    pk = op.get("packages")
                    if pk:
                        detail += " " + " ".join(pk)
                    lines.append(f"              {op['type']}: {detail.strip()}")
    lines.append(f"\nTarget: {model['target']}")
    return "\n".join(lines)

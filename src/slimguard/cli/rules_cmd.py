"""`slimguard rules` and `slimguard explain`."""

from __future__ import annotations

import json
import sys

import click


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_command(fmt: str) -> None:
    """List the rules with their concern, severity, fixability and aliases."""
    from slimguard.core.registry import all_rules

    rules = all_rules()
    if fmt == "json":
        click.echo(json.dumps({"rules": [r.to_dict() for r in rules]}, indent=2))
        return
    for r in rules:
        alias = f" ({', '.join(r.aliases)})" if r.aliases else ""
        click.echo(f"{r.id}{alias:<10} {r.severity.label:<8} {r.concern:<21} fix:{r.fixable:<7} {r.title}")


@click.command("explain")
@click.argument("code")
def explain_command(code: str) -> None:
    """Print a rule's documentation (by id or alias)."""
    from slimguard.core.docs import render_markdown
    from slimguard.core.registry import get_rule

    rule = get_rule(code)
    if rule is None:
        click.echo(f"slimguard: error: no rule {code!r} (see `slimguard rules`)", err=True)
        sys.exit(2)
    click.echo(render_markdown(rule), nl=False)

"""`slimguard rules` and `slimguard explain`."""

from __future__ import annotations

import json
import sys

import click


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_command(fmt: str) -> None:
    """List the rules with their concern, severity, fixability and hadolint aliases."""
    from slimguard.dockerfile.rules import all_rules
    from slimguard.image.rules import all_rules as audit_rules
    from slimguard.runtime.rules import all_rules as runtime_rules

    rules = (*all_rules(), *runtime_rules(), *audit_rules())
    if fmt == "json":
        click.echo(json.dumps({"rules": [r.to_dict() for r in rules]}, indent=2))
        return
    for r in rules:
        alias = f" ({', '.join(r.aliases)})" if r.aliases else ""
        click.echo(f"{r.id}{alias:<10} {r.severity.label:<8} {r.concern:<21} fix:{r.fixable:<7} {r.title}")


def render_docs(rule) -> str:
    d = rule.docs
    alias = f" (hadolint {', '.join(rule.aliases)})" if rule.aliases else ""
    return (
        f"# {rule.id}: {rule.title}{alias}\n\n"
        f"Severity: {rule.severity.label} · Concern: `{rule.concern}` · Fix: {rule.fixable}\n\n"
        f"## What it does\n\n{d.what}\n\n## Why is this bad\n\n{d.why}\n\n"
        f"## Example\n\n```dockerfile\n{d.example.rstrip()}\n```\n\n"
        f"## Use instead\n\n```dockerfile\n{d.instead.rstrip()}\n```\n\n## Fix safety\n\n{d.fix_safety}\n"
    )


@click.command("explain")
@click.argument("code")
def explain_command(code: str) -> None:
    """Print a rule's documentation (by id or hadolint code)."""
    from slimguard.dockerfile.rules import get_rule

    rule = get_rule(code)
    if rule is None:
        click.echo(f"slimguard: error: no rule {code!r} (see `slimguard rules`)", err=True)
        sys.exit(2)
    click.echo(render_docs(rule), nl=False)

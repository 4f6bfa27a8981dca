"""One renderer for a rule's documentation: `slimguard explain`, docs/rules/ and docs/runtime.md."""

from __future__ import annotations

from slimguard.core.rule import Rule

_CHECKS = {"dockerfile": "Dockerfiles (`slimguard lint`)", "image": "built images (`slimguard audit`)"}


def checks_label(rule: Rule) -> str:
    return _CHECKS.get(rule.kind) or ", ".join(rule.origins) + " (`slimguard check`)"


def render_markdown(rule: Rule, heading: str = "#") -> str:
    """The rule's page: title, metadata line, then What/Why/Example/Use instead/Fix safety."""
    d = rule.docs
    sub = heading + "#"
    alias = f" ({', '.join(rule.aliases)})" if rule.aliases else ""
    lang = rule.example_lang
    peers = (f"Also answers to (Trivy, Checkov; [mapping](../peers.md)): {', '.join(rule.peers)}\n\n"
             if rule.peers else "")
    return (
        f"{heading} {rule.id}: {rule.title}{alias}\n\n"
        f"Severity: {rule.severity.label} · Concern: `{rule.concern}` · Fix: {rule.fixable} · "
        f"Checks: {checks_label(rule)}\n\n{peers}"
        f"{sub} What it does\n\n{d.what}\n\n{sub} Why is this bad\n\n{d.why}\n\n"
        f"{sub} Example\n\n```{lang}\n{d.example.rstrip()}\n```\n\n"
        f"{sub} Use instead\n\n```{lang}\n{d.instead.rstrip()}\n```\n\n{sub} Fix safety\n\n{d.fix_safety}\n"
    )


def render_index(rules: list[Rule] | tuple[Rule, ...], link: str = "{id}.md") -> str:
    """A Markdown table of *rules*, each linking to its page."""
    lines = ["| Rule | Aliases | Kind | Concern | Severity | Default | Fix | Title |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rules:
        lines.append(f"| [{r.id}]({link.format(id=r.id, anchor=r.id.lower())}) | {', '.join(r.aliases)} | "
                     f"{r.kind} | `{r.concern}` | {r.severity.label} | {'on' if r.default else 'off'} | "
                     f"{r.fixable} | {r.title} |")
    return "\n".join(lines) + "\n"

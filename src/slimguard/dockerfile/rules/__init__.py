"""The rule registry: one rule per module ``sgNNN_*.py`` in this package."""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from slimguard.dockerfile.rules.base import LintContext, LintOptions, Rule, RuleDocs

__all__ = ["LintContext", "LintOptions", "Rule", "RuleDocs", "all_rules", "get_rule", "rule_modules"]


def rule_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("sg"))


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for name in rule_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        rule_cls = getattr(module, "RULE")
        rules.append(rule_cls())
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise RuntimeError(f"duplicate rule ids: {ids}")
    return tuple(sorted(rules, key=lambda r: r.id))


def get_rule(code: str) -> Rule | None:
    """A Dockerfile rule, or a run-time rule (SGR…), by id or hadolint alias."""
    code = code.strip().upper()
    for rule in all_rules():
        if rule.id == code or code in rule.aliases:
            return rule
    if code.startswith("SGR"):
        from slimguard.runtime.rules import get_rule as get_runtime_rule

        return get_runtime_rule(code)  # type: ignore[return-value]
    if code.startswith("SGA"):
        from slimguard.image.rules import get_rule as get_audit_rule

        return get_audit_rule(code)  # type: ignore[return-value]
    return None

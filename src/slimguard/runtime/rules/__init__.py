"""The run-time rule registry: one rule per module ``sgrNNN_*.py`` in this package, each with a case
file ``cases/SGRNNN.yaml``."""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from slimguard.runtime.rules.base import CheckContext, CheckOptions, RunUser, RuntimeRule

__all__ = ["CheckContext", "CheckOptions", "RunUser", "RuntimeRule", "all_rules", "get_rule", "rule_modules"]


def rule_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("sgr"))


@lru_cache(maxsize=1)
def all_rules() -> tuple[RuntimeRule, ...]:
    rules: list[RuntimeRule] = []
    for name in rule_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        rules.append(getattr(module, "RULE")())
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise RuntimeError(f"duplicate rule ids: {ids}")
    return tuple(sorted(rules, key=lambda r: r.id))


def get_rule(code: str) -> RuntimeRule | None:
    code = code.strip().upper()
    for rule in all_rules():
        if rule.id == code or code in rule.aliases:
            return rule
    return None

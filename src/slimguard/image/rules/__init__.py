"""The image rules: one module ``sgaNNN_*.py`` per rule with its case file ``cases/SGANNN.yaml``."""

from __future__ import annotations

from slimguard.core import registry
from slimguard.core.rule import Rule


def all_rules() -> tuple[Rule, ...]:
    """The image rules, sorted by id."""
    return registry.rules_of("image")


def get_rule(code: str) -> Rule | None:
    """An image rule by id or alias."""
    return registry.get_rule(code, "image")

"""The Dockerfile rules: one module ``sgNNN_*.py`` per rule with its case file ``cases/SGNNN.yaml``."""

from __future__ import annotations

from slimguard.core import registry
from slimguard.core.rule import Rule


def all_rules() -> tuple[Rule, ...]:
    """The Dockerfile rules, sorted by id."""
    return registry.rules_of("dockerfile")


def get_rule(code: str) -> Rule | None:
    """A Dockerfile rule by id or alias."""
    return registry.get_rule(code, "dockerfile")


__all__ = ["all_rules", "get_rule"]

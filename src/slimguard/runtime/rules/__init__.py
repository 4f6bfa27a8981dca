"""The run-time rules: one module ``sgrNNN_*.py`` per rule with its case file ``cases/SGRNNN.yaml``."""

from __future__ import annotations

from slimguard.core import registry
from slimguard.core.rule import Rule
from slimguard.runtime.rules.base import CheckContext, CheckOptions, RunUser, RuntimeRule

__all__ = ["CheckContext", "CheckOptions", "RunUser", "RuntimeRule", "all_rules", "get_rule"]


def all_rules() -> tuple[Rule, ...]:
    """The run-time rules, sorted by id."""
    return registry.rules_of("runtime")


def get_rule(code: str) -> Rule | None:
    """A run-time rule by id or alias."""
    return registry.get_rule(code, "runtime")

"""The rule registry: every rule of every kind, discovered once from its package.

A rule is a module ``sgNNN_*.py`` (Dockerfile), ``sgrNNN_*.py`` (run-time) or ``sgaNNN_*.py`` (image)
exposing ``RULE``, with a case file ``cases/<ID>.yaml`` beside it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import lru_cache
from pathlib import Path

from slimguard.core.findings import CONCERNS
from slimguard.core.rule import Rule

PACKAGES = {
    "dockerfile": ("slimguard.dockerfile.rules", "sg"),
    "runtime": ("slimguard.runtime.rules", "sgr"),
    "image": ("slimguard.image.rules", "sga"),
}


class UnknownCodeError(ValueError):
    """A --select/--ignore/config code that names no rule, alias or concern."""


def rule_modules(kind: str) -> list[str]:
    package, prefix = PACKAGES[kind]
    mod = importlib.import_module(package)
    names = (m.name for m in pkgutil.iter_modules(mod.__path__))
    return sorted(f"{package}.{n}" for n in names if n.startswith(prefix) and n[len(prefix):len(prefix) + 1].isdigit())


def cases_dir(kind: str) -> Path:
    mod = importlib.import_module(PACKAGES[kind][0])
    return Path(mod.__file__).resolve().parent / "cases"  # type: ignore[arg-type]


@lru_cache(maxsize=None)
def rules_of(kind: str) -> tuple[Rule, ...]:
    """The rules of one kind, sorted by id."""
    rules = [importlib.import_module(name).RULE() for name in rule_modules(kind)]
    for r in rules:
        if r.kind != kind:
            raise RuntimeError(f"{type(r).__module__}: rule {r.id} says kind {r.kind!r}, its package is {kind!r}")
    return tuple(sorted(rules, key=lambda r: r.id))


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    """Every rule: Dockerfile, run-time, then image rules."""
    rules = tuple(r for kind in PACKAGES for r in rules_of(kind))
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise RuntimeError(f"duplicate rule ids: {sorted(i for i in ids if ids.count(i) > 1)}")
    return rules


def get_rule(code: str, kind: str | None = None) -> Rule | None:
    """A rule by id or alias (a rule's own id wins over another rule's alias)."""
    code = code.strip().upper()
    pool = all_rules() if kind is None else rules_of(kind)
    for r in pool:
        if r.id == code:
            return r
    for r in pool:
        if code in r.aliases or code in (a.upper() for a in r.aliases):  # CamelCase aliases, any case
            return r
    return None


def validate_codes(codes: set[str], where: str, kind: str | None = None) -> None:
    """Raise :class:`UnknownCodeError` for a code that names no rule (of *kind*), alias or concern."""
    known = {c for r in (all_rules() if kind is None else rules_of(kind)) for c in r.codes}
    known |= {c.upper() for c in CONCERNS}
    # a rule whose findings carry codes from an open family (SG090: any ShellCheck code SCdddd)
    patterns = [re.compile(p) for r in (all_rules() if kind is None else rules_of(kind))
                if (p := getattr(r, "alias_pattern", None))]
    bad = sorted(c for c in codes if c not in known and not any(p.match(c) for p in patterns))
    if bad:
        what = "rule" if kind is None else f"{kind} rule"
        raise UnknownCodeError(f"{where}: unknown {what} or concern {bad[0]!r} (see `slimguard rules`)")

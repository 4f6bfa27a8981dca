"""Run rules over one context: selection, pragmas, severity overrides, de-duplication, crash isolation.

The same code path serves Dockerfiles, run-time documents and images; what differs is the context the
rules receive and where pragmas come from.
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule

R = TypeVar("R", bound=Rule)


@dataclass
class Pragmas:
    """Inline ignores: codes for the whole file, and (first line, last line, codes) ranges."""

    global_codes: set[str] = field(default_factory=set)
    ranges: list[tuple[int, int, set[str]]] = field(default_factory=list)
    count: int = 0

    def ignored(self, line: int, codes: Iterable[str]) -> bool:
        wanted = {c.upper() for c in codes}
        if wanted & self.global_codes:
            return True
        return any(first <= line <= last and wanted & cs for first, last, cs in self.ranges)


def finding_codes(f: Finding) -> set[str]:
    return {f.rule, *f.aliases, f.concern.upper()}


def select_rules(rules: Iterable[R], select: set[str] | frozenset[str], *, everything: bool = False) -> list[R]:
    """The rules *select* names (by id, alias or concern); when it is empty, the default set (with
    *everything*, as in hadolint mode, also every rule whose ``in_hadolint_mode`` is true)."""
    if select:
        return [r for r in rules if set(select) & set(r.codes) or r.family_codes(select)]
    return [r for r in rules if r.default or (everything and getattr(r, "in_hadolint_mode", True))]


def severity_for(overrides: Mapping[str, Severity], f: Finding, rule_codes: Iterable[str] = ()) -> Severity:
    """The overridden severity of *f*: its id first, then its aliases, its rule's codes, its concern."""
    for code in (f.rule, *f.aliases, *sorted(rule_codes), f.concern.upper()):
        if code in overrides:
            return overrides[code]
    return f.severity


@dataclass(frozen=True)
class RunResult:
    findings: tuple[Finding, ...]
    errors: tuple[str, ...]  # one line each: a rule that crashed


def run_rules(rules: Sequence[Rule], ctx: Any, *, path: str, select: set[str] | frozenset[str] = frozenset(),
              ignore: set[str] | frozenset[str] = frozenset(), severity: Mapping[str, Severity] | None = None,
              pragmas: Pragmas | None = None, origin: str | None = None, everything: bool = False) -> RunResult:
    """Run the selected *rules* on *ctx* and filter, re-level, de-duplicate and sort their findings.

    --ignore, pragmas and severity overrides match a finding by its own codes and by every code of the
    rule that made it, so an alias means the same rule everywhere.

    A rule that raises is reported as an internal error naming the rule; the other rules still run.
    *origin* skips rules whose ``origins`` do not include it; *everything* runs the rules outside the
    default set too when nothing is selected.
    """
    found: list[tuple[Finding, frozenset[str]]] = []
    errors: list[str] = []
    for rule in select_rules(rules, select, everything=everything):
        if origin is not None and origin not in rule.origins:
            continue
        try:
            # a rule's aliases name all of its findings, also those that carry no alias themselves
            rule_codes = frozenset(rule.codes)
            # selected only by members of its alias family (--select SC2086): keep just those findings
            only = (rule.family_codes(select) if select and not set(select) & set(rule.codes) else None)
            found.extend((f, rule_codes) for f in rule.check(ctx)
                         if only is None or only & set(f.aliases))
        except RecursionError:
            errors.append(f"{path}: internal error in rule {rule.id}: input nested too deeply")
        except Exception as exc:  # noqa: BLE001 - one broken rule must not hide the others
            where = traceback.extract_tb(exc.__traceback__)[-1]
            errors.append(f"{path}: internal error in rule {rule.id}: {type(exc).__name__}: {exc} "
                          f"({where.filename.rsplit('/', 1)[-1]}:{where.lineno}); please report it")
    overrides = severity or {}
    kept: list[Finding] = []
    seen: set[tuple] = set()
    for f, rule_codes in found:
        codes = finding_codes(f) | rule_codes
        if ignore and codes & set(ignore):
            continue
        if pragmas is not None and pragmas.ignored(f.line, codes):
            continue
        sev = severity_for(overrides, f, rule_codes)
        if sev != f.severity:
            f = dataclasses.replace(f, severity=sev)
        key = (f.rule, f.line, f.column, f.message)
        if key in seen:
            continue
        seen.add(key)
        kept.append(f)
    kept.sort(key=Finding.sort_key)
    return RunResult(tuple(kept), tuple(errors))

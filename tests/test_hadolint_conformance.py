"""Replay hadolint's own test cases against slimguard's aliased rules.

../shared/conformance/hadolint-cases.jsonl holds the cases of hadolint 2.15.1's test suite (each
replayed against the hadolint binary).  Every case whose rule code is an alias of a slimguard rule is
linted in hadolint-compat mode; the number of findings carrying that alias must match the case's
``expected_count``.  ShellCheck cases (rule ``SC*``) replay against SG090, whose findings carry their
``SCdddd`` code as alias (the rule declares the family with ``alias_pattern``).  Run with ``-s`` to see the per-rule table.  Rules without a slimguard alias are
listed as not implemented; cases needing hadolint settings slimguard lacks are listed as unsupported.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pytest

from slimguard.knowledge.facts import Resolver
from slimguard.core.config import Config
from slimguard.dockerfile.lint import lint_text
from slimguard.dockerfile.context import LintOptions
from slimguard.dockerfile.rules import all_rules

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT.parent / "shared" / "conformance" / "hadolint-cases.jsonl"
THRESHOLD = 0.99
_CODE = re.compile(r"^(?:DL|SC)\d{4}$|^(?:DL|SC)?\*$")
_COUNT = re.compile(r"^(>=|==|<=)(\d+)$")

pytestmark = pytest.mark.skipif(not CASES.exists(), reason=f"{CASES} not found")


def load_cases() -> list[dict]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]


def implemented_aliases() -> set[str]:
    return {a for rule in all_rules() for a in rule.aliases}


def alias_patterns() -> list[re.Pattern[str]]:
    """Open alias families: a rule whose findings carry any code of a family (SG090: ShellCheck's SCdddd)."""
    return [re.compile(p) for rule in all_rules() if (p := getattr(rule, "alias_pattern", None))]


def pattern_implemented(code: str) -> bool:
    """A case code (``SC2086`` or the family ``SC*``) that a rule with an alias pattern reports."""
    probe = code[:-1] + "0000" if code.endswith("*") else code
    return bool(_CODE.match(code)) and any(p.match(probe) for p in alias_patterns())


def alias_matches(pattern: str, alias: str) -> bool:
    """A case's rule code against a finding alias: exact, or a prefix pattern (`SC*`, `*`)."""
    if pattern.endswith("*"):
        return alias.startswith(pattern[:-1])
    return alias == pattern


def is_implemented(code: str, aliases: set[str]) -> bool:
    return bool(_CODE.match(code)) and any(alias_matches(code, a) for a in aliases)


@dataclass(frozen=True)
class Settings:
    """The hadolint CLI flags of a case that slimguard understands."""

    registries: tuple[str, ...] = ()
    label_schema: tuple[tuple[str, str], ...] = ()
    strict_labels: bool = False

    def config(self) -> Config:
        return Config(engine="never", hadolint_compat=True, trusted_registries=list(self.registries),
                      label_schema=dict(self.label_schema), strict_labels=self.strict_labels)

    def options(self) -> LintOptions:
        return LintOptions(hadolint_compat=True, trusted_registries=self.registries,
                           label_schema=dict(self.label_schema), strict_labels=self.strict_labels)


def settings(flags: list[str]) -> Settings | None:
    """The settings from hadolint CLI flags (trusted registries, label schema, strict labels), or None when
    a flag is not supported."""
    registries: list[str] = []
    schema: list[tuple[str, str]] = []
    strict = False
    i = 0
    while i < len(flags):
        if flags[i] == "--trusted-registry" and i + 1 < len(flags):
            registries.append(flags[i + 1])
            i += 2
            continue
        if flags[i] == "--require-label" and i + 1 < len(flags) and ":" in flags[i + 1]:
            name, _, kind = flags[i + 1].rpartition(":")
            schema.append((name, kind))
            i += 2
            continue
        if flags[i] == "--strict-labels":
            strict = True
            i += 1
            continue
        return None
    return Settings(tuple(registries), tuple(schema), strict)


def expected_ok(expected: str, count: int) -> bool:
    m = _COUNT.match(expected.replace(" ", ""))
    if m is None:
        raise ValueError(f"unknown expected_count {expected!r}")
    n = int(m.group(2))
    return {">=": count >= n, "==": count == n, "<=": count <= n}[m.group(1)]


@dataclass
class Outcome:
    case: dict
    status: str  # agree, disagree, unsupported
    count: int = 0
    detail: str = ""


@dataclass
class Row:
    rule: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def judged(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status != "unsupported"]

    @property
    def agree(self) -> int:
        return sum(o.status == "agree" for o in self.outcomes)

    @property
    def rate(self) -> float:
        return self.agree / len(self.judged) if self.judged else 1.0


def replay(case: dict) -> Outcome:
    parsed = settings(case.get("config") or [])
    if parsed is None:
        return Outcome(case, "unsupported", detail=f"hadolint flags {case.get('config')}")
    result = lint_text(case["dockerfile"], "Dockerfile", parsed.config(), parsed.options(), Resolver("never"))
    if result.errors:
        hadolint_failed = "DL1000" in case.get("hadolint_all_codes", [])
        if "no instructions" in result.errors[0] and expected_ok(case["expected_count"], 0):
            # an empty file: hadolint lints it and finds nothing; slimguard refuses it as BuildKit does
            # ("file with no instructions"), which reports no finding of the rule either
            return Outcome(case, "agree", 0, "empty file refused as by BuildKit; no finding, as expected")
        return Outcome(case, "agree" if hadolint_failed else "disagree", detail="parse error: " + result.errors[0])
    count = sum(1 for f in result.findings if any(alias_matches(case["rule"], a) for a in f.aliases))
    ok = expected_ok(case["expected_count"], count)
    return Outcome(case, "agree" if ok else "disagree", count,
                   "" if ok else f"expected {case['expected_count']}, got {count}")


@lru_cache(maxsize=1)
def results() -> tuple[dict[str, Row], dict[str, int]]:
    aliases = implemented_aliases()
    rows: dict[str, Row] = {}
    missing: dict[str, int] = defaultdict(int)
    for case in load_cases():
        code = case["rule"]
        if not (is_implemented(code, aliases) or pattern_implemented(code)):
            missing[code] += 1
            continue
        rows.setdefault(code, Row(code)).outcomes.append(replay(case))
    return rows, dict(missing)


def _where(o: Outcome) -> str:
    c = o.case
    return f"{c['source'].removeprefix('test/Hadolint/')}[{c['variant']}]"


def table() -> str:
    rows, missing = results()
    lines = ["", "hadolint conformance (hadolint 2.15.1 test suite, hadolint-compat mode)",
             f"{'rule':<8} {'cases':>5} {'agree':>5} {'%':>7}  failing cases"]
    total = agree = 0
    for code in sorted(rows):
        row = rows[code]
        judged = len(row.judged)
        total += judged
        agree += row.agree
        failing = [f"{_where(o)} ({o.detail})" for o in row.outcomes if o.status == "disagree"]
        unsupported = len(row.outcomes) - judged
        extra = f" +{unsupported} unsupported" if unsupported else ""
        lines.append(f"{code:<8} {judged:>5} {row.agree:>5} {100 * row.rate:>6.1f}%  "
                     + ("; ".join(failing) or "-") + extra)
    if total:
        lines.append(f"{'all':<8} {total:>5} {agree:>5} {100 * agree / total:>6.1f}%")
    odd = sorted(c for c in missing if not _CODE.match(c))
    normal = sorted(c for c in missing if _CODE.match(c))
    lines.append("not implemented (no slimguard alias): "
                 + ", ".join(f"{c} ({missing[c]})" for c in normal))
    if odd:
        lines.append("malformed rule codes in the case file: " + ", ".join(repr(c) for c in odd))
    return "\n".join(lines)


def test_conformance_table() -> None:
    print(table())
    rows, _ = results()
    bad = {code: f"{100 * row.rate:.1f}%" for code, row in rows.items() if row.rate < THRESHOLD}
    assert not bad, f"agreement below {THRESHOLD:.0%}: {bad}\n{table()}"


def test_cross_check_all_codes() -> None:
    """Informational: for every implemented alias, does slimguard report it on exactly the cases where
    hadolint reported it among all its codes (``hadolint_all_codes``)?  Printed, not asserted."""
    aliases = sorted(implemented_aliases())
    counts: dict[str, list[int]] = {a: [0, 0, 0] for a in aliases}  # cases, agree, hadolint reported
    misses: dict[str, list[str]] = defaultdict(list)
    for case in load_cases():
        parsed = settings(case.get("config") or [])
        if parsed is None:
            continue
        result = lint_text(case["dockerfile"], "Dockerfile", parsed.config(), parsed.options(),
                           Resolver("never"))
        if result.errors:
            continue
        ours = {a for f in result.findings for a in f.aliases}
        theirs = set(case.get("hadolint_all_codes", []))
        for a in aliases:
            counts[a][0] += 1
            counts[a][2] += a in theirs
            if (a in ours) == (a in theirs):
                counts[a][1] += 1
            else:
                misses[a].append(f"{_where(Outcome(case, ''))} ({'only slimguard' if a in ours else 'only hadolint'})")
    lines = ["", "cross-check against every code hadolint reported per case (informational)",
             f"{'alias':<8} {'cases':>5} {'agree':>5} {'hadolint+':>9}  differing cases"]
    for a in aliases:
        n, ok, pos = counts[a]
        shown = misses[a][:6]
        more = f" ... +{len(misses[a]) - 6}" if len(misses[a]) > 6 else ""
        lines.append(f"{a:<8} {n:>5} {ok:>5} {pos:>9}  " + ("; ".join(shown) or "-") + more)
    print("\n".join(lines))

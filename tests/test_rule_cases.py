"""Every rule's YAML case file: failing, passing and fixed examples, replayed."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from slimguard.knowledge.facts import Resolver
from slimguard.core.config import Config
from slimguard.dockerfile.fix import fix_dockerfile as fix_text
from slimguard.dockerfile.lint import lint_text
from slimguard.dockerfile.context import LintOptions
from slimguard.dockerfile.rules import all_rules

CASES_DIR = Path(__file__).resolve().parents[1] / "src" / "slimguard" / "dockerfile" / "rules" / "cases"
REQUIRED_TAGS = {"multistage", "arg", "onbuild"}


def load(rule_id: str) -> dict:
    path = CASES_DIR / f"{rule_id}.yaml"
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def lint(rule_id: str, text: str, opts: dict) -> list:
    config = Config(select={rule_id}, engine="never")
    options = LintOptions(target=opts.get("target"), build_args=opts.get("build_args", {}),
                          hadolint_compat=opts.get("hadolint_compat", False),
                          trusted_registries=tuple(opts.get("trusted_registries", ())))
    res = lint_text(text, "Dockerfile", config, options, Resolver("never"))
    assert not res.errors, res.errors
    return [f for f in res.findings if f.rule == rule_id]


def all_cases():
    for rule in all_rules():
        path = CASES_DIR / f"{rule.id}.yaml"
        if not path.exists():
            continue
        data = load(rule.id)
        for i, case in enumerate(data.get("cases", [])):
            yield pytest.param(rule.id, case, id=f"{rule.id}-{i}-{case.get('name', '')[:40]}")


@pytest.mark.parametrize("rule_id,case", list(all_cases()))
def test_case(rule_id: str, case: dict) -> None:
    opts = case.get("options", {}) or {}
    found = lint(rule_id, case["dockerfile"], opts)
    summary = [(f.line, f.message) for f in found]
    if "findings" in case:
        assert len(found) == case["findings"], summary
    if "lines" in case:
        assert sorted(f.line for f in found) == sorted(case["lines"]), summary
    if "aliases" in case:
        assert all(tuple(f.aliases) == tuple(case["aliases"]) for f in found), [f.aliases for f in found]
    if "message" in case:
        assert any(case["message"] in f.message for f in found), summary
    if "fixed" in case:
        unsafe = bool(case.get("unsafe", False))
        result = fix_text(case["dockerfile"], lambda t: lint(rule_id, t, opts), unsafe=unsafe)
        assert result.text == case["fixed"]
        # fixing the fixed text changes nothing, and the rule is satisfied
        again = fix_text(result.text, lambda t: lint(rule_id, t, opts), unsafe=unsafe)
        assert again.text == result.text
        assert not [f for f in lint(rule_id, result.text, opts) if f.fix is not None], "fix is not stable"


def test_every_rule_has_docs_and_cases() -> None:
    from slimguard.core.findings import CONCERNS

    problems = []
    for rule in all_rules():
        d = rule.docs
        for section in ("what", "why", "example", "instead", "fix_safety"):
            if not getattr(d, section).strip():
                problems.append(f"{rule.id}: docs section {section} is empty")
        if rule.concern not in CONCERNS:
            problems.append(f"{rule.id}: unknown concern {rule.concern}")
        if rule.fixable not in ("none", "safe", "unsafe"):
            problems.append(f"{rule.id}: fixable must be none, safe or unsafe")
        path = CASES_DIR / f"{rule.id}.yaml"
        if not path.exists():
            problems.append(f"{rule.id}: no case file {path.name}")
            continue
        data = load(rule.id)
        if data.get("rule") != rule.id:
            problems.append(f"{rule.id}: case file names rule {data.get('rule')}")
        cases = data.get("cases") or []
        failing = [c for c in cases if c.get("findings", len(c.get("lines", []))) > 0]
        passing = [c for c in cases if c.get("findings", len(c.get("lines", []))) == 0]
        if len(failing) < 5 or len(passing) < 5:
            problems.append(f"{rule.id}: needs >=5 failing and >=5 passing cases ({len(failing)}/{len(passing)})")
        tags = {t for c in cases for t in c.get("tags", [])}
        if not REQUIRED_TAGS <= tags:
            problems.append(f"{rule.id}: cases lack tags {sorted(REQUIRED_TAGS - tags)}")
        if rule.fixable != "none" and not any("fixed" in c for c in cases):
            problems.append(f"{rule.id}: fixable rule without a 'fixed' example")
    assert not problems, "\n".join(problems)

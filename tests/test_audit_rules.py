"""Documentation of the audit-only rules (SGA…)."""

from __future__ import annotations

from slimguard.image.checks import TITLES
from slimguard.image.rules import all_rules, get_rule
from slimguard.core.docs import render_markdown as render_docs
from slimguard.core.findings import CONCERNS, Severity


def test_sga001_docs_sections_are_non_empty():
    rule = get_rule("sga001")
    assert rule is not None and rule.id == "SGA001"
    assert rule.title == TITLES["SGA001"]
    assert rule.severity is Severity.INFO
    assert rule.concern == "pkg-hygiene" and rule.concern in CONCERNS
    assert rule.fixable == "none" and rule.aliases == ()
    sections = rule.docs.as_dict()
    assert set(sections) == {"what_it_does", "why_is_this_bad", "example", "use_instead", "fix_safety"}
    for name, text in sections.items():
        assert isinstance(text, str) and text.strip(), name
    assert "FROM" in rule.docs.example and "FROM" in rule.docs.instead


def test_audit_rules_render_and_serialise_like_dockerfile_rules():
    for rule in all_rules():
        text = render_docs(rule)
        assert text.startswith(f"# {rule.id}: {rule.title}")
        for heading in ("What it does", "Why is this bad", "Example", "Use instead", "Fix safety"):
            assert f"## {heading}" in text
        d = rule.to_dict()
        assert d["id"] == rule.id and d["severity"] == "info" and d["docs"]["what_it_does"]
    assert get_rule("SGA999") is None

"""The image rules (SGA…): documentation, and the lint rule each one answers to."""

from __future__ import annotations

from slimguard.core import registry
from slimguard.image.rules import all_rules, get_rule
from slimguard.core.docs import render_markdown as render_docs
from slimguard.core.findings import CONCERNS, Severity


def test_sga001_docs_sections_are_non_empty():
    rule = get_rule("sga001")
    assert rule is not None and rule.id == "SGA001"
    assert rule.title == "Bytes hidden by later layers"
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
        assert d["id"] == rule.id and d["severity"] == rule.severity.label and d["docs"]["what_it_does"]
        assert d["origins"] == ["image"] and d["aliases"] == list(rule.aliases)
        assert rule.fixable == "none" and rule.docs.fix_safety.startswith("No automatic fix")
        assert "FROM" in rule.docs.example and "FROM" in rule.docs.instead
    assert get_rule("SGA999") is None


LINT_ALIAS = {"SGA001": None, "SGA002": "SG001", "SGA003": "SG002", "SGA004": "SG003", "SGA005": "SG005",
              "SGA006": "SG007", "SGA007": "SG008", "SGA008": "SG009", "SGA009": "SG010", "SGA010": "SG013",
              "SGA011": "SG014", "SGA012": "SG015", "SGA013": "SG016", "SGA014": None, "SGA015": "SG019",
              "SGA016": "SG020"}


def test_each_image_rule_answers_to_at_most_one_lint_rule_of_the_same_concern():
    assert {r.id: (r.aliases[0] if r.aliases else None) for r in all_rules()} == LINT_ALIAS
    for rule in all_rules():
        assert len(rule.aliases) <= 1
        for alias in rule.aliases:
            lint = registry.get_rule(alias, "dockerfile")
            assert lint is not None and lint.id == alias and lint.concern == rule.concern, rule.id
            assert get_rule(alias) is rule  # --select/--ignore SG0NN in audit
            assert registry.get_rule(alias) is lint  # a rule's own id wins: `explain SG0NN` is the lint rule
    aliases = [a for r in all_rules() for a in r.aliases]
    assert len(aliases) == len(set(aliases))

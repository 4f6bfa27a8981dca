"""The core every rule kind shares: the rule engine and the fix loop."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest

from slimguard.core.engine import Pragmas, run_rules
from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.core.fixes import FixError, fix_text
from slimguard.core.rule import Rule, RuleDocs

DOCS = RuleDocs("w", "y", "e", "i", "f")


def finding(rule: str, line: int = 1, fix: Fix | None = None, **kw) -> Finding:
    return Finding(rule=rule, concern=kw.pop("concern", "root-user"), severity=Severity.WARNING, message=f"{rule} here",
                   file="f", line=line, column=1, end_line=line, end_column=2, fix=fix, **kw)


class Emits(Rule):
    id = "XX001"
    title = "emits"
    severity = Severity.WARNING
    concern = "root-user"
    aliases = ("DLX1",)
    docs = DOCS

    def check(self, ctx):
        yield finding(self.id, 3, aliases=self.aliases)
        yield finding(self.id, 3, aliases=self.aliases)  # a duplicate
        yield finding(self.id, 1, aliases=self.aliases)


class Crashes(Rule):
    id = "XX002"
    title = "crashes"
    severity = Severity.INFO
    concern = "build-tools"
    docs = DOCS

    def check(self, ctx):
        raise ZeroDivisionError("boom")


def test_engine_dedupes_sorts_and_reports_a_crashing_rule_without_losing_the_others():
    res = run_rules([Emits(), Crashes()], None, path="Dockerfile")
    assert [f.line for f in res.findings] == [1, 3]
    assert len(res.errors) == 1 and res.errors[0].startswith("Dockerfile: internal error in rule XX002: ZeroDivisionError")
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.findings = ()  # type: ignore[misc]


@pytest.mark.parametrize("codes", [{"XX001"}, {"DLX1"}, {"ROOT-USER"}])
def test_engine_selects_and_ignores_by_id_alias_or_concern(codes):
    assert run_rules([Emits(), Crashes()], None, path="f", select=codes).errors == ()
    assert run_rules([Emits()], None, path="f", ignore=codes).findings == ()


def test_engine_pragmas_and_severity_overrides():
    p = Pragmas(ranges=[(3, 3, {"DLX1"})])
    res = run_rules([Emits()], None, path="f", pragmas=p, severity={"ROOT-USER": Severity.ERROR})
    assert [(f.line, f.severity) for f in res.findings] == [(1, Severity.ERROR)]


def test_finding_details_are_read_only_and_serialise():
    f = finding("XX001", details={"packages": [{"name": "gcc"}]})
    assert isinstance(f.details, MappingProxyType)
    with pytest.raises(TypeError):
        f.details["x"] = 1  # type: ignore[index]
    assert f.to_dict()["details"] == {"packages": [{"name": "gcc"}]}
    assert f.to_dict()["fix"] == {"available": False, "applicability": None, "description": None}


# -- the fix loop ---------------------------------------------------------------------------------


def fixer(rules):
    """A find() whose findings come from (needle, fix factory) pairs over the current text."""
    def find(text: str) -> list[Finding]:
        out = []
        for needle, make in rules:
            at = text.find(needle)
            if at >= 0:
                out.append(finding("XX001", fix=make(at, text)))
        return out
    return find


def test_fix_loop_applies_safe_fixes_until_stable_and_is_idempotent():
    find = fixer([("a", lambda at, t: Fix("a->b", (Edit(at, at + 1, "b"),)))])
    res = fix_text("xaxa", find)
    assert res.text == "xbxb" and res.rounds == 2 and len(res.applied) == 2 and res.unfixed == ()
    assert fix_text(res.text, find).text == res.text


def test_unsafe_and_display_only_fixes():
    unsafe = fixer([("a", lambda at, t: Fix("u", (Edit(at, at + 1, "b"),), Applicability.UNSAFE))])
    assert fix_text("a", unsafe).text == "a"
    assert fix_text("a", unsafe, unsafe=True).text == "b"
    advice = fixer([("a", lambda at, t: Fix("advice", (), Applicability.DISPLAY_ONLY))])
    res = fix_text("a", advice, unsafe=True)
    assert res.text == "a" and res.applied == () and len(res.unfixed) == 1


def test_a_fix_is_taken_whole_or_waits_for_the_next_round():
    def find(text):
        out = []
        if "ab" in text:
            out.append(finding("XX001", fix=Fix("ab", (Edit(0, 2, "AB"),))))
        if text.startswith("a") or text.startswith("A"):
            # overlaps the first fix's range in round 1; both of its edits must wait together
            out.append(finding("XX002", fix=Fix("two", (Edit(1, 2, "!"), Edit(len(text), len(text), "$")))))
        return out

    res = fix_text("abc", find, max_rounds=2)
    assert res.rounds == 2 and [f.rule for f in res.applied] == ["XX001", "XX002"]
    assert res.text == "A!c$"


def test_isolation_groups_never_share_a_round():
    def find(text):
        out = []
        for i, ch in enumerate(text):
            if ch == "x":
                out.append(finding("XX001", fix=Fix("split", (Edit(i, i + 1, "y"),), isolation="split")))
        return out

    res = fix_text("xx", find)
    assert res.text == "yy" and res.rounds == 2


def test_an_alone_fix_goes_first_and_by_itself():
    def find(text):
        out = [finding("XX001", line=1, fix=Fix("early", (Edit(0, 0, "<"),)))] if not text.startswith("<") else []
        if "split" not in text:
            out.append(finding("XX002", line=9, fix=Fix("split", (Edit(len(text), len(text), "|split"),),
                                                        Applicability.UNSAFE, alone=True)))
        return out

    res = fix_text("ab", find, unsafe=True)
    assert [f.rule for f in res.applied] == ["XX002", "XX001"] and res.rounds == 2
    assert res.text == "<ab|split"
    safe = fix_text("ab", find)  # not applicable: the others are not held back
    assert safe.text == "<ab" and safe.rounds == 1


def test_cycle_between_fixes_stops():
    def find(text):
        return [finding("XX001", fix=Fix("flip", (Edit(0, 1, "b" if text[0] == "a" else "a"),)))]

    res = fix_text("a", find)
    assert res.cycle and res.text == "b"


def test_validate_callback_refuses_a_broken_round():
    def validate(new, old):
        if "!" in new:
            raise FixError("broken")

    find = fixer([("a", lambda at, t: Fix("bang", (Edit(at, at + 1, "!"),)))])
    with pytest.raises(FixError):
        fix_text("a", find, validate=validate)


class AliasOnSome(Rule):
    """Like SG001: only some findings carry the hadolint alias, the rule answers to it for all."""

    id = "XX003"
    title = "alias on some"
    severity = Severity.WARNING
    concern = "root-user"
    aliases = ("DLX3",)
    docs = DOCS

    def check(self, ctx):
        yield finding(self.id, 1)  # no alias: hadolint would not report this one
        yield finding(self.id, 2, aliases=self.aliases)


def test_a_rule_alias_ignores_and_re_levels_every_finding_of_the_rule():
    assert run_rules([AliasOnSome()], None, path="f", ignore={"DLX3"}).findings == ()
    assert run_rules([AliasOnSome()], None, path="f", pragmas=Pragmas(global_codes={"DLX3"})).findings == ()
    res = run_rules([AliasOnSome()], None, path="f", severity={"DLX3": Severity.ERROR})
    assert [f.severity for f in res.findings] == [Severity.ERROR, Severity.ERROR]


def test_rules_outside_the_default_set_run_only_when_selected_or_in_hadolint_mode():
    from slimguard.core.config import Config
    from slimguard.core.engine import select_rules

    class On(Rule):
        id, title, severity, concern = "XX010", "on", Severity.INFO, "style"

    class Off(Rule):
        id, title, severity, concern, aliases, default = "XX011", "off", Severity.INFO, "style", ("DL9999",), False

    rules = [On(), Off()]
    assert [r.id for r in select_rules(rules, frozenset())] == ["XX010"]
    assert [r.id for r in select_rules(rules, frozenset(), everything=True)] == ["XX010", "XX011"]
    assert [r.id for r in select_rules(rules, frozenset({"DL9999"}))] == ["XX011"]
    assert Config(sources=("/repo/.hadolint.yaml",)).hadolint_mode
    assert Config(hadolint_compat=True).hadolint_mode and not Config(sources=("/repo/pyproject.toml",)).hadolint_mode

"""docs/peers.md: every Trivy and Checkov Dockerfile check maps to the slimguard rules the table names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from slimguard.api import lint
from slimguard.core.config import Config, validate_flag_codes
from slimguard.core.engine import select_rules
from slimguard.core.registry import rules_of

DOC = Path(__file__).resolve().parents[1] / "docs" / "peers.md"
ROW = re.compile(r"^\| ((?:DS|CKV2?_DOCKER_)\d+) \| [^|]+ \| ([^|]+) \| (on|off)[^|]* \|", re.M)


def table() -> dict[str, tuple[set[str], str]]:
    rows = {code: ({r.strip() for r in rules.split(",")}, default) for code, rules, default in ROW.findall(DOC.read_text())}
    assert len(rows) == 29 + 11 + 17, sorted(rows)
    return rows


def trivy_spellings(code: str) -> list[str]:
    if not code.startswith("DS"):
        return [code]
    n = int(code[2:])
    return [code, f"DS-{n:04d}", f"AVD-DS-{n:04d}"]


@pytest.mark.parametrize("code", sorted(table()))
def test_peer_code_selects_the_rules_in_the_table(code: str) -> None:
    rules, default = table()[code]
    for spelling in trivy_spellings(code):
        validate_flag_codes({spelling}, "--select")
        chosen = {r.id for r in select_rules(rules_of("dockerfile"), {spelling})}
        assert chosen == rules, (spelling, chosen)
    by_id = {r.id: r for r in rules_of("dockerfile")}
    assert {("on" if by_id[r].default else "off") for r in rules} == {default}, code


def test_every_declared_peer_code_is_in_the_table() -> None:
    listed = {s for code in table() for s in trivy_spellings(code)}
    declared = {p for r in rules_of("dockerfile") for p in r.peers}
    assert declared <= listed, sorted(declared - listed)


def test_peer_codes_select_ignore_and_relevel() -> None:
    text = "FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\nEXPOSE 22\n"
    cfg = Config(engine="never")
    base = {f.rule for f in lint(text, config=cfg).findings}
    assert {"SG091", "SG092"} <= base
    only = lint(text, config=Config(engine="never", select=frozenset({"CKV_DOCKER_5"})))
    assert {f.rule for f in only.findings} == {"SG092"}
    # findings do not carry peer codes; they keep their own aliases
    assert all(not a.startswith(("DS", "CKV")) for f in only.findings for a in f.aliases)
    ignored = lint(text, config=Config(engine="never", ignore=frozenset({"AVD-DS-0017", "DS004"})))
    assert not {"SG091", "SG092"} & {f.rule for f in ignored.findings}


def test_checkov_family_selects_single_findings() -> None:
    text = ("FROM debian:bookworm-slim\nRUN curl -k https://example.com/a -o /a && pip install --trusted-host h x\n"
            "ENV NODE_TLS_REJECT_UNAUTHORIZED=0\n")
    res = lint(text, config=Config(engine="never", select=frozenset({"CKV2_DOCKER_4"})))
    assert [(f.rule, f.aliases) for f in res.findings] == [("SG095", ("CKV2_DOCKER_4",))]
    res = lint(text, config=Config(engine="never", select=frozenset({"SG095"}), ignore=frozenset({"CKV2_DOCKER_2"})))
    assert sorted(f.aliases[0] for f in res.findings) == ["CKV2_DOCKER_4", "CKV2_DOCKER_6"]

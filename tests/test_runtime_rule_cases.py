"""Every run-time rule's YAML case file (src/slimguard/runtime/rules/cases/SGRNNN.yaml), replayed.

A case: ``input`` (a compose file, Kubernetes manifests, or a `docker run` command), optional ``kind``,
``path`` (file name, in a temporary directory that also gets ``files``), ``images`` (image -> {user,
users, groups}: replaces the engine and knowledge base), ``host`` (host paths -> {uid, gid, mode, dir}:
replaces the real filesystem; unlisted paths do not exist), ``host_user`` ([uid, gid] of `$(id -u)`),
``env`` (compose interpolation), ``options`` ({uid, gid}); expectations ``findings``, ``lines``,
``message``, ``severity``, ``fixed`` (+ ``unsafe``). Without ``images`` the knowledge base answers
(no engine), as for the Dockerfile rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from slimguard.knowledge.facts import Resolver
from slimguard.core.config import Config
from slimguard.core.findings import CONCERNS
from slimguard.runtime.engine import check_text
from slimguard.runtime.fixing import fix_text
from slimguard.runtime.hostfs import StubHostFS
from slimguard.runtime.images import ImageResolver
from slimguard.runtime.rules import CheckOptions, all_rules

CASES_DIR = Path(__file__).resolve().parents[1] / "src" / "slimguard" / "runtime" / "rules" / "cases"


def load(rule_id: str) -> dict:
    return YAML(typ="safe").load((CASES_DIR / f"{rule_id}.yaml").read_text(encoding="utf-8"))


def case_kind(case: dict) -> str | None:
    if case.get("kind"):
        return case["kind"]
    first = case["input"].lstrip().split(None, 1)[0] if case["input"].strip() else ""
    return "docker-run" if first in ("docker", "podman", "sudo") else None


def run_case(rule_id: str, case: dict, text: str, tmp_path: Path) -> list:
    kind = case_kind(case)
    for name, content in (case.get("files") or {}).items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content)
    path = "<docker run>" if kind == "docker-run" else str(tmp_path / case.get("path", "manifest.yaml"))
    images = ImageResolver(Resolver("never"), stubs=case.get("images"))
    host = StubHostFS(case.get("host") or {}, str(tmp_path), tuple(case.get("host_user") or (1000, 1000)))
    opts = case.get("options") or {}
    options = CheckOptions(uid=opts.get("uid", 10001), gid=opts.get("gid", 10001))
    config = Config(select={rule_id}, engine="never")
    res = check_text(text, path, kind, config, options, images, host, env=dict(case.get("env") or {}),
                     project_dir=str(tmp_path))
    assert not res.errors, res.errors
    return [f for f in res.findings if f.rule == rule_id]


def all_cases():
    for rule in all_rules():
        path = CASES_DIR / f"{rule.id}.yaml"
        if not path.exists():
            continue
        for i, case in enumerate(load(rule.id).get("cases") or []):
            yield pytest.param(rule.id, case, id=f"{rule.id}-{i}-{case.get('name', '')[:40]}")


@pytest.mark.parametrize("rule_id,case", list(all_cases()))
def test_case(rule_id: str, case: dict, tmp_path: Path) -> None:
    found = run_case(rule_id, case, case["input"], tmp_path)
    summary = [(f.line, f.column, f.message) for f in found]
    if "findings" in case:
        assert len(found) == case["findings"], summary
    if "lines" in case:
        assert sorted(f.line for f in found) == sorted(case["lines"]), summary
    if "message" in case:
        assert any(case["message"] in f.message for f in found), summary
    if "severity" in case:
        assert {f.severity.label for f in found} == {case["severity"]}, summary
    for f in found:
        assert f.origin == (case_kind(case) or f.origin)
        assert 1 <= f.line and 1 <= f.column
    if "fixed" in case:
        unsafe = bool(case.get("unsafe", False))
        kind = case_kind(case) or "yaml"

        def check(t: str) -> list:
            return run_case(rule_id, case, t, tmp_path)

        result = fix_text(case["input"], check, unsafe=unsafe, kind=kind)
        assert result.text == case["fixed"]
        again = fix_text(result.text, check, unsafe=unsafe, kind=kind)
        assert again.text == result.text, "fixing twice changed the text"
        assert not [f for f in check(result.text) if f.fix is not None and (f.fix.safe or unsafe)], "fix is not stable"


def test_every_rule_has_docs_and_cases() -> None:
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
        kinds = set()
        for c in cases:
            k = case_kind(c)
            if k is None:
                k = "compose" if "services:" in c["input"] else "kubernetes"
            kinds.add(k)
        for origin in rule.origins:
            if origin not in kinds:
                problems.append(f"{rule.id}: no case for {origin}")
        if rule.fixable != "none" and not any("fixed" in c for c in cases):
            problems.append(f"{rule.id}: fixable rule without a 'fixed' example")
    if not any("#" in c["input"] and "fixed" in c for r in all_rules() if (CASES_DIR / f"{r.id}.yaml").exists()
               for c in load(r.id).get("cases") or []):
        problems.append("no fixed case with a comment (comments must survive fixes)")
    assert not problems, "\n".join(problems)

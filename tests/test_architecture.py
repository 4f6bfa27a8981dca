"""The architecture the code must keep: one rule mechanism, rules that never import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from slimguard.core import registry
from slimguard.core.rule import Rule

SRC = Path(__file__).resolve().parents[1] / "src" / "slimguard"
RULE_PACKAGES = {pkg: prefix for pkg, prefix in registry.PACKAGES.values()}


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module *path* imports (``from X import y`` counts as X and X.y)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import (use absolute slimguard.… imports)"
            mod = node.module or ""
            out.add(mod)
            out |= {f"{mod}.{a.name}" for a in node.names}
    return out


def _is_rule_module(name: str) -> bool:
    pkg, _, leaf = name.rpartition(".")
    prefix = RULE_PACKAGES.get(pkg)
    return prefix is not None and leaf.startswith(prefix) and leaf[len(prefix):len(prefix) + 1].isdigit()


ALL_MODULES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", ALL_MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_imports_a_rule_module(path: Path):
    """Shared analysis lives in analysis modules; only the registry loads rule modules."""
    name = _module_name(path)
    bad = sorted(m for m in _imports(path) if _is_rule_module(m) and m != name)
    assert not bad, f"{name} imports rule module(s) {bad}: move the shared code to an analysis module"


def test_every_rule_is_a_core_rule_of_its_package_kind():
    rules = registry.all_rules()
    assert {r.kind for r in rules} == set(registry.PACKAGES)
    for r in rules:
        assert isinstance(r, Rule)
        assert type(r).__module__.startswith(registry.PACKAGES[r.kind][0] + ".")
        assert r.fixable in ("none", "safe", "unsafe", "display-only"), r.id
        assert r.docs.what and r.docs.why and r.docs.example and r.docs.instead and r.docs.fix_safety, r.id


def test_every_rule_module_exposes_one_rule_and_has_a_case_file():
    for kind in registry.PACKAGES:
        names = registry.rule_modules(kind)
        assert names, kind
        ids = {r.id for r in registry.rules_of(kind)}
        assert len(ids) == len(names)
        for rule_id in ids:
            assert (registry.cases_dir(kind) / f"{rule_id}.yaml").is_file(), f"{rule_id}: no case file"


def test_rule_ids_and_aliases_resolve_to_one_rule():
    rules = registry.all_rules()
    for r in rules:
        assert registry.get_rule(r.id) is r
        assert registry.get_rule(r.id.lower()) is r


def test_cli_has_no_import_circle():
    for path in (SRC / "cli").glob("*.py"):
        if path.name != "main.py":
            assert "slimguard.cli.main" not in _imports(path), f"{path.name} imports cli.main"
    assert not any(m.startswith("slimguard.cli") for m in _imports(SRC / "cli" / "table.py"))


def test_no_old_layout_modules_remain():
    for old in ("findings.py", "fixing.py", "config.py", "baseinfo.py", "knowledge.py", "imageref.py", "expand.py",
                "rules", "audit", "commands", "lint", "syntax", "model", "shell"):
        assert not (SRC / old).exists(), f"src/slimguard/{old} belongs in the new layout"

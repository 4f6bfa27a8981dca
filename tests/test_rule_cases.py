"""Every rule's YAML case file, replayed: Dockerfile, run-time and image rules through one harness.

A case file ``registry.cases_dir(kind)/<ID>.yaml`` holds ``rule: <ID>`` and ``cases``. A case gives its
input under its kind's key and any of the expectations every kind shares: ``findings`` (how many),
``lines``, ``message`` (a substring of one finding's), ``severity`` (of every finding), ``aliases`` (of
every finding), and for fixable rules ``fixed`` (the text after fixing; ``unsafe: true`` to apply
unsafe fixes too).

- Dockerfile (``dockerfile``): ``options`` (target, build_args, hadolint_compat, trusted_registries,
  label_schema, strict_labels), ``files`` (name -> text, written beside the Dockerfile, e.g. a
  ``.dockerignore``; the Dockerfile is then linted at that path),
  ``tags`` (which the meta-test requires: multistage, arg, onbuild).
- Run-time (``input``: a compose file, Kubernetes manifests or a `docker run` command): optional
  ``kind``, ``path`` (file name, in a temporary directory that also gets ``files``), ``images`` (image ->
  {user, users, groups}: replaces the engine and knowledge base), ``host`` (host paths -> {uid, gid,
  mode, dir}: replaces the real filesystem; unlisted paths do not exist), ``host_user`` ([uid, gid] of
  `$(id -u)`), ``env`` (compose interpolation), ``options`` ({uid, gid}). Without ``images`` the
  knowledge base answers (no engine).
- Image (``image``): a synthetic image written as a ``docker save`` tar and read back by `slimguard
  audit` (no engine): ``config``, ``history``, ``tags``, ``files``, ``packages``, as
  :func:`test_audit_support.case_image` describes. Image rules have no fixes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from ruamel.yaml import YAML

from slimguard.core import registry
from slimguard.core.config import Config
from slimguard.core.findings import CONCERNS, Finding
from slimguard.core.rule import Rule
from test_audit_support import case_image

REQUIRED_TAGS = {"multistage", "arg", "onbuild"}  # Dockerfile cases


def load(rule: Rule) -> dict:
    return YAML(typ="safe").load((registry.cases_dir(rule.kind) / f"{rule.id}.yaml").read_text(encoding="utf-8"))


def has_cases(rule: Rule) -> bool:
    return (registry.cases_dir(rule.kind) / f"{rule.id}.yaml").exists()


# ------------------------------------------------------------------------------ one adapter per kind


class Adapter:
    """How cases of one kind run: the input key, the findings of the rule on a text, and its fixes."""

    key: str
    min_cases = 5  # failing and passing cases each

    def run(self, rule: Rule, case: dict, text: str, tmp_path: Path) -> list[Finding]:
        raise NotImplementedError

    def check_finding(self, case: dict, f: Finding, tmp_path: Path) -> None:
        """Kind-specific facts every finding must satisfy."""

    def fix(self, case: dict, text: str, find: Callable[[str], list[Finding]], unsafe: bool) -> str:
        raise NotImplementedError

    def leftover(self, f: Finding, unsafe: bool) -> bool:
        """Whether *f*, found in the fixed text, shows that the fix is not stable."""
        raise NotImplementedError

    def meta(self, rule: Rule, cases: list[dict]) -> list[str]:
        """Kind-specific problems of a rule's case file."""
        return []


class DockerfileAdapter(Adapter):
    key = "dockerfile"

    def run(self, rule: Rule, case: dict, text: str, tmp_path: Path) -> list[Finding]:
        from slimguard.dockerfile.context import LintOptions
        from slimguard.dockerfile.lint import lint_text
        from slimguard.knowledge.facts import Resolver

        opts = case.get("options", {}) or {}
        config = Config(select={rule.id}, engine="never")
        options = LintOptions(target=opts.get("target"), build_args=opts.get("build_args", {}),
                              hadolint_compat=opts.get("hadolint_compat", False),
                              trusted_registries=tuple(opts.get("trusted_registries", ())),
                              label_schema=dict(opts.get("label_schema") or {}),
                              strict_labels=bool(opts.get("strict_labels", False)))
        path = case.get("path", "Dockerfile")
        if case.get("files"):  # files beside the Dockerfile (a .dockerignore): lint it where they are
            for name, content in case["files"].items():
                (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
                (tmp_path / name).write_text(content)
            (tmp_path / path).write_text(text)
            path = str(tmp_path / path)
        res = lint_text(text, path, config, options, Resolver("never"))
        assert not res.errors, res.errors
        return [f for f in res.findings if f.rule == rule.id]

    def fix(self, case: dict, text: str, find: Callable[[str], list[Finding]], unsafe: bool) -> str:
        from slimguard.dockerfile.fix import fix_dockerfile

        return fix_dockerfile(text, find, unsafe=unsafe).text

    def leftover(self, f: Finding, unsafe: bool) -> bool:
        return f.fix is not None and f.fix.applies(unsafe)

    def meta(self, rule: Rule, cases: list[dict]) -> list[str]:
        tags = {t for c in cases for t in c.get("tags", [])}
        return [f"{rule.id}: cases lack tags {sorted(REQUIRED_TAGS - tags)}"] if not REQUIRED_TAGS <= tags else []


def runtime_kind(case: dict) -> str | None:
    if case.get("kind"):
        return case["kind"]
    first = case["input"].lstrip().split(None, 1)[0] if case["input"].strip() else ""
    return "docker-run" if first in ("docker", "podman", "sudo") else None


class RuntimeAdapter(Adapter):
    key = "input"

    def run(self, rule: Rule, case: dict, text: str, tmp_path: Path) -> list[Finding]:
        from slimguard.knowledge.facts import Resolver
        from slimguard.runtime.engine import check_text
        from slimguard.runtime.hostfs import StubHostFS
        from slimguard.runtime.images import ImageResolver
        from slimguard.runtime.rules import CheckOptions

        kind = runtime_kind(case)
        for name, content in (case.get("files") or {}).items():
            p = tmp_path / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(content)
        path = "<docker run>" if kind == "docker-run" else str(tmp_path / case.get("path", "manifest.yaml"))
        images = ImageResolver(Resolver("never"), stubs=case.get("images"))
        host = StubHostFS(case.get("host") or {}, str(tmp_path), tuple(case.get("host_user") or (1000, 1000)))
        opts = case.get("options") or {}
        options = CheckOptions(uid=opts.get("uid", 10001), gid=opts.get("gid", 10001))
        config = Config(select={rule.id}, engine="never")
        res = check_text(text, path, kind, config, options, images, host, env=dict(case.get("env") or {}),
                         project_dir=str(tmp_path))
        assert not res.errors, res.errors
        return [f for f in res.findings if f.rule == rule.id]

    def check_finding(self, case: dict, f: Finding, tmp_path: Path) -> None:
        assert f.origin == (runtime_kind(case) or f.origin)
        assert 1 <= f.line and 1 <= f.column

    def fix(self, case: dict, text: str, find: Callable[[str], list[Finding]], unsafe: bool) -> str:
        from slimguard.runtime.fixing import fix_text

        return fix_text(text, find, unsafe=unsafe, kind=runtime_kind(case) or "yaml").text

    def leftover(self, f: Finding, unsafe: bool) -> bool:
        return f.fix is not None and (f.fix.safe or unsafe)

    def meta(self, rule: Rule, cases: list[dict]) -> list[str]:
        kinds = set()
        for c in cases:
            k = runtime_kind(c)
            if k is None:
                k = "compose" if "services:" in c["input"] else "kubernetes"
            kinds.add(k)
        return [f"{rule.id}: no case for {origin}" for origin in rule.origins if origin not in kinds]


class ImageAdapter(Adapter):
    key = "image"
    min_cases = 3

    def run(self, rule: Rule, case: dict, spec: Any, tmp_path: Path) -> list[Finding]:
        from slimguard.image import audit

        path = tmp_path / "image.tar"
        case_image(str(path), spec)
        res = audit(str(path), engine="never")
        assert not res.errors, res.errors
        return [f for f in res.findings if f.rule == rule.id]

    def check_finding(self, case: dict, f: Finding, tmp_path: Path) -> None:
        assert f.origin == "image" and f.file == str(tmp_path / "image.tar")
        assert (f.line, f.column, f.end_line, f.end_column) == (1, 1, 1, 1)

    def meta(self, rule: Rule, cases: list[dict]) -> list[str]:
        return [f"{rule.id}: image rules have no fixes, a case says 'fixed'" for c in cases if "fixed" in c]


ADAPTERS: dict[str, Adapter] = {"dockerfile": DockerfileAdapter(), "runtime": RuntimeAdapter(),
                                "image": ImageAdapter()}


# ------------------------------------------------------------------------------ the cases


def all_cases():
    for rule in registry.all_rules():
        if not has_cases(rule):
            continue
        for i, case in enumerate(load(rule).get("cases") or []):
            yield pytest.param(rule, case, id=f"{rule.id}-{i}-{case.get('name', '')[:40]}")


@pytest.mark.parametrize("rule,case", list(all_cases()))
def test_case(rule: Rule, case: dict, tmp_path: Path) -> None:
    adapter = ADAPTERS[rule.kind]
    found = adapter.run(rule, case, case[adapter.key], tmp_path)
    summary = [(f.line, f.column, f.message) for f in found]
    if "findings" in case:
        assert len(found) == case["findings"], summary
    if "lines" in case:
        assert sorted(f.line for f in found) == sorted(case["lines"]), summary
    if "aliases" in case:
        assert all(tuple(f.aliases) == tuple(case["aliases"]) for f in found), [f.aliases for f in found]
    if "message" in case:
        assert any(case["message"] in f.message for f in found), summary
    if "severity" in case:
        assert {f.severity.label for f in found} == {case["severity"]}, summary
    for f in found:
        adapter.check_finding(case, f, tmp_path)
    if "fixed" in case:
        unsafe = bool(case.get("unsafe", False))

        def find(text: str) -> list[Finding]:
            return adapter.run(rule, case, text, tmp_path)

        fixed = adapter.fix(case, case[adapter.key], find, unsafe)
        assert fixed == case["fixed"]
        assert adapter.fix(case, fixed, find, unsafe) == fixed, "fixing twice changed the text"
        assert not [f for f in find(fixed) if adapter.leftover(f, unsafe)], "fix is not stable"


def test_every_rule_has_docs_and_cases() -> None:
    problems = []
    for rule in registry.all_rules():
        d = rule.docs
        for section in ("what", "why", "example", "instead", "fix_safety"):
            if not getattr(d, section).strip():
                problems.append(f"{rule.id}: docs section {section} is empty")
        if rule.concern not in CONCERNS:
            problems.append(f"{rule.id}: unknown concern {rule.concern}")
        if rule.fixable not in ("none", "safe", "unsafe"):
            problems.append(f"{rule.id}: fixable must be none, safe or unsafe")
        if not has_cases(rule):
            problems.append(f"{rule.id}: no case file {rule.id}.yaml in {registry.cases_dir(rule.kind)}")
            continue
        data = load(rule)
        if data.get("rule") != rule.id:
            problems.append(f"{rule.id}: case file names rule {data.get('rule')}")
        adapter = ADAPTERS[rule.kind]
        cases = data.get("cases") or []
        problems += [f"{rule.id}: case {c.get('name')!r} has no {adapter.key!r}" for c in cases if adapter.key not in c]
        failing = [c for c in cases if c.get("findings", len(c.get("lines", []))) > 0]
        passing = [c for c in cases if c.get("findings", len(c.get("lines", []))) == 0]
        n = adapter.min_cases
        if len(failing) < n or len(passing) < n:
            problems.append(f"{rule.id}: needs >={n} failing and >={n} passing cases ({len(failing)}/{len(passing)})")
        if rule.fixable != "none" and not any("fixed" in c for c in cases):
            problems.append(f"{rule.id}: fixable rule without a 'fixed' example")
        problems += adapter.meta(rule, cases)
    runtime = [r for r in registry.rules_of("runtime") if has_cases(r)]
    if not any("#" in c["input"] and "fixed" in c for r in runtime for c in load(r).get("cases") or []):
        problems.append("no fixed case with a comment (comments must survive fixes)")
    assert not problems, "\n".join(problems)

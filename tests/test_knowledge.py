"""Tests for slimguard.knowledge.bases and data/base_images.yaml."""

from __future__ import annotations

import re
import string
import time
from typing import Any

import pytest

from slimguard.knowledge import bases as kb
from slimguard.knowledge.bases import (
    BaseImageInfo,
    ShippedUser,
    families,
    lookup,
    normalize_repository,
    smaller_variant,
    user_creation_commands,
)

# --------------------------------------------------------------------------- schema validator

FAMILY_KEYS_REQUIRED = {
    "repositories", "distro", "user_creation", "package_manager", "has_shell",
    "default_user", "users", "build_tools", "variants", "runtime_variant", "sizes", "sources",
}
FAMILY_KEYS_OPTIONAL = {"has_passwd", "overrides", "jdk", "entrypoint_drops_privileges", "needs_root",
                        "nonroot_variant", "deprecated", "notes"}
OVERRIDE_SET_KEYS = {"distro", "user_creation", "package_manager", "has_shell", "has_passwd", "default_user"}
USER_KEYS = {"name", "uid", "gid", "home", "shell", "tags", "repositories", "note"}
VARIANT_KINDS = {"full", "slim", "alpine", "jre", "jdk", "runtime", "nonroot", "debug", "build", "other"}
RULE_KEYS = {"tags", "repositories", "to", "image", "repository_sub", "multi_stage", "reason"}
SIZE_KEYS = {"tags", "repository", "mb", "measure", "date", "source", "note"}
LEFTOVER_MACRO = re.compile(r"(?<!\(\?P)<[A-Za-z_]\w*>")


def _check_regex(errors: list[str], where: str, pattern: Any, macros: dict[str, str]) -> re.Pattern[str] | None:
    if not isinstance(pattern, str):
        errors.append(f"{where}: pattern must be a string")
        return None
    try:
        expanded = kb.expand_macros(pattern, macros)
        if LEFTOVER_MACRO.search(expanded):
            errors.append(f"{where}: unexpanded macro in {pattern!r}")
        return re.compile(expanded)
    except (KeyError, re.error) as exc:
        errors.append(f"{where}: bad pattern {pattern!r}: {exc}")
        return None


def _check_selector(errors: list[str], where: str, sel: Any, macros: dict[str, str]) -> None:
    if isinstance(sel, str):
        _check_regex(errors, where, sel, macros)
        return
    if not isinstance(sel, dict) or not ({"tags", "repositories"} & set(sel)):
        errors.append(f"{where}: selector needs tags and/or repositories")
        return
    if "tags" in sel:
        _check_regex(errors, where, sel["tags"], macros)
    if "repositories" in sel and not (
        isinstance(sel["repositories"], list) and all(isinstance(r, str) for r in sel["repositories"])
    ):
        errors.append(f"{where}: repositories must be a list of strings")


def _template_fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def validate(data: Any) -> list[str]:
    """Check the documented schema (docs/base-images.md). Returns a list of errors."""
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["top level must be a mapping"]
    if data.get("schema_version") != 1:
        errors.append("schema_version must be 1")
    macros = data.get("macros")
    if not isinstance(macros, dict) or not all(isinstance(v, str) for v in macros.values()):
        return errors + ["macros must map names to regex strings"]
    for name, body in macros.items():
        try:
            re.compile(body)
        except re.error as exc:
            errors.append(f"macro {name}: {exc}")
    if not isinstance(data.get("root_shell", {}), dict):
        errors.append("root_shell must be a mapping")
    fams = data.get("families")
    if not isinstance(fams, dict) or not fams:
        return errors + ["families must be a non-empty mapping"]
    for fname, fam in fams.items():
        w = f"families.{fname}"
        if not isinstance(fam, dict):
            errors.append(f"{w}: must be a mapping")
            continue
        missing = FAMILY_KEYS_REQUIRED - set(fam)
        unknown = set(fam) - FAMILY_KEYS_REQUIRED - FAMILY_KEYS_OPTIONAL
        if missing:
            errors.append(f"{w}: missing {sorted(missing)}")
        if unknown:
            errors.append(f"{w}: unknown keys {sorted(unknown)}")
        repos = fam.get("repositories")
        if not (isinstance(repos, list) and repos and all(isinstance(r, str) and r for r in repos)):
            errors.append(f"{w}.repositories: non-empty list of strings required")
        if fam.get("distro") not in kb.DISTROS:
            errors.append(f"{w}.distro: {fam.get('distro')!r} not in {kb.DISTROS}")
        if fam.get("user_creation") not in kb.USER_CREATION_STYLES:
            errors.append(f"{w}.user_creation: {fam.get('user_creation')!r}")
        if fam.get("package_manager") not in kb.PACKAGE_MANAGERS:
            errors.append(f"{w}.package_manager: {fam.get('package_manager')!r}")
        for key in ("has_shell", "has_passwd", "entrypoint_drops_privileges"):
            if key in fam and not isinstance(fam[key], bool):
                errors.append(f"{w}.{key}: must be a bool")
        nr = fam.get("needs_root")
        if nr is not None and not (isinstance(nr, str) and nr or isinstance(nr, dict) and set(nr) <= {"reason", "tags"}
                                   and isinstance(nr.get("reason"), str) and nr["reason"]):
            errors.append(f"{w}.needs_root: a reason, or {{reason, tags}}")
        nv = fam.get("nonroot_variant")
        if nv is not None and not (isinstance(nv, dict) and set(nv) <= {"image", "ports", "config_paths", "reason"}
                                   and isinstance(nv.get("image"), str) and "{tag}" in nv["image"]
                                   and all(isinstance(pair, list) and len(pair) == 2
                                           and all(isinstance(x, int) for x in pair) for pair in nv.get("ports") or [])):
            errors.append(f"{w}.nonroot_variant: {{image (with {{tag}}), ports [[int, int]], config_paths, reason}}")
        du = fam.get("default_user")
        if du is not None and not isinstance(du, str):
            errors.append(f"{w}.default_user: string or null (quote numeric users)")
        for i, u in enumerate(fam.get("users") or []):
            uw = f"{w}.users[{i}]"
            if not isinstance(u, dict) or set(u) - USER_KEYS or not {"name", "uid", "gid"} <= set(u):
                errors.append(f"{uw}: needs name, uid, gid; allowed {sorted(USER_KEYS)}")
                continue
            if not isinstance(u["uid"], int) or not isinstance(u["gid"], int) or u["uid"] < 0 or u["gid"] < 0:
                errors.append(f"{uw}: uid/gid must be non-negative integers")
            if "tags" in u or "repositories" in u:
                _check_selector(errors, uw, {k: u[k] for k in ("tags", "repositories") if k in u}, macros)
        for i, o in enumerate(fam.get("overrides") or []):
            ow = f"{w}.overrides[{i}]"
            if not isinstance(o, dict) or not isinstance(o.get("set"), dict):
                errors.append(f"{ow}: needs a set mapping")
                continue
            _check_selector(errors, ow, {k: o[k] for k in ("tags", "repositories") if k in o}, macros)
            bad = set(o["set"]) - OVERRIDE_SET_KEYS
            if bad:
                errors.append(f"{ow}.set: unknown keys {sorted(bad)}")
            for key, allowed in (("distro", kb.DISTROS), ("user_creation", kb.USER_CREATION_STYLES),
                                 ("package_manager", kb.PACKAGE_MANAGERS)):
                if key in o["set"] and o["set"][key] not in allowed:
                    errors.append(f"{ow}.set.{key}: {o['set'][key]!r}")
            if "default_user" in o["set"] and o["set"]["default_user"] is not None and not isinstance(
                o["set"]["default_user"], str
            ):
                errors.append(f"{ow}.set.default_user: string or null")
        for key in ("build_tools", "jdk"):
            val = fam.get(key, [])
            if not isinstance(val, list):
                errors.append(f"{w}.{key}: must be a list")
                continue
            for i, sel in enumerate(val):
                _check_selector(errors, f"{w}.{key}[{i}]", sel, macros)
        variants = fam.get("variants")
        if not isinstance(variants, list) or not variants:
            errors.append(f"{w}.variants: non-empty list required")
        for i, v in enumerate(variants or []):
            vw = f"{w}.variants[{i}]"
            if not isinstance(v, dict) or "tags" not in v or v.get("kind") not in VARIANT_KINDS:
                errors.append(f"{vw}: needs tags and kind in {sorted(VARIANT_KINDS)}")
                continue
            _check_regex(errors, vw, v["tags"], macros)
        rules = fam.get("runtime_variant")
        if not isinstance(rules, list) or not rules:
            errors.append(f"{w}.runtime_variant: non-empty list required")
        for i, r in enumerate(rules or []):
            rw = f"{w}.runtime_variant[{i}]"
            if not isinstance(r, dict) or "tags" not in r or "to" not in r or set(r) - RULE_KEYS:
                errors.append(f"{rw}: needs tags and to; allowed {sorted(RULE_KEYS)}")
                continue
            rx = _check_regex(errors, rw, r["tags"], macros)
            if not isinstance(r.get("reason", ""), str):
                errors.append(f"{rw}.reason: must be a string")
            if r["to"] is None:
                continue
            if not isinstance(r["to"], str) or not r["to"]:
                errors.append(f"{rw}.to: tag template or null")
                continue
            groups = set(rx.groupindex) | {"tag"} if rx else {"tag"}
            for tmpl_key in ("to", "image"):
                if tmpl_key in r and not _template_fields(r[tmpl_key]) <= groups:
                    errors.append(f"{rw}.{tmpl_key}: placeholders {_template_fields(r[tmpl_key]) - groups} not groups")
            if "reason" in r and not _template_fields(r["reason"]) <= groups | {"target"}:
                errors.append(f"{rw}.reason: unknown placeholders {_template_fields(r['reason']) - groups}")
            sub = r.get("repository_sub")
            if sub is not None:
                if not (isinstance(sub, list) and len(sub) == 2 and all(isinstance(x, str) for x in sub)):
                    errors.append(f"{rw}.repository_sub: [regex, replacement]")
                elif "image" in r:
                    errors.append(f"{rw}: image and repository_sub are exclusive")
            if "multi_stage" in r and not isinstance(r["multi_stage"], bool):
                errors.append(f"{rw}.multi_stage: bool")
        for i, s in enumerate(fam.get("sizes") or []):
            sw = f"{w}.sizes[{i}]"
            if not isinstance(s, dict) or set(s) - SIZE_KEYS or not {"tags", "mb", "measure", "source"} <= set(s):
                errors.append(f"{sw}: needs tags, mb, measure, source")
                continue
            if not (isinstance(s["tags"], list) and s["tags"] and all(isinstance(t, str) for t in s["tags"])):
                errors.append(f"{sw}.tags: non-empty list of strings (quote numeric tags)")
            if not isinstance(s["mb"], (int, float)) or isinstance(s["mb"], bool) or s["mb"] < 0:
                errors.append(f"{sw}.mb: non-negative number")
            if s["measure"] not in kb.SIZE_MEASURES:
                errors.append(f"{sw}.measure: {s['measure']!r}")
            if "date" in s and not isinstance(s["date"], str):
                errors.append(f"{sw}.date: string (quote it)")
            if not isinstance(s["source"], str) or not s["source"]:
                errors.append(f"{sw}.source: required")
        srcs = fam.get("sources")
        if not (isinstance(srcs, list) and srcs and all(isinstance(x, str) and x.strip() for x in srcs)):
            errors.append(f"{w}.sources: at least one non-empty source string")
        for key in ("deprecated",):
            if key in fam and not isinstance(fam[key], str):
                errors.append(f"{w}.{key}: string")
        if "notes" in fam and not (isinstance(fam["notes"], list) and all(isinstance(n, str) for n in fam["notes"])):
            errors.append(f"{w}.notes: list of strings")
    return errors


@pytest.fixture(scope="module")
def raw_yaml() -> dict[str, Any]:
    return kb.load_raw(use_cache=False)


def test_yaml_validates_against_schema(raw_yaml: dict[str, Any]) -> None:
    assert validate(raw_yaml) == []


def test_validator_catches_errors(raw_yaml: dict[str, Any]) -> None:
    import copy

    bad = copy.deepcopy(raw_yaml)
    bad["families"]["node"]["sources"] = []
    bad["families"]["node"]["user_creation"] = "useradd"
    bad["families"]["python"]["runtime_variant"][1]["to"] = "{nope}-slim"
    bad["families"]["debian"]["variants"][0]["tags"] = "<nomacro>"
    errs = validate(bad)
    assert any("node.sources" in e for e in errs)
    assert any("node.user_creation" in e for e in errs)
    assert any("python.runtime_variant" in e for e in errs)
    assert any("debian.variants" in e for e in errs)


def test_cache_matches_yaml(raw_yaml: dict[str, Any], tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLIMGUARD_CACHE_DIR", str(tmp_path))
    assert kb.load_raw() == raw_yaml  # miss: parses and writes the cache
    assert list(tmp_path.glob("base_images-*.json"))
    assert kb.load_raw() == raw_yaml  # hit


def test_every_family_has_sources_and_resolves(raw_yaml: dict[str, Any]) -> None:
    names = families()
    assert names == list(raw_yaml["families"])
    assert len(names) == 47
    for name in names:
        fam = raw_yaml["families"][name]
        assert fam["sources"], name
        for repo in fam["repositories"]:
            if any(c in repo for c in "*?["):
                continue
            info = lookup(repo, None)
            assert info is not None and info.family == name, (repo, info and info.family)
            assert info.sources and all(info.sources)


def test_all_families_compile_and_answer() -> None:
    for name in families():
        fam = kb._knowledge().families[name]
        repo = fam.raw["repositories"][0].replace("*", "x")
        for tag in (None, "latest", "1", "1.2-slim", "x-alpine"):
            info = lookup(repo, tag)
            assert isinstance(info, BaseImageInfo)
            smaller_variant(repo, tag)  # must not raise


def test_rule_targets_are_known_families(raw_yaml: dict[str, Any]) -> None:
    for name, fam in raw_yaml["families"].items():
        for r in fam["runtime_variant"]:
            if r.get("image") and "{" not in r["image"]:
                assert lookup(r["image"], None) is not None, (name, r["image"])


def test_load_time() -> None:
    kb._reset_for_tests()
    t0 = time.perf_counter()
    kb._knowledge()
    first = (time.perf_counter() - t0) * 1000
    warm = []
    for _ in range(5):
        kb._reset_for_tests()
        t0 = time.perf_counter()
        kb._knowledge()
        warm.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    kb.load_raw(use_cache=False)
    cold = (time.perf_counter() - t0) * 1000
    print(f"\nknowledge load: first {first:.1f} ms, warm (JSON cache) min {min(warm):.1f} ms, "
          f"YAML parse without cache {cold:.1f} ms")
    assert min(warm) < 20


# --------------------------------------------------------------------------- references


@pytest.mark.parametrize(
    "given,expected",
    [
        ("node", "library/node"),
        ("library/node", "library/node"),
        ("docker.io/library/node", "library/node"),
        ("index.docker.io/library/node", "library/node"),
        ("docker.io/node", "library/node"),
        ("Node", "library/node"),
        ("node:12.16", "library/node"),
        ("nginxinc/nginx-unprivileged", "nginxinc/nginx-unprivileged"),
        ("gcr.io/distroless/static-debian12", "gcr.io/distroless/static-debian12"),
        ("localhost:5000/app", "localhost:5000/app"),
        ("/scratch", "library/scratch"),
        ("docker.io/scratch", "library/scratch"),
    ],
)
def test_normalize_repository(given: str, expected: str) -> None:
    assert normalize_repository(given) == expected


@pytest.mark.parametrize("repo", ["node", "library/node", "docker.io/library/node"])
def test_lookup_spellings(repo: str) -> None:
    info = lookup(repo, "12.16")
    assert info is not None and info.family == "node" and info.repository == "library/node"


def test_lookup_tag_in_reference_and_digest() -> None:
    info = lookup("node:12.16-slim@sha256:" + "0" * 64, None)
    assert info is not None and info.tag == "12.16-slim" and not info.carries_build_tools


def test_unknown_family() -> None:
    assert lookup("example.com/team/app", "1.0") is None
    assert lookup("mycompany/whatever", None) is None
    assert smaller_variant("example.com/team/app", "1.0") is None


# --------------------------------------------------------------------------- lookup facts

NODE = ShippedUser("node", 1000, 1000, "/home/node", "/bin/bash")

LOOKUP_CASES: list[tuple[str, str | None, dict[str, Any]]] = [
    ("node", "12.16", dict(distro="debian", user_creation="debian", carries_build_tools=True, runs_as_nonroot=False,
                           default_user=None, is_jdk=False)),
    ("node", "12.16-slim", dict(distro="debian", carries_build_tools=False)),
    ("node", "20-alpine", dict(distro="alpine", user_creation="alpine", carries_build_tools=False)),
    ("python", "3.12", dict(carries_build_tools=True, runs_as_nonroot=False)),
    ("python", "3.12-slim-bookworm", dict(carries_build_tools=False)),
    ("golang", "1.22", dict(carries_build_tools=True)),
    ("ruby", "3.3", dict(carries_build_tools=True)),
    ("buildpack-deps", "bookworm", dict(carries_build_tools=True)),
    ("buildpack-deps", "bookworm-curl", dict(carries_build_tools=False)),
    ("openjdk", "8", dict(is_jdk=True, carries_build_tools=True, distro="debian")),
    ("openjdk", "8-jre-slim", dict(is_jdk=False, carries_build_tools=False, distro="debian")),
    ("eclipse-temurin", "17", dict(is_jdk=True, distro="ubuntu")),
    ("eclipse-temurin", "17-jre", dict(is_jdk=False, carries_build_tools=False)),
    ("eclipse-temurin", "21-jre-ubi9-minimal", dict(distro="rhel", user_creation="rhel-minimal")),
    ("gcr.io/distroless/static-debian12", "nonroot", dict(default_user="65532", runs_as_nonroot=True,
                                                          user_creation="none", has_shell=False, distro="distroless")),
    ("gcr.io/distroless/base-debian12", "debug-nonroot", dict(default_user="65532", runs_as_nonroot=True,
                                                              has_shell=True)),
    ("gcr.io/distroless/static-debian12", None, dict(default_user="0", runs_as_nonroot=False)),
    ("gcr.io/distroless/java21-debian12", "nonroot", dict(family="distroless-runtimes", runs_as_nonroot=True)),
    ("cgr.dev/chainguard/static", "latest", dict(default_user="65532", runs_as_nonroot=True, has_shell=False,
                                                 user_creation="none", distro="wolfi")),
    ("cgr.dev/chainguard/node", "latest", dict(default_user="65532", runs_as_nonroot=True)),
    ("cgr.dev/chainguard/node", "latest-dev", dict(has_shell=True, user_creation="alpine", carries_build_tools=True)),
    ("cgr.dev/chainguard/go", "latest", dict(runs_as_nonroot=False)),
    ("cgr.dev/chainguard/wolfi-base", "latest", dict(runs_as_nonroot=False, user_creation="alpine")),
    ("cgr.dev/chainguard/some-new-image", "latest", dict(family="chainguard-language-images", runs_as_nonroot=True)),
    ("nginxinc/nginx-unprivileged", "1.27-alpine", dict(default_user="101", runs_as_nonroot=True, distro="alpine")),
    ("nginx", "1.27", dict(runs_as_nonroot=False)),
    ("bitnami/nginx", "1.29", dict(default_user="1001", runs_as_nonroot=True)),
    ("bitnami/node", "22", dict(default_user=None, runs_as_nonroot=False, carries_build_tools=True)),
    ("haproxy", "3.0", dict(default_user="haproxy", runs_as_nonroot=True)),
    ("memcached", "1.6", dict(runs_as_nonroot=True)),
    ("elasticsearch", "9.1.0", dict(default_user="1000:0", runs_as_nonroot=True, distro="rhel")),
    ("elasticsearch", "8.19.2", dict(distro="ubuntu", user_creation="debian")),
    ("postgres", "16", dict(runs_as_nonroot=False, entrypoint_drops_privileges=True)),
    ("mariadb", "11-ubi", dict(default_user="mysql", runs_as_nonroot=True, user_creation="rhel-minimal")),
    ("alpine", "3.20", dict(distro="alpine", user_creation="alpine", package_manager="apk")),
    ("debian", "bookworm-slim", dict(user_creation="debian", package_manager="apt")),
    ("ubuntu", "24.04", dict(distro="ubuntu", user_creation="debian")),
    ("registry.access.redhat.com/ubi9/ubi-minimal", "9.4", dict(user_creation="rhel-minimal",
                                                                package_manager="microdnf")),
    ("registry.access.redhat.com/ubi9/ubi-micro", None, dict(user_creation="none")),
    ("registry.access.redhat.com/ubi9/ubi", None, dict(user_creation="rhel")),
    ("busybox", None, dict(distro="busybox", user_creation="busybox")),
    ("scratch", None, dict(distro="scratch", user_creation="none", has_shell=False, users=(), runs_as_nonroot=False)),
    ("amazonlinux", "2023", dict(user_creation="rhel-minimal", package_manager="dnf")),
    ("maven", "3.9-eclipse-temurin-21", dict(is_jdk=True, carries_build_tools=True)),
]


@pytest.mark.parametrize("repo,tag,expected", LOOKUP_CASES, ids=[f"{r}:{t}" for r, t, _ in LOOKUP_CASES])
def test_lookup(repo: str, tag: str | None, expected: dict[str, Any]) -> None:
    info = lookup(repo, tag)
    assert info is not None
    for key, value in expected.items():
        assert getattr(info, key) == value, (key, getattr(info, key))


def test_node_ships_node_user() -> None:
    info = lookup("node", "12.16")
    assert info is not None
    assert info.find_user("node") == NODE
    assert info.find_user("1000") == NODE
    assert info.users[0].name == "root" and info.users[0].uid == 0
    alpine = lookup("node", "20-alpine")
    assert alpine is not None and alpine.find_user("node") == ShippedUser("node", 1000, 1000, "/home/node", "/bin/sh")


@pytest.mark.parametrize(
    "tag,has_ubuntu",
    [("24.04", True), ("noble", True), ("noble-20240801", True), ("26.04", True), ("latest", True),
     ("22.04", False), ("jammy", False), ("20.04", False)],
)
def test_ubuntu_user(tag: str, has_ubuntu: bool) -> None:
    info = lookup("ubuntu", tag)
    assert info is not None
    user = info.find_user("ubuntu")
    if has_ubuntu:
        assert user == ShippedUser("ubuntu", 1000, 1000, "/home/ubuntu", "/bin/bash")
        assert info.find_user("1000") == user
    else:
        assert user is None


def test_distroless_nonroot_user() -> None:
    info = lookup("gcr.io/distroless/static-debian12", "nonroot")
    assert info is not None
    assert info.find_user("65532") == ShippedUser("nonroot", 65532, 65532, "/home/nonroot", "/sbin/nologin")


def test_inherited_ubuntu_user_in_temurin() -> None:
    noble = lookup("eclipse-temurin", "21-jre-noble")
    jammy = lookup("eclipse-temurin", "21-jre-jammy")
    alpine = lookup("eclipse-temurin", "21-jre-alpine")
    assert noble is not None and noble.find_user("1000") is not None
    assert jammy is not None and jammy.find_user("1000") is None
    assert alpine is not None and alpine.find_user("1000") is None


def test_deprecated_and_notes() -> None:
    info = lookup("openjdk", "8-jre-slim")
    assert info is not None and info.deprecated and "eclipse-temurin" in info.deprecated
    unpriv = lookup("nginxinc/nginx-unprivileged", None)
    assert unpriv is not None and any("8080" in n for n in unpriv.notes)


# --------------------------------------------------------------------------- smaller variants

VARIANT_CASES: list[tuple[str, str | None, str | None, str | None]] = [
    # repo, tag, expected image, expected tag
    ("node", "12.16", "node:12.16-slim", "12.16-slim"),
    ("node", "12", "node:12-slim", "12-slim"),
    ("node", "20-bullseye", "node:20-bullseye-slim", "20-bullseye-slim"),
    ("node", "lts", "node:lts-slim", "lts-slim"),
    ("node", None, "node:slim", "slim"),
    ("docker.io/library/node", "20", "docker.io/library/node:20-slim", "20-slim"),
    ("python", "3.12", "python:3.12-slim", "3.12-slim"),
    ("python", "3.12-bookworm", "python:3.12-slim-bookworm", "3.12-slim-bookworm"),
    ("ruby", "3.3", "ruby:3.3-slim", "3.3-slim"),
    ("ruby", "3.3-bookworm", "ruby:3.3-slim-bookworm", "3.3-slim-bookworm"),
    ("openjdk", "8", "openjdk:8-jre-slim", "8-jre-slim"),
    ("openjdk", "8-jdk", "openjdk:8-jre-slim", "8-jre-slim"),
    ("openjdk", "8-jre", "openjdk:8-jre-slim", "8-jre-slim"),
    ("openjdk", "11", "openjdk:11-jre-slim", "11-jre-slim"),
    ("openjdk", "11-jdk-slim", "openjdk:11-jre-slim", "11-jre-slim"),
    ("openjdk", "17", "eclipse-temurin:17-jre", "17-jre"),
    ("eclipse-temurin", "17", "eclipse-temurin:17-jre", "17-jre"),
    ("eclipse-temurin", "17-jdk", "eclipse-temurin:17-jre", "17-jre"),
    ("eclipse-temurin", "21-jdk-noble", "eclipse-temurin:21-jre-noble", "21-jre-noble"),
    ("eclipse-temurin", "21-alpine", "eclipse-temurin:21-jre-alpine", "21-jre-alpine"),
    ("amazoncorretto", "21", "amazoncorretto:21-al2023-headless", "21-al2023-headless"),
    ("amazoncorretto", "8", "amazoncorretto:8-al2023-jre", "8-al2023-jre"),
    ("golang", "1.22", "gcr.io/distroless/static-debian12:nonroot", "nonroot"),
    ("golang", "1.22-bookworm", "gcr.io/distroless/static-debian12:nonroot", "nonroot"),
    ("golang", "1.24-trixie", "gcr.io/distroless/static-debian13:nonroot", "nonroot"),
    ("rust", "1.80-bookworm", "gcr.io/distroless/cc-debian12:nonroot", "nonroot"),
    ("buildpack-deps", "bookworm", "debian:bookworm-slim", "bookworm-slim"),
    ("buildpack-deps", "bookworm-scm", "debian:bookworm-slim", "bookworm-slim"),
    ("debian", "bookworm", "debian:bookworm-slim", "bookworm-slim"),
    ("debian", "12", "debian:12-slim", "12-slim"),
    ("maven", "3.9-eclipse-temurin-21", "eclipse-temurin:21-jre", "21-jre"),
    ("gradle", "8-jdk17", "eclipse-temurin:17-jre", "17-jre"),
    ("tomcat", "10.1-jdk17-temurin-jammy", "tomcat:10.1-jre17-temurin-jammy", "10.1-jre17-temurin-jammy"),
    ("nginx", "1.27-alpine", "nginx:1.27-alpine-slim", "1.27-alpine-slim"),
    ("rockylinux", "9", "rockylinux:9-minimal", "9-minimal"),
    ("registry.access.redhat.com/ubi9/ubi", "9.4", "registry.access.redhat.com/ubi9/ubi-minimal:9.4", "9.4"),
    ("cgr.dev/chainguard/python", "latest-dev", "cgr.dev/chainguard/python:latest", "latest"),
    # already minimal, no smaller same-distro tag, or unknown
    ("node", "12.16-slim", None, None),
    ("node", "20-alpine", None, None),
    ("python", "3.12-slim", None, None),
    ("python", "3.12-slim-bookworm", None, None),
    ("openjdk", "8-jre-slim", None, None),
    ("eclipse-temurin", "17-jre", None, None),
    ("debian", "bookworm-slim", None, None),
    ("alpine", "3.20", None, None),
    ("gcr.io/distroless/static-debian12", "nonroot", None, None),
    ("scratch", None, None, None),
    ("busybox", None, None, None),
    ("php", "8.3", None, None),
    ("postgres", "16", None, None),
    ("ubuntu", "24.04", None, None),
]


@pytest.mark.parametrize("repo,tag,image,new_tag", VARIANT_CASES, ids=[f"{r}:{t}" for r, t, _, _ in VARIANT_CASES])
def test_smaller_variant(repo: str, tag: str | None, image: str | None, new_tag: str | None) -> None:
    s = smaller_variant(repo, tag)
    if image is None:
        assert s is None
        return
    assert s is not None
    assert (s.image, s.tag) == (image, new_tag)
    assert s.reason
    assert s.confirmed, s


def test_node_saving_from_blog() -> None:
    s = smaller_variant("node", "12.16")
    assert s is not None
    assert s.size_mb == 140 and s.saving_mb == 776  # 916 MB - 140 MB
    assert s.size_measure == "uncompressed" and s.size_source and "seed" in s.size_source
    assert not s.multi_stage


@pytest.mark.parametrize("tag,saving", [("8", 326), ("8-jdk", 326), ("8-jre", 80)])
def test_openjdk_savings_from_blog(tag: str, saving: float) -> None:
    s = smaller_variant("openjdk", tag)
    assert s is not None and s.tag == "8-jre-slim" and s.size_mb == 184 and s.saving_mb == saving


def test_temurin_saving_compressed() -> None:
    s = smaller_variant("eclipse-temurin", "17")
    assert s is not None and s.saving_mb == pytest.approx(102.2) and s.size_measure == "compressed"


def test_no_saving_across_measures() -> None:
    s = smaller_variant("golang", "1.24-trixie")  # golang:alpine is measured, distroless size is prose
    assert s is not None and s.saving_mb is None and s.multi_stage


def test_unconfirmed_spelling() -> None:
    s = smaller_variant("rockylinux", "9.3")
    assert s is not None and s.tag == "9.3-minimal" and not s.confirmed


@pytest.mark.parametrize("repo,tag", [(r, t) for r, t, i, _ in VARIANT_CASES if i is not None])
def test_suggestion_is_a_fixed_point(repo: str, tag: str | None) -> None:
    s = smaller_variant(repo, tag)
    assert s is not None
    ref = s.image.rsplit(":", 1)[0]
    assert smaller_variant(ref, s.tag) is None, s


# --------------------------------------------------------------------------- user creation


def _cmds(repo: str, tag: str | None, name: str = "app", uid: int = 10001, gid: int = 10001) -> str:
    info = lookup(repo, tag)
    assert info is not None
    return " && ".join(user_creation_commands(info, name, uid, gid))


def test_debian_user_creation() -> None:
    assert _cmds("debian", "bookworm-slim") == (
        "groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-create-home "
        "--home-dir /nonexistent --shell /usr/sbin/nologin app"
    )
    assert _cmds("python", "3.12-slim").startswith("groupadd --system")


@pytest.mark.parametrize("repo,tag", [("alpine", "3.20"), ("node", "20-alpine"), ("busybox", None)])
def test_alpine_busybox_user_creation(repo: str, tag: str | None) -> None:
    assert _cmds(repo, tag) == "addgroup -S -g 10001 app && adduser -S -D -H -u 10001 -G app -s /sbin/nologin app"


def test_ubi_minimal_needs_shadow_utils() -> None:
    cmds = user_creation_commands(lookup("registry.access.redhat.com/ubi9/ubi-minimal", "9.4"), "app", 10001, 10001)
    assert cmds[0] == "microdnf install -y shadow-utils"
    assert cmds[-1] == "microdnf clean all"
    assert any(c.startswith("groupadd --system --gid 10001 app") for c in cmds)
    assert any(c.startswith("useradd --system --uid 10001 --gid app") for c in cmds)


def test_amazonlinux_uses_dnf_for_shadow_utils() -> None:
    assert _cmds("amazonlinux", "2023").startswith("dnf install -y shadow-utils && groupadd")


def test_rhel_user_creation() -> None:
    out = _cmds("registry.access.redhat.com/ubi9/ubi", None)
    assert out.startswith("groupadd --system --gid 10001 app && useradd --system --uid 10001")
    assert "shadow-utils" not in out


@pytest.mark.parametrize(
    "repo,tag",
    [("scratch", None), ("gcr.io/distroless/static-debian12", "nonroot"), ("cgr.dev/chainguard/static", None),
     ("registry.access.redhat.com/ubi9/ubi-micro", None)],
)
def test_no_user_creation_possible(repo: str, tag: str | None) -> None:
    info = lookup(repo, tag)
    assert info is not None and info.user_creation == "none"
    assert user_creation_commands(info, "app", 10001, 10001) == []


def test_user_creation_collisions() -> None:
    ubuntu = lookup("ubuntu", "24.04")
    assert ubuntu is not None
    with pytest.raises(ValueError, match="ubuntu"):
        user_creation_commands(ubuntu, "app", 1000, 1000)
    with pytest.raises(ValueError, match="already ships"):
        user_creation_commands(lookup("node", "20-slim"), "node", 2000, 2000)
    with pytest.raises(ValueError):
        user_creation_commands(ubuntu, "app", 0, 10001)
    with pytest.raises(ValueError):
        user_creation_commands(ubuntu, "bad name", 10001, 10001)
    assert user_creation_commands(lookup("ubuntu", "22.04"), "app", 1000, 1000)


def test_needs_root_and_nonroot_twin() -> None:
    """nginx, httpd and php's apache tags must start as root; only nginx has a drop-in non-root twin."""
    nginx = kb.lookup("nginx", "1.25")
    assert nginx.needs_root and "port 80" in nginx.needs_root
    assert nginx.nonroot_variant is not None
    assert nginx.nonroot_variant.reference("1.25") == "nginxinc/nginx-unprivileged:1.25"
    assert nginx.nonroot_variant.port_for(80) == 8080 and nginx.nonroot_variant.port_for(443) is None
    assert kb.lookup("httpd", "2.4").needs_root and kb.lookup("httpd", "2.4").nonroot_variant is None
    assert kb.lookup("php", "8.3-apache").needs_root
    assert kb.lookup("php", "8.3-fpm").needs_root is None
    assert kb.lookup("nginxinc/nginx-unprivileged", "1.25").needs_root is None
    assert kb.lookup("node", "20").needs_root is None

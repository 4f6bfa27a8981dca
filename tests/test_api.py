"""The library API: slimguard.lint / fix / check / audit return frozen results, the CLI is a layer over it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import slimguard
from slimguard.core.config import Config
from slimguard.core.fixes import FixError

from test_audit_support import E, docker_archive, layer_tar, make_config

DOCKERFILE = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\nCMD [\"curl\", \"--version\"]\n"
POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: x:1\n"
NEVER = Config(engine="never")


def test_lint_text_and_path_give_the_same_frozen_result(tmp_path: Path):
    by_text = slimguard.lint(DOCKERFILE, path="Dockerfile", config=NEVER)
    f = tmp_path / "Dockerfile"
    f.write_text(DOCKERFILE)
    by_path = slimguard.lint(f, config=NEVER)
    assert [x.rule for x in by_text.findings] == [x.rule for x in by_path.findings]
    assert "SG001" in {x.rule for x in by_text.findings} and by_path.path == str(f)
    with pytest.raises(dataclasses.FrozenInstanceError):
        by_text.findings = ()  # type: ignore[misc]
    assert isinstance(by_text.findings, tuple)


def test_lint_reports_parse_errors_and_selects_by_config():
    bad = slimguard.lint("FROM a\nRUN <<EOF\n", config=NEVER)
    assert bad.errors and not bad.findings
    only = slimguard.lint(DOCKERFILE, config=dataclasses.replace(NEVER, select=frozenset({"SG012"})))
    assert {x.rule for x in only.findings} == {"SG012"}


def test_fix_returns_the_fixed_text_and_raises_on_bad_input():
    safe = slimguard.fix(DOCKERFILE, config=NEVER)
    assert "USER" in safe.text and "--no-install-recommends" not in safe.text  # SG012 changes packages: unsafe
    res = slimguard.fix(DOCKERFILE, unsafe=True, config=NEVER)
    assert "--no-install-recommends" in res.text and "ca-certificates" in res.text and "USER" in res.text
    assert {f.rule for f in res.applied} >= {"SG001", "SG012"}
    assert slimguard.fix(res.text, unsafe=True, config=NEVER).text == res.text
    with pytest.raises(FixError):
        slimguard.fix("FROM a\nRUN <<EOF\n", config=NEVER)


def test_check_yaml_and_docker_run():
    res = slimguard.check(POD, path="pod.yaml", config=NEVER)
    assert res.kind == "kubernetes" and "SGR001" in {f.rule for f in res.findings}
    run = slimguard.check("docker run --privileged x:1", kind="docker-run", config=NEVER)
    assert "SGR007" in {f.rule for f in run.findings}
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.errors = ()  # type: ignore[misc]


def test_audit_applies_the_config(tmp_path: Path):
    layers = [layer_tar([E("etc", "dir"), E("etc/passwd", data=b"root:x:0:0::/root:/bin/sh\n")])]
    archive = tmp_path / "i.tar"
    docker_archive(str(archive), layers, make_config(layers, user="", ports=["80/tcp"]))
    spec = f"docker-archive:{archive}"
    everything = slimguard.audit(spec, config=NEVER, use_dive=False)
    root = [f for f in everything.findings if "SG001" in f.codes]
    assert root and root[0].origin == "image"
    quiet = slimguard.audit(spec, config=dataclasses.replace(NEVER, ignore=frozenset({"SG001"})), use_dive=False)
    assert not [f for f in quiet.findings if "SG001" in f.codes]

"""Base-image facts read from the local engine (stand-in zoo images), winning over the table."""

from __future__ import annotations

import pytest

from slimguard.knowledge.facts import Resolver
from slimguard.knowledge.imageref import parse_image_ref

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def resolver(zoo, tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    return Resolver("auto")


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_node_image_users_and_build_tools(resolver):
    facts = resolver.resolve(parse_image_ref("node:12.16"))
    assert facts is not None and facts.source == "engine"
    assert facts.users["node"] == (1000, 1000)
    assert facts.default_user == ""
    assert facts.carries_build_tools and "gcc" in facts.packages
    assert facts.user_creation == "debian" and facts.has_shell


def test_slim_image_has_no_compiler(resolver):
    facts = resolver.resolve(parse_image_ref("node:12.16-slim"))
    assert facts is not None and facts.source == "engine"
    assert "gcc" not in facts.packages and facts.users["node"] == (1000, 1000)


def test_distroless_stand_in_runs_as_nonroot_without_shell(resolver):
    facts = resolver.resolve(parse_image_ref("gcr.io/distroless/static-debian12:nonroot"))
    assert facts is not None and facts.source == "engine"
    assert facts.default_user.split(":")[0] == "65532"
    assert facts.has_shell is False and facts.users["nonroot"][0] == 65532


def test_missing_image_falls_back_to_knowledge_and_never_pulls(resolver, docker_client):
    import docker.errors

    def present() -> bool:
        try:
            docker_client.images.get("python:3.12")
            return True
        except docker.errors.ImageNotFound:
            return False

    assert not present()
    facts = resolver.resolve(parse_image_ref("python:3.12"))
    assert facts is None or facts.source == "knowledge"
    assert not present()  # nothing was pulled


def test_lint_uses_engine_facts(zoo, tmp_path, monkeypatch):
    from slimguard.core.config import Config
    from slimguard.dockerfile.lint import lint_text

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    res = lint_text("FROM openjdk:8-jre\nCOPY app.jar /app.jar\n", "Dockerfile", Config(engine="auto"))
    sg001 = [f for f in res.findings if f.rule == "SG001"]
    assert sg001 and sg001[0].fix is not None and "groupadd" in sg001[0].fix.edits[0].text

"""Base-image facts: the knowledge base for the images it knows (the same on every machine, whatever the local
engine holds), the local engine (stand-in zoo images retagged under names the table does not know) for the rest."""

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


def _local(docker_client, image: str, name: str) -> str:
    """Tag a zoo image under a name the knowledge base does not know (a team's own base image)."""
    repo, tag = name.rsplit(":", 1)
    docker_client.images.get(image).tag(repo, tag)
    return name


def test_known_image_comes_from_the_knowledge_base(resolver):
    facts = resolver.resolve(parse_image_ref("node:12.16"))
    assert facts is not None and facts.source == "knowledge"
    assert facts.users["node"] == (1000, 1000)
    assert facts.default_user == ""
    assert facts.carries_build_tools


def test_unknown_local_image_uses_engine_facts(resolver, docker_client):
    facts = resolver.resolve(parse_image_ref(_local(docker_client, "node:12.16", "registry.example/team/node-base:1")))
    assert facts is not None and facts.source == "engine"
    assert facts.users["node"] == (1000, 1000)
    assert facts.default_user == ""
    assert facts.carries_build_tools and "gcc" in facts.packages
    assert facts.user_creation == "debian" and facts.has_shell


def test_unknown_slim_image_has_no_compiler(resolver, docker_client):
    facts = resolver.resolve(parse_image_ref(_local(docker_client, "node:12.16-slim", "registry.example/team/node-slim:1")))
    assert facts is not None and facts.source == "engine"
    assert "gcc" not in facts.packages and facts.users["node"] == (1000, 1000)


def test_unknown_distroless_like_image_runs_as_nonroot_without_shell(resolver, docker_client):
    ref = _local(docker_client, "gcr.io/distroless/static-debian12:nonroot", "registry.example/team/static:1")
    facts = resolver.resolve(parse_image_ref(ref))
    assert facts is not None and facts.source == "engine"
    assert facts.default_user.split(":")[0] == "65532"
    assert facts.has_shell is False and facts.users["nonroot"][0] == 65532


def test_lint_is_the_same_with_and_without_the_engine(zoo, tmp_path, monkeypatch):
    from slimguard.core.config import Config
    from slimguard.dockerfile.lint import lint_text

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text = "FROM openjdk:8-jre\nCOPY app.jar /app.jar\nEXPOSE 8080\nCMD [\"java\", \"-jar\", \"/app.jar\"]\n"
    with_engine = lint_text(text, "Dockerfile", Config(engine="auto"))
    without = lint_text(text, "Dockerfile", Config(engine="never"))
    assert [(f.rule, f.line, f.message) for f in with_engine.findings] == \
        [(f.rule, f.line, f.message) for f in without.findings]


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


def test_lint_fix_creates_the_user_on_a_known_base(zoo, tmp_path, monkeypatch):
    from slimguard.core.config import Config
    from slimguard.dockerfile.lint import lint_text

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    res = lint_text("FROM openjdk:8-jre\nCOPY app.jar /app.jar\n", "Dockerfile", Config(engine="auto"))
    sg001 = [f for f in res.findings if f.rule == "SG001"]
    assert sg001 and sg001[0].fix is not None and "groupadd" in sg001[0].fix.edits[0].text


def test_findings_say_when_facts_come_from_the_engine(zoo, docker_client, tmp_path, monkeypatch):
    from slimguard.core.config import Config
    from slimguard.dockerfile.lint import lint_text

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    ref = _local(docker_client, "node:12.16", "registry.example/team/node-base:1")
    text = f"FROM {ref}\nCOPY . /app\nEXPOSE 3000\nCMD [\"node\", \"/app/index.js\"]\n"
    res = lint_text(text, "Dockerfile", Config(engine="auto"))
    assert any("come from the local engine" in n and ref in n for n in res.notes), res.notes
    assert not lint_text(text, "Dockerfile", Config(engine="never")).notes

"""Shared pytest setup: tests/ on sys.path, the Docker engine and the image zoo.

- ``docker_client`` (session): a pinged ``docker.DockerClient``. If the engine is
  unreachable the test *errors* — unless ``SLIMGUARD_NO_DOCKER=1``, then it skips.
- ``zoo`` (session): ``{tag or alias: image id}`` for every stand-in base image
  (see tests/zoo.py); builds what is missing, a cache hit otherwise.
- Tests marked ``docker`` are skipped when ``SLIMGUARD_NO_DOCKER=1``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

NO_DOCKER = os.environ.get("SLIMGUARD_NO_DOCKER") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not NO_DOCKER:
        return
    skip = pytest.mark.skip(reason="SLIMGUARD_NO_DOCKER=1: Docker engine tests skipped")
    for item in items:
        if "docker" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def docker_client():
    if NO_DOCKER:
        pytest.skip("SLIMGUARD_NO_DOCKER=1: Docker engine tests skipped")
    import docker

    try:
        client = docker.from_env(timeout=300)
        client.ping()
    except Exception as e:  # noqa: BLE001 - any failure means: no engine
        pytest.fail(
            f"Docker engine unreachable ({type(e).__name__}: {e}). "
            "Start it with `bash scripts/ensure-docker.sh` (or run `bash scripts/test.sh`), "
            "or set SLIMGUARD_NO_DOCKER=1 to skip engine tests.",
            pytrace=False,
        )
    yield client
    client.close()


@pytest.fixture(scope="session")
def zoo(docker_client, request: pytest.FixtureRequest) -> dict[str, str]:
    import zoo as zoo_mod

    # Show build progress live (first build takes minutes) instead of capturing it.
    capman = request.config.pluginmanager.getplugin("capturemanager")
    if capman is not None:
        with capman.global_and_fixture_disabled():
            return zoo_mod.ensure()
    return zoo_mod.ensure()

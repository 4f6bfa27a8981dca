"""End to end: the failures SG002, SG004 (and SG006) predict happen on the real engine.

Every example is linted with slimguard (knowledge base only, no engine look-ups), then built on
the Docker engine from the zoo's stand-in base images, and run with ``--network none``:

- SG004: a step that needs root, after ``USER 10001``, fails the build with the error the rule
  names; the Dockerfile fixed by slimguard (``USER root`` around the step) builds, and the image
  still runs as 10001.
- SG002: ``USER appuser`` that nothing creates builds, but the container cannot start
  ("unable to find user appuser: no matching entries in passwd file"); a RUN after it fails the
  build with the same error. The corrected Dockerfile runs.
- SG006: a VOLUME nobody chowned is not writable for the user on a new named volume; after the
  fix it is.

Builds use the legacy builder through the API (``pull=False``, host network, no cache, so nothing
of anyone else's is reused); every image, container and volume made here is removed.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass

import pytest

from slimguard.knowledge.facts import Resolver
from slimguard.core.config import Config
from slimguard.dockerfile.fix import fix_dockerfile as fix_text
from slimguard.dockerfile.lint import lint_text
from slimguard.dockerfile.context import LintOptions

pytestmark = pytest.mark.docker

BASES = ["debian:bookworm-slim", "busybox:latest", "node:12.16-slim"]
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NETWORK_TROUBLE = re.compile(r"Temporary failure resolving|Could not resolve|Failed to fetch|Unable to connect")


def lint(rule: str, text: str) -> list:
    res = lint_text(text, "Dockerfile", Config(select={rule}, engine="never"), LintOptions(), Resolver("never"))
    assert not res.errors, res.errors
    return [f for f in res.findings if f.rule == rule]


def fixed(rule: str, text: str) -> str:
    return fix_text(text, lambda t: lint(rule, t)).text


@dataclass
class Build:
    ok: bool
    log: str
    image_id: str | None


class Engine:
    """Builds and runs throw-away images; remembers everything it made, to remove it."""

    def __init__(self, client) -> None:
        self.client = client
        self.tag = f"slimguard-e2e-users-{uuid.uuid4().hex[:12]}"
        self.n = 0
        self.images: list[str] = []  # ids, oldest first (intermediate layers included)
        self.containers: list[str] = []
        self.volumes: list[str] = []

    def build(self, dockerfile: str) -> Build:
        import docker.errors

        self.n += 1
        tag = f"{self.tag}:{self.n}"
        lines: list[str] = []
        image_id = None
        try:
            image, logs = self.client.images.build(
                fileobj=io.BytesIO(dockerfile.encode()), tag=tag, pull=False, network_mode="host",
                nocache=True, rm=True, forcerm=True,
            )
            lines = [str(chunk.get("stream") or chunk.get("error") or "") for chunk in logs]
            image_id = image.id
            ok = True
        except docker.errors.BuildError as e:
            lines = [str(chunk.get("stream") or chunk.get("error") or "") for chunk in e.build_log]
            ok = False
        log = _ANSI.sub("", "".join(lines))  # the legacy builder colours the steps' stderr
        self._remember_layers(log)
        if image_id:
            self.images.append(tag)
        return Build(ok, log, image_id)

    def _remember_layers(self, log: str) -> None:
        # " ---> <id>" closes each step; after a FROM step it is the base image, which is not ours
        from_step = False
        for line in log.splitlines():
            if re.match(r"Step \d+/\d+ : ", line):
                from_step = line.split(" : ", 1)[1].strip().upper().startswith("FROM ")
                continue
            m = re.match(r" ---> ([0-9a-f]{12})\s*$", line)
            if m:
                if not from_step:
                    self.images.append(m.group(1))
                from_step = False

    def run(self, image: str, cmd: list[str], *, volumes: dict | None = None) -> tuple[int, str]:
        """Run to completion (``--network none``); exit code and output. Start errors raise."""
        c = self.client.containers.create(image, command=cmd, network_mode="none", volumes=volumes or {})
        self.containers.append(c.id)
        c.start()
        rc = c.wait(timeout=120)["StatusCode"]
        return rc, c.logs(stdout=True, stderr=True).decode(errors="replace")

    def start_error(self, image: str, cmd: list[str] | None = None) -> str:
        """The error the engine gives when the container cannot start ('' when it starts)."""
        import docker.errors

        try:
            self.run(image, cmd or ["true"])
        except docker.errors.APIError as e:
            return str(e.explanation or e)
        return ""

    def volume(self) -> str:
        v = self.client.volumes.create(name=f"{self.tag}-{len(self.volumes)}")
        self.volumes.append(v.name)
        return v.name

    def cleanup(self) -> None:
        for cid in self.containers:
            try:
                self.client.containers.get(cid).remove(force=True)
            except Exception:  # noqa: BLE001 - already gone
                pass
        for name in self.volumes:
            try:
                self.client.volumes.get(name).remove(force=True)
            except Exception:  # noqa: BLE001
                pass
        for ref in reversed(self.images):
            try:
                image = self.client.images.get(ref)
            except Exception:  # noqa: BLE001 - removed with its child already
                continue
            if any(not t.startswith(self.tag + ":") for t in image.tags):
                continue  # someone else's tag: never ours to remove
            try:
                self.client.images.remove(ref, force=False, noprune=False)
            except Exception:  # noqa: BLE001
                pass


@pytest.fixture
def engine(docker_client, zoo):
    missing = [b for b in BASES if b not in zoo]
    assert not missing, f"zoo images missing: {missing}"
    eng = Engine(docker_client)
    try:
        yield eng
    finally:
        eng.cleanup()


# --------------------------------------------------------------------------- SG004

SG004_CASES = [
    pytest.param(
        "FROM debian:bookworm-slim\nUSER 10001\nRUN useradd --uid 10002 app\nCMD [\"id\", \"-u\"]\n",
        3, "needs root", r"useradd: Permission denied|cannot lock /etc/passwd", id="useradd",
    ),
    pytest.param(
        "FROM debian:bookworm-slim\nUSER 10001:10001\nRUN touch /etc/app.conf\nCMD [\"id\", \"-u\"]\n",
        3, "belongs to root", r"touch: cannot touch '/etc/app.conf': Permission denied", id="write-etc",
    ),
    pytest.param(
        "FROM busybox:latest\nUSER 10001\nRUN mkdir /app\nCMD [\"id\", \"-u\"]\n",
        3, "/ belongs to root", r"mkdir: can't create directory '/app': Permission denied", id="mkdir-top-level",
    ),
    pytest.param(
        "FROM debian:bookworm-slim\nUSER 10001\n"
        "RUN apt-get install -y --no-install-recommends debian-archive-keyring\nCMD [\"id\", \"-u\"]\n",
        3, "`apt-get install` needs root",
        r"Could not open lock file /var/lib/dpkg/lock-frontend - open \(13: Permission denied\)[\s\S]*are you root\?",
        id="apt-offline",
    ),
    pytest.param(
        "FROM debian:bookworm-slim\nUSER 10001\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends jq && rm -rf /var/lib/apt/lists/*\n"
        "CMD [\"id\", \"-u\"]\n",
        3, "`apt-get update` needs root",
        r"(Permission denied|are you root\?)",
        id="apt-network",
    ),
]


@pytest.mark.parametrize("dockerfile,line,message,error", SG004_CASES)
def test_sg004_step_needing_root_fails_as_nonroot(engine, dockerfile, line, message, error):
    findings = lint("SG004", dockerfile)
    assert [f.line for f in findings] == [line], [(f.line, f.message) for f in findings]
    assert message in findings[0].message

    broken = engine.build(dockerfile)
    assert not broken.ok, "the step was expected to fail as non-root:\n" + broken.log
    assert re.search(error, broken.log), broken.log

    repaired = fixed("SG004", dockerfile)
    assert "USER root" in repaired and not lint("SG004", repaired)
    build = engine.build(repaired)
    if not build.ok and _NETWORK_TROUBLE.search(build.log):
        pytest.skip("no network to the Debian mirror for the fixed apt build:\n" + build.log[-800:])
    assert build.ok, repaired + "\n" + build.log
    # the fix switched back: the image still runs as the non-root user
    rc, out = engine.run(build.image_id, ["id", "-u"])
    assert (rc, out.strip()) == (0, "10001"), out


# --------------------------------------------------------------------------- SG002

def test_sg002_runtime_user_never_created_container_cannot_start(engine):
    dockerfile = "FROM debian:bookworm-slim\nRUN ln -s /bin/true /usr/local/bin/app\nUSER appuser\nCMD [\"app\"]\n"
    findings = lint("SG002", dockerfile)
    assert [f.line for f in findings] == [3]
    assert "container cannot start" in findings[0].message
    assert "unable to find user appuser: no matching entries in passwd file" in findings[0].message

    build = engine.build(dockerfile)
    assert build.ok, build.log  # the mistake does not show at build time
    err = engine.start_error(build.image_id)
    assert "unable to find user appuser: no matching entries in passwd file" in err, err


def test_sg002_run_after_unknown_user_fails_the_build(engine):
    dockerfile = "FROM debian:bookworm-slim\nUSER app\nRUN id\n"
    findings = lint("SG002", dockerfile)
    assert [f.line for f in findings] == [2]
    assert "RUN on line 3 cannot start" in findings[0].message

    build = engine.build(dockerfile)
    assert not build.ok
    assert "unable to find user app: no matching entries in passwd file" in build.log, build.log


def test_sg002_group_missing(engine):
    dockerfile = "FROM debian:bookworm-slim\nUSER nobody:appgroup\nCMD [\"id\"]\n"
    findings = lint("SG002", dockerfile)
    assert [f.line for f in findings] == [2]
    build = engine.build(dockerfile)
    assert build.ok, build.log
    err = engine.start_error(build.image_id)
    assert "unable to find group appgroup: no matching entries in group file" in err, err


def test_sg002_user_from_another_stage_does_not_count(engine):
    dockerfile = (
        "FROM debian:bookworm-slim AS build\nRUN useradd --uid 10001 app\n"
        "FROM busybox:latest\nCOPY --from=build /etc/debian_version /etc/build-debian-version\nUSER app\nCMD [\"id\"]\n"
    )
    findings = lint("SG002", dockerfile)
    assert [f.line for f in findings] == [5]
    assert "different image" in findings[0].message
    build = engine.build(dockerfile)
    assert build.ok, build.log
    err = engine.start_error(build.image_id)
    assert "unable to find user app: no matching entries in passwd file" in err, err


def test_sg002_passing_examples_really_run(engine):
    # the counterparts SG002 accepts start fine: a created user, and a Debian system account
    for dockerfile, expected in (
        ("FROM debian:bookworm-slim\nRUN groupadd --gid 10001 app && useradd --uid 10001 --gid app app\n"
         "USER app:app\nCMD [\"id\", \"-u\"]\n", "10001"),
        ("FROM debian:bookworm-slim\nUSER www-data:www-data\nCMD [\"id\", \"-u\"]\n", "33"),
        ("FROM node:12.16-slim\nUSER node\nCMD [\"id\", \"-u\"]\n", "1000"),
    ):
        assert not lint("SG002", dockerfile), dockerfile
        build = engine.build(dockerfile)
        assert build.ok, build.log
        rc, out = engine.run(build.image_id, ["id", "-u"])
        assert (rc, out.strip()) == (0, expected), out


# --------------------------------------------------------------------------- SG006

def test_sg006_volume_not_writable_until_fixed(engine):
    dockerfile = "FROM debian:bookworm-slim\nVOLUME /data\nUSER 10001:10001\n"
    findings = lint("SG006", dockerfile)
    assert [f.line for f in findings] == [2]

    build = engine.build(dockerfile)
    assert build.ok, build.log
    rc, out = engine.run(build.image_id, ["touch", "/data/x"], volumes={engine.volume(): {"bind": "/data"}})
    assert rc != 0 and "Permission denied" in out, out

    repaired = fixed("SG006", dockerfile)
    assert "chown 10001:10001 /data" in repaired and not lint("SG006", repaired)
    build = engine.build(repaired)
    assert build.ok, build.log
    rc, out = engine.run(build.image_id, ["sh", "-c", "touch /data/x && stat -c %u:%g /data"],
                         volumes={engine.volume(): {"bind": "/data"}})
    assert (rc, out.strip()) == (0, "10001:10001"), out

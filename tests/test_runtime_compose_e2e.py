"""Compose on the real engine (Debian's docker-compose 1.29): a hardened service — read_only, tmpfs with
uid/gid, cap_drop: [ALL], no-new-privileges — runs the non-root app, and `slimguard check` has nothing
to say about it; an unhardened file fixed by `slimguard check --write --unsafe` runs too.

The fixture installs Debian's docker-compose package when it is missing (root and a Debian mirror
needed); scripts/ensure-docker.sh is the better home for it."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.docker

ROOTY = """\
FROM node:12.16-slim
RUN mkdir -p /data && chown node:node /data
"""
PROBE = ("id; grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status; touch /rootfs 2>&1; "
         "touch /tmp/x && echo TMP_OK; touch /data/x && echo DATA_OK")

HARDENED = f"""\
# the non-root app, hardened by hand
services:
  app:
    image: slimguard-test/compose-app:1
    user: "1000:1000"          # node
    read_only: true
    tmpfs:
      - /tmp:uid=1000,gid=1000,mode=0700
    cap_drop: [ALL]
    security_opt:
      - no-new-privileges:true
    network_mode: none
    volumes:
      - appdata:/data
    command: ["sh", "-c", "{PROBE}"]

volumes:
  appdata: {{}}
"""

PLAIN = f"""\
# the same app as most compose files start
services:
  app:
    image: slimguard-test/compose-app:1   # built from node:12.16-slim, no USER
    network_mode: none
    volumes:
      - appdata:/data   # named volume: copy-up gives it node's /data
    command: ["sh", "-c", "{PROBE}"]

volumes:
  appdata: {{}}
"""


@pytest.fixture(scope="module")
def compose_bin():
    exe = shutil.which("docker-compose")
    if exe is None:
        proc = subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "docker-compose"],
                              capture_output=True, text=True, timeout=900,
                              env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
        exe = shutil.which("docker-compose")
        if exe is None:
            pytest.fail("docker-compose is missing and `apt-get install docker-compose` failed "
                        f"(add it to scripts/ensure-docker.sh): {proc.stderr[-500:]}", pytrace=False)
    return exe


@pytest.fixture(scope="module")
def app_image(docker_client, zoo):
    assert "node:12.16-slim" in zoo
    docker_client.images.build(fileobj=io.BytesIO(ROOTY.encode()), tag="slimguard-test/compose-app:1", pull=False,
                               rm=True, network_mode="none")
    return "slimguard-test/compose-app:1"


def compose_up(exe: str, path: Path) -> tuple[int, str]:
    project = f"sg{uuid.uuid4().hex[:10]}"
    base = [exe, "-p", project, "-f", str(path)]
    try:
        proc = subprocess.run(base + ["up", "--no-color", "--exit-code-from", "app"], capture_output=True,
                              text=True, timeout=300, cwd=path.parent)
        return proc.returncode, proc.stdout + proc.stderr
    finally:
        subprocess.run(base + ["down", "-v"], capture_output=True, text=True, timeout=300, cwd=path.parent)


def check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slimguard", "check", "--engine", "auto", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def assert_hardened_run(out: str) -> None:
    assert "uid=1000(node) gid=1000(node)" in out, out
    assert "CapEff:\t0000000000000000" in out and "CapBnd:\t0000000000000000" in out, out
    assert "NoNewPrivs:\t1" in out, out
    assert "Read-only file system" in out and "TMP_OK" in out and "DATA_OK" in out, out


def test_hardened_compose_runs_the_non_root_app(compose_bin, app_image, tmp_path):
    path = tmp_path / "compose.yaml"
    path.write_text(HARDENED)
    data = json.loads(check(str(path), "--format", "json").stdout)
    assert data["findings"] == [], data["findings"]
    code, out = compose_up(compose_bin, path)
    assert code == 0, out
    assert_hardened_run(out)


def test_fixed_compose_file_runs(compose_bin, app_image, tmp_path):
    path = tmp_path / "compose.yaml"
    path.write_text(PLAIN)
    before = json.loads(check(str(path), "--format", "json").stdout)
    assert {"SGR002", "SGR004", "SGR005", "SGR010"} <= {f["rule"] for f in before["findings"]}
    proc = check(str(path), "--write", "--unsafe")
    assert proc.returncode == 0, proc.stderr
    fixed = path.read_text()
    assert fixed.startswith("# the same app as most compose files start\n")
    assert "    image: slimguard-test/compose-app:1   # built from node:12.16-slim, no USER\n" in fixed
    assert 'user: "1000:1000"' in fixed and "- /tmp:uid=1000,gid=1000,mode=0700" in fixed
    assert check(str(path), "--write", "--unsafe").returncode == 0 and path.read_text() == fixed
    assert json.loads(check(str(path), "--format", "json").stdout)["findings"] == []
    code, out = compose_up(compose_bin, path)
    assert code == 0, out
    assert_hardened_run(out)

"""Image users read from the local engine: the kubelet prediction (SGR003) for images built here."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.docker

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  securityContext:
    runAsNonRoot: true
  containers:
    - name: app
      image: IMAGE
"""


@pytest.fixture(scope="module")
def images(docker_client, zoo):
    out = {}
    for tag, user in (("slimguard-test/kubelet-named:1", "node"), ("slimguard-test/kubelet-numeric:1", "1000:1000"),
                      ("slimguard-test/kubelet-root:1", None)):
        df = "FROM node:12.16-slim\n" + (f"USER {user}\n" if user else "")
        docker_client.images.build(fileobj=io.BytesIO(df.encode()), tag=tag, pull=False, rm=True, network_mode="none")
        out[user or "root"] = tag
    return out


def check(path: Path) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "slimguard", "check", "--engine", "auto", "--select", "SGR003",
                           "--format", "json", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def test_named_user_from_the_engine(images, tmp_path):
    p = tmp_path / "pod.yaml"
    p.write_text(POD.replace("IMAGE", images["node"]))
    (f,) = check(p)
    assert "image has non-numeric user (node), cannot verify user is non-root" in f["message"]
    assert "(engine)" in f["message"] and "(node is uid 1000)" in f["message"]
    p.write_text(POD.replace("IMAGE", images["1000:1000"]))
    assert check(p) == []
    p.write_text(POD.replace("IMAGE", images["root"]))
    (f,) = check(p)
    assert "image will run as root" in f["message"]

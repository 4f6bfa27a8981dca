"""`slimguard doctor mount` on the real engine: a root-owned bind mount fails for a non-root image and the
doctor says so; its --user remedy works; a named volume's copy-up gives the image's ownership (and
:nocopy does not); a missing host directory is detected and left alone, while Docker's -v would create it
as root; the seed article's chown makes it writable; probes leave no containers or volumes behind."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IMAGE = "slimguard-test/doctor-node:1"
DOCKERFILE = """\
FROM node:12.16-slim
RUN mkdir -p /data && chown node:node /data && touch /data/seed && chown node:node /data/seed
USER node
"""

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def image(docker_client, zoo):
    assert "node:12.16-slim" in zoo
    docker_client.images.build(fileobj=io.BytesIO(DOCKERFILE.encode()), tag=IMAGE, pull=False, rm=True,
                               network_mode="none")
    yield IMAGE


def doctor(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slimguard", "doctor", "mount", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, env={**os.environ, **(env or {})})


def run(client, image: str, cmd: str, user: str | None = None, volumes: dict | None = None) -> tuple[int, str]:
    c = client.containers.create(image, entrypoint=["sh", "-c", cmd], command=[], user=user or "",
                                 network_mode="none", volumes=volumes or {})
    try:
        c.start()
        code = c.wait(timeout=120)["StatusCode"]
        return code, c.logs().decode()
    finally:
        c.remove(force=True)


def make_dir(tmp_path: Path, name: str, uid: int, gid: int, mode: int = 0o755) -> Path:
    d = tmp_path / name
    d.mkdir()
    os.chown(d, uid, gid)
    os.chmod(d, mode)
    return d


def leftovers(client) -> list:
    return (client.containers.list(all=True, filters={"label": "org.slimguard.doctor"})
            + client.volumes.list(filters={"label": "org.slimguard.doctor"}))


def test_root_owned_bind_mount_fails_and_doctor_says_so(docker_client, image, tmp_path):
    d = make_dir(tmp_path, "rootowned", 0, 0)
    code, out = run(docker_client, image, "id -u; touch /data/x", volumes={str(d): {"bind": "/data", "mode": "rw"}})
    assert code != 0 and "Permission denied" in out and "1000" in out.split()
    proc = doctor(str(d), "--image", image, "--target", "/data", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    diag = json.loads(proc.stdout)
    assert (diag["owner"], diag["mode"], diag["uid"], diag["gid"]) == ([0, 0], "0755", 1000, 1000)
    assert diag["predicted_write"] is False and diag["can_write"] is False
    assert diag["probe"]["ran"] and diag["probe"]["uid"] == 1000 and diag["probe"]["can_write"] is False
    assert "--network none" in diag["probe"]["how"]
    keys = [r["key"] for r in diag["remedies"]]
    assert keys[0] == "named-volume" and "chown" in keys and keys[-1] == "entrypoint"
    text = doctor(str(d), "--image", image, "--target", "/data")
    assert "verdict: PROBLEM" in text.stdout and "write: no" in text.stdout
    assert not list(d.iterdir())  # the probe left nothing behind
    assert not leftovers(docker_client)


def test_user_remedy_works(docker_client, image, tmp_path):
    d = make_dir(tmp_path, "dev", 1500, 1500)
    proc = doctor(str(d), "--image", image, "--target", "/data", "--format", "json")
    assert proc.returncode == 1
    diag = json.loads(proc.stdout)
    first = diag["remedies"][0]
    assert first["key"] == "user" and first["works"] is True
    assert first["steps"][0] == f"docker run --user 1500:1500 -v {d}:/data {image}"
    # apply the remedy for real: the file lands on the host owned by the host user
    code, out = run(docker_client, image, "touch /data/made-by-container && id -u", user="1500:1500",
                    volumes={str(d): {"bind": "/data", "mode": "rw"}})
    assert code == 0 and out.strip() == "1500"
    st = (d / "made-by-container").stat()
    assert (st.st_uid, st.st_gid) == (1500, 1500)
    # the same directory when it belongs to the user who runs the doctor (sudo): "$(id -u):$(id -g)"
    proc = doctor(str(d), "--image", image, "--target", "/data", env={"SUDO_UID": "1500", "SUDO_GID": "1500"})
    assert 'docker run --user "$(id -u):$(id -g)"' in proc.stdout
    assert 'user: "${UID}:${GID}"' in proc.stdout
    # and with --user the doctor confirms it can write
    ok = doctor(str(d), "--image", image, "--target", "/data", "--user", "1500:1500")
    assert ok.returncode == 0 and "verdict: OK" in ok.stdout


def test_named_volume_copy_up_takes_the_image_ownership(docker_client, image, tmp_path):
    d = make_dir(tmp_path, "rootowned", 0, 0)
    diag = json.loads(doctor(str(d), "--image", image, "--target", "/data", "--format", "json").stdout)
    vol = next(r for r in diag["remedies"] if r["key"] == "named-volume")
    assert vol["works"] is True and "probed" in vol["note"]
    assert diag["image_target"] == [1000, 1000, "0755"]
    name = f"slimguard-test-{uuid.uuid4().hex[:8]}"
    nocopy = f"{name}-nocopy"
    try:
        code, out = run(docker_client, image, "stat -c %u:%g:%a /data; ls /data; touch /data/new && echo OK",
                        volumes={name: {"bind": "/data", "mode": "rw"}})
        assert code == 0 and out.split() == ["1000:1000:755", "seed", "OK"]
        code, out = run(docker_client, image, "stat -c %u:%g /data; touch /data/new",
                        volumes={nocopy: {"bind": "/data", "mode": "rw,nocopy"}})
        assert code != 0 and "0:0" in out.split() and "Permission denied" in out
    finally:
        for v in (name, nocopy):
            try:
                docker_client.volumes.get(v).remove(force=True)
            except Exception:
                pass


def test_missing_directory_is_detected_and_not_created(docker_client, image, tmp_path):
    missing = tmp_path / "not-yet"
    proc = doctor(str(missing), "--image", image, "--target", "/data", "--format", "json")
    assert proc.returncode == 1
    diag = json.loads(proc.stdout)
    assert diag["exists"] is False and diag["predicted_write"] is False and diag["probe"]["ran"] is False
    assert any("creates it as root:root 0755" in n for n in diag["notes"])
    assert diag["remedies"][0]["key"] == "create"
    assert diag["remedies"][0]["steps"][0].startswith(f"install -d -o 1000 -g 1000 -m 0755 {missing}")
    assert not missing.exists()
    # what the doctor warns about, for real: docker -v creates it as root and the user cannot write
    code, out = run(docker_client, image, "touch /data/x", volumes={str(missing): {"bind": "/data", "mode": "rw"}})
    st = missing.stat()
    assert code != 0 and (st.st_uid, st.st_gid, st.st_mode & 0o777) == (0, 0, 0o755)


def test_seed_chown_makes_it_writable(docker_client, image, tmp_path):
    d = make_dir(tmp_path, "mydir", 0, 0)
    diag = json.loads(doctor(str(d), "--image", image, "--target", "/data", "--format", "json").stdout)
    chown = next(r for r in diag["remedies"] if r["key"] == "chown")
    assert chown["steps"] == [f"sudo chown -R 1000:1000 {d}"]
    os.chown(d, 1000, 1000)  # the seed article's `chown -R 1000:1000 mydir`
    proc = doctor(str(d), "--image", image, "--target", "/data")
    assert proc.returncode == 0 and "verdict: OK" in proc.stdout and "write: yes" in proc.stdout


def test_image_without_shell_is_probed_through_busybox(docker_client, zoo, tmp_path):
    d = make_dir(tmp_path, "data", 0, 0)
    img = "gcr.io/distroless/static-debian12:nonroot"
    diag = json.loads(doctor(str(d), "--image", img, "--target", "/data", "--format", "json").stdout)
    assert diag["uid"] == 65532 and diag["probe"]["ran"] and diag["probe"]["uid"] == 65532
    assert "busybox" in diag["probe"]["how"] and diag["probe"]["can_write"] is False
    os.chown(d, 65532, 65532)
    assert doctor(str(d), "--image", img, "--target", "/data").returncode == 0


def test_runtimes_change_the_recommendation(docker_client, image, tmp_path):
    d = make_dir(tmp_path, "data", 0, 0)
    k8s = json.loads(doctor(str(d), "--image", image, "--target", "/data", "--runtime", "kubernetes",
                            "--format", "json").stdout)
    assert k8s["remedies"][0]["key"] == "fsgroup"
    assert "fsGroupChangePolicy: OnRootMismatch" in k8s["remedies"][0]["steps"][0]
    podman = json.loads(doctor(str(d), "--image", image, "--target", "/data", "--runtime", "podman",
                               "--format", "json").stdout)
    assert any(r["key"] == "keep-id" and "--userns=keep-id:uid=1000,gid=1000" in r["steps"][0]
               for r in podman["remedies"])
    last = podman["remedies"][-1]
    assert last["key"] == "entrypoint" and any("runAsNonRoot" in c for c in last["costs"])


def test_image_must_be_local(docker_client):
    proc = doctor("/tmp", "--image", "registry.example/not-here:1")
    assert proc.returncode == 2 and "never pulls" in proc.stderr

"""`slimguard audit registry:REF` against a real registry: Debian's docker-registry (distribution 2.8)
started on 127.0.0.1 by a fixture, zoo images pushed to it with the engine.

Checks: config-only audits fetch no layer blob (the registry's access log says so), --deep gives the
same accounting as the docker-archive audit, htpasswd (basic) auth with credentials from the
environment or a Docker config file, and a bearer-token flow through a small token-issuing proxy on
loopback that also counts requests.
"""

from __future__ import annotations

import base64
import http.server
import io
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

pytestmark = pytest.mark.docker

REGISTRY = shutil.which("docker-registry")

SMALL = """\
FROM busybox
RUN dd if=/dev/urandom of=/big bs=1000 count=300 2>/dev/null
RUN rm /big
USER nobody
EXPOSE 80
ENV API_TOKEN=abcdef123456
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(tmp, name: str, storage: str, htpasswd: str | None = None):
    port = _free_port()
    auth = ""
    if htpasswd:
        auth = f"auth:\n  htpasswd:\n    realm: slimguard-test\n    path: {htpasswd}\n"
    cfg = tmp / f"{name}.yml"
    cfg.write_text(f"version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n"
                   f"    rootdirectory: {storage}\nhttp:\n  addr: 127.0.0.1:{port}\n{auth}")
    log = open(tmp / f"{name}.log", "wb")
    proc = subprocess.Popen([REGISTRY, "serve", str(cfg)], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1)
            break
        except urllib.error.HTTPError:
            break  # 401: up, with auth
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"docker-registry did not start: {(tmp / f'{name}.log').read_text()[-2000:]}")
    return proc, port, tmp / f"{name}.log"


@pytest.fixture(scope="module")
def registry(tmp_path_factory, docker_client, zoo):
    if REGISTRY is None:
        pytest.skip("Debian's docker-registry is not installed (apt-get install docker-registry)")
    tmp = tmp_path_factory.mktemp("registry")
    storage = str(tmp / "storage")
    htpasswd = shutil.which("htpasswd")
    pw_file = None
    if htpasswd:
        pw_file = tmp / "htpasswd"
        subprocess.run([htpasswd, "-Bbc", str(pw_file), "tester", "s3cret-pass"], check=True, capture_output=True)
    open_proc, open_port, open_log = _start(tmp, "open", storage)
    auth = _start(tmp, "auth", storage, str(pw_file)) if pw_file else None
    image, _ = docker_client.images.build(fileobj=io.BytesIO(SMALL.encode()), tag="slimguard-audit-small:test",
                                          pull=False, rm=True)
    pushed = {}
    for local, remote in (("slimguard-audit-small:test", "zoo/small"), ("busybox:latest", "zoo/busybox")):
        repo = f"127.0.0.1:{open_port}/{remote}"
        docker_client.images.get(local).tag(repo, "1")
        for line in docker_client.images.push(repo, tag="1", stream=True, decode=True):
            if "error" in line:
                pytest.fail(f"push failed: {line}")
        docker_client.images.remove(f"{repo}:1")
        pushed[remote] = local
    yield {"port": open_port, "log": open_log, "auth": auth, "tmp": tmp, "image": image}
    for proc in (open_proc, auth[0] if auth else None):
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _blob_gets(log_path, since: int) -> list[str]:
    text = log_path.read_text(errors="replace")[since:]
    return re.findall(r'"GET /v2/[^ ]*/blobs/(sha256:[0-9a-f]{64}) HTTP', text)


def test_config_only_fetches_no_layer(registry):
    from slimguard.image import audit

    since = len(registry["log"].read_text(errors="replace"))
    r = audit(f"registry:127.0.0.1:{registry['port']}/zoo/small:1", engine="never")
    assert r.summary["image"]["layers_read"] is False
    assert r.summary["layer_count"] == 3
    got = _blob_gets(registry["log"], since)
    assert got == [r.summary["image"]["id"]]  # the config blob, nothing else
    layer_digests = {L["digest"] for L in r.summary["layers"]}
    assert not layer_digests & set(got)
    rules = {f.rule for f in r.findings}
    assert "SGA015" in rules and "SGA002" not in rules  # ENV API_TOKEN; User is set
    assert r.summary["user"]["configured"] == "nobody"


def test_deep_matches_the_docker_archive(registry, docker_client, tmp_path):
    from slimguard.image import audit

    since = len(registry["log"].read_text(errors="replace"))
    deep = audit(f"registry:127.0.0.1:{registry['port']}/zoo/small:1", deep=True, engine="never")
    assert len(_blob_gets(registry["log"], since)) == 4  # config + 3 layers
    path = tmp_path / "small.tar"
    with open(path, "wb") as fh:
        for chunk in registry["image"].save(named=True):
            fh.write(chunk)
    local = audit(f"docker-archive:{path}", engine="never")
    acc = lambda r: [(L["content_bytes"], L["visible_bytes"], L["hides"], L["files"]) for L in r.summary["layers"]]
    assert acc(deep) == acc(local)
    assert deep.summary["layers"][2]["hides"] == {"deleted": 300_000}
    assert deep.summary["user"]["uid"] == 65534
    assert {f.rule for f in deep.findings} == {f.rule for f in local.findings}
    assert "SGA005" in {f.rule for f in deep.findings}
    assert deep.summary["layers"][0]["compression"] == "gzip"


def test_htpasswd_basic_auth(registry, tmp_path, monkeypatch):
    if registry["auth"] is None:
        pytest.skip("htpasswd (apache2-utils) is not installed")
    from slimguard.image import AuditError, audit

    port = registry["auth"][1]
    ref = f"registry:127.0.0.1:{port}/zoo/busybox:1"
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "empty"))
    monkeypatch.delenv("SLIMGUARD_REGISTRY_USERNAME", raising=False)
    monkeypatch.delenv("SLIMGUARD_REGISTRY_PASSWORD", raising=False)
    with pytest.raises(AuditError, match="authentication required"):
        audit(ref, engine="never")
    monkeypatch.setenv("SLIMGUARD_REGISTRY_USERNAME", "tester")
    monkeypatch.setenv("SLIMGUARD_REGISTRY_PASSWORD", "wrong")
    with pytest.raises(AuditError, match="unauthorized|authentication"):
        audit(ref, engine="never")
    monkeypatch.setenv("SLIMGUARD_REGISTRY_PASSWORD", "s3cret-pass")
    assert {f.rule for f in audit(ref, engine="never").findings} == {"SGA002"}
    monkeypatch.delenv("SLIMGUARD_REGISTRY_USERNAME")
    monkeypatch.delenv("SLIMGUARD_REGISTRY_PASSWORD")
    cfgdir = tmp_path / "dockercfg"
    cfgdir.mkdir()
    (cfgdir / "config.json").write_text(json.dumps(
        {"auths": {f"127.0.0.1:{port}": {"auth": base64.b64encode(b"tester:s3cret-pass").decode()}}}))
    monkeypatch.setenv("DOCKER_CONFIG", str(cfgdir))
    r = audit(ref, engine="never", deep=True)
    assert r.summary["size"]["content_bytes"] > 1_000_000


class _TokenProxy(http.server.ThreadingHTTPServer):
    daemon_threads = True


def _token_proxy(upstream: int):
    """Loopback proxy in front of the open registry demanding bearer tokens; counts what it forwards."""
    seen: list[str] = []
    token = "tok-" + base64.b16encode(os.urandom(8)).decode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            port = self.server.server_address[1]
            if self.path.startswith("/token"):
                ok = self.headers.get("Authorization") == "Basic " + base64.b64encode(b"bob:hunter2").decode()
                body = json.dumps({"token": token}).encode() if ok else b"{}"
                self.send_response(200 if ok else 401)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.headers.get("Authorization") != f"Bearer {token}":
                self.send_response(401)
                self.send_header("WWW-Authenticate", f'Bearer realm="http://127.0.0.1:{port}/token",'
                                                     f'service="test",scope="repository:zoo/busybox:pull"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            seen.append(self.path)
            req = urllib.request.Request(f"http://127.0.0.1:{upstream}{self.path}",
                                         headers={"Accept": self.headers.get("Accept", "*/*")})
            with urllib.request.urlopen(req, timeout=30) as resp:
                body = resp.read()
                self.send_response(resp.status)
                for k in ("Content-Type", "Docker-Content-Digest"):
                    if resp.headers.get(k):
                        self.send_header(k, resp.headers[k])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

    server = _TokenProxy(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def test_bearer_token_flow_and_request_count(registry, monkeypatch, tmp_path):
    from slimguard.image import audit

    server, seen = _token_proxy(registry["port"])
    try:
        monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
        monkeypatch.setenv("SLIMGUARD_REGISTRY_USERNAME", "bob")
        monkeypatch.setenv("SLIMGUARD_REGISTRY_PASSWORD", "hunter2")
        r = audit(f"registry:127.0.0.1:{server.server_address[1]}/zoo/busybox:1", engine="never")
        assert [p.split("/")[-2] for p in seen] == ["manifests", "blobs"]  # manifest + config, no layer
        assert r.summary["user"]["configured"] == ""
    finally:
        server.shutdown()

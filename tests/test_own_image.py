"""slimguard's own image: the repository's Dockerfile, built on the engine and checked by slimguard itself.

The build runs `docker build -t slimguard .` (README's Docker snippet) with what this machine needs on
top: `--pull=false` (the base is the zoo's python:3.11-slim stand-in), `--network host`, and pip
pointed at a local wheelhouse. Containers cannot reach PyPI here (TLS to it is only trusted with the
host's CA bundle), so the host's pip downloads the wheels of the build backend and the dependencies
(`pip download`, cached by pip) and a loopback HTTP server hands them to the builder stage through the
Dockerfile's optional `PIP_FIND_LINKS`/`PIP_NO_INDEX` build args. The port is fixed (the build args are
part of the build cache key), so an unchanged tree rebuilds from the layer cache in about a second, and
a source change re-runs only the wheel step (the dependency layer depends on pyproject.toml alone).
"""

from __future__ import annotations

import functools
import http.server
import json
import shlex
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest

import zoo as zoo_mod
from readme_snippets import snippet

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[1]
TAG = "slimguard-test/own-image:latest"
PORT = 38471  # fixed: a different URL would miss the build cache
BAD_DOCKERFILE = 'FROM node:12.16\nWORKDIR /app\nCOPY . .\nEXPOSE 80\nCMD ["node", "server.js"]\n'


def docker(*args: str, timeout: int = 900, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([zoo_mod._docker_bin(), *args], capture_output=True, text=True, timeout=timeout,
                          env=zoo_mod._docker_env(), cwd=cwd)


def slimguard(*args: str, cwd: Path = ROOT, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "slimguard", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout)


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory) -> list[str]:
    """The build args that point the builder's pip at a loopback wheelhouse (served for the module)."""
    wh = zoo_mod.CACHE_DIR / "wheelhouse-own-image"
    wh.mkdir(parents=True, exist_ok=True)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = project["build-system"]["requires"] + project["project"]["dependencies"]
    p = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                        "--only-binary=:all:", "--dest", str(wh), *reqs], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, f"pip download of the image's wheels failed:\n{p.stdout}{p.stderr}"

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(wh))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), handler)
    except OSError:  # busy (a parallel run): any port works, only the build cache is missed
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield ["--build-arg", f"PIP_FIND_LINKS=http://127.0.0.1:{server.server_port}/", "--build-arg", "PIP_NO_INDEX=1"]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def own_image(docker_client, wheelhouse) -> str:
    zoo_mod.ensure(["python:3.11-slim"])
    build = snippet("docker").splitlines()[0]
    assert build == "docker build -t slimguard .", build
    argv = shlex.split(build)[1:]  # build -t slimguard .
    argv[argv.index("-t") + 1] = TAG
    argv[-1] = str(ROOT)
    p = docker(*argv[:-1], "--pull=false", "--network", "host", *wheelhouse, argv[-1])
    assert p.returncode == 0, f"docker build of the repository's Dockerfile failed:\n{p.stdout[-4000:]}{p.stderr}"
    return TAG


def test_python_stand_in_layout(docker_client, own_image):
    """The zoo's python:3.11-slim (tests/zoo.py, docs/zoo.md): the official image's paths, no toolchain."""
    script = ("for t in python python3 pip pip3; do command -v $t; done; python -c 'import sys; print(sys.version_info[:2])'; "
              "for t in gcc cc make git; do command -v $t; done; ls /usr/lib/python3*/EXTERNALLY-MANAGED 2>/dev/null; "
              "python -m venv /tmp/v && /tmp/v/bin/python -m pip --version >/dev/null && echo venv-ok; id -u; true")
    out = docker_client.containers.run("python:3.11-slim-bookworm", ["-c", script], entrypoint=["sh"],
                                       network_mode="none", remove=True).decode()
    assert out.splitlines() == ["/usr/local/bin/python", "/usr/local/bin/python3", "/usr/local/bin/pip",
                                "/usr/local/bin/pip3", "(3, 11)", "venv-ok", "0"], out
    cfg = docker_client.images.get("python:3.11-slim").attrs["Config"]
    assert cfg["Cmd"] == ["python3"] and "LANG=C.UTF-8" in cfg["Env"] and not cfg["User"]


def test_image_shape(docker_client, own_image):
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    froms = [line.split()[1] for line in text.splitlines() if line.startswith("FROM ")]
    assert froms == ["python:3.11-slim", "python:3.11-slim"], "a builder stage and a slim final stage"
    cfg = docker_client.images.get(own_image).attrs["Config"]
    assert cfg["User"] == "10001:10001"
    assert cfg["Entrypoint"] == ["slimguard"] and cfg["WorkingDir"] == "/src"
    script = ("for t in gcc cc g++ make git curl wget; do command -v $t; done; "
              "ls /opt/slimguard/bin/pip /wheels /build 2>/dev/null; find / -xdev -perm /6000 -type f; id -u; true")
    out = docker_client.containers.run(own_image, ["-c", script], entrypoint=["sh"], network_mode="none",
                                       remove=True).decode()
    assert out == "10001\n", f"build tools, pip in the venv, build leftovers or setuid files in the image:\n{out}"
    size = docker_client.images.get(own_image).attrs["Size"]
    print(f"{own_image}: {size / 1e6:.0f} MB")
    assert size < 300e6


def test_readme_docker_run_lints_the_mounted_directory(tmp_path, own_image):
    """README's `docker run --rm -v "$PWD:/src" slimguard lint /src`, with --network none (this engine has no
    default bridge) and the test's tag for `slimguard`."""
    run = snippet("docker").splitlines()[1]
    assert run == 'docker run --rm -v "$PWD:/src" slimguard lint /src', run
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text(BAD_DOCKERFILE)
    # as a checkout is (umask 022): uid 10001 in the container must read it; pytest makes tmp_path 0700
    tmp_path.chmod(0o755)
    cmd = run.replace("docker run ", "docker run --network none ", 1).replace(" slimguard lint ", f" {own_image} lint ")
    p = subprocess.run(["bash", "-c", cmd], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env={**zoo_mod._docker_env(), "PWD": str(tmp_path)})
    print(p.stdout, p.stderr)
    assert p.returncode == 1
    assert p.stdout.startswith("/src/app/Dockerfile\n")
    assert "SG001" in p.stdout and "runs as root" in p.stdout
    assert "1 file(s)" in p.stdout


def severe(findings: list[dict]) -> list[str]:
    return [f"{f['rule']} {f['severity']}: {f['message']}" for f in findings if f["severity"] in ("error", "warning")]


def test_own_dockerfile_lints_without_a_warning(own_image):
    p = slimguard("lint", "Dockerfile", "--format", "json", "--failure-threshold", "none")
    report = json.loads(p.stdout)
    print(report["findings"])
    assert report["errors"] == [] and severe(report["findings"]) == []
    # and the image lints it the same way, with no engine to ask
    p = docker("run", "--rm", "--network", "none", "-v", f"{ROOT / 'Dockerfile'}:/src/Dockerfile:ro", own_image,
               "lint", "/src/Dockerfile", "--format", "json", "--failure-threshold", "none")
    assert p.returncode == 0, p.stderr
    assert severe(json.loads(p.stdout)["findings"]) == []


def test_audit_of_the_image_reports_no_warning(own_image):
    p = slimguard("audit", own_image, "--format", "json", "--failure-threshold", "none", "--no-dive", "--no-progress")
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    print([(f["rule"], f["severity"], f["message"]) for f in report["findings"]])
    assert severe(report["findings"]) == []
    user = report["summary"]["audit"]["user"]
    assert (user["uid"], user["gid"]) == (10001, 10001)


def test_verify_proves_the_dockerfile_as_it_is(own_image, wheelhouse):
    """Nothing to fix, so verify builds the Dockerfile once (from the layer cache) and proves it as it is:
    it runs as 10001:10001 as the kernel reports it, `slimguard --version` works, no build tools."""
    p = slimguard("verify", "Dockerfile", "--smoke", "slimguard --version", "--build-network", "host",
                  *wheelhouse, "--format", "json")
    report = json.loads(p.stdout)
    assert p.returncode == 0, (report.get("verdict"), report.get("problems"), p.stderr)
    assert report["verdict"] == "proven" and report["fixes"] == [] and report["same_dockerfile"] is True
    after = report["after"]
    assert (after["uid"], after["gid"]) == (10001, 10001) and after["user_exists"] is True
    assert after["smoke"]["stdout"].startswith("slimguard ") and after["build_tools"] == []
    assert report["hardened"]["ok"] is True  # also runs read-only, without capabilities
    print("verify timings:", report["timings"], "cached steps:", report["before"]["build"].get("cached_steps"))

"""`slimguard fleet` on real parts, loopback only.

- a Dask LocalCluster with two worker processes on 127.0.0.1;
- Debian's docker-registry on 127.0.0.1 with 200+ small synthetic images pushed through the registry
  HTTP API (blobs + manifests written here: varied users, /etc/passwd, dpkg databases with gcc/make/git
  and the /usr/bin files they own, sizes, deleted and overwritten files);
- 1,000+ generated Dockerfiles (plus compose files and Kubernetes manifests) in four git repositories;
- PostgreSQL started with initdb/pg_ctl on a Unix socket in a temporary directory.

The fleet totals must equal the sums of single-item api.lint/api.check/api.audit runs, computed here
independently; killing a worker mid-run loses nothing and counts nothing twice; a re-run computes
nothing; one changed Dockerfile and one retagged image are exactly what is recomputed; SQLite and
PostgreSQL give identical reports.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

REGISTRY = shutil.which("docker-registry")
N_REPOS = 4
N_DOCKERFILES = 1000
N_IMAGES = 200
SEVERITIES = ("error", "warning", "info", "style")


# ----------------------------------------------------------------------------- synthetic images


def _tar(files: dict[str, bytes | None]) -> bytes:
    """A layer tar: path -> content (None: a whiteout for that path)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        dirs = set()
        for path in sorted(files):
            parts = path.strip("/").split("/")
            for i in range(1, len(parts)):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    ti = tarfile.TarInfo(d)
                    ti.type = tarfile.DIRTYPE
                    ti.mode = 0o755
                    tf.addfile(ti)
            data = files[path]
            name = "/".join(parts)
            if data is None:
                name = "/".join(parts[:-1] + [".wh." + parts[-1]])
                data = b""
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mode = 0o755 if "/bin/" in path else 0o644
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def _dpkg(packages: dict[str, int]) -> dict[str, bytes]:
    """/var/lib/dpkg/status and info/*.list for packages name -> bytes of its /usr/bin/NAME."""
    status = []
    files: dict[str, bytes] = {}
    for name, size in sorted(packages.items()):
        status.append(f"Package: {name}\nStatus: install ok installed\nPriority: optional\nVersion: 1.0-1\n"
                      f"Architecture: amd64\nInstalled-Size: {max(1, size // 1024)}\nDescription: {name}\n")
        files[f"var/lib/dpkg/info/{name}.list"] = f"/usr/bin/{name}\n".encode()
        files[f"usr/bin/{name}"] = b"\x7fELF" + bytes(size - 4)
    files["var/lib/dpkg/status"] = "\n".join(status).encode()
    return files


PASSWD = b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n" \
         b"app:x:1000:1000:app:/home/app:/bin/sh\n"
GROUP = b"root:x:0:\nnogroup:x:65534:\napp:x:1000:\n"
OS_RELEASE = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'
TOOLSETS = [{}, {"gcc": 40_000, "make": 12_000}, {"git": 30_000}, {"gcc": 40_000, "make": 12_000, "git": 30_000},
            {"curl": 8_000}, {"libc6": 20_000}]
USERS = ["", "root", "0", "1000:1000", "app", "nobody", "ghost", "65534"]


def synthetic_image(i: int, variant: int = 0) -> tuple[list[bytes], dict]:
    """-> (gzipped layers, config) of image *i*: a base with users and packages, an app layer, maybe a
    layer that deletes or overwrites the app's data (hidden bytes)."""
    rnd = random.Random(i * 7919 + variant)
    tools = TOOLSETS[i % len(TOOLSETS)]
    base = {"etc/passwd": PASSWD, "etc/group": GROUP, "etc/os-release": OS_RELEASE}
    if i % 9 == 8:
        base = {"etc/os-release": OS_RELEASE}  # no passwd: names cannot resolve
    if i % 7 == 4:  # an os-release the base guess reads as node:18, whose -slim variant has a known saving
        base["etc/os-release"] = b'ID=node\nVERSION_ID="18"\n'

    if tools:
        base.update(_dpkg(tools))
    size = 1000 + (i * 37_333) % 300_000 + variant * 50_000
    app = {f"app/data{i}.bin": rnd.randbytes(size), "app/run.sh": b"#!/bin/sh\nexec /app/server\n"}
    layers = [_tar(base), _tar(app)]
    history = [{"created_by": "/bin/sh -c #(nop) ADD base.tar /"}, {"created_by": "/bin/sh -c #(nop) COPY app /app"}]
    if i % 4 == 1:
        layers.append(_tar({f"app/data{i}.bin": None}))
        history.append({"created_by": f"/bin/sh -c rm /app/data{i}.bin"})
    elif i % 4 == 2:
        layers.append(_tar({f"app/data{i}.bin": b"small"}))
        history.append({"created_by": "/bin/sh -c chmod -R g+w /app"})
    env = ["PATH=/usr/local/bin:/usr/bin:/bin"] + (["API_TOKEN=abcdef123456"] if i % 11 == 3 else [])
    user = USERS[(i // 2 + variant) % len(USERS)]
    config = {
        "architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z",
        "config": {"User": user, "Env": env, "Cmd": ["/app/run.sh"], "ExposedPorts": {"80/tcp": {}} if i % 5 == 0
                   else {"8080/tcp": {}}},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(t).hexdigest() for t in layers]},
        "history": history,
    }
    return [gzip.compress(t, mtime=0) for t in layers], config


class Pusher:
    """Blobs and manifests straight through the distribution API (no engine)."""

    def __init__(self, port: int) -> None:
        import requests

        self.base = f"http://127.0.0.1:{port}"
        self.s = requests.Session()
        self.s.trust_env = False

    def blob(self, repo: str, data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        if self.s.head(f"{self.base}/v2/{repo}/blobs/{digest}").status_code == 200:
            return digest
        r = self.s.post(f"{self.base}/v2/{repo}/blobs/uploads/")
        assert r.status_code == 202, r.text
        loc = r.headers["Location"]
        loc = loc if "://" in loc else self.base + loc
        r = self.s.put(loc + ("&" if "?" in loc else "?") + f"digest={digest}", data=data,
                       headers={"Content-Type": "application/octet-stream"})
        assert r.status_code == 201, r.text
        return digest

    def image(self, repo: str, tag: str, layers: list[bytes], config: dict) -> str:
        cfg = json.dumps(config, sort_keys=True).encode()
        manifest = {
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": self.blob(repo, cfg),
                       "size": len(cfg)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": self.blob(repo, b),
                        "size": len(b)} for b in layers],
        }
        body = json.dumps(manifest).encode()
        r = self.s.put(f"{self.base}/v2/{repo}/manifests/{tag}", data=body,
                       headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
        assert r.status_code == 201, r.text
        return "sha256:" + hashlib.sha256(body).hexdigest()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def image_names() -> list[tuple[int, str, str]]:
    """(index, repository, tag) of the pushed images: 4 namespaces, 50 repositories, 4 tags each."""
    out = []
    for i in range(N_IMAGES):
        rid = i // 4
        ns = ("team-a", "team-b", "infra", "data")[rid % 4]
        out.append((i, f"{ns}/svc-{rid:02d}", f"1.{i % 4}"))
    return out


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    if REGISTRY is None:
        pytest.skip("Debian's docker-registry is not installed (apt-get install docker-registry)")
    tmp = tmp_path_factory.mktemp("fleet-registry")
    port = _free_port()
    cfg = tmp / "config.yml"
    cfg.write_text(f"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n"
                   f"    rootdirectory: {tmp / 'storage'}\n  delete:\n    enabled: true\nhttp:\n"
                   f"  addr: 127.0.0.1:{port}\n")
    log = open(tmp / "registry.log", "wb")
    proc = subprocess.Popen([REGISTRY, "serve", str(cfg)], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("docker-registry did not start: " + (tmp / "registry.log").read_text()[-2000:])
    pusher = Pusher(port)
    for i, repo, tag in image_names():
        layers, config = synthetic_image(i)
        pusher.image(repo, tag, layers, config)
    yield {"port": port, "host": f"127.0.0.1:{port}", "pusher": pusher}
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


# ----------------------------------------------------------------------------- generated repositories

BASES = ["node:12.16", "node:12.16-slim", "debian:bookworm", "debian:bookworm-slim", "openjdk:8", "openjdk:8-jre-slim",
         "python:3.12", "golang:1.22", "alpine:3.19", "gcr.io/distroless/static-debian12:nonroot", "nginx:1.25",
         "ubuntu:22.04", "buildpack-deps:bookworm", "myimage"]
RUNS = ["RUN apt-get update && apt-get install -y gcc make",
        "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
        "RUN pip install flask", "RUN npm ci && npm run build", "RUN apk add --no-cache git", "",
        "RUN apt-get install -y git build-essential", "RUN curl -fsSL https://example.com/i.sh | sh"]
USER_LINES = ["", "USER app", "USER 1000:1000", "USER root", "RUN useradd -r -u 10001 app\nUSER app", "USER nobody",
              "USER 10001:10001"]
CMDS = ['CMD ["node", "server.js"]', "CMD python app.py", 'ENTRYPOINT ["/app/run"]', ""]


def dockerfile_text(i: int) -> str:
    r = random.Random(i)
    if i % 97 == 13:
        return f"FROM alpine:3.19\nRUN echo {i}\nONBUILD\nFROMM broken\n"  # a parse error
    lines = [f"FROM {BASES[i % len(BASES)]}", f'LABEL org.example.build="{i}"']
    if r.random() < 0.8:
        lines.append(RUNS[(i // 3) % len(RUNS)])
    lines += ["WORKDIR /app", "COPY . /app"]
    if r.random() < 0.3:
        lines.append(f"ENV SECRET_KEY=s{i}")
    lines.append(USER_LINES[(i // 5) % len(USER_LINES)])
    lines.append("EXPOSE 80" if i % 6 == 0 else "EXPOSE 8080")
    lines.append(CMDS[i % len(CMDS)])
    return "\n".join(x for x in lines if x) + "\n"


COMPOSE = """services:
  web{i}:
    image: {image}
{extra}"""
MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app{i}
spec:
  selector:
    matchLabels: {{app: app{i}}}
  template:
    metadata:
      labels: {{app: app{i}}}
    spec:
      containers:
        - name: app
          image: {image}
{extra}"""


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main",
                    *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path_factory.mktemp("fleet-repos")
    out = []
    per = N_DOCKERFILES // N_REPOS
    for k in range(N_REPOS):
        repo = root / f"repo{k}"
        repo.mkdir()
        _git(repo, "init", "-q")
        _git(repo, "remote", "add", "origin", f"git@github.com:org{k % 2}/repo{k}.git")
        for j in range(per):
            i = k * per + j
            d = repo / "services" / f"svc{j:03d}"
            d.mkdir(parents=True)
            (d / "Dockerfile").write_text(dockerfile_text(i))
        for j in range(8):
            i = k * 8 + j
            extra = ["    privileged: true\n", '    user: "1000:1000"\n', "", "    cap_add: [SYS_ADMIN]\n"][j % 4]
            (repo / "services" / f"svc{j:03d}" / "compose.yaml").write_text(
                COMPOSE.format(i=i, image=BASES[i % len(BASES)], extra=extra))
            kextra = ["          securityContext: {runAsNonRoot: true, runAsUser: 10001}\n",
                      "          securityContext: {privileged: true}\n", ""][j % 3]
            (repo / "deploy").mkdir(exist_ok=True)
            (repo / "deploy" / f"app{j}.yaml").write_text(MANIFEST.format(i=i, image=BASES[i % len(BASES)],
                                                                           extra=kextra))
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "generated")
        out.append(repo)
    return out


# ----------------------------------------------------------------------------- cluster, postgres


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    c = LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, host="127.0.0.1",
                     silence_logs=50)
    client = Client(c)
    yield client
    client.close()
    c.close()


def _pg_bin() -> Path | None:
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    return None


@pytest.fixture(scope="module")
def postgres():
    pytest.importorskip("psycopg")
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    base = Path(tempfile.mkdtemp(prefix="slimguard-pg-"))  # /tmp: an unprivileged user can reach it
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as nobody
        shutil.chown(base, "nobody")
        shutil.chown(sock, "nobody")
        os.chmod(base, 0o755)
        prefix = ["runuser", "-u", "nobody", "--"]
    env = {**os.environ, "LC_ALL": "C"}
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-sync"], check=True, capture_output=True, env=env, cwd=base)
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-o",
                    f"-k {sock} -c listen_addresses='' -c fsync=off", "start"], check=True, capture_output=True,
                   env=env, cwd=base)
    yield f"postgresql://postgres@/postgres?host={sock}"
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True,
                   env=env, cwd=base)
    shutil.rmtree(base, ignore_errors=True)


# ----------------------------------------------------------------------------- single-item reference


def single_item_totals(items) -> dict:
    """The totals from api.lint / api.check / api.audit on each item, counted here (not by slimguard.fleet)."""
    from slimguard import api
    from slimguard.core.config import Config

    config = Config(engine="never")
    z = lambda: {"dockerfile": 0, "check": 0, "image": 0}  # noqa: E731
    t = {"items": z(), "root": z(), "build_tools": z(), "unknown_user": z(), "saving": 0, "hidden": 0,
         "findings": {s: 0 for s in SEVERITIES}}
    for it in items:
        if it.kind == "dockerfile":
            findings = api.lint(Path(it.id), config=config).findings
        elif it.kind == "check":
            findings = api.check(it.text, path=it.id, config=config).findings
        else:
            a = api.audit(it.id, config=config, deep=True, engine="never", use_dive=False)
            findings = a.findings
            t["hidden"] += a.summary["size"]["hidden_bytes"] or 0
        t["items"][it.kind] += 1
        concerns = {f.concern for f in findings}
        t["root"][it.kind] += "root-user" in concerns
        t["unknown_user"][it.kind] += "unknown-user" in concerns
        t["build_tools"][it.kind] += any(f.concern == "build-tools" and f.details.get("category", "compiler") in
                                         ("compiler", "build-tool", "dev-headers", "scm") for f in findings)
        t["saving"] += sum(f.details.get("saving_bytes") or 0 for f in findings if f.concern == "fat-base")
        for f in findings:
            t["findings"][f.severity.label] += 1
    return t


def _spec(repos, registry, deep=True):
    from slimguard.fleet.inputs import FleetSpec, RegistryInput, RepoInput

    return FleetSpec(tuple(RepoInput(str(r)) for r in repos), (RegistryInput(registry["host"]),), (),
                     {"deep": deep})


def _strip_run(report: dict) -> dict:
    r = json.loads(json.dumps(report))
    for k in ("id", "computed", "reused"):
        r["run"].pop(k, None)
    return r


# ----------------------------------------------------------------------------- the tests

STATE: dict = {}


def test_fleet_equals_single_items_and_survives_a_killed_worker(repos, registry, cluster, tmp_path_factory):
    from slimguard.fleet.report import build_report
    from slimguard.fleet.run import plan, run_fleet
    from slimguard.fleet.store import SQLiteStore

    spec = _spec(repos, registry)
    found, keys, units = plan(spec, "x")
    kinds = [it.kind for it in found.items]
    assert kinds.count("dockerfile") >= N_DOCKERFILES and kinds.count("image") >= N_IMAGES
    assert kinds.count("check") >= 40 and not found.errors
    pids = cluster.run(os.getpid)
    killed: list[int] = []
    seen: list[str] = []

    def kill_one(r):
        seen.append(r.key)
        if len(seen) == 300 and not killed:
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    db = tmp_path_factory.mktemp("fleet-db") / "fleet.db"
    store = SQLiteStore(str(db))
    out = run_fleet(spec, store, client=cluster, batch_size=4, on_result=kill_one)
    assert killed, "the worker was not killed mid-run"
    assert out.status == "finished" and not out.errors, out.errors
    assert len(out.computed) == len(set(out.computed)) == out.units == len(seen)  # nothing lost, nothing twice
    assert store.count_results() == out.units
    assert set(cluster.run(os.getpid).values()) != set(pids.values())  # the nanny restarted the killed one
    report = build_report(store, out.run_id)
    ref = single_item_totals(found.items)
    tot = report["totals"]
    for name in ("items", "root", "build_tools", "unknown_user"):
        assert {k: tot[name][k] for k in ("dockerfile", "check", "image")} == ref[name], name
    assert tot["reclaimable_bytes"]["slim_variants"] == ref["saving"] > 0
    assert tot["reclaimable_bytes"]["hidden_layers"] == ref["hidden"] > 0
    assert tot["findings"]["by_severity"] == ref["findings"]
    assert tot["root"]["image"] and tot["build_tools"]["image"] and tot["unknown_user"]["image"]
    assert tot["root"]["dockerfile"] and tot["build_tools"]["dockerfile"]
    assert sum(g["items"]["all"] for g in report["groups"].values()) == tot["items"]["all"]
    assert {"org0", "org1", "team-a", "team-b", "infra", "data"} <= set(report["groups"])
    assert report["worst_offenders"] and report["worst_offenders"][0]["impact"] >= report["worst_offenders"][-1][
        "impact"]
    STATE.update(store=store, spec=spec, first=out)


def test_second_run_recomputes_nothing(cluster):
    from slimguard.fleet.run import run_fleet

    store, spec = STATE["store"], STATE["spec"]
    out = run_fleet(spec, store, client=cluster)
    assert out.computed == [] and not out.errors and out.reused == out.units == STATE["first"].units
    STATE["second"] = out


def test_changed_dockerfile_and_retagged_image_are_exactly_recomputed(repos, registry, cluster):
    from slimguard.fleet.report import build_report
    from slimguard.fleet.run import run_fleet

    store, spec = STATE["store"], STATE["spec"]
    df = repos[1] / "services" / "svc007" / "Dockerfile"
    df.write_text(df.read_text() + "RUN apt-get update && apt-get install -y gcc\n")
    i, repo, tag = image_names()[10]
    layers, config = synthetic_image(i, variant=1)  # bigger, another user
    digest = registry["pusher"].image(repo, tag, layers, config)
    out = run_fleet(spec, store, client=cluster)
    assert not out.errors
    assert sorted(out.subjects.values()) == sorted([str(df), f"registry:{registry['host']}/{repo}@{digest}"])
    assert len(out.computed) == 2
    report = build_report(store, out.run_id, since=STATE["second"].run_id)
    since = report["since"]
    assert since["changed_items"] == sorted([str(df), f"registry:{registry['host']}/{repo}:{tag}"])
    assert [b["item"] for b in since["bigger_images"]] == [f"registry:{registry['host']}/{repo}:{tag}"]
    assert since["counts"]["new_findings"] >= 1
    assert {f["item"] for f in since["new_findings"]} | {f["item"] for f in since["fixed_findings"]} <= set(
        since["changed_items"])
    STATE["third"] = out


def test_sqlite_and_postgres_give_identical_reports(postgres, cluster):
    from slimguard.fleet.report import build_report
    from slimguard.fleet.run import run_fleet
    from slimguard.fleet.store import PostgresStore, open_store

    sqlite, spec = STATE["store"], STATE["spec"]
    pg = open_store(postgres)
    assert isinstance(pg, PostgresStore)
    first = run_fleet(spec, pg, client=cluster, batch_size=8)
    assert not first.errors and len(first.computed) == first.units
    again = run_fleet(spec, pg, client=cluster)
    assert again.computed == []
    a = build_report(sqlite, STATE["third"].run_id, top=100)
    b = build_report(pg, again.run_id, top=100)
    assert json.dumps(_strip_run(a), sort_keys=True) == json.dumps(_strip_run(b), sort_keys=True)
    assert a["run"]["units"] == b["run"]["units"] and a["totals"] == b["totals"]
    pg.close()


def test_a_raising_unit_is_an_error_and_ctrl_c_keeps_what_finished(repos, registry, cluster, tmp_path):
    from slimguard import __version__
    from slimguard.fleet.inputs import FleetSpec, RepoInput
    from slimguard.fleet.run import plan, run_fleet
    from slimguard.fleet.store import SQLiteStore

    missing = f"registry:{registry['host']}/team-a/svc-00@sha256:{'0' * 64}"
    spec = FleetSpec((RepoInput(str(repos[0])),), (), (missing,), {})
    store = SQLiteStore(str(tmp_path / "ctrlc.db"))
    done = []

    def interrupt(r):
        done.append(r)
        if len(done) == 20:
            raise KeyboardInterrupt

    out = run_fleet(spec, store, client=cluster, on_result=interrupt)
    assert out.status == "interrupted" and store.count_results() == len(out.computed) >= 19
    rest = run_fleet(spec, store, client=cluster)
    assert rest.status == "finished"
    assert not set(rest.computed) & set(out.computed)  # what finished before Ctrl-C is kept
    assert len(rest.computed) + len(out.computed) == rest.units - 1
    _, _, units = plan(spec, __version__)
    assert list(rest.errors) == [k for k, u in units.items() if u.ref == missing]  # the run went on
    assert "not found" in rest.errors[list(rest.errors)[0]]


def test_workers_of_another_version_are_refused(cluster):
    from slimguard.fleet import FleetError
    from slimguard.fleet.executor import check_versions
    from slimguard.fleet.units import Item, Settings, make_unit, run_unit

    with pytest.raises(FleetError, match="refusing"):
        check_versions(cluster, "0.0.0-other")
    unit = make_unit(Item("x/Dockerfile", "dockerfile", "x", "sha256:0", text="FROM alpine\n"), Settings(), "9.9")
    r = run_unit(unit)
    assert r.error and "refusing" in r.error


def test_cli_fleet_file_and_config_only_requests(registry, tmp_path, repos):
    from click.testing import CliRunner

    from slimguard.cli.main import main  # noqa: F401 - the console script's entry
    from slimguard.cli.group import build_cli

    ff = tmp_path / "fleet.yaml"
    ff.write_text(f"repos:\n  - path: {repos[2]}\n    owner: platform\nregistries:\n  - url: {registry['host']}\n"
                  "    include: ['team-b/*']\n    exclude: ['team-b/svc-01']\n    newest: 1\n")
    res = CliRunner().invoke(build_cli(), ["fleet", str(ff), "--db", str(tmp_path / "cli.db"), "--workers", "0",
                                           "--no-progress", "--html", str(tmp_path / "fleet.html")])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "fleet.html").read_text()
    assert "Worst offenders" in page and "slimguard fix --write" in page
    report = json.loads(res.stdout)
    repos_b = {f"team-b/svc-{n:02d}" for n in range(50) if n % 4 == 1} - {"team-b/svc-01"}
    assert report["totals"]["items"]["image"] == len(repos_b)  # newest 1 tag of each included repository
    assert set(report["groups"]) == {"platform", "team-b"}
    from slimguard.fleet.store import SQLiteStore

    st = SQLiteStore(str(tmp_path / "cli.db"))
    rows = st.run_items(1)
    res_ = st.results(r[3] for r in rows if r[1] == "image")
    assert res_ and all(r.requests == 2 for r in res_.values())  # config only: manifest + config blob


def test_fleet_file_parsing_and_tag_order(tmp_path):
    from slimguard.fleet import FleetError
    from slimguard.fleet.discovery import newest_tags, repo_owner
    from slimguard.fleet.inputs import load_fleet_file, parse_fleet, settings_of

    ff = tmp_path / "fleet.yaml"
    ff.write_text("repos: [a, {path: /abs/b, owner: web}]\nregistries: [{url: r.example:5000, newest: 2}]\n"
                  "images: [registry:r.example:5000/x/y:1]\nsettings: {deep: true, select: [SG001], "
                  "severity: {sg017: error}}\n")
    spec = load_fleet_file(str(ff))
    assert [r.path for r in spec.repos] == [str(tmp_path / "a"), "/abs/b"] and spec.repos[1].owner == "web"
    assert spec.registries[0].newest == 2 and spec.images == ("registry:r.example:5000/x/y:1",)
    s = settings_of(spec)
    assert s.deep and s.select == ("SG001",) and s.severity == (("SG017", "error"),)
    for bad, msg in (({"repo": []}, "unknown key"), ({"registries": [{"url": "x", "newest": 0}]}, "positive"),
                     ({"settings": {"colour": 1}}, "unknown key"), ([], "mapping")):
        with pytest.raises(FleetError, match=msg):
            parse_fleet(bad)
    assert newest_tags(["1.9", "1.10", "latest", "1.2", "0.9"], 3) == ["1.9", "1.10", "latest"]
    (tmp_path / "r" / ".git").mkdir(parents=True)
    (tmp_path / "r" / ".git" / "config").write_text('[remote "origin"]\n\turl = https://github.com/acme/r.git\n')
    assert repo_owner(str(tmp_path / "r")) == "acme"


def test_unit_results_round_trip_through_json():
    from slimguard import __version__
    from slimguard.fleet.units import Item, Settings, UnitResult, make_unit, run_unit

    text = "FROM node:12.16\nRUN apt-get update && apt-get install -y gcc make\nCMD [\"node\", \"a.js\"]\n"
    u = make_unit(Item("r/Dockerfile", "dockerfile", "o", "sha256:1", text=text), Settings(), __version__)
    r = run_unit(u)
    assert r.error is None and r.root and r.build_tools and not r.unknown_user
    assert UnitResult.from_dict(json.loads(json.dumps(r.to_dict()))) == r
    with pytest.raises(Exception):
        r.root = False  # frozen

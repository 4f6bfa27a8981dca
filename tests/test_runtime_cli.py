"""`slimguard check` end to end: inputs, formats, exit codes, config, pragmas, --fix/--write."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

COMPOSE = """\
# the app stack
services:
  web:
    image: node:12.16-slim    # runs as root by default
    command: ["node", "server.js"]
    ports:
      - "8080:8080"
"""

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: registry.example/web:1
"""


def run(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slimguard", "check", "--engine", "never", *args],
                          input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_listed_in_cli():
    proc = subprocess.run([sys.executable, "-m", "slimguard", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert "check" in proc.stdout and "doctor" in proc.stdout


def test_exit_codes_and_threshold(tmp_path):
    bad = write(tmp_path / "compose.yaml", COMPOSE)
    good = write(tmp_path / "ok" / "compose.yaml", "services:\n  hello:\n    image: gcr.io/distroless/static-debian12:nonroot\n"
                 "    read_only: true\n    cap_drop: [ALL]\n    security_opt: [no-new-privileges:true]\n")
    assert run(str(good)).returncode == 0, run(str(good)).stdout
    assert run(str(bad)).returncode == 1
    assert run(str(bad), "--failure-threshold", "error").returncode == 0
    assert run(str(bad), "-t", "none").returncode == 0
    assert run(str(tmp_path / "nope.yaml")).returncode == 2


def test_text_output_has_positions_and_source(tmp_path):
    f = write(tmp_path / "compose.yaml", COMPOSE)
    out = run(str(f), "--select", "SGR002").stdout
    assert f"{f}\n  3:3  warning  SGR002 service 'web' runs as root" in out
    assert "       3 |   web:" in out
    assert "fixable with `slimguard check --write`" not in out  # the fix is unsafe


def test_json_and_sarif(tmp_path):
    f = write(tmp_path / "pod.yaml", POD)
    data = json.loads(run(str(f), "--format", "json").stdout)
    assert data["kind"] == "check"
    rules = {x["rule"] for x in data["findings"]}
    assert {"SGR001", "SGR004", "SGR005", "SGR006", "SGR010"} <= rules
    assert all(x["origin"] == "kubernetes" for x in data["findings"])
    first = next(x for x in data["findings"] if x["rule"] == "SGR004")
    assert (first["line"], first["column"]) == (7, 7)
    sarif = json.loads(run(str(f), "--format", "sarif").stdout)
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    for fmt in ("checkstyle", "gitlab", "github"):
        assert run(str(f), "--format", fmt).returncode == 1


def test_stdin_helm_style_multi_document():
    text = "---\n# Source: chart/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n" + POD
    proc = run("-", "--format", "json", stdin=text)
    data = json.loads(proc.stdout)
    assert data["files"] == ["<stdin>"]
    assert {f["line"] for f in data["findings"] if f["rule"] == "SGR004"} == {13}
    proc = run("-", "--kind", "compose", stdin="services:\n  a:\n    image: busybox\n", )
    assert "SGR002" in proc.stdout


def test_docker_run_option():
    proc = run("--docker-run", "docker run --rm --privileged -u 0 busybox id", "--format", "json")
    data = json.loads(proc.stdout)
    assert data["files"] == ["<docker run>"]
    by = {f["rule"]: f for f in data["findings"]}
    assert by["SGR007"]["column"] == 17 and by["SGR002"]["column"] == 30
    assert proc.returncode == 1
    bad = run("--docker-run", "docker run --frobnicate busybox")
    assert bad.returncode == 2 and "unknown flag --frobnicate" in bad.stderr
    fixed = run("--docker-run", "docker run --rm --user 1000 busybox id", "--fix")
    assert fixed.stdout.strip() == "docker run --rm --user 1000 --security-opt no-new-privileges --cap-drop ALL busybox id"


def test_directory_discovery(tmp_path):
    write(tmp_path / "compose.yaml", COMPOSE)
    write(tmp_path / "docker-compose.override.yml", "services:\n  web:\n    user: root\n")
    write(tmp_path / "k8s" / "web.yaml", POD)
    write(tmp_path / "k8s" / "values.yaml", "replicas: 2\n")
    write(tmp_path / "chart" / "templates" / "dep.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: {{ .Release.Name }}}\n")
    write(tmp_path / ".github" / "workflows" / "ci.yml", "on: push\n")
    data = json.loads(run(str(tmp_path), "--format", "json").stdout)
    names = sorted(Path(f).name for f in data["files"])
    assert names == ["compose.yaml", "docker-compose.override.yml", "web.yaml"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(str(empty)).returncode == 2


def test_invalid_yaml_and_unknown_kind(tmp_path):
    f = write(tmp_path / "compose.yaml", "services:\n  web:\n    image: [x\n")
    proc = run(str(f))
    assert proc.returncode == 2 and f"{f}:4:1: invalid YAML" in proc.stderr
    g = write(tmp_path / "values.yaml", "a: 1\n")
    proc = run(str(g))
    assert proc.returncode == 2 and "neither a compose file" in proc.stderr


def test_select_ignore_config_and_pragmas(tmp_path):
    f = write(tmp_path / "pod.yaml", POD.replace("    - name: app\n",
                                                 "    # slimguard: ignore=SGR004\n    - name: app\n"))
    data = json.loads(run(str(f), "--format", "json").stdout)
    assert "SGR004" not in {x["rule"] for x in data["findings"]}
    data = json.loads(run(str(f), "--format", "json", "--select", "capabilities").stdout)
    assert {x["concern"] for x in data["findings"]} == {"capabilities"}
    data = json.loads(run(str(f), "--format", "json", "--ignore", "SGR010,SGR006").stdout)
    assert not {"SGR010", "SGR006"} & {x["rule"] for x in data["findings"]}
    assert run(str(f), "--select", "SGR999").returncode == 2
    write(tmp_path / ".slimguard.toml", 'ignore = ["SGR005"]\nfailure-threshold = "error"\n[severity]\nSGR001 = "error"\n')
    proc = run("pod.yaml", "--format", "json", cwd=tmp_path)
    data = json.loads(proc.stdout)
    assert "SGR005" not in {x["rule"] for x in data["findings"]}
    assert {x["severity"] for x in data["findings"] if x["rule"] == "SGR001"} == {"error"}
    assert proc.returncode == 1
    g = write(tmp_path / "g" / "pod.yaml", "# slimguard: global ignore=SGR001,SGR004,SGR005,SGR006,SGR010\n" + POD)
    assert run(str(g)).returncode == 0


def test_fix_diff_write_twice_and_comments(tmp_path):
    f = write(tmp_path / "compose.yaml", COMPOSE)
    before = f.read_text()
    diff = run(str(f), "--fix")
    assert diff.returncode == 0
    assert diff.stdout.startswith(f"--- a/{str(f).lstrip('/')}")
    assert "+      - no-new-privileges:true" in diff.stdout
    assert f.read_text() == before  # --fix only prints
    proc = run(str(f), "--write", "--unsafe")
    assert proc.returncode == 0 and "fixed" in proc.stdout
    after = f.read_text()
    assert after.startswith("# the app stack\nservices:\n  web:\n    image: node:12.16-slim    # runs as root by default\n")
    assert 'user: "1000:1000"' in after and "read_only: true" in after and "cap_drop:\n      - ALL" in after
    again = run(str(f), "--write", "--unsafe")
    assert again.returncode == 0 and f.read_text() == after  # fixing twice changes nothing
    left = json.loads(run(str(f), "--format", "json").stdout)["findings"]
    assert [x["rule"] for x in left] == []


def test_fix_needs_file_for_write():
    proc = run("-", "--write", stdin=COMPOSE)
    assert proc.returncode == 2


def test_docs_section_is_current():
    from slimguard.runtime.rules import docs

    assert docs.main(["--check"]) == 0, "run: python -m slimguard.runtime.rules.docs"


@pytest.mark.parametrize("code", ["SGR001", "sgr014", "root-user", "volume-ownership"])
def test_select_accepts_ids_and_concerns(tmp_path, code):
    f = write(tmp_path / "pod.yaml", POD)
    assert run(str(f), "--select", code).returncode in (0, 1)

"""`slimguard lint` end to end: discovery, stdin, config, pragmas, exit codes, formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slimguard", "lint", "--engine", "never", *args],
                          input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_exit_codes_and_threshold(tmp_path):
    bad = write(tmp_path / "Dockerfile", "FROM debian:bookworm\nUSER root\n")
    good = write(tmp_path / "ok" / "Dockerfile", "FROM node:12.16-slim\nUSER 1000:1000\n")
    assert run(str(good)).returncode == 0
    assert run(str(bad)).returncode == 1
    assert run(str(bad), "--failure-threshold", "error").returncode == 0
    assert run(str(bad), "--failure-threshold", "none").returncode == 0


def test_directory_discovery(tmp_path):
    for name in ("Dockerfile", "Containerfile", "api.Dockerfile", "Dockerfile.prod", "notes.txt"):
        write(tmp_path / "svc" / name, "FROM debian:bookworm\nUSER root\n")
    write(tmp_path / "node_modules" / "x" / "Dockerfile", "FROM debian:bookworm\nUSER root\n")
    proc = run(str(tmp_path), "--format", "json")
    data = json.loads(proc.stdout)
    files = sorted(Path(f).name for f in data["files"])
    assert files == ["Containerfile", "Dockerfile", "Dockerfile.prod", "api.Dockerfile"]


def test_stdin(tmp_path):
    proc = run("-", "--format", "json", stdin="FROM debian:bookworm\nUSER 0\n")
    data = json.loads(proc.stdout)
    assert proc.returncode == 1 and data["findings"][0]["file"] == "<stdin>"


def test_parse_error_exit_2_other_files_still_linted(tmp_path):
    broken = write(tmp_path / "a" / "Dockerfile", "FROM x\nRUN <<EOF\nnever ends\n")
    other = write(tmp_path / "b" / "Dockerfile", "FROM debian:bookworm\nUSER root\n")
    proc = run(str(broken), str(other), "--format", "json")
    assert proc.returncode == 2
    data = json.loads(proc.stdout)
    assert any(f["rule"] == "SG001" for f in data["findings"])
    assert "unterminated heredoc" in proc.stderr and f"{broken}:2:1" in proc.stderr


def test_select_ignore_by_id_alias_and_concern(tmp_path):
    f = write(tmp_path / "Dockerfile", "FROM debian:latest\nUSER root\n")
    rules = lambda p: {x["rule"] for x in json.loads(p.stdout)["findings"]}  # noqa: E731
    assert rules(run(str(f), "--format", "json")) >= {"SG001", "SG018"}
    assert rules(run(str(f), "--format", "json", "--ignore", "DL3002")) & {"SG001"} == set()
    assert rules(run(str(f), "--format", "json", "--select", "latest-tag")) == {"SG018"}
    assert run(str(f), "--select", "NOPE123").returncode == 2


def test_hadolint_config_and_pragmas(tmp_path):
    write(tmp_path / ".hadolint.yaml", "ignored:\n  - DL3007\noverride:\n  error:\n    - DL3002\n"
          "failure-threshold: error\n")
    f = write(tmp_path / "Dockerfile", "FROM debian:latest\n# hadolint ignore=DL3006\nUSER root\n")
    proc = run("Dockerfile", "--format", "json", cwd=tmp_path)
    data = json.loads(proc.stdout)
    by_rule = {x["rule"]: x for x in data["findings"]}
    assert "SG018" not in by_rule
    assert by_rule["SG001"]["severity"] == "error" and proc.returncode == 1
    write(tmp_path / "Dockerfile", "FROM debian:bookworm\n# hadolint ignore=DL3002\nUSER root\n")
    assert not [x for x in json.loads(run("Dockerfile", "--format", "json", cwd=tmp_path).stdout)["findings"]
                if x["rule"] == "SG001"]
    write(tmp_path / "Dockerfile", "# slimguard: global ignore=root-user\nFROM debian:bookworm\nUSER root\n")
    assert not json.loads(run("Dockerfile", "--format", "json", cwd=tmp_path).stdout)["findings"] or all(
        x["concern"] != "root-user" for x in json.loads(run("Dockerfile", "--format", "json", cwd=tmp_path).stdout)["findings"])
    assert f.exists()


def test_slimguard_toml_config(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.slimguard]\nignore = ["SG018"]\nfailure-threshold = "error"\n'
          '[tool.slimguard.severity]\nSG001 = "error"\n')
    write(tmp_path / "Dockerfile", "FROM debian:latest\nUSER root\n")
    proc = run("Dockerfile", "--format", "json", cwd=tmp_path)
    data = json.loads(proc.stdout)
    assert {x["rule"] for x in data["findings"]} & {"SG018"} == set()
    assert proc.returncode == 1
    write(tmp_path / "pyproject.toml", "[tool.slimguard]\nbogus = 1\n")
    proc = run("Dockerfile", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown setting" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_hadolint_yaml_is_a_clean_error(tmp_path):
    write(tmp_path / ".hadolint.yaml", "ignored: [\n")
    write(tmp_path / "Dockerfile", "FROM debian:bookworm\n")
    proc = run("Dockerfile", cwd=tmp_path)
    assert proc.returncode == 2 and ".hadolint.yaml" in proc.stderr and "Traceback" not in proc.stderr


def test_target_and_build_args(tmp_path):
    f = write(tmp_path / "Dockerfile", "FROM debian:bookworm AS build\nUSER root\nFROM scratch AS run\nARG U=1\nUSER $U\n")
    assert run(str(f), "--target", "run").returncode == 0
    assert run(str(f), "--target", "build").returncode == 1
    assert run(str(f), "--build-arg", "U=0").returncode == 1
    proc = run(str(f), "--target", "nope")
    assert proc.returncode == 2 and "no stage named" in proc.stderr


def test_output_file_and_no_color(tmp_path):
    f = write(tmp_path / "Dockerfile", "FROM debian:bookworm\nUSER root\n")
    out = tmp_path / "report.sarif"
    proc = run(str(f), "--format", "sarif", "--output", str(out))
    assert proc.returncode == 1 and proc.stdout == "" and json.loads(out.read_text())["version"] == "2.1.0"
    assert "\x1b[" not in run(str(f)).stdout


def test_hadolint_ignored_alias_silences_every_finding_of_the_rule(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM debian:bookworm\nCMD [\"bash\"]\n")
    (tmp_path / ".hadolint.yaml").write_text("ignored: [DL3002]\n")
    proc = subprocess.run([sys.executable, "-m", "slimguard", "lint", "--engine", "never", "--format", "json",
                           "Dockerfile"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "SG001" not in {f["rule"] for f in json.loads(proc.stdout)["findings"]}

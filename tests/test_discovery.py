"""How `slimguard lint` finds files and settings: the current directory by default, .gitignore and `exclude`,
BuildKit's Dockerfile.dockerignore is no Dockerfile, and the settings nearest to each file (as ruff does)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from slimguard.dockerfile.discover import discover, excluded, is_dockerfile_name

SG = str(Path(sys.executable).with_name("slimguard"))
ROOT_IMAGE = "FROM debian:bookworm-slim\nCOPY app /app\nEXPOSE 8080\nCMD [\"/app/run\"]\n"  # SG001 warning


def lint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}
    return subprocess.run([SG, "lint", "--engine", "never", "--format", "json", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)


def files_of(proc: subprocess.CompletedProcess) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in json.loads(proc.stdout)["findings"]:
        out.setdefault(f["file"].removeprefix("./"), set()).add(f["rule"])
    return out


def test_names() -> None:
    assert is_dockerfile_name("Dockerfile") and is_dockerfile_name("api.Dockerfile")
    assert is_dockerfile_name("Dockerfile.prod") and is_dockerfile_name("Containerfile")
    assert not is_dockerfile_name("Dockerfile.dockerignore") and not is_dockerfile_name("api.Dockerfile.dockerignore")
    assert excluded("vendor/x/Dockerfile", ["vendor"]) and excluded("a/Dockerfile.test", ["*.test"])
    assert not excluded("app/Dockerfile", ["vendor", "*.test"])


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_no_path_lints_the_current_directory_honouring_gitignore_and_exclude(tmp_path: Path) -> None:
    for d in ("app", "build", "vendor"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "Dockerfile").write_text(ROOT_IMAGE)
    (tmp_path / "app" / "Dockerfile.dockerignore").write_text("node_modules\n")
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / "pyproject.toml").write_text('[tool.slimguard]\nexclude = ["vendor"]\n')
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    proc = lint(tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert set(files_of(proc)) == {"app/Dockerfile"}
    assert [str(Path(p).relative_to(tmp_path)) for p in discover(str(tmp_path), exclude=["vendor"])] == ["app/Dockerfile"]


def test_settings_nearest_to_each_file_win(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the repository root: the search stops here
    for d in ("svc-a", "svc-b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "Dockerfile").write_text(ROOT_IMAGE)
    (tmp_path / "svc-b" / ".slimguard.toml").write_text('ignore = ["SG001"]\n')
    found = files_of(lint(tmp_path, "."))
    assert "SG001" in found["svc-a/Dockerfile"]
    assert "SG001" not in found.get("svc-b/Dockerfile", set())
    # an explicit --config is used for every file
    (tmp_path / "all.toml").write_text('[tool.slimguard]\nignore = ["SG001"]\n')
    found = files_of(lint(tmp_path, ".", "--config", "all.toml"))
    assert not any("SG001" in rules for rules in found.values())


def test_stdin_still_reads_with_dash(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}
    proc = subprocess.run([SG, "lint", "--engine", "never", "-"], cwd=tmp_path, env=env, input=ROOT_IMAGE,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "SG001" in proc.stdout

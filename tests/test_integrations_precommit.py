"""slimguard's pre-commit hooks (.pre-commit-hooks.yaml), run by the real pre-commit.

The hook repository is a throwaway git repository holding a copy of this working tree's src/,
pyproject.toml, README.md and .pre-commit-hooks.yaml, committed there (a clone of the project would
miss uncommitted changes). Each hook runs with `pre-commit try-repo HOOKREPO HOOK --all-files` in a
throwaway project repository; try-repo installs the hook's Python environment afresh each time
(pip from PyPI, about 20 s with pip's cache warm), so there are two try-repo runs: every hook on a bad
project (each must fail on its own finding), and `slimguard-lint` alone on a clean one. The README's
`.pre-commit-config.yaml` snippet runs with `pre-commit run --all-files` (its `repo:` and `rev:` pointed
at the hook repository) with PRE_COMMIT_HOME in a directory of this test session.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from readme_snippets import snippet

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ROOT / ".pre-commit-hooks.yaml"

# runs as root; EXPOSE 80 makes the non-root fix unsafe, so slimguard-fix leaves it and lint still fails
BAD_DOCKERFILE = "FROM node:12.16\nWORKDIR /app\nCOPY . .\nEXPOSE 80\nCMD [\"node\", \"server.js\"]\n"
GOOD_DOCKERFILE = 'FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --chown=65532:65532 app /app\nENTRYPOINT ["/app"]\n'
# SG013's safe fix appends the apt lists' removal; nothing else is wrong here
FIXABLE_DOCKERFILE = (
    "FROM debian:bookworm-slim\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates\n"
    "USER 10001:10001\n"
)
FIXED_DOCKERFILE = (
    "FROM debian:bookworm-slim\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
    "USER 10001:10001\n"
)
BAD_COMPOSE = "services:\n  web:\n    image: nginx:1.25\n"
GOOD_COMPOSE = """\
services:
  web:
    image: nginxinc/nginx-unprivileged:1.25
    user: "101:101"
    read_only: true
    tmpfs:
      - /tmp
    cap_drop:
      - ALL
    security_opt:
      - no-new-privileges:true
"""
# neither compose nor Kubernetes: `slimguard check` alone would exit 2 on it; the hook skips it
OTHER_YAML = "name: CI\non: push\njobs: {}\n"
# BuildKit's per-Dockerfile ignore file: not a Dockerfile, must not reach lint
DOCKERIGNORE = "node_modules\n*.log\n"

GIT = ["git", "-c", "user.name=slimguard tests", "-c", "user.email=tests@slimguard.invalid",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", "-c", "core.hooksPath=/dev/null"]


def git(cwd: Path, *args: str) -> str:
    p = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"git {' '.join(args)}: {p.stdout}{p.stderr}"
    return p.stdout.strip()


def load_hooks() -> dict[str, dict]:
    hooks = YAML(typ="safe").load(HOOKS.read_text(encoding="utf-8"))
    return {h["id"]: h for h in hooks}


# ---------------------------------------------------------------------------------------------------
# the manifest, without pre-commit


def test_manifest_hooks():
    hooks = load_hooks()
    assert set(hooks) == {"slimguard-lint", "slimguard-fix", "slimguard-check"}
    for h in hooks.values():
        assert h["language"] == "python" and h["name"] and h["entry"]
    assert hooks["slimguard-lint"]["entry"] == "slimguard lint"
    assert hooks["slimguard-fix"]["entry"] == "slimguard fix --write"
    assert hooks["slimguard-check"]["entry"] == "python -m slimguard.cli.precommit check"
    assert hooks["slimguard-check"]["types"] == ["yaml"]


NAMES = [
    "Dockerfile", "Containerfile", "app.Dockerfile", "app.dockerfile", ".Dockerfile", "Dockerfile.prod",
    "Dockerfile.", "Containerfile.dev", "Dockerfile.dev.arm64", "Dockerfile.dockerignore",
    "Containerfile.dockerignore", "app.Dockerfile.dockerignore", ".dockerignore", "dockerfile",
    "Dockerfiles", "MyDockerfile", "Dockerfile-prod", "containerfile", "Dockerfile.yaml", "README.md",
    "compose.yaml", "Dockerfilex.txt", "xContainerfile",
]


@pytest.mark.parametrize("hook", ["slimguard-lint", "slimguard-fix"])
def test_file_pattern_matches_lint_discovery(hook):
    """`files` takes what `slimguard lint DIR` discovers, in any directory, minus *.dockerignore."""
    from slimguard.dockerfile.discover import is_dockerfile_name

    pattern = re.compile(load_hooks()[hook]["files"])
    for name in NAMES:
        want = is_dockerfile_name(name) and not name.endswith(".dockerignore")
        for path in (name, f"deploy/docker/{name}"):
            assert bool(pattern.search(path)) == want, path
    assert not pattern.search("Dockerfile.d/notes.txt")


def test_check_entry_keeps_compose_and_manifests(tmp_path):
    from slimguard.cli.precommit import split_files, wanted

    (tmp_path / "compose.yaml").write_text(BAD_COMPOSE)
    (tmp_path / "pod.yml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n")
    (tmp_path / "ci.yml").write_text(OTHER_YAML)
    (tmp_path / "chart.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n")
    cfg = tmp_path / "slimguard.toml"
    cfg.write_text("")
    files = [str(tmp_path / n) for n in ("compose.yaml", "pod.yml", "ci.yml", "chart.yaml")]
    opts, names = split_files(["--config", str(cfg), "-t", "warning", *files], {"--config", "-t"})
    assert opts == ["--config", str(cfg), "-t", "warning"] and names == files
    assert [os.path.basename(f) for f in names if wanted(f)] == ["compose.yaml", "pod.yml"]


# ---------------------------------------------------------------------------------------------------
# the real pre-commit

needs_pre_commit = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """A git repository with this working tree's hook files, committed: (path, commit)."""
    import pre_commit  # noqa: F401 - in the test extra (pip install -e '.[test]'); missing is an error, not a skip
    repo = tmp_path_factory.mktemp("hook-repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(ROOT / "src", repo / "src", ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "slimguard hooks under test")
    return repo, git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def project(path: Path, files: dict[str, str]) -> Path:
    """A throwaway git repository with *files* staged (pre-commit --all-files runs on git's index)."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "add", "-A")
    return path


def pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    env.update(PRE_COMMIT_HOME=str(home), NO_COLOR="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    p = subprocess.run([sys.executable, "-m", "pre_commit", *args, "--color", "never"], cwd=cwd, env=env,
                       capture_output=True, text=True, timeout=600)
    sys.stdout.write(f"$ pre-commit {' '.join(args)}  (exit {p.returncode})\n{p.stdout}{p.stderr}\n")
    return p


def try_repo(cwd: Path, home: Path, repo: Path, hook: str | None = None) -> subprocess.CompletedProcess[str]:
    return pre_commit(cwd, home, "try-repo", str(repo), *([hook] if hook else []), "--all-files")


def sections(output: str) -> dict[str, tuple[str, str]]:
    """pre-commit's report per hook: name -> (Passed|Failed|Skipped, the hook's output below its line)."""
    heads = list(re.finditer(r"^(slimguard \w+)\.+(?:\(no files to check\))?(Passed|Failed|Skipped)$", output, re.MULTILINE))
    return {m.group(1): (m.group(2), output[m.end():heads[i + 1].start() if i + 1 < len(heads) else len(output)])
            for i, m in enumerate(heads)}


@pytest.mark.slow
@needs_pre_commit
def test_try_repo_every_hook_fails_on_a_bad_project(tmp_path, hook_repo, pre_commit_home):
    """All three hooks in one try-repo run (one environment install): each fails on its own finding.

    try-repo runs the hooks sorted by id: check, fix, then lint on the fixed files."""
    proj = project(tmp_path / "proj", {
        "app/Dockerfile": BAD_DOCKERFILE, "app/Dockerfile.dockerignore": DOCKERIGNORE, "Dockerfile": FIXABLE_DOCKERFILE,
        "deploy/compose.yaml": BAD_COMPOSE, ".github/workflows/ci.yml": OTHER_YAML, "README.md": "# app\n",
    })
    p = try_repo(proj, pre_commit_home, hook_repo[0])
    assert p.returncode == 1
    got = sections(p.stdout)
    assert set(got) == {"slimguard lint", "slimguard fix", "slimguard check"}

    status, out = got["slimguard lint"]
    assert status == "Failed" and "- exit code: 1" in out
    assert "app/Dockerfile\n" in out and "SG001" in out and "runs as root" in out
    assert "SG013" not in out  # slimguard-fix ran first and fixed it

    status, out = got["slimguard fix"]
    assert status == "Failed" and "files were modified by this hook" in out and "fixed SG013" in out
    assert (proj / "Dockerfile").read_text() == FIXED_DOCKERFILE

    status, out = got["slimguard check"]
    assert status == "Failed" and "deploy/compose.yaml" in out and "SGR002" in out and "runs as root" in out

    assert "dockerignore" not in p.stdout + p.stderr  # BuildKit's ignore file never reached lint or fix
    assert "ci.yml" not in p.stdout + p.stderr  # the workflow file was skipped by check, not rejected


@pytest.mark.slow
@needs_pre_commit
def test_try_repo_lint_hook_passes_on_a_clean_project(tmp_path, hook_repo, pre_commit_home):
    proj = project(tmp_path / "proj", {"Dockerfile": GOOD_DOCKERFILE, "docker/app.Dockerfile": GOOD_DOCKERFILE,
                                       "compose.yaml": GOOD_COMPOSE})
    p = try_repo(proj, pre_commit_home, hook_repo[0], "slimguard-lint")
    assert p.returncode == 0
    got = sections(p.stdout)
    assert set(got) == {"slimguard lint"} and got["slimguard lint"][0] == "Passed"


@pytest.mark.slow
@needs_pre_commit
def test_readme_config_snippet(tmp_path, hook_repo, pre_commit_home):
    """README's .pre-commit-config.yaml, with `repo:` and `rev:` pointing at the hook repository."""
    config = snippet("pre-commit")
    assert re.search(r"^  - repo: \S+", config, re.MULTILINE) and re.search(r"^    rev: \S+", config, re.MULTILINE)
    repo, rev = hook_repo
    config = re.sub(r"^(  - repo: )\S+", lambda m: m.group(1) + str(repo), config, count=1, flags=re.MULTILINE)
    config = re.sub(r"^(    rev: )\S+", lambda m: m.group(1) + rev, config, count=1, flags=re.MULTILINE)
    ids = re.findall(r"^      - id: (\S+)", config, re.MULTILINE)
    assert ids == ["slimguard-lint", "slimguard-fix", "slimguard-check"]

    proj = project(tmp_path / "proj", {".pre-commit-config.yaml": config, "Dockerfile": FIXABLE_DOCKERFILE,
                                       "docker/app.Dockerfile": BAD_DOCKERFILE, "compose.yaml": BAD_COMPOSE,
                                       "ci.yml": OTHER_YAML})
    p = pre_commit(proj, pre_commit_home, "run", "--all-files")
    assert p.returncode == 1
    for name in ("slimguard lint", "slimguard fix", "slimguard check"):
        assert re.search(re.escape(name) + r"\.+Failed", p.stdout), name
    assert "SG001" in p.stdout and "SGR002" in p.stdout
    assert (proj / "Dockerfile").read_text() == FIXED_DOCKERFILE

    # the same configuration on a clean project: every hook passes (the environment is reused)
    clean = project(tmp_path / "clean", {".pre-commit-config.yaml": config, "Dockerfile": GOOD_DOCKERFILE,
                                         "compose.yaml": GOOD_COMPOSE, "ci.yml": OTHER_YAML})
    p = pre_commit(clean, pre_commit_home, "run", "--all-files")
    assert p.returncode == 0
    assert "Installing environment" not in p.stdout + p.stderr
    for name in ("slimguard lint", "slimguard fix", "slimguard check"):
        assert re.search(re.escape(name) + r"\.+Passed", p.stdout), name

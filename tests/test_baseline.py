"""`--baseline` / `--write-baseline`: adopt slimguard with today's findings recorded; only new ones fail."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from slimguard.core import baseline
from slimguard.core.config import Config
from slimguard.dockerfile.lint import lint_text
from slimguard.knowledge.facts import Resolver

DOCKERFILE = (
    "FROM debian:bookworm\n"
    "WORKDIR /app\n"
    "RUN apt-get update && apt-get install -y gcc\n"
    "USER root\n"
    'CMD ["sh"]\n'
)


def run(cwd: Path, *args: str, cmd: str = "lint") -> subprocess.CompletedProcess:
    extra = ["--engine", "never"]
    return subprocess.run([sys.executable, "-m", "slimguard", cmd, *extra, *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def findings(proc: subprocess.CompletedProcess) -> list[dict]:
    return json.loads(proc.stdout)["findings"]


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_text(DOCKERFILE)
    return tmp_path


def test_write_then_rerun_reports_nothing(repo):
    first = run(repo, "--write-baseline", "slimguard-baseline.json", "svc/Dockerfile")
    assert first.returncode == 0, first.stderr
    assert "wrote" in first.stderr and "suppressed" in first.stderr
    doc = json.loads((repo / "slimguard-baseline.json").read_text())
    assert doc["version"] == 1 and doc["findings"]
    assert {e["path"] for e in doc["findings"]} == {"svc/Dockerfile"}
    assert all(set(e) == {"path", "rule", "fingerprint", "count", "excerpt"} for e in doc["findings"])
    keys = [(e["path"], e["rule"], e["fingerprint"]) for e in doc["findings"]]
    assert keys == sorted(keys)
    again = run(repo, "--baseline", "slimguard-baseline.json", "svc/Dockerfile", "--format", "json")
    assert again.returncode == 0 and findings(again) == []
    assert f"suppressed {len(doc['findings'])} finding(s)" in again.stderr
    assert json.loads(again.stdout)["summary"]["baseline"]["suppressed"] == len(doc["findings"])


def test_baseline_is_deterministic(repo):
    run(repo, "--write-baseline", "a.json", "svc/Dockerfile")
    run(repo, "--write-baseline", "b.json", "svc/Dockerfile")
    assert (repo / "a.json").read_bytes() == (repo / "b.json").read_bytes()


def test_matching_survives_moved_lines_and_paths_are_relative_to_the_baseline(repo):
    run(repo, "--write-baseline", "base.json", "svc/Dockerfile")
    df = repo / "svc" / "Dockerfile"
    df.write_text("# a comment at the top\n\n" + DOCKERFILE.replace("WORKDIR /app\n", "WORKDIR /app\nENV A=1\n"))
    proc = run(repo, "--baseline", "base.json", "svc/Dockerfile", "--format", "json")
    assert proc.returncode == 0 and findings(proc) == []
    # from another directory: the path is matched relative to the baseline file, not the cwd
    proc = run(repo / "svc", "--baseline", "../base.json", "Dockerfile", "--format", "json")
    assert proc.returncode == 0 and findings(proc) == []


def test_only_a_new_finding_is_reported(repo):
    run(repo, "--write-baseline", "base.json", "svc/Dockerfile")
    df = repo / "svc" / "Dockerfile"
    df.write_text("# comment\n" + DOCKERFILE.replace("USER root\n", "USER root\nRUN apt-get install -y make\n"))
    proc = run(repo, "--baseline", "base.json", "svc/Dockerfile", "--format", "json")
    assert proc.returncode == 1
    new = findings(proc)
    assert new and all(f["line"] == 6 for f in new), new  # only the added RUN
    assert "suppressed" in proc.stderr


def test_a_fixed_finding_just_disappears(repo):
    run(repo, "--write-baseline", "base.json", "svc/Dockerfile")
    df = repo / "svc" / "Dockerfile"
    df.write_text(DOCKERFILE.replace("apt-get update && apt-get install -y gcc",
                                     "apt-get update && apt-get install -y --no-install-recommends gcc "
                                     "&& rm -rf /var/lib/apt/lists/*"))
    proc = run(repo, "--baseline", "base.json", "svc/Dockerfile", "--format", "json")
    assert proc.returncode in (0, 1)
    # whatever the changed RUN still has is a changed text, so new; the untouched USER root stays suppressed
    assert not any(f["rule"] == "SG001" for f in findings(proc))
    df.write_text(DOCKERFILE.replace("USER root\n", "USER 10001:10001\n"))
    proc = run(repo, "--baseline", "base.json", "svc/Dockerfile", "--format", "json")
    assert proc.returncode == 0 and findings(proc) == []


def test_duplicate_identical_findings_are_counted(repo):
    text = "FROM debian:bookworm\nRUN apt-get update\nRUN apt-get update\nUSER 10001:10001\n"
    (repo / "svc" / "Dockerfile").write_text(text)
    run(repo, "--write-baseline", "base.json", "svc/Dockerfile")
    doc = json.loads((repo / "base.json").read_text())
    dup = [e for e in doc["findings"] if e["rule"] == "SG013"]
    assert len(dup) == 1 and dup[0]["count"] == 2
    (repo / "svc" / "Dockerfile").write_text(text.replace("USER", "RUN apt-get update\nUSER"))
    proc = run(repo, "--baseline", "base.json", "svc/Dockerfile", "--format", "json")
    rules = [f["rule"] for f in findings(proc)]
    assert proc.returncode == 1 and "SG013" in rules
    assert len(rules) == len(set(rules))  # the third of each duplicate (the baseline counted two) is new
    assert all(n["count"] == 2 for n in doc["findings"] if n["rule"] in rules)
    (repo / "svc" / "Dockerfile").write_text(text.replace("RUN apt-get update\n", "", 1))
    proc = run(repo, "--baseline", "base.json", "svc/Dockerfile", "--format", "json")
    assert proc.returncode == 0 and findings(proc) == []


def test_bad_or_missing_baseline_exits_2(repo):
    proc = run(repo, "--baseline", "nope.json", "svc/Dockerfile")
    assert proc.returncode == 2 and "no such baseline file" in proc.stderr
    (repo / "bad.json").write_text('{"version": 99, "findings": []}')
    proc = run(repo, "--baseline", "bad.json", "svc/Dockerfile")
    assert proc.returncode == 2 and "version 99" in proc.stderr
    (repo / "bad.json").write_text("not json")
    assert run(repo, "--baseline", "bad.json", "svc/Dockerfile").returncode == 2


def test_check_supports_the_baseline(repo):
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: nginx:1.25\n"
    (repo / "pod.yaml").write_text(pod)
    assert run(repo, "pod.yaml", cmd="check").returncode == 1
    assert run(repo, "--write-baseline", "b.json", "pod.yaml", cmd="check").returncode == 0
    (repo / "pod.yaml").write_text("# moved\n" + pod)
    proc = run(repo, "--baseline", "b.json", "pod.yaml", "--format", "json", cmd="check")
    assert proc.returncode == 0 and findings(proc) == []


def test_module_api_round_trip(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = lint_text(DOCKERFILE, "Dockerfile", Config(engine="never"), resolver=Resolver("never"))
    sources = {"Dockerfile": DOCKERFILE}
    assert baseline.write("b.json", res.findings, sources) == len(res.findings)
    left, suppressed = baseline.Baseline.load("b.json").filter(res.findings, sources)
    assert left == [] and suppressed == len(res.findings)
    # the same file seen from elsewhere is another path: nothing matches
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    left, suppressed = baseline.Baseline.load("../b.json").filter(res.findings, sources)
    assert suppressed == 0 and len(left) == len(res.findings)

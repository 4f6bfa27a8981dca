"""The GitHub Action (action.yml), its steps run the way the runner runs a composite action.

The runner, for each `run:` step: substitutes `${{ inputs.* }}`, `${{ github.* }}`, `${{ runner.* }}` and
`${{ steps.*.outputs.* }}` expressions (inputs not given take their defaults), runs the script with
`bash --noprofile --norc -eo pipefail FILE` in $GITHUB_WORKSPACE with the step's `env:` (the action maps
each input to INPUT_<NAME>, upper-cased with hyphens kept, as GitHub names them) and GITHUB_OUTPUT,
GITHUB_PATH, GITHUB_STEP_SUMMARY files; lines appended to GITHUB_PATH go in front of PATH for the later
steps, `name=value` (or `name<<EOF`) lines in GITHUB_OUTPUT become `steps.<id>.outputs`, and the action's
`outputs:` are evaluated at the end. A failing step stops the action. The install step (a real pip
install of a copy of this working tree into $RUNNER_TEMP, ~15 s) runs once per module; every test runs
the steps after it. README's workflow snippet is parsed and its `with:` inputs are what one test passes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from readme_snippets import snippet

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"

BAD_DOCKERFILE = 'FROM node:12.16\nWORKDIR /app\nCOPY . .\nEXPOSE 80\nCMD ["node", "server.js"]\n'
GOOD_DOCKERFILE = 'FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --chown=65532:65532 app /app\nENTRYPOINT ["/app"]\n'
EXPR = re.compile(r"\$\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}")


def load_action() -> dict:
    return YAML(typ="safe").load(ACTION.read_text(encoding="utf-8"))


@dataclass
class Run:
    exit_code: int  # of the last step run
    stdout: str
    stderr: str
    outputs: dict[str, str]  # the action's outputs
    step_outputs: dict[str, dict[str, str]]
    summary: str
    path_dirs: list[str] = field(default_factory=list)


def parse_output_file(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, marker = line.split("<<", 1)
            j = lines.index(marker, i + 1)
            out[name] = "\n".join(lines[i + 1:j])
            i = j + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        i += 1
    return out


class Runner:
    """A composite action's steps, run as GitHub's runner runs them (see the module docstring)."""

    def __init__(self, action_path: Path, workspace: Path, runner_temp: Path, inputs: dict[str, str],
                 path_dirs: list[str] | None = None):
        self.action = load_action()
        self.action_path, self.workspace, self.temp = action_path, workspace, runner_temp
        declared = self.action.get("inputs") or {}
        unknown = set(inputs) - set(declared)
        assert not unknown, f"the action has no input(s) {sorted(unknown)}"
        self.inputs = {name: str(inputs.get(name, spec.get("default", ""))) for name, spec in declared.items()}
        self.path_dirs = list(path_dirs or [])
        self.steps: dict[str, dict[str, str]] = {}
        self.files = Path(tempfile.mkdtemp(prefix="_runner_files", dir=runner_temp))  # one per action run
        self.summary = self.files / "step_summary.md"
        self.summary.touch()

    def expand(self, text: str) -> str:
        def value(m: re.Match[str]) -> str:
            ctx, _, rest = m.group(1).partition(".")
            if ctx == "inputs":
                return self.inputs[rest]
            if ctx == "github":
                return {"action_path": str(self.action_path), "workspace": str(self.workspace)}[rest]
            if ctx == "runner":
                return {"temp": str(self.temp), "os": "Linux"}[rest]
            if ctx == "steps":
                step, kind, name = rest.split(".", 2)
                assert kind == "outputs", m.group(0)
                return self.steps.get(step, {}).get(name, "")
            raise AssertionError(f"expression the test runner does not know: {m.group(0)}")

        return EXPR.sub(value, str(text))

    def run(self, first: int = 0, last: int | None = None) -> Run:
        steps = self.action["runs"]["steps"][first:last]
        stdout = stderr = ""
        code = 0
        for n, step in enumerate(steps, start=first):
            assert "uses" not in step, "a `uses:` step cannot be run here"
            assert step.get("shell") == "bash", "composite run steps must name their shell"
            script = self.files / f"step{n}.sh"
            script.write_text(self.expand(step["run"]))
            out_file, path_file = self.files / f"output{n}", self.files / f"path{n}"
            out_file.write_text("")
            path_file.write_text("")
            env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_", "RUNNER_"))}
            env.update({
                "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(self.workspace),
                "GITHUB_ACTION_PATH": str(self.action_path), "RUNNER_TEMP": str(self.temp),
                "GITHUB_OUTPUT": str(out_file), "GITHUB_PATH": str(path_file),
                "GITHUB_STEP_SUMMARY": str(self.summary),
                "PATH": os.pathsep.join([*reversed(self.path_dirs), "/usr/local/bin", "/usr/bin", "/bin"]),
            })
            env.update({k: self.expand(v) for k, v in (step.get("env") or {}).items()})
            p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=self.workspace,
                               env=env, capture_output=True, text=True, timeout=600)
            stdout += p.stdout
            stderr += p.stderr
            code = p.returncode
            self.path_dirs += [line for line in path_file.read_text().splitlines() if line]
            if "id" in step:
                self.steps[step["id"]] = parse_output_file(out_file.read_text())
            if code != 0:
                break
        outputs = {name: self.expand(spec["value"]) for name, spec in (self.action.get("outputs") or {}).items()}
        return Run(code, stdout, stderr, outputs, self.steps, self.summary.read_text(), self.path_dirs)


# ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def action_path(tmp_path_factory) -> Path:
    """A copy of this working tree as the runner checks an action out (`uses: ORG/slimguard@ref`)."""
    dest = tmp_path_factory.mktemp("action") / "slimguard"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(ROOT / "src", dest / "src", ignore=ignore)
    (dest / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "github_action.py", dest / "scripts" / "github_action.py")
    for name in ("pyproject.toml", "README.md", "action.yml"):
        shutil.copy2(ROOT / name, dest / name)
    return dest


@pytest.fixture(scope="module")
def installed(action_path, tmp_path_factory) -> tuple[Path, list[str]]:
    """The install step, run once: (RUNNER_TEMP, the directories it added to GITHUB_PATH)."""
    temp = tmp_path_factory.mktemp("runner-temp")
    ws = tmp_path_factory.mktemp("install-workspace")
    r = Runner(action_path, ws, temp, {}).run(0, 1)
    assert r.exit_code == 0, r.stdout + r.stderr
    return temp, r.path_dirs


def workspace(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    return path


def run_action(action_path: Path, installed, ws: Path, **inputs: str) -> Run:
    temp, path_dirs = installed
    return Runner(action_path, ws, temp, inputs, path_dirs).run(1)


def test_action_yml_shape():
    action = load_action()
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert {"paths", "format", "failure-threshold", "config", "sarif-file"} <= set(inputs)
    assert inputs["paths"]["default"] == "." and inputs["format"]["default"] == "github"
    assert inputs["failure-threshold"]["default"] == "info" and inputs["sarif-file"]["default"] == "slimguard.sarif"
    steps = action["runs"]["steps"]
    lint = next(s for s in steps if s.get("id") == "lint")
    # every input reaches the script as INPUT_<NAME>, upper-cased with hyphens kept (GitHub's spelling)
    assert lint["env"] == {f"INPUT_{name.upper()}": f"${{{{ inputs.{name} }}}}" for name in inputs}
    for name, spec in action["outputs"].items():
        assert spec["value"] == f"${{{{ steps.lint.outputs.{name} }}}}"
    script = (ROOT / "scripts" / "github_action.py").read_text()
    for name in action["outputs"]:
        assert f'write_output("{name}"' in script


def test_install_step_puts_slimguard_on_path(installed):
    temp, path_dirs = installed
    assert path_dirs == [str(temp / "slimguard-venv" / "bin")]
    p = subprocess.run([str(temp / "slimguard-venv" / "bin" / "slimguard"), "--version"], capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.startswith("slimguard ")


def test_findings_fail_the_step_at_the_default_threshold(tmp_path, action_path, installed):
    ws = workspace(tmp_path / "ws", {"app/Dockerfile": BAD_DOCKERFILE, "README.md": "# app\n"})
    r = run_action(action_path, installed, ws)
    assert r.exit_code == 1
    # outputs
    assert r.outputs["sarif-file"] == "slimguard.sarif" and r.outputs["exit-code"] == "1"
    n = int(r.outputs["findings"])
    assert n >= 2
    # SARIF for code scanning
    sarif = json.loads((ws / "slimguard.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert len(results) == n and "SG001" in {res["ruleId"] for res in results}
    uris = {res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for res in results}
    assert any(u.endswith("app/Dockerfile") for u in uris)
    # annotations (format github) in the log
    assert re.search(r"^::warning file=app/Dockerfile,line=1,col=1,.*title=SG001 [^:]*::no USER", r.stdout, re.MULTILINE)
    # the job summary
    s = r.summary
    assert s.startswith("## slimguard lint\n")
    assert f"**{n} finding(s)** in 1 file(s)" in s and "failure threshold `info`: **failed**" in s
    assert "| severity | rule | location | message |" in s
    assert re.search(r"^\| warning \| SG001 \| `app/Dockerfile:1:1` \| no USER in stage 0", s, re.MULTILINE)


def test_threshold_error_passes_with_warnings(tmp_path, action_path, installed):
    ws = workspace(tmp_path / "ws", {"Dockerfile": BAD_DOCKERFILE})
    r = run_action(action_path, installed, ws, **{"failure-threshold": "error", "sarif-file": "reports/lint.sarif"})
    assert r.exit_code == 0, r.stdout + r.stderr
    assert r.outputs["exit-code"] == "0" and int(r.outputs["findings"]) >= 2
    assert r.outputs["sarif-file"] == "reports/lint.sarif"
    assert json.loads((ws / "reports" / "lint.sarif").read_text())["runs"][0]["results"]
    assert "failure threshold `error`: **passed**" in r.summary
    assert "::warning file=Dockerfile" in r.stdout  # still annotated


def test_clean_workspace_passes(tmp_path, action_path, installed):
    ws = workspace(tmp_path / "ws", {"Dockerfile": GOOD_DOCKERFILE})
    r = run_action(action_path, installed, ws)
    assert r.exit_code == 0, r.stdout + r.stderr
    assert r.outputs["findings"] == "0" and r.outputs["exit-code"] == "0"
    assert json.loads((ws / "slimguard.sarif").read_text())["runs"][0]["results"] == []
    assert "**0 finding(s)** in 1 file(s)" in r.summary and "**passed**" in r.summary
    assert "| severity |" not in r.summary and "::" not in r.stdout


def test_paths_format_and_config_inputs(tmp_path, action_path, installed):
    ws = workspace(tmp_path / "ws", {
        "svc/a/Dockerfile": BAD_DOCKERFILE, "svc/b/Dockerfile": BAD_DOCKERFILE, "other/Dockerfile": BAD_DOCKERFILE,
        "ci/slimguard.toml": '[tool.slimguard]\nignore = ["SG010"]\n',
    })
    r = run_action(action_path, installed, ws, paths="svc/a\nsvc/b/Dockerfile", format="concise",
                   config="ci/slimguard.toml")
    assert r.exit_code == 1
    assert re.search(r"^svc/a/Dockerfile:1:1: SG001 ", r.stdout, re.MULTILINE)
    assert re.search(r"^svc/b/Dockerfile:1:1: SG001 ", r.stdout, re.MULTILINE)
    assert "other/" not in r.stdout and "SG010" not in r.stdout and "SG010" not in r.summary
    assert "in 2 file(s)" in r.summary
    assert "--config ci/slimguard.toml" in r.summary


def test_bad_input_fails_the_step(tmp_path, action_path, installed):
    ws = workspace(tmp_path / "ws", {"Dockerfile": GOOD_DOCKERFILE})
    r = run_action(action_path, installed, ws, paths="missing/Dockerfile")
    assert r.exit_code == 2
    assert r.outputs["exit-code"] == "2"
    assert "error" in r.summary and "missing/Dockerfile" in r.summary


def test_readme_workflow(tmp_path, action_path, installed):
    """README's workflow: the slimguard step's `with:` inputs run the action; upload-sarif gets its output."""
    wf = YAML(typ="safe").load(snippet("github-actions"))
    assert wf["permissions"]["security-events"] == "write"
    steps = wf["jobs"]["slimguard"]["steps"]
    ours = next(s for s in steps if "slimguard@" in s.get("uses", ""))
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload.get("if") == "always()"  # upload even when the lint step failed
    m = re.fullmatch(r"\$\{\{ steps\.(\S+)\.outputs\.(\S+) \}\}", upload["with"]["sarif_file"])
    assert m and m.group(1) == ours["id"] and m.group(2) in load_action()["outputs"]

    ws = workspace(tmp_path / "ws", {"Dockerfile": BAD_DOCKERFILE, "deploy/Dockerfile": GOOD_DOCKERFILE})
    r = run_action(action_path, installed, ws, **{k: str(v) for k, v in ours["with"].items()})
    assert r.exit_code == 1  # failure-threshold: warning, and SG001 is a warning
    sarif_path = ws / r.outputs[m.group(2)]
    assert json.loads(sarif_path.read_text())["runs"][0]["results"]
    assert "failure threshold `warning`: **failed**" in r.summary

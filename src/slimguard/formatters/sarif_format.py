"""SARIF 2.1.0, shaped for code scanning.

- ``partialFingerprints["slimguard/v1"]``: the rule, the normalized flagged text and its occurrence index
  (:mod:`slimguard.core.fingerprint`), never the line number, so alerts survive moved lines.
- ``helpUri``: the rule's page, :data:`RULE_DOCS_URL` (``docs/rules/<ID>.md`` in the repository, a relative
  reference because the project has no published URL; set ``SLIMGUARD_DOCS_URL`` to an absolute base such
  as ``https://github.com/ORG/slimguard/blob/main/docs/rules/`` to get absolute links). ``help.markdown``
  carries the whole page, so code scanning shows it without following the link.
- Locations: a relative path is a percent-encoded URI relative to ``%SRCROOT%`` (the directory slimguard ran
  in), an absolute path a ``file://`` URI. An image reference (``node:12.16-slim``, ``docker-archive:x.tar``)
  or a ``docker run`` command is no file: its location is a logical location, plus (because code scanning
  rejects a result without an artifact) the reference percent-encoded into one path segment relative to
  the ``IMAGE`` (or ``COMMAND``) base, so ``node:12.16-slim`` is ``node%3A12.16-slim``, never a scheme.
- ``properties.security-severity`` (rules and results) for security concerns (root user, secrets,
  privilege escalation, capabilities, ...): error 8.0, warning 6.0, info 3.0, style 1.0; secrets 9.0.
"""

from __future__ import annotations

import json
import os
import posixpath
from pathlib import PurePosixPath
from urllib.parse import quote

from slimguard.core.findings import Finding, Severity
from slimguard.core.fingerprint import fingerprints, security_severity
from slimguard.formatters import Report

RULE_DOCS_URL = "docs/rules/{id}.md"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "slimguard/v1"
_LOGICAL_ORIGINS = ("image", "docker-run")

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note", Severity.STYLE: "note"}


def _rules(report: Report) -> list[dict]:
    from slimguard.core.registry import get_rule

    rules: dict[str, dict] = {}
    for f in report.findings:
        if f.rule in rules:
            continue
        rule = get_rule(f.rule)
        entry: dict = {"id": f.rule, "name": (f.title or f.rule).replace(" ", ""),
                       "shortDescription": {"text": f.title or f.rule},
                       "helpUri": help_uri(f.rule),
                       "properties": {"concern": f.concern, "aliases": list(f.aliases), "tags": [f.concern]}}
        score = security_severity(f.concern, rule.severity if rule is not None else f.severity)
        if score is not None:
            entry["properties"]["security-severity"] = score
            entry["properties"]["tags"] = ["security", f.concern]
        if rule is not None:
            from slimguard.core.docs import render_markdown

            entry["fullDescription"] = {"text": rule.docs.what}
            entry["help"] = {"text": f"{rule.docs.why}\n\nUse instead:\n{rule.docs.instead}",
                             "markdown": render_markdown(rule)}
            entry["defaultConfiguration"] = {"level": _LEVEL[rule.severity]}
        rules[f.rule] = entry
    return list(rules.values())


def help_uri(rule_id: str) -> str:
    base = os.environ.get("SLIMGUARD_DOCS_URL")
    if base:
        return base.rstrip("/") + "/" + quote(rule_id) + ".md"
    return RULE_DOCS_URL.format(id=quote(rule_id))


def artifact_location(path: str) -> dict:
    """A relative path: percent-encoded, relative to %SRCROOT%; an absolute one (or one leaving the
    directory): a file:// URI."""
    if path in ("-", "<stdin>"):
        return {"uri": "stdin", "uriBaseId": SRCROOT}
    posix = path.replace(os.sep, "/") if os.sep != "/" else path
    if not posixpath.isabs(posix):
        norm = posixpath.normpath(posix)
        if norm != ".." and not norm.startswith("../"):
            return {"uri": quote(norm, safe="/-._~!$&'()*+,;=@"), "uriBaseId": SRCROOT}
        posix = os.path.abspath(path).replace(os.sep, "/")
    return {"uri": PurePosixPath(posixpath.normpath(posix)).as_uri()}


def _not_a_file(f: Finding) -> str | None:
    """The uriBaseId of a finding that has no file (an image, a docker run command), else None."""
    if f.origin == "image":
        return "IMAGE"
    if f.origin in _LOGICAL_ORIGINS or f.file.startswith("<docker run"):
        return "COMMAND"
    return None


def _location(f: Finding, lines: list[str] | None) -> dict:
    base = _not_a_file(f)
    if base is not None:
        kind = "image" if base == "IMAGE" else "command"
        return {"physicalLocation": {"artifactLocation": {"uri": quote(f.file, safe=""), "uriBaseId": base}},
                "logicalLocations": [{"name": f.file, "fullyQualifiedName": f.file,
                                      "kind": "resource" if kind == "image" else "value"}],
                "message": {"text": f"{kind} {f.file}"}}
    region: dict = {"startLine": f.line, "startColumn": f.column, "endLine": max(f.end_line, f.line),
                    "endColumn": f.end_column if f.end_line > f.line or f.end_column > f.column else f.column + 1}
    if lines is not None:
        if 0 < f.line <= len(lines):
            region["snippet"] = {"text": "\n".join(lines[f.line - 1:max(f.end_line, f.line)])}
    return {"physicalLocation": {"artifactLocation": artifact_location(f.file), "region": region}}


def _bases(report: Report) -> dict:
    bases = {SRCROOT: {"description": {"text": "the directory slimguard ran in (the repository root in CI); "
                                               "relative URIs of files resolve against it"}}}
    used = {_not_a_file(f) for f in report.findings}
    if "IMAGE" in used:
        bases["IMAGE"] = {"description": {"text": "container images: each URI is one percent-encoded image "
                                                  "reference (see the logical location), not a file"}}
    if "COMMAND" in used:
        bases["COMMAND"] = {"description": {"text": "command lines (docker run): not files"}}
    return bases


def render(report: Report, color: bool = False) -> str:
    rules = _rules(report)
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    split: dict[str, list[str] | None] = {}
    for f, fp in zip(report.findings, fingerprints(report.findings, report.sources)):
        if f.file not in split:
            src = report.sources.get(f.file)
            split[f.file] = src.splitlines() if src is not None else None
        result = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [_location(f, split[f.file])],
            "partialFingerprints": {FINGERPRINT_KEY: fp.value()},
            "properties": {"concern": f.concern, "aliases": list(f.aliases),
                           "fixAvailable": f.fix is not None},
        }
        score = security_severity(f.concern, f.severity)
        if score is not None:
            result["properties"]["security-severity"] = score
        results.append(result)
    notifications = [{"level": "error", "message": {"text": e}} for e in report.errors]
    run: dict = {
        "tool": {"driver": {"name": "slimguard", "version": report.tool_version or "0",
                            "informationUri": "https://pypi.org/project/slimguard/", "rules": rules}},
        "results": results,
        "originalUriBaseIds": _bases(report),
        "invocations": [{"executionSuccessful": not report.errors,
                         **({"toolExecutionNotifications": notifications} if notifications else {})}],
    }
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

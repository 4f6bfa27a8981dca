"""SARIF 2.1.0."""

from __future__ import annotations

import json
from pathlib import PurePath

from slimguard.core.findings import Severity
from slimguard.formatters import Report

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
                       "properties": {"concern": f.concern, "aliases": list(f.aliases), "tags": [f.concern]}}
        if rule is not None:
            entry["fullDescription"] = {"text": rule.docs.what}
            entry["help"] = {"text": f"{rule.docs.why}\n\nUse instead:\n{rule.docs.instead}"}
            entry["defaultConfiguration"] = {"level": _LEVEL[rule.severity]}
        rules[f.rule] = entry
    return list(rules.values())


def _uri(path: str) -> str:
    return PurePath(path).as_posix() if path not in ("-", "<stdin>") else "stdin"


def render(report: Report, color: bool = False) -> str:
    rules = _rules(report)
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for f in report.findings:
        result = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(f.file)},
                    "region": {"startLine": f.line, "startColumn": f.column,
                               "endLine": max(f.end_line, f.line),
                               "endColumn": f.end_column if f.end_line > f.line or f.end_column > f.column
                               else f.column + 1},
                }
            }],
            "properties": {"concern": f.concern, "aliases": list(f.aliases),
                           "fixAvailable": f.fix is not None},
        }
        results.append(result)
    notifications = [{"level": "error", "message": {"text": e}} for e in report.errors]
    run: dict = {
        "tool": {"driver": {"name": "slimguard", "version": report.tool_version or "0",
                            "informationUri": "https://pypi.org/project/slimguard/", "rules": rules}},
        "results": results,
        "invocations": [{"executionSuccessful": not report.errors,
                         **({"toolExecutionNotifications": notifications} if notifications else {})}],
    }
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

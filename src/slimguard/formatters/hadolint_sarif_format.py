"""SARIF 2.1.0 in hadolint's shape: one run, results with ``ruleId``, ``level``, ``message`` and a region.

Levels: error -> error, warning -> warning, info and style -> note; parse errors are DL1000 errors.
Used by `slimguard hadolint -f sarif`; `slimguard lint --format sarif` keeps slimguard's richer document.
"""

from __future__ import annotations

import json
from pathlib import PurePath

from slimguard.formatters import Report
from slimguard.formatters._hadolint import records

LEVEL = {"error": "error", "warning": "warning", "info": "note", "style": "note"}


def _uri(path: str) -> str:
    return PurePath(path).as_posix()


def render(report: Report, color: bool = False) -> str:
    results = []
    for r in records(report):
        end_line = r.end_line or r.line
        end_column = r.end_column if (end_line > r.line or r.end_column > r.column) else r.column
        results.append({
            "level": LEVEL[r.level],
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(r.file)},
                "region": {"endColumn": end_column, "endLine": end_line, "sourceLanguage": "dockerfile",
                           "startColumn": r.column, "startLine": r.line},
            }}],
            "message": {"text": r.message},
            "ruleId": r.code,
        })
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "defaultSourceLanguage": "dockerfile",
            "results": results,
            "tool": {"driver": {"fullName": "slimguard (hadolint-compatible output)", "name": "slimguard",
                                "informationUri": "https://pypi.org/project/slimguard/",
                                "version": report.tool_version or "0"}},
        }],
        "version": "2.1.0",
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"

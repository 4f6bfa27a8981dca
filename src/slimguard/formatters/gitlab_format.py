"""GitLab Code Quality report (a JSON array of issues).

Each ``fingerprint`` is the SHA-256 of the path, the rule, the normalized flagged text and its occurrence
index (:mod:`slimguard.core.fingerprint`), never the line number: a comment added above changes nothing.
"""

from __future__ import annotations

import json

from slimguard.core.fingerprint import SECURITY_CONCERNS, fingerprints
from slimguard.formatters import Report

_SEVERITY = {"error": "major", "warning": "minor", "info": "info", "style": "info"}


def render(report: Report, color: bool = False) -> str:
    issues = []
    for f, fp in zip(report.findings, fingerprints(report.findings, report.sources)):
        fingerprint = fp.value(path=f.file)
        issues.append({
            "type": "issue",
            "check_name": f.rule,
            "description": f"{f.rule}: {f.message}",
            "categories": ["Security"] if f.concern in SECURITY_CONCERNS else ["Style"],
            "fingerprint": fingerprint,
            "severity": _SEVERITY[f.severity.label],
            "location": {"path": f.file, "lines": {"begin": f.line, "end": max(f.end_line, f.line)}},
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"

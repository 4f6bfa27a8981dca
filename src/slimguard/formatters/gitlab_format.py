"""GitLab Code Quality report (a JSON array of issues)."""

from __future__ import annotations

import hashlib
import json

from slimguard.formatters import Report

_SEVERITY = {"error": "major", "warning": "minor", "info": "info", "style": "info"}


def render(report: Report, color: bool = False) -> str:
    issues = []
    for f in report.findings:
        fingerprint = hashlib.sha256(f"{f.file}:{f.rule}:{f.line}:{f.message}".encode()).hexdigest()
        issues.append({
            "type": "issue",
            "check_name": f.rule,
            "description": f"{f.rule}: {f.message}",
            "categories": ["Security"] if f.concern in ("root-user", "privilege-escalation", "secrets",
                                                        "unknown-user", "remote-script") else ["Style"],
            "fingerprint": fingerprint,
            "severity": _SEVERITY[f.severity.label],
            "location": {"path": f.file, "lines": {"begin": f.line, "end": max(f.end_line, f.line)}},
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"

"""SonarQube generic issue import: ``{"issues": [...]}``.

error -> CRITICAL (type BUG), warning -> MAJOR, info -> MINOR, style -> INFO (type CODE_SMELL); a parse error
(DL1000) is a BLOCKER BUG. Columns in ``textRange`` are 0-based offsets, as Sonar counts them.
"""

from __future__ import annotations

from slimguard.formatters import Report
from slimguard.formatters._hadolint import compact, records, report_file

SEVERITY = {"error": "CRITICAL", "warning": "MAJOR", "info": "MINOR", "style": "INFO"}
ENGINE = "slimguard"


def render(report: Report, color: bool = False) -> str:
    issues = []
    for r in records(report):
        if r.parse_error:
            severity, kind, start, end = "BLOCKER", "BUG", r.column, r.column
        else:
            severity = SEVERITY[r.level]
            kind = "BUG" if r.level == "error" else "CODE_SMELL"
            start = max(0, r.column - 1)
            end = max(start + 1, r.end_column - 1) if r.end_line == r.line else start + 1
        issues.append({
            "engineId": ENGINE,
            "primaryLocation": {"filePath": report_file(report, r), "message": r.message,
                                "textRange": {"endColumn": end, "endLine": r.line, "startColumn": start,
                                              "startLine": r.line}},
            "ruleId": r.code,
            "severity": severity,
            "type": kind,
        })
    return compact({"issues": issues}) + "\n"

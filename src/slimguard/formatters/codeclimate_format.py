"""Code Climate engine output: each issue one JSON object followed by a NUL byte (as hadolint writes it).

Severities: error -> blocker, warning -> major, info -> info, style -> minor; a parse error (DL1000) is a
blocker located by line and column.
"""

from __future__ import annotations

from slimguard.formatters import Report
from slimguard.formatters._hadolint import Record, compact, records, report_file

SEVERITY = {"error": "blocker", "warning": "major", "info": "info", "style": "minor"}


def issue(report: Report, r: Record) -> dict:
    path = report_file(report, r)
    if r.parse_error:
        location: dict = {"path": path, "positions": {"begin": {"column": r.column, "line": r.line},
                                                      "end": {"column": r.column, "line": r.line}}}
    else:
        location = {"path": path, "lines": {"begin": r.line, "end": r.line}}
    return {"categories": ["Bug Risk"], "check_name": r.code, "description": r.message, "location": location,
            "severity": SEVERITY[r.level], "type": "issue"}


def render(report: Report, color: bool = False) -> str:
    return "".join(compact(issue(report, r)) + "\0" for r in records(report))

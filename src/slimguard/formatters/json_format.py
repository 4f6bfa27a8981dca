"""JSON: {"version", "findings": [...], "errors": [...], "summary": {...}}.

Each finding: rule, aliases, concern, severity, title, message, file, line, column, end_line,
end_column, origin, fix {available, applicability, description}, details.
"""

from __future__ import annotations

import json
from collections import Counter

from slimguard.formatters import Report


def render(report: Report, color: bool = False) -> str:
    counts = Counter(f.severity.label for f in report.findings)
    data = {
        "version": report.tool_version,
        "kind": report.kind,
        "files": report.files,
        "findings": [f.to_dict() for f in report.findings],
        "errors": [{"message": e} for e in report.errors],
        "summary": {
            "findings": len(report.findings),
            "by_severity": {k: counts.get(k, 0) for k in ("error", "warning", "info", "style")},
            **report.summary,
        },
    }
    return json.dumps(data, ensure_ascii=False) + "\n"  # compact: the C encoder, fast on big reports

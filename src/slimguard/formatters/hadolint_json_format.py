"""hadolint's JSON: one array of ``{"code", "column", "file", "level", "line", "message"}`` (parse errors as DL1000).

Used by `slimguard hadolint -f json`; `slimguard lint --format json` keeps slimguard's own document.
"""

from __future__ import annotations

from slimguard.formatters import Report
from slimguard.formatters._hadolint import compact, records


def render(report: Report, color: bool = False) -> str:
    rows = [{"code": r.code, "column": r.column, "file": r.file, "level": r.level, "line": r.line,
             "message": r.message} for r in records(report)]
    return compact(rows) + "\n"

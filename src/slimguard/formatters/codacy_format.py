"""Codacy tool output: one ``{"filename", "line", "message", "patternId"}`` object per line."""

from __future__ import annotations

from slimguard.formatters import Report
from slimguard.formatters._hadolint import compact, records


def render(report: Report, color: bool = False) -> str:
    return "".join(compact({"filename": r.file, "line": r.line, "message": r.message, "patternId": r.code}) + "\n"
                   for r in records(report))

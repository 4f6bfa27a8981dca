"""Concise: one line per finding, ``path:line:col: CODE message``, for terminals and editors.

Findings come file by file (sorted), then by line, column and code; nothing else is printed (errors go to
stderr, as with every format).
"""

from __future__ import annotations

from slimguard.formatters import Report
from slimguard.formatters._hadolint import display_code


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render(report: Report, color: bool = False) -> str:
    lines = []
    for f in sorted(report.findings, key=lambda f: f.sort_key()):
        code = display_code(f, report.hadolint_codes)
        lines.append(f"{_one_line(f.file)}:{f.line}:{f.column}: {code} {_one_line(f.message)}")
    return "".join(line + "\n" for line in lines)

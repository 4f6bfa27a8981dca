"""Checkstyle XML in hadolint's shape: one ``<file>`` per linted file, ``source`` = the rule code, levels kept.

Used by `slimguard hadolint -f checkstyle`; `slimguard lint --format checkstyle` keeps slimguard's layout.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from slimguard.formatters import Report
from slimguard.formatters._hadolint import files, records


def render(report: Report, color: bool = False) -> str:
    by_file: dict[str, list[str]] = {}
    for r in records(report):
        key = "-" if r.file == "/dev/stdin" else r.file
        source = "" if r.parse_error else f" source={quoteattr(r.code)}"
        by_file.setdefault(key, []).append(
            f'<error column="{r.column}" line="{r.line}" message={quoteattr(r.message)} '
            f'severity="{r.level}"{source}/>')
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', '<checkstyle version="4.3">']
    for path in files(report):
        name = quoteattr(report.report_path or path)
        errors = by_file.get(path, [])
        parts.append(f"<file name={name}>{''.join(errors)}</file>" if errors else f"<file name={name}/>")
    parts.append("</checkstyle>")
    return "".join(parts) + "\n"

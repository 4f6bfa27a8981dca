"""GitHub Actions workflow commands (annotations)."""

from __future__ import annotations

from slimguard.formatters import Report

_LEVEL = {"error": "error", "warning": "warning", "info": "notice", "style": "notice"}


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, color: bool = False) -> str:
    out = []
    for f in report.findings:
        props = (f"file={_escape_prop(f.file)},line={f.line},col={f.column},endLine={max(f.end_line, f.line)},"
                 f"endColumn={f.end_column},title={_escape_prop(f.rule + ' ' + (f.title or ''))}")
        out.append(f"::{_LEVEL[f.severity.label]} {props}::{_escape_data(f.message)}")
    for err in report.errors:
        out.append(f"::error ::{_escape_data(err)}")
    return "\n".join(out) + ("\n" if out else "")

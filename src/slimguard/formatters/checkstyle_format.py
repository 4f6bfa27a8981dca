"""Checkstyle XML."""

from __future__ import annotations

from collections import defaultdict
from xml.sax.saxutils import quoteattr

from slimguard.formatters import Report


def render(report: Report, color: bool = False) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<checkstyle version="4.3">']
    by_file = defaultdict(list)
    for f in report.findings:
        by_file[f.file].append(f)
    for path in sorted(set(by_file) | set(report.files)):
        out.append(f"  <file name={quoteattr(path)}>")
        for f in by_file.get(path, []):
            sev = {"style": "info"}.get(f.severity.label, f.severity.label)
            out.append(f"    <error line=\"{f.line}\" column=\"{f.column}\" severity=\"{sev}\" "
                       f"message={quoteattr(f.message)} source={quoteattr('slimguard.' + f.rule)}/>")
        out.append("  </file>")
    for err in report.errors:
        path = err.split(":", 1)[0]
        out.append(f"  <file name={quoteattr(path)}>")
        out.append(f"    <error severity=\"error\" message={quoteattr(err)} source=\"slimguard.parse\"/>")
        out.append("  </file>")
    out.append("</checkstyle>")
    return "\n".join(out) + "\n"

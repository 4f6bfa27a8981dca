"""Human-readable text: grouped by file, the source line with a marker under the finding."""

from __future__ import annotations

from collections import defaultdict

from slimguard.core.findings import Applicability, Severity
from slimguard.formatters import Report

_FIX_LABEL = {Applicability.SAFE: " [fix]", Applicability.UNSAFE: " [unsafe fix]",
              Applicability.DISPLAY_ONLY: " [advice]"}

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36", Severity.STYLE: "35"}


def _c(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def render(report: Report, color: bool = False) -> str:
    out: list[str] = []
    by_file = defaultdict(list)
    for f in report.findings:
        by_file[f.file].append(f)
    for path in sorted(by_file):
        lines = report.sources.get(path, "").splitlines()
        out.append(_c(path, "1", color))
        for f in by_file[path]:
            sev = _c(f.severity.label, _COLORS[f.severity], color)
            alias = f" ({', '.join(f.aliases)})" if f.aliases else ""
            fix = ""
            if f.fix is not None:
                fix = _FIX_LABEL[f.fix.applicability]
            out.append(f"  {f.line}:{f.column}  {sev}  {_c(f.rule, '1', color)}{alias} {f.message}{fix}")
            if 0 < f.line <= len(lines):
                src = lines[f.line - 1].rstrip("\r").replace("\t", " ")
                out.append(f"    {f.line:>4} | {src}")
                width = max(1, (f.end_column - f.column) if f.end_line == f.line else len(src) - f.column + 1)
                out.append("         | " + " " * (f.column - 1) + _c("^" * max(1, width), _COLORS[f.severity], color))
        out.append("")
    counts = defaultdict(int)
    for f in report.findings:
        counts[f.severity.label] += 1
    n_files = len(report.files) or len(by_file)
    if report.findings:
        parts = ", ".join(f"{counts[s]} {s}" for s in ("error", "warning", "info", "style") if counts[s])
        fixable = sum(1 for f in report.findings if f.fix is not None and f.fix.applies(unsafe=False))
        tail = f"; {fixable} fixable with `{report.fix_command}`" if fixable else ""
        out.append(f"{len(report.findings)} finding(s) in {n_files} file(s): {parts}{tail}")
    elif not report.errors:
        out.append(f"No findings in {n_files} file(s).")
    text = "\n".join(out).rstrip("\n")
    return text + "\n" if text else ""  # errors only: they go to stderr, stdout stays empty

"""GNU error format (what editors and `compile` buffers read): ``PROGRAM:FILE:LINE: CODE LEVEL: MESSAGE``."""

from __future__ import annotations

from slimguard.formatters import Report
from slimguard.formatters._hadolint import records

PROGRAM = "slimguard"


def render(report: Report, color: bool = False) -> str:
    out = []
    for r in records(report):
        if r.parse_error:
            out.append(f"{PROGRAM}:{r.file}:{r.line}:{r.column}: {r.message}")
        else:
            out.append(f"{PROGRAM}:{r.file}:{r.line}: {r.code} {r.level}: {r.message}")
    return "".join(line + "\n" for line in out)

"""hadolint's default text shape: ``FILE:LINE CODE LEVEL: MESSAGE``; parse errors ``FILE:LINE:COL MESSAGE``."""

from __future__ import annotations

from slimguard.formatters import Report
from slimguard.formatters._hadolint import records

# the escape sequences hadolint colours each level with
_COLOR = {"error": "\x1b[1m\x1b[91m", "warning": "\x1b[1m\x1b[93m", "info": "\x1b[92m", "style": "\x1b[96m"}
_RESET = "\x1b[0m"


def render(report: Report, color: bool = False) -> str:
    out = []
    for r in records(report):
        if r.parse_error:
            out.append(f"{r.file}:{r.line}:{r.column} {r.message}")
            continue
        level = f"{_COLOR[r.level]}{r.level}{_RESET}" if color else r.level
        out.append(f"{r.file}:{r.line} {r.code} {level}: {r.message}")
    return "".join(line + "\n" for line in out)

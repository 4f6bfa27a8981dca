"""What the hadolint-shaped formats share: a report flattened to hadolint's records.

A record is one finding (code, level, file, line, column, message) or one parse error, which hadolint
reports under the code DL1000 at level ``error``. Records come file by file in the order the files were
linted, each file's parse errors first, then its findings by line, column and code.

A finding is shown under its hadolint code (its first ``DL`` alias) when the report asks for hadolint codes
(``Report.hadolint_codes``, set in hadolint mode), otherwise under its slimguard id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from slimguard.formatters import Report

PARSE_ERROR_CODE = "DL1000"
LEVELS = ("error", "warning", "info", "style")
# "path:line:col: message": how the Dockerfile parser (and input decoding) phrase an error
_POSITIONED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<message>.*)$", re.DOTALL)


@dataclass(frozen=True)
class Record:
    code: str
    level: str  # error, warning, info or style
    file: str
    line: int
    column: int
    message: str
    parse_error: bool = False
    end_line: int = 0
    end_column: int = 0
    finding: Any = field(default=None, compare=False, repr=False)  # the Finding behind it (None: a parse error)


def display_code(finding, hadolint_codes: bool) -> str:  # noqa: ANN001 - a Finding
    if hadolint_codes:
        for alias in finding.aliases:
            if alias.startswith("DL"):
                return alias
    return finding.rule


def parse_error(error: str) -> Record | None:
    """The DL1000 record of an error line that names a position, or None (such errors go to stderr only)."""
    m = _POSITIONED.match(error)
    if m is None:
        return None
    file = m["file"]
    if file == "-":  # hadolint names stdin "-" in findings but "/dev/stdin" in parse errors
        file = "/dev/stdin"
    return Record(PARSE_ERROR_CODE, "error", file, int(m["line"]), int(m["column"]), m["message"], parse_error=True)


def records(report: Report) -> list[Record]:
    by_file: dict[str, list[Record]] = {}
    order = list(report.files)
    for err in report.errors:
        rec = parse_error(err)
        if rec is not None:
            key = "-" if rec.file == "/dev/stdin" else rec.file
            by_file.setdefault(key, []).append(rec)
    found: dict[str, list[Record]] = {}
    for f in report.findings:
        found.setdefault(f.file, []).append(Record(
            display_code(f, report.hadolint_codes), f.severity.label, f.file, f.line, f.column, f.message,
            end_line=max(f.end_line, f.line), end_column=f.end_column, finding=f))
    for path, recs in found.items():
        recs.sort(key=lambda r: (r.line, r.column, r.code))
        by_file.setdefault(path, []).extend(recs)
    out: list[Record] = []
    for path in order + sorted(set(by_file) - set(order)):
        out.extend(by_file.pop(path, []))
    return out


def report_file(report: Report, record: Record) -> str:
    """The path a report names: --file-path-in-report when given, else the record's own."""
    return report.report_path or record.file


def files(report: Report) -> list[str]:
    """Every file of the report, linted or failed, in order."""
    seen = list(report.files)
    for r in records(report):
        key = "-" if r.file == "/dev/stdin" else r.file
        if key not in seen:
            seen.append(key)
    return seen


def compact(value: object) -> str:
    """JSON as hadolint writes it: no spaces, keys sorted."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

"""Output formats. Every formatter takes the same report and returns text."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from slimguard.core.findings import Finding

FORMATS = ("text", "json", "sarif", "checkstyle", "gitlab", "github")


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # path -> text, for showing source lines
    files: list[str] = field(default_factory=list)
    tool_version: str = ""
    kind: str = "lint"
    summary: dict = field(default_factory=dict)
    fix_command: str = "slimguard fix --write"  # how the text summary tells users to apply fixes


def render(fmt: str, report: Report, color: bool = False) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    module = importlib.import_module(f"{__name__}.{fmt}_format")
    return module.render(report, color=color)  # type: ignore[no-any-return]

"""Output formats. Every formatter takes the same report and returns text."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from slimguard.core.findings import Finding

FORMATS = ("text", "json", "sarif", "checkstyle", "gitlab", "github")


@dataclass(frozen=True)
class Report:
    """What one run of lint, check or audit found: the input every formatter renders."""

    findings: tuple[Finding, ...] = ()
    errors: tuple[str, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)  # path -> text, for showing source lines
    files: tuple[str, ...] = ()
    tool_version: str = ""
    kind: str = "lint"
    summary: Mapping[str, Any] = field(default_factory=dict)
    fix_command: str = "slimguard fix --write"  # how the text summary tells users to apply fixes

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", tuple(self.findings))
        object.__setattr__(self, "errors", tuple(self.errors))
        object.__setattr__(self, "files", tuple(self.files))
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
        object.__setattr__(self, "summary", MappingProxyType(dict(self.summary)))


def render(fmt: str, report: Report, color: bool = False) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    module = importlib.import_module(f"{__name__}.{fmt}_format")
    return module.render(report, color=color)  # type: ignore[no-any-return]

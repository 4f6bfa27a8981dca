"""Output formats. Every formatter takes the same report and returns text."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from slimguard.core.findings import Finding

FORMATS = ("text", "concise", "json", "sarif", "checkstyle", "gitlab", "github", "html",
           # hadolint's shapes (see _hadolint.py); `json`, `checkstyle` and `sarif` above stay slimguard's own
           "tty", "gnu", "codeclimate", "gitlab_codeclimate", "sonarqube", "codacy", "junit")

# `slimguard hadolint -f NAME`: hadolint's format names -> formatter module (without the `_format` suffix)
HADOLINT_FORMATS = {
    "tty": "tty",
    "json": "hadolint_json",
    "checkstyle": "hadolint_checkstyle",
    "codeclimate": "codeclimate",
    "gitlab_codeclimate": "gitlab_codeclimate",
    "gnu": "gnu",
    "codacy": "codacy",
    "sonarqube": "sonarqube",
    "sarif": "hadolint_sarif",
    "junit": "junit",
}


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
    hadolint_codes: bool = False  # hadolint-shaped formats show a finding's DL alias instead of its id
    report_path: str | None = None  # hadolint's --file-path-in-report (checkstyle, codeclimate, sonarqube, junit)

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", tuple(self.findings))
        object.__setattr__(self, "errors", tuple(self.errors))
        object.__setattr__(self, "files", tuple(self.files))
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
        object.__setattr__(self, "summary", MappingProxyType(dict(self.summary)))


def render(fmt: str, report: Report, color: bool = False) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return _render_module(fmt, report, color)


def render_hadolint(fmt: str, report: Report, color: bool = False) -> str:
    """*report* in the shape hadolint gives format *fmt* (one of :data:`HADOLINT_FORMATS`)."""
    if fmt not in HADOLINT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(HADOLINT_FORMATS)}")
    return _render_module(HADOLINT_FORMATS[fmt], report, color)


def _render_module(stem: str, report: Report, color: bool) -> str:
    module = importlib.import_module(f"{__name__}.{stem}_format")
    return module.render(report, color=color)  # type: ignore[no-any-return]

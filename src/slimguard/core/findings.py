"""The one Finding type shared by Dockerfile lint, image audit and run-time checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from types import MappingProxyType
from typing import Any


class Severity(IntEnum):
    """Ordered like hadolint's levels: error > warning > info > style."""

    STYLE = 1
    INFO = 2
    WARNING = 3
    ERROR = 4

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning, info or style)") from None

    @property
    def label(self) -> str:
        return self.name.lower()


CONCERNS = (
    "root-user",
    "unknown-user",
    "numeric-user",
    "install-as-nonroot",
    "privileged-port",
    "volume-ownership",
    "privilege-escalation",
    "build-tools",
    "fat-base",
    "no-multistage",
    "pkg-hygiene",
    "latest-tag",
    "secrets",
    "add-vs-copy",
    "remote-script",
    "trusted-registry",
    "capabilities",
    "seccomp",
    "host-access",
    "read-only-rootfs",
    "syntax",
    "shell",
    "integrity",
    "remote-access",
)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] with ``text`` (character offsets into the original file)."""

    start: int
    end: int
    text: str


class Applicability(str, Enum):
    """How far a fix may be trusted: applied by default, only on request, or never (advice only)."""

    SAFE = "safe"  # keeps what the container does beyond the finding
    UNSAFE = "unsafe"  # changes packages, ports, base image or layout: --unsafe
    DISPLAY_ONLY = "display-only"  # advice with no proven recipe: shown, never applied

    @classmethod
    def of(cls, safe: bool) -> "Applicability":
        return cls.SAFE if safe else cls.UNSAFE


@dataclass(frozen=True, slots=True)
class Fix:
    """Text edits that resolve one finding. Fixes sharing an ``isolation`` group never land in one round;
    an ``alone`` fix restructures the file (a multi-stage split): it goes first, by itself in its round, and
    the other rules see its result in the next round."""

    description: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE
    isolation: str | None = None
    alone: bool = False

    @property
    def safe(self) -> bool:
        return self.applicability is Applicability.SAFE

    def applies(self, unsafe: bool) -> bool:
        """Whether the fix loop applies it (display-only advice never is)."""
        if not self.edits or self.applicability is Applicability.DISPLAY_ONLY:
            return False
        return self.applicability is Applicability.SAFE or unsafe


_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _thawed(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thawed(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thawed(v) for v in value]
    return value


@dataclass(frozen=True)
class Finding:
    """One problem at one place: a Dockerfile span, a YAML node, a docker run word or an image (line 1)."""

    rule: str
    concern: str
    severity: Severity
    message: str
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    aliases: tuple[str, ...] = ()
    title: str = ""
    fix: Fix | None = None
    origin: str = "dockerfile"  # dockerfile, image, compose, kubernetes, docker-run
    details: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.details is not _EMPTY:
            object.__setattr__(self, "details", _frozen(self.details) if self.details else _EMPTY)

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.rule, *self.aliases)

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.rule)

    def to_dict(self) -> dict[str, Any]:
        fix = self.fix
        return {
            "rule": self.rule,
            "aliases": list(self.aliases),
            "concern": self.concern,
            "severity": self.severity.label,
            "title": self.title,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "origin": self.origin,
            "fix": {
                "available": fix is not None,
                "applicability": fix.applicability.value if fix is not None else None,
                "description": fix.description if fix is not None else None,
            },
            **({"details": _thawed(self.details)} if self.details else {}),
        }

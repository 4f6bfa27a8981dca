"""The one Finding type shared by Dockerfile lint, image audit and run-time checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
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
)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] with ``text`` (character offsets into the original file)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    description: str
    edits: tuple[Edit, ...]
    safe: bool = True


@dataclass(frozen=True)
class Finding:
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
    fixable: str = "none"  # what the rule can do in general: none, safe, unsafe
    origin: str = "dockerfile"  # dockerfile, image, compose, kubernetes, docker-run
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.rule, *self.aliases)

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.rule)

    def to_dict(self) -> dict[str, Any]:
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
                "available": self.fix is not None,
                "safe": self.fix.safe if self.fix is not None else None,
                "description": self.fix.description if self.fix is not None else None,
            },
            "fixable": self.fixable,
            **({"details": self.extra} if self.extra else {}),
        }

"""Errors raised while reading an image. Every one of them means: bad input, exit code 2."""

from __future__ import annotations


class AuditError(Exception):
    """The image cannot be read (not found, corrupt, hostile, unsupported)."""


class CorruptError(AuditError):
    """A blob or archive is truncated or malformed."""


class LimitError(AuditError):
    """A safety limit was hit (decompression ratio, header size, layer count...)."""

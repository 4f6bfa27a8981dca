"""slimguard: make container images small and secure, and prove it.

Library API: ``slimguard.lint``, ``slimguard.fix``, ``slimguard.check``, ``slimguard.audit`` (see
:mod:`slimguard.api`) and ``slimguard.parse`` (the lossless syntax tree).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from slimguard.dockerfile.syntax import Dockerfile


def parse(text: str) -> "Dockerfile":
    """Parse Dockerfile text into a lossless tree: ``str(parse(t)) == t``."""
    from slimguard.dockerfile.syntax import parse as _parse

    return _parse(text)


_API = ("lint", "fix", "check", "audit")


def __getattr__(name: str) -> object:
    """The library API (:mod:`slimguard.api`), imported on first use so ``--version`` stays fast."""
    if name in _API:
        from slimguard import api

        return getattr(api, name)
    raise AttributeError(f"module 'slimguard' has no attribute {name!r}")


__all__ = ["parse", "__version__", "lint", "fix", "check", "audit"]

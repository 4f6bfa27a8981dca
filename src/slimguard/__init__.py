"""slimguard: make container images small and secure, and prove it."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from slimguard.dockerfile.syntax import Dockerfile


def parse(text: str) -> "Dockerfile":
    """Parse Dockerfile text into a lossless tree: ``str(parse(t)) == t``."""
    from slimguard.dockerfile.syntax import parse as _parse

    return _parse(text)


__all__ = ["parse", "__version__"]

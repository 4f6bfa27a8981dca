"""Dockerfile linting."""

from .engine import FileResult, lint_text

__all__ = ["FileResult", "lint_text"]

"""Snippets of README.md that tests run: ``snippet("pre-commit")`` is the first fenced block after the line
``<!-- snippet: pre-commit ... -->``, so what the README shows is exactly what the test runs."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def snippet(name: str, readme: Path = README) -> str:
    text = readme.read_text(encoding="utf-8")
    m = re.search(r"^<!-- snippet: " + re.escape(name) + r"\b[^\n]*-->\n+```[\w-]*\n(.*?)^```", text,
                  re.MULTILINE | re.DOTALL)
    assert m, f"README.md has no snippet {name!r} (a fenced block after <!-- snippet: {name} ... -->)"
    return m.group(1)

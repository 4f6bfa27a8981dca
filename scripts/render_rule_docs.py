"""Render docs/rules/*.md (every rule of every kind) from the rules' own documentation.

    .venv/bin/python scripts/render_rule_docs.py          # write
    .venv/bin/python scripts/render_rule_docs.py --check  # exit 1 when out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from slimguard.core.docs import render_index, render_markdown
from slimguard.core.registry import all_rules

OUT = Path(__file__).resolve().parents[1] / "docs" / "rules"


def expected() -> dict[str, str]:
    rules = all_rules()
    files = {f"{rule.id}.md": render_markdown(rule) for rule in rules}
    files["README.md"] = ("# slimguard rules\n\nDefault: `on` rules run without `--select`; `off` rules run when "
                          "selected (by id, alias, peer code or concern) and in hadolint mode. Why, and how a "
                          "file's purpose lowers severities: [../defaults.md](../defaults.md).\n\n"
                          + render_index(rules))
    return files


def main() -> int:
    files = expected()
    if "--check" in sys.argv:
        stale = [n for n, t in files.items() if not (OUT / n).exists() or (OUT / n).read_text() != t]
        extra = [p.name for p in OUT.glob("*.md") if p.name not in files] if OUT.exists() else []
        if stale or extra:
            print(f"docs/rules is out of date: {stale + extra}; run scripts/render_rule_docs.py")
            return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for p in OUT.glob("*.md"):
        if p.name not in files:
            p.unlink()
    for name, text in files.items():
        (OUT / name).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

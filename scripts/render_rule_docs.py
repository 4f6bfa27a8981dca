"""Render docs/rules/*.md from the rules' own documentation.

    .venv/bin/python scripts/render_rule_docs.py          # write
    .venv/bin/python scripts/render_rule_docs.py --check  # exit 1 when out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from slimguard.cli.rules_cmd import render_docs
from slimguard.dockerfile.rules import all_rules

OUT = Path(__file__).resolve().parents[1] / "docs" / "rules"


def expected() -> dict[str, str]:
    files: dict[str, str] = {}
    index = ["# slimguard rules", "", "| Rule | hadolint | Concern | Severity | Fix | Title |",
             "|---|---|---|---|---|---|"]
    for rule in all_rules():
        files[f"{rule.id}.md"] = render_docs(rule)
        index.append(f"| [{rule.id}]({rule.id}.md) | {', '.join(rule.aliases)} | `{rule.concern}` | "
                     f"{rule.severity.label} | {rule.fixable} | {rule.title} |")
    files["README.md"] = "\n".join(index) + "\n"
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

"""docs/rules/ holds every rule's documentation, rendered from the rules themselves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_rendered_rule_docs_are_up_to_date():
    proc = subprocess.run([sys.executable, "scripts/render_rule_docs.py", "--check"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_explain_and_rules_json():
    import json

    out = subprocess.run([sys.executable, "-m", "slimguard", "rules", "--format", "json"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    rules = json.loads(out)["rules"]
    assert rules and all({"id", "concern", "severity", "fixable", "aliases", "docs"} <= set(r) for r in rules)
    proc = subprocess.run([sys.executable, "-m", "slimguard", "explain", "DL3002"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "## What it does" in proc.stdout and "SG001" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "slimguard", "explain", "NOPE"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr

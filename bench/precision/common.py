"""Paths and small helpers shared by the precision harness scripts (fetch, run, sample, report)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.jsonl"
FINDINGS = HERE / "findings.jsonl"
LABELS = HERE / "labels.jsonl"
VERDICTS = ("act", "noise", "wrong")


def cache_dir() -> Path:
    """Where corpus files live: $SLIMGUARD_PRECISION_CACHE, else ~/.cache/slimguard/precision (never the repo)."""
    env = os.environ.get("SLIMGUARD_PRECISION_CACHE")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "slimguard" / "precision"
    return base.expanduser()


def cached_path(sha256: str, cache: Path | None = None) -> Path:
    return (cache or cache_dir()) / f"{sha256}.Dockerfile"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if line:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{n}: bad JSON: {exc}") from None
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
    tmp.replace(path)


def finding_key(file_sha256: str, rule: str, line: int, message: str) -> str:
    """Stable id of a finding: sha256 over file hash, rule, line and message joined by NUL."""
    blob = "\0".join((file_sha256, rule, str(line), message)).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()

#!/usr/bin/env python3
"""Lint every cached corpus file with slimguard's library API and write findings.jsonl.

Uses ``slimguard.lint(text, config=Config(engine="never"))`` so no container engine or registry
is consulted and the result depends only on the file text and slimguard's rules. Manifest entries
missing from the cache are reported and skipped (run fetch.py first). Prints findings per file and
per rule.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import FINDINGS, MANIFEST, cache_dir, cached_path, finding_key, read_jsonl, write_jsonl  # noqa: E402

import slimguard  # noqa: E402
from slimguard.core.config import Config  # noqa: E402


def lint_corpus(entries: list[dict], cache: Path) -> tuple[list[dict], list[str], list[str]]:
    config = Config(engine="never")
    rows: list[dict] = []
    missing: list[str] = []
    errors: list[str] = []
    for e in entries:
        p = cached_path(e["sha256"], cache)
        if not p.exists():
            missing.append(f"{e['repo']}/{e['path']}")
            continue
        text = p.read_bytes().decode("utf-8")
        result = slimguard.lint(text, path=f"{e['repo']}/{e['path']}", config=config)
        for err in result.errors:
            errors.append(f"{e['repo']}/{e['path']}: {err}")
        for f in sorted(result.findings, key=lambda f: (f.line, f.column, f.rule)):
            rows.append({
                "key": finding_key(e["sha256"], f.rule, f.line, f.message),
                "sha256": e["sha256"],
                "repo": e["repo"],
                "path": e["path"],
                "kind": e.get("kind", "other"),
                "rule": f.rule,
                "severity": f.severity.label,
                "line": f.line,
                "message": f.message,
            })
    return rows, missing, errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=FINDINGS)
    ap.add_argument("--quiet", action="store_true", help="skip the per-file listing")
    args = ap.parse_args(argv)

    entries = read_jsonl(args.manifest)
    rows, missing, errors = lint_corpus(entries, (args.cache or cache_dir()).expanduser())
    write_jsonl(args.out, rows)

    missing_set = set(missing)
    names = {e["sha256"]: f"{e['repo']}/{e['path']}" for e in entries}
    per_file = collections.Counter({s: 0 for s, name in names.items() if name not in missing_set})
    for r in rows:
        per_file[r["sha256"]] += 1
    linted = list(per_file)
    counts = [per_file[s] for s in linted]
    if not args.quiet:
        print("findings per file:")
        for s in sorted(linted, key=lambda s: (-per_file[s], names[s])):
            print(f"  {per_file[s]:4d}  {names[s]}")
    by_rule = collections.Counter((r["rule"], r["severity"]) for r in rows)
    print("\nfindings per rule:")
    for (rule, sev), n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {rule:8s} {sev:8s} {n:5d}")
    if counts:
        print(f"\n{len(rows)} findings in {len(counts)} files: mean {statistics.mean(counts):.2f}, "
              f"median {statistics.median(counts):g}, max {max(counts)}; written to {args.out}")
    if missing:
        print(f"{len(missing)} manifest files not in the cache (run fetch.py): " + ", ".join(missing[:5]))
    if errors:
        print(f"{len(errors)} files did not parse:")
        for e in errors:
            print("  ", e)
    return 0


if __name__ == "__main__":
    sys.exit(main())

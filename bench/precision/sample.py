#!/usr/bin/env python3
"""Draw the labelling sample: a seeded, rule-stratified random sample of warning/error findings.

Every rule with at least one warning-or-error finding is a stratum. Each stratum gets
``max(MIN_PER_RULE, round(TARGET * share))`` findings (all of them when it has fewer), where share is
the rule's fraction of the warning/error findings; within a stratum findings are drawn with
``random.Random(SEED)`` from the list sorted by key, so the same findings.jsonl always gives the
same sample. Findings already labelled are kept and count toward their stratum (``--top-up``), so
the sample can be extended later without relabelling.

Prints one block per sampled finding, grouped by file, with the surrounding lines, for a human to
label; ``--jsonl`` writes the bare sample instead.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import FINDINGS, LABELS, cached_path, read_jsonl  # noqa: E402

SEED = 20250601
TARGET = 140
MIN_PER_RULE = 5
GATED = ("warning", "error")


def draw(findings: list[dict], labelled: set[str], seed: int = SEED, target: int = TARGET,
         min_per_rule: int = MIN_PER_RULE) -> list[dict]:
    pool = [f for f in findings if f["severity"] in GATED]
    strata: dict[str, list[dict]] = collections.defaultdict(list)
    for f in pool:
        strata[f["rule"]].append(f)
    rnd = random.Random(seed)
    out: list[dict] = []
    for rule in sorted(strata):
        items = sorted(strata[rule], key=lambda f: f["key"])
        want = min(len(items), max(min_per_rule, round(target * len(items) / len(pool))))
        done = [f for f in items if f["key"] in labelled]
        rest = [f for f in items if f["key"] not in labelled]
        rnd.shuffle(rest)
        out.extend(done + rest[: max(0, want - len(done))])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--findings", type=Path, default=FINDINGS)
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--target", type=int, default=TARGET)
    ap.add_argument("--context", type=int, default=4, help="lines shown either side of a finding")
    ap.add_argument("--unlabelled", action="store_true", help="show only findings without a label")
    ap.add_argument("--jsonl", action="store_true", help="print the sample as JSON lines")
    args = ap.parse_args(argv)

    labelled = {row["key"] for row in read_jsonl(args.labels)}
    sample = draw(read_jsonl(args.findings), labelled, args.seed, args.target)
    if args.unlabelled:
        sample = [f for f in sample if f["key"] not in labelled]
    if args.jsonl:
        for f in sample:
            print(json.dumps(f))
        return 0
    by_file: dict[str, list[dict]] = collections.defaultdict(list)
    for f in sample:
        by_file[f["sha256"]].append(f)
    for sha, items in by_file.items():
        lines = cached_path(sha).read_text(encoding="utf-8").splitlines()
        print(f"=== {items[0]['repo']}/{items[0]['path']} [{items[0]['kind']}] ({len(lines)} lines)")
        heads = [f"{n}:{ln.strip()[:100]}" for n, ln in enumerate(lines, 1)
                 if ln.lstrip().upper().startswith(("FROM ", "USER ", "EXPOSE ", "ENTRYPOINT", "CMD "))]
        print("  outline: " + " | ".join(heads))
        for f in sorted(items, key=lambda f: f["line"]):
            print(f"--- {f['key'][:12]} {f['rule']} {f['severity']} line {f['line']}: {f['message']}")
            lo, hi = max(1, f["line"] - args.context), min(len(lines), f["line"] + args.context)
            for n in range(lo, hi + 1):
                print(f"  {'>' if n == f['line'] else ' '}{n:4d} {lines[n - 1][:160]}")
    print(f"\n{len(sample)} findings in {len(by_file)} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Precision per rule and findings per file: join findings.jsonl with labels.jsonl.

Matching a label to a finding:
  1. by ``key`` (sha256 of file hash, rule, line and message; see common.finding_key);
  2. failing that, by ``(file sha256, rule, line)`` against a finding no other label claimed by key,
     so a label survives a reworded message ("after" runs reuse the "before" labels). When several
     findings share that triple, the first by message text is taken. Fallback matches are counted
     in the ``fallback`` column.
A label that matches no current finding is ``gone`` (the rule stopped reporting it). A current
finding with no label is ``unlabelled``. Precision counts only labelled findings whose *current*
severity is warning or error (the gate); a labelled finding now reported at info/style is counted as
``demoted`` and leaves the gate.

precision = act / (act + noise + wrong) over gated labelled findings. ``overall (sample)`` is that
ratio over the whole labelled sample; because the sample is stratified (small rules are
over-represented), ``overall (weighted)`` also weights each rule's precision by its number of gated
findings (rules with no gated labels are left out and listed).
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import FINDINGS, LABELS, MANIFEST, VERDICTS, read_jsonl  # noqa: E402

GATED = ("warning", "error")


def match(findings: list[dict], labels: list[dict]) -> tuple[dict[int, dict], list[dict], set[int]]:
    """Map finding index -> label; return (matches, gone labels, indices matched by the fallback)."""
    by_key: dict[str, list[int]] = collections.defaultdict(list)
    by_triple: dict[tuple, list[int]] = collections.defaultdict(list)
    for i, f in enumerate(findings):
        by_key[f["key"]].append(i)
        by_triple[(f["sha256"], f["rule"], int(f["line"]))].append(i)
    for idxs in by_triple.values():
        idxs.sort(key=lambda i: findings[i]["message"])
    matched: dict[int, dict] = {}
    pending: list[dict] = []
    for lab in labels:
        free = [i for i in by_key.get(lab["key"], []) if i not in matched]
        if free:
            matched[free[0]] = lab
        else:
            pending.append(lab)
    gone: list[dict] = []
    fallback: set[int] = set()
    for lab in pending:
        triple = (lab.get("sha256") or lab.get("file_sha256"), lab["rule"], int(lab["line"]))
        free = [i for i in by_triple.get(triple, []) if i not in matched]
        if free:
            matched[free[0]] = lab
            fallback.add(free[0])
        else:
            gone.append(lab)
    return matched, gone, fallback


def precision(act: int, n: int) -> float | None:
    return act / n if n else None


def build(findings: list[dict], labels: list[dict], manifest: list[dict]) -> dict:
    for lab in labels:
        if lab.get("verdict") not in VERDICTS:
            raise SystemExit(f"label {lab.get('key', '?')[:12]}: verdict must be one of {VERDICTS}")
    matched, gone, fallback = match(findings, labels)
    rules: dict[str, dict] = {}

    def row(rule: str) -> dict:
        return rules.setdefault(rule, {"rule": rule, "findings": 0, "gated": 0, "labelled": 0,
                                       "act": 0, "noise": 0, "wrong": 0, "demoted": 0, "gone": 0,
                                       "fallback": 0, "severities": collections.Counter()})

    for i, f in enumerate(findings):
        r = row(f["rule"])
        r["findings"] += 1
        r["severities"][f["severity"]] += 1
        gated = f["severity"] in GATED
        r["gated"] += gated
        lab = matched.get(i)
        if lab is None:
            continue
        if i in fallback:
            r["fallback"] += 1
        if not gated:
            r["demoted"] += 1
            continue
        r["labelled"] += 1
        r[lab["verdict"]] += 1
    for lab in gone:
        row(lab["rule"])["gone"] += 1

    total = {k: sum(r[k] for r in rules.values()) for k in ("findings", "gated", "labelled", "act", "noise", "wrong", "demoted", "gone", "fallback")}
    weighted_num = sum(r["gated"] * r["act"] / r["labelled"] for r in rules.values() if r["labelled"])
    weighted_den = sum(r["gated"] for r in rules.values() if r["labelled"])
    unweighted_rules = sorted(r["rule"] for r in rules.values() if r["gated"] and not r["labelled"])

    kinds = {e["sha256"]: e.get("kind", "other") for e in manifest}
    names = {e["sha256"]: f"{e['repo']}/{e['path']}" for e in manifest}
    per_file = collections.Counter({s: 0 for s in names})
    per_file_gated = collections.Counter({s: 0 for s in names})
    for f in findings:
        per_file[f["sha256"]] += 1
        per_file_gated[f["sha256"]] += f["severity"] in GATED

    def dist(counter: collections.Counter, keys: list[str]) -> dict:
        vals = [counter[k] for k in keys]
        if not vals:
            return {"files": 0, "mean": 0.0, "median": 0, "max": 0}
        return {"files": len(vals), "mean": round(statistics.mean(vals), 2),
                "median": statistics.median(vals), "max": max(vals)}

    by_kind: dict[str, dict] = {}
    for kind in sorted(set(kinds.values())):
        keys = [s for s, k in kinds.items() if k == kind]
        d = {"all": dist(per_file, keys), "gated": dist(per_file_gated, keys)}
        counts = collections.Counter()
        for i, lab in matched.items():
            f = findings[i]
            if kinds.get(f["sha256"]) == kind and f["severity"] in GATED:
                counts[lab["verdict"]] += 1
        n = sum(counts.values())
        d.update({"labelled": n, **{v: counts[v] for v in VERDICTS}, "precision": precision(counts["act"], n)})
        by_kind[kind] = d
    top = sorted(names, key=lambda s: (-per_file[s], names[s]))[:10]
    return {
        "rules": [{**r, "severities": dict(r["severities"]), "precision": precision(r["act"], r["labelled"])}
                  for r in sorted(rules.values(), key=lambda r: r["rule"])],
        "total": {**total, "precision_sample": precision(total["act"], total["labelled"]),
                  "precision_weighted": (weighted_num / weighted_den) if weighted_den else None,
                  "rules_without_labels": unweighted_rules,
                  "unlabelled_gated": total["gated"] - total["labelled"]},
        "per_file": {"all": dist(per_file, list(names)), "gated": dist(per_file_gated, list(names)),
                     "top": [{"file": names[s], "findings": per_file[s], "gated": per_file_gated[s]} for s in top]},
        "per_kind": by_kind,
        "gone": [{"key": lab["key"], "rule": lab["rule"], "line": lab["line"], "verdict": lab["verdict"]} for lab in gone],
    }


def pct(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def print_text(rep: dict, reasons: bool, labels: list[dict]) -> None:
    hdr = f"{'rule':7s} {'all':>5s} {'w+e':>5s} {'lab':>4s} {'act':>4s} {'noise':>5s} {'wrong':>5s} {'prec':>7s} {'demot':>5s} {'gone':>4s} {'fallb':>5s}  severities"
    print(hdr)
    print("-" * len(hdr))
    for r in rep["rules"]:
        sev = ",".join(f"{k}:{v}" for k, v in sorted(r["severities"].items()))
        print(f"{r['rule']:7s} {r['findings']:5d} {r['gated']:5d} {r['labelled']:4d} {r['act']:4d} {r['noise']:5d} "
              f"{r['wrong']:5d} {pct(r['precision']):>7s} {r['demoted']:5d} {r['gone']:4d} {r['fallback']:5d}  {sev}")
    t = rep["total"]
    print("-" * len(hdr))
    print(f"{'total':7s} {t['findings']:5d} {t['gated']:5d} {t['labelled']:4d} {t['act']:4d} {t['noise']:5d} "
          f"{t['wrong']:5d} {pct(t['precision_sample']):>7s} {t['demoted']:5d} {t['gone']:4d} {t['fallback']:5d}")
    print(f"\noverall precision, warning+error: sample {pct(t['precision_sample'])}, "
          f"weighted by rule volume {pct(t['precision_weighted'])}  (target 90%)")
    print(f"gated findings unlabelled: {t['unlabelled_gated']}" +
          (f"; gated rules with no labels (not in the weighted figure): {', '.join(t['rules_without_labels'])}"
           if t["rules_without_labels"] else ""))
    pf = rep["per_file"]
    print(f"\nfindings per file ({pf['all']['files']} files): all mean {pf['all']['mean']}, median {pf['all']['median']}, "
          f"max {pf['all']['max']}; warning+error mean {pf['gated']['mean']}, median {pf['gated']['median']}, max {pf['gated']['max']}")
    print("most findings: " + "; ".join(f"{x['file']} ({x['findings']})" for x in pf["top"][:5]))
    print(f"\n{'kind':14s} {'files':>5s} {'mean':>5s} {'med':>4s} {'max':>4s} {'w+e mean':>8s} {'lab':>4s} {'act':>4s} {'noise':>5s} {'wrong':>5s} {'prec':>7s}")
    for kind, d in rep["per_kind"].items():
        print(f"{kind:14s} {d['all']['files']:5d} {d['all']['mean']:5.2f} {d['all']['median']:4g} {d['all']['max']:4d} "
              f"{d['gated']['mean']:8.2f} {d['labelled']:4d} {d['act']:4d} {d['noise']:5d} {d['wrong']:5d} {pct(d['precision']):>7s}")
    if rep["gone"]:
        print(f"\n{len(rep['gone'])} labels match no current finding (gone): " +
              ", ".join(f"{g['rule']}:{g['line']}({g['verdict']})" for g in rep["gone"][:20]))
    if reasons:
        print("\nnoise/wrong reasons by rule:")
        by = collections.defaultdict(list)
        for lab in labels:
            if lab["verdict"] != "act":
                by[lab["rule"]].append(lab)
        for rule in sorted(by):
            print(f"  {rule}")
            for lab in by[rule]:
                print(f"    [{lab['verdict']}] {lab['repo']}/{lab['path']}:{lab['line']}: {lab['reason']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--findings", type=Path, default=FINDINGS)
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--reasons", action="store_true", help="also list the noise/wrong labels with their reasons")
    args = ap.parse_args(argv)
    findings, labels, manifest = read_jsonl(args.findings), read_jsonl(args.labels), read_jsonl(args.manifest)
    if not findings:
        print(f"no findings in {args.findings}: run run.py first", file=sys.stderr)
        return 1
    rep = build(findings, labels, manifest)
    if args.json:
        print(json.dumps(rep, indent=2))
    else:
        print_text(rep, args.reasons, labels)
    return 0


if __name__ == "__main__":
    sys.exit(main())

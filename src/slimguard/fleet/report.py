"""The fleet report (JSON) from a stored run, and the diff between two runs.

Everything is counted per item (a file in a repository, an image tag), from the stored single-item
results, so the totals are the sums of what ``lint``/``check``/``audit`` report for each item:

- ``root``, ``build_tools``, ``unknown_user``: items with a finding of that concern (image build tools:
  compilers, build tools, headers, SCM clients; not shells, downloaders or package managers).
- ``reclaimable_bytes``: ``slim_variants`` (the ``saving_bytes`` of fat-base findings that carry one:
  image audits) and ``hidden_layers`` (bytes hidden by later layers: ``--deep`` image audits).
- ``worst_offenders``: ranked by impact (severity-weighted findings, plus root / build tools / unknown
  user, plus reclaimable MB), each with its most severe findings and their fixes.
- ``groups``: the same totals per repository owner or registry namespace.

The report holds no timestamps, so two stores with the same data give byte-identical reports.
"""

from __future__ import annotations

from typing import Any

from slimguard.fleet.store import Store
from slimguard.fleet.units import UnitResult

SEVERITIES = ("error", "warning", "info", "style")
_WEIGHT = {"error": 8, "warning": 4, "info": 1, "style": 0}
_ORDER = {s: i for i, s in enumerate(SEVERITIES)}


def _empty_totals() -> dict:
    z = {"dockerfile": 0, "check": 0, "image": 0}
    return {"items": dict(z), "root": dict(z), "build_tools": dict(z), "unknown_user": dict(z),
            "reclaimable_bytes": {"slim_variants": 0, "hidden_layers": 0},
            "findings": {"total": 0, "by_severity": {s: 0 for s in SEVERITIES}}, "errors": 0, "pending": 0}


def _add(t: dict, kind: str, r: UnitResult) -> None:
    t["items"][kind] += 1
    for name in ("root", "build_tools", "unknown_user"):
        if getattr(r, name):
            t[name][kind] += 1
    t["reclaimable_bytes"]["slim_variants"] += r.saving_bytes
    t["reclaimable_bytes"]["hidden_layers"] += r.hidden_bytes
    t["findings"]["total"] += len(r.findings)
    for f in r.findings:
        t["findings"]["by_severity"][f["severity"]] = t["findings"]["by_severity"].get(f["severity"], 0) + 1


def _finish(t: dict) -> dict:
    for name in ("items", "root", "build_tools", "unknown_user"):
        t[name]["all"] = t[name]["dockerfile"] + t[name]["check"] + t[name]["image"]
    rb = t["reclaimable_bytes"]
    rb["total"] = rb["slim_variants"] + rb["hidden_layers"]
    return t


def impact(r: UnitResult) -> float:
    score = sum(_WEIGHT.get(f["severity"], 0) for f in r.findings)
    score += 20 * r.root + 10 * r.build_tools + 20 * r.unknown_user
    return round(score + (r.saving_bytes + r.hidden_bytes) / 1_000_000, 3)


def _row_finding(item: str, kind: str, f: dict) -> dict:
    fix = f.get("fix") or {}
    row = {"rule": f["rule"], "severity": f["severity"], "line": f.get("line"), "message": f["message"],
           "explain": f"slimguard explain {f['rule']}"}
    if fix.get("available"):
        row["fix"] = fix.get("description")
        if fix.get("applicability") == "display-only":
            pass  # advice: no edit to apply
        elif kind == "dockerfile":
            row["fix_command"] = ("slimguard fix --write " + ("--unsafe " if fix.get("applicability") == "unsafe"
                                                               else "") + item)
        elif kind == "check":
            row["fix_command"] = ("slimguard check --write " + ("--unsafe " if fix.get("applicability") == "unsafe"
                                                                 else "") + item)
    return row


def load_run(store: Store, run_id: int) -> tuple[list[tuple], dict[str, UnitResult]]:
    rows = store.run_items(run_id)
    return rows, store.results(r[3] for r in rows)


def build_report(store: Store, run_id: int, *, top: int = 25, since: int | None = None) -> dict:
    from slimguard import __version__

    info = store.run_info(run_id) or {}
    rows, results = load_run(store, run_id)
    totals = _empty_totals()
    groups: dict[str, dict] = {}
    ranked = []
    errors = []
    for item, kind, owner, key, error in rows:
        r = results.get(key)
        g = groups.setdefault(owner, _empty_totals())
        if r is None:
            if error:
                errors.append({"item": item, "kind": kind, "error": error})
                totals["errors"] += 1
                g["errors"] += 1
            else:
                totals["pending"] += 1
                g["pending"] += 1
            continue
        _add(totals, kind, r)
        _add(g, kind, r)
        if r.findings or r.errors:
            ranked.append((impact(r), item, kind, owner, r))
    ranked.sort(key=lambda t: (-t[0], t[1]))
    worst = []
    for score, item, kind, owner, r in ranked[:top]:
        fs = sorted(r.findings, key=lambda f: (_ORDER.get(f["severity"], 9), f.get("line") or 0, f["rule"]))
        worst.append({"item": item, "kind": kind, "owner": owner, "impact": score, "root": r.root,
                      "build_tools": r.build_tools, "unknown_user": r.unknown_user,
                      "reclaimable_bytes": r.saving_bytes + r.hidden_bytes, "findings": len(r.findings),
                      "size_bytes": r.size_bytes, "errors": list(r.errors),
                      "top_findings": [_row_finding(item, kind, f) for f in fs[:5]]})
    units = {k for *_, k, _e in rows}
    report: dict[str, Any] = {
        "version": __version__,
        "kind": "fleet",
        "run": {"id": run_id, "status": info.get("status"), "items": len(rows), "units": len(units),
                "computed": info.get("computed"), "reused": info.get("reused"), "errors": info.get("errors")},
        "totals": _finish(totals),
        "worst_offenders": worst,
        "groups": {o: _finish(g) for o, g in sorted(groups.items())},
        "errors": errors,
    }
    if since is not None:
        report["since"] = diff_runs(store, since, run_id)
    return report


def _identities(rows: list[tuple], results: dict[str, UnitResult]) -> tuple[dict, dict]:
    """-> ({(item, rule, fingerprint): finding row}, {item: size_bytes}) of a run."""
    found: dict[tuple, dict] = {}
    sizes: dict[str, int | None] = {}
    for item, kind, _owner, key, _err in rows:
        r = results.get(key)
        if r is None:
            continue
        sizes[item] = r.size_bytes
        for f in r.findings:
            found[(item, f["rule"], f.get("fingerprint") or f["message"])] = {"item": item, "kind": kind,
                                                                               **_row_finding(item, kind, f)}
    return found, sizes


def diff_runs(store: Store, old: int, new: int) -> dict:
    """What changed from run *old* to run *new*: new findings, fixed ones, images that got bigger."""
    old_rows, old_res = load_run(store, old)
    new_rows, new_res = load_run(store, new)
    a, a_sizes = _identities(old_rows, old_res)
    b, b_sizes = _identities(new_rows, new_res)
    old_items = {r[0] for r in old_rows if r[3] in old_res}
    new_items = {r[0] for r in new_rows if r[3] in new_res}
    new_f = [b[k] for k in sorted(set(b) - set(a))]
    # a finding of an item the new run did not see (removed, or failed this time) is not "fixed"
    fixed = [a[k] for k in sorted(set(a) - set(b)) if k[0] in new_items]
    bigger = []
    for item in sorted(old_items & new_items):
        before, after = a_sizes.get(item), b_sizes.get(item)
        if before is not None and after is not None and after > before:
            bigger.append({"item": item, "before_bytes": before, "after_bytes": after, "delta_bytes": after - before})
    old_keys = {x[0]: x[3] for x in old_rows}
    changed = sorted(r[0] for r in new_rows if r[0] in old_items and r[3] != old_keys.get(r[0]))
    return {"from_run": old, "to_run": new,
            "counts": {"new_findings": len(new_f), "fixed_findings": len(fixed), "bigger_images": len(bigger),
                       "new_items": len(new_items - old_items), "removed_items": len(old_items - new_items),
                       "changed_items": len(changed)},
            "new_findings": new_f, "fixed_findings": fixed, "bigger_images": bigger,
            "new_items": sorted(new_items - old_items), "removed_items": sorted(old_items - new_items),
            "changed_items": changed}

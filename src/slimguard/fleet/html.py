"""The fleet report as one self-contained HTML page, on the HTML formatter's page and finding blocks.

Totals, groups and the worst offenders as tables, then the worst offenders' findings (with their fixes
and rule links) rendered by :func:`slimguard.formatters.html_format.findings_html`.
"""

from __future__ import annotations

from slimguard.core.findings import Applicability, Finding, Fix, Severity


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def _finding(item: str, row: dict) -> Finding:
    fix = row.get("fix") or {}
    app = fix.get("applicability")
    f_fix = (Fix(fix.get("description") or "", (), Applicability(app)) if fix.get("available") and app else None)
    return Finding(row["rule"], row["concern"], Severity[row["severity"].upper()], row["message"], item,
                   row.get("line") or 1, row.get("column") or 1, row.get("end_line") or 1, row.get("end_column") or 1,
                   tuple(row.get("aliases") or ()), row.get("title") or "", f_fix, row.get("origin") or "dockerfile",
                   row.get("details") or {})


def render_html(report: dict, store: object, run_id: int) -> str:
    from slimguard.fleet.report import load_run
    from slimguard.formatters import Report
    from slimguard.formatters.html_format import esc, findings_html, page

    t = report["totals"]
    kinds = ("dockerfile", "check", "image", "all")
    rows = "".join(f"<tr><th>{esc(name.replace('_', ' '))}</th>" + "".join(f"<td>{t[name][k]}</td>" for k in kinds)
                   + "</tr>" for name in ("items", "root", "build_tools", "unknown_user"))
    rb = t["reclaimable_bytes"]
    body = [f"<h2>Totals</h2><table><tr><th></th>{''.join(f'<th>{k}</th>' for k in kinds)}</tr>{rows}</table>",
            f"<p>reclaimable: {esc(_mb(rb['slim_variants']))} from slim variants, {esc(_mb(rb['hidden_layers']))} "
            f"hidden in layers; {t['errors']} error(s), {t['pending']} pending</p>",
            "<h2>Groups</h2><table><tr><th>owner</th><th>items</th><th>root</th><th>build tools</th>"
            "<th>unknown user</th><th>reclaimable</th></tr>"
            + "".join(f"<tr><td>{esc(o)}</td><td>{g['items']['all']}</td><td>{g['root']['all']}</td>"
                      f"<td>{g['build_tools']['all']}</td><td>{g['unknown_user']['all']}</td>"
                      f"<td>{esc(_mb(g['reclaimable_bytes']['total']))}</td></tr>"
                      for o, g in report["groups"].items()) + "</table>",
            "<h2>Worst offenders</h2><table><tr><th>impact</th><th>item</th><th>owner</th><th>root</th>"
            "<th>build tools</th><th>findings</th><th>fix</th></tr>"]
    for w in report["worst_offenders"]:
        fixes = sorted({f.get("fix_command") for f in w["top_findings"] if f.get("fix_command")})
        body.append(f"<tr><td>{w['impact']}</td><td>{esc(w['item'])}</td><td>{esc(w['owner'])}</td>"
                    f"<td>{'yes' if w['root'] else ''}</td><td>{'yes' if w['build_tools'] else ''}</td>"
                    f"<td>{w['findings']}</td><td>{'<br>'.join(esc(c) for c in fixes)}</td></tr>")
    body.append("</table><h2>Findings of the worst offenders</h2>")
    worst = {w["item"] for w in report["worst_offenders"]}
    items, results = load_run(store, run_id)  # type: ignore[arg-type]
    findings = []
    for item, _kind, _owner, key, _err in items:
        r = results.get(key)
        if item in worst and r is not None:
            findings.extend(_finding(item, f) for f in r.findings)
    body.append(findings_html(Report(findings=tuple(findings), files=tuple(sorted(worst)), kind="fleet",
                                     tool_version=report["version"])))
    return page("slimguard fleet report", "\n".join(body), f"run {report['run']['id']}", report["version"])

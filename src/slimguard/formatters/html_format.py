"""HTML: one self-contained page (inline CSS, JS and SVG; nothing loaded from the network).

- lint and check: findings grouped by file, each with its code excerpt (the flagged span marked) and the
  fix as a diff; a severity filter and a search box (JS; the page reads fine without it).
- audit: the image summary, a chart of bytes per layer (visible and hidden by later layers), the largest
  and hidden paths, and the classified packages by category.
- verify (:func:`render_verify`): the before/after table, the size change as a chart, the verdict and the
  diff of the fixed Dockerfile.

Everything that comes from the input (paths, messages, source lines, image paths, package names, build
commands) is escaped, and a Content-Security-Policy allows only the page's own style and script (by hash),
so even a mistake in escaping could not load or run anything else.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import html
import re
from collections import Counter, defaultdict
from typing import Any

from slimguard.core.findings import Applicability, Finding
from slimguard.formatters import Report

_SEVERITIES = ("error", "warning", "info", "style")
_FIX_LABEL = {Applicability.SAFE: "fix", Applicability.UNSAFE: "unsafe fix", Applicability.DISPLAY_ONLY: "advice"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CONTEXT = 2  # source lines shown around a finding
_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")

CSS = """
:root{--fg:#1d2330;--muted:#5d6675;--bg:#fff;--panel:#f5f7fa;--line:#dde2ea;--error:#c62828;--warning:#b26a00;
--info:#1565c0;--style:#6a1b9a;--add:#e6f4ea;--del:#fdecea;--mark:#fff1b8;--ok:#2e7d32;--vis:#4f7fd6;--hid:#e0704f}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif;color:var(--fg);
background:var(--bg)}
header{padding:16px 24px;border-bottom:1px solid var(--line);background:var(--panel)}
header h1{margin:0 0 4px;font-size:20px}
main{padding:8px 24px 40px;max-width:1200px}
h2{font-size:16px;margin:24px 0 8px;word-break:break-all}
h3{font-size:14px;margin:16px 0 6px}
.muted{color:var(--muted)}
.counts span{margin-right:12px}
.sev{display:inline-block;min-width:58px;padding:0 6px;border-radius:3px;color:#fff;font-size:12px;text-align:center}
.sev-error{background:var(--error)}.sev-warning{background:var(--warning)}.sev-info{background:var(--info)}
.sev-style{background:var(--style)}
.controls{margin:12px 0;display:flex;gap:14px;flex-wrap:wrap;align-items:center}
.controls input[type=search]{padding:4px 8px;min-width:260px;border:1px solid var(--line);border-radius:4px}
.finding{border:1px solid var(--line);border-radius:6px;margin:10px 0;padding:8px 12px;background:#fff}
.finding.hidden,.file.hidden{display:none}
.head{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
.loc{font-family:ui-monospace,"DejaVu Sans Mono","Liberation Mono",monospace;color:var(--muted)}
.rule{font-weight:600;text-decoration:none;color:var(--fg)}
.msg{flex:1 1 400px;word-break:break-word}
.tag{font-size:12px;border:1px solid var(--line);border-radius:3px;padding:0 5px;color:var(--muted)}
pre{margin:6px 0;padding:6px 0;background:var(--panel);border-radius:4px;overflow-x:auto;
font:12.5px/1.4 ui-monospace,"DejaVu Sans Mono","Liberation Mono",monospace}
pre .l{display:block;padding:0 10px;white-space:pre}
pre .n{display:inline-block;width:4em;color:var(--muted);user-select:none}
pre .hit{background:#fffbe6}
pre mark{background:var(--mark);border-bottom:2px solid var(--warning)}
pre .add{background:var(--add)}pre .del{background:var(--del)}pre .hunk{color:var(--muted)}
details summary{cursor:pointer;color:var(--muted)}
table{border-collapse:collapse;margin:6px 0 14px}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:var(--panel)}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.path{font-family:ui-monospace,"DejaVu Sans Mono","Liberation Mono",monospace;word-break:break-all}
.chart text{font:12px system-ui,sans-serif;fill:var(--fg)}
.chart .vis{fill:var(--vis)}.chart .hid{fill:var(--hid)}.chart .grid{stroke:var(--line)}
.chart .before{fill:#8895a7}.chart .after{fill:var(--ok)}.chart .worse{fill:var(--error)}
.legend span{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
.legend .vis{background:var(--vis)}.legend .hid{background:var(--hid)}
.verdict{font-size:16px;font-weight:600;margin:10px 0}.verdict.ok{color:var(--ok)}.verdict.bad{color:var(--error)}
ul{margin:4px 0 10px;padding-left:22px}
footer{padding:10px 24px;color:var(--muted);border-top:1px solid var(--line)}
""".strip()

JS = """
(function () {
  var root = document.documentElement;
  var items = Array.prototype.slice.call(document.querySelectorAll('.finding'));
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-sev]'));
  var search = document.getElementById('sg-search');
  var shown = document.getElementById('sg-shown');
  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.getAttribute('data-sev')] = b.checked; });
    var q = search ? search.value.toLowerCase() : '';
    var n = 0;
    items.forEach(function (el) {
      var ok = on[el.getAttribute('data-sev')] !== false && (!q || el.textContent.toLowerCase().indexOf(q) >= 0);
      el.classList.toggle('hidden', !ok);
      if (ok) { n += 1; }
    });
    Array.prototype.forEach.call(document.querySelectorAll('section.file'), function (sec) {
      sec.classList.toggle('hidden', !sec.querySelector('.finding:not(.hidden)'));
    });
    if (shown) { shown.textContent = n + ' of ' + items.length + ' shown'; }
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  if (search) { search.addEventListener('input', apply); }
  var index = document.getElementById('sg-rule-index');
  if (index) {
    var counts = {};
    items.forEach(function (el) {
      var r = el.getAttribute('data-rule');
      counts[r] = (counts[r] || 0) + 1;
    });
    Object.keys(counts).sort().forEach(function (r) {
      var tr = document.createElement('tr');
      var a = document.createElement('td');
      a.textContent = r;
      a.className = 'sg-rule-id';
      var b = document.createElement('td');
      b.textContent = String(counts[r]);
      b.className = 'num';
      tr.appendChild(a);
      tr.appendChild(b);
      index.appendChild(tr);
    });
  }
  apply();
  root.setAttribute('data-sg-ready', String(items.length));
})();
""".strip()


def esc(value: Any) -> str:
    """*value* as HTML text: markup escaped, control characters and lone surrogates made visible."""
    s = str(value)
    s = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", s)
    s = s.encode("utf-8", "backslashreplace").decode("utf-8")
    return html.escape(s, quote=True)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def page(title: str, body: str, subtitle: str = "", tool_version: str = "") -> str:
    """The whole document around *body* (already escaped HTML)."""
    csp = (f"default-src 'none'; style-src {_csp_hash(CSS)}; script-src {_csp_hash(JS)}; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    version = f" {esc(tool_version)}" if tool_version else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{esc(title)}</h1><div class=\"muted\">{subtitle}</div></header>\n<main>\n{body}\n</main>\n"
        f"<footer>slimguard{version} · a self-contained report: no network access, no external fonts</footer>\n"
        f"<script>{JS}</script>\n</body>\n</html>\n"
    )


def _mb(n: Any) -> str:
    if not isinstance(n, (int, float)) or isinstance(n, bool):
        return "-"
    from slimguard.image.units import mb

    return mb(n)


# -- findings ------------------------------------------------------------------------------------------------


def _excerpt(f: Finding, lines: list[str]) -> str:
    if not (0 < f.line <= len(lines)):
        return ""
    end = min(max(f.end_line, f.line), len(lines))
    first, last = max(1, f.line - _CONTEXT), min(len(lines), end + _CONTEXT)
    out = []
    for n in range(first, last + 1):
        text = lines[n - 1].rstrip("\r")
        hit = f.line <= n <= end
        if n == f.line and f.end_line <= f.line and f.end_column > f.column >= 1:
            a, b = f.column - 1, f.end_column - 1
            shown = esc(text[:a]) + "<mark>" + esc(text[a:b]) + "</mark>" + esc(text[b:])
        elif hit:
            shown = "<mark>" + esc(text) + "</mark>" if text else ""
        else:
            shown = esc(text)
        out.append(f"<span class=\"l{' hit' if hit else ''}\"><span class=\"n\">{n}</span>{shown}</span>")
    return "<pre class=\"excerpt\">" + "".join(out) + "</pre>"


def fix_diff(source: str, f: Finding) -> str | None:
    """The unified diff (without file headers) the fix of *f* makes to *source*, or None."""
    if f.fix is None or not f.fix.edits:
        return None
    from slimguard.core.fixes import apply_edits

    edits = list(f.fix.edits)
    try:
        after = apply_edits(source, edits)
    except Exception:  # noqa: BLE001 - a fix that does not apply to this text is shown without a diff
        return None
    # only the lines the edits touch (and one line around them) are compared: a big file stays fast
    start, end = min(e.start for e in edits), max(e.end for e in edits)
    lo = source.rfind("\n", 0, start) + 1
    if lo > 0:
        lo = source.rfind("\n", 0, lo - 1) + 1
    hi = source.find("\n", end)
    hi = len(source) if hi < 0 else hi + 1
    if hi < len(source):
        nxt = source.find("\n", hi)
        hi = len(source) if nxt < 0 else nxt + 1
    tail = len(source) - hi
    if after[:lo] != source[:lo] or after[len(after) - tail:] != source[hi:]:  # edits not where they claim
        lo, hi, tail = 0, len(source), 0
    offset = source.count("\n", 0, lo)
    diff = list(difflib.unified_diff(source[lo:hi].splitlines(), after[lo:len(after) - tail].splitlines(),
                                     lineterm="", n=1))[2:]
    if not diff:
        return None

    def shift(m: re.Match) -> str:
        return (f"@@ -{int(m.group(1)) + offset}{m.group(2) or ''} "
                f"+{int(m.group(3)) + offset}{m.group(4) or ''} @@")

    return "\n".join(_HUNK.sub(shift, line, count=1) if line.startswith("@@") else line for line in diff)


def diff_html(diff: str) -> str:
    out = []
    for line in diff.splitlines():
        cls = "hunk" if line.startswith(("@@", "--- ", "+++ ")) else "add" if line.startswith("+") else \
            "del" if line.startswith("-") else ""
        out.append(f"<span class=\"l {cls}\">{esc(line)}</span>")
    return "<pre class=\"diff\">" + "".join(out) + "</pre>"


def _finding(f: Finding, idx: int, lines: list[str] | None, source: str | None, hadolint_codes: bool) -> str:
    from slimguard.formatters.sarif_format import help_uri

    sev = f.severity.label
    aliases = f" <span class=\"tag\">{esc(', '.join(f.aliases))}</span>" if f.aliases else ""
    fix = ""
    if f.fix is not None:
        fix = f" <span class=\"tag\">{esc(_FIX_LABEL[f.fix.applicability])}</span>"
    loc = f"{f.line}:{f.column}" if f.origin not in ("image",) else ""
    parts = [
        f"<article class=\"finding\" id=\"finding-{idx}\" data-rule=\"{esc(f.rule)}\" data-sev=\"{esc(sev)}\">",
        f"<div class=\"head\"><span class=\"loc\">{esc(loc)}</span><span class=\"sev sev-{esc(sev)}\">{esc(sev)}"
        f"</span><a class=\"rule\" href=\"{esc(help_uri(f.rule))}\">{esc(f.rule)}</a>{aliases}"
        f"<span class=\"msg\">{esc(f.message)}</span>{fix}</div>",
    ]
    if lines is not None:
        parts.append(_excerpt(f, lines))
    if f.fix is not None:
        diff = fix_diff(source, f) if source is not None else None
        label = f"{_FIX_LABEL[f.fix.applicability]}: {f.fix.description}"
        if diff:
            parts.append(f"<details open><summary>{esc(label)}</summary>{diff_html(diff)}</details>")
        else:
            parts.append(f"<div class=\"muted\">{esc(label)}</div>")
    parts.append("</article>")
    return "".join(parts)


def findings_html(report: Report) -> str:
    counts = Counter(f.severity.label for f in report.findings)
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_file[f.file].append(f)
    out = []
    n_files = len(report.files) or len(by_file)
    summary = ", ".join(f"{counts[s]} {s}" for s in _SEVERITIES if counts[s])
    out.append(f"<p class=\"counts\" id=\"sg-summary\">{len(report.findings)} finding(s) in {n_files} file(s)"
               f"{': ' + esc(summary) if summary else ''}</p>")
    baseline = report.summary.get("baseline") if report.summary else None
    if isinstance(baseline, dict):
        out.append(f"<p class=\"muted\">the baseline {esc(baseline.get('file'))} suppressed "
                   f"{esc(baseline.get('suppressed'))} finding(s)</p>")
    if report.errors:
        out.append("<h2>Errors</h2><ul class=\"errors\">" + "".join(f"<li>{esc(e)}</li>" for e in report.errors)
                   + "</ul>")
    if not report.findings:
        out.append("<p id=\"sg-none\">No findings.</p>")
        return "\n".join(out)
    boxes = "".join(f"<label><input type=\"checkbox\" data-sev=\"{s}\" checked> <span class=\"sev sev-{s}\">{s}"
                    f"</span> {counts[s]}</label>" for s in _SEVERITIES if counts[s])
    out.append(f"<div class=\"controls\">{boxes}<input type=\"search\" id=\"sg-search\" "
               f"placeholder=\"filter: rule, message, code\" aria-label=\"filter\"><span id=\"sg-shown\" "
               f"class=\"muted\"></span></div>")
    idx = 0
    for path in sorted(by_file):
        source = report.sources.get(path)
        lines = source.splitlines() if source is not None else None
        items = sorted(by_file[path], key=lambda f: f.sort_key())
        out.append(f"<section class=\"file\"><h2>{esc(path)} <span class=\"muted\">({len(items)})</span></h2>")
        for f in items:
            out.append(_finding(f, idx, lines, source, report.hadolint_codes))
            idx += 1
        out.append("</section>")
    out.append("<h2>Findings by rule</h2><table><thead><tr><th>rule</th><th>findings</th></tr></thead>"
               "<tbody id=\"sg-rule-index\"></tbody></table>")
    return "\n".join(out)


# -- audit ---------------------------------------------------------------------------------------------------


def _created_by(text: Any) -> str:
    t = str(text or "").replace("/bin/sh -c #(nop) ", "").replace("/bin/sh -c ", "RUN ")
    return " ".join(t.split())


def layers_chart(layers: list[dict]) -> str:
    """A horizontal bar per layer: bytes still visible, and bytes hidden by later layers, stacked."""
    rows = []
    for L in layers:
        if "content_bytes" in L:
            hidden = sum(v for v in (L.get("hidden_later") or {}).values() if isinstance(v, int))
            visible = L.get("visible_bytes") or 0
            rows.append((L.get("index"), visible, hidden, _created_by(L.get("created_by"))))
        else:  # config only: the compressed size is all there is
            rows.append((L.get("index"), L.get("compressed_bytes") or 0, 0, _created_by(L.get("created_by"))))
    if not rows:
        return ""
    biggest = max((v + h for _, v, h, _ in rows), default=0) or 1
    bar_w, label_w, row_h = 560, 70, 22
    height = row_h * len(rows) + 10
    parts = [f"<svg class=\"chart\" id=\"sg-layers-chart\" role=\"img\" aria-label=\"bytes per layer\" "
             f"xmlns=\"http://www.w3.org/2000/svg\" width=\"{label_w + bar_w + 260}\" height=\"{height}\">"]
    for i, (index, visible, hidden, created) in enumerate(rows):
        y = 5 + i * row_h
        wv = round(visible / biggest * bar_w, 1)
        wh = round(hidden / biggest * bar_w, 1)
        tip = f"layer {index}: {_mb(visible)} visible, {_mb(hidden)} hidden by later layers — {created[:300]}"
        parts.append(f"<g class=\"layer\"><title>{esc(tip)}</title>"
                     f"<text x=\"0\" y=\"{y + 14}\">layer {esc(index)}</text>"
                     f"<rect class=\"vis\" x=\"{label_w}\" y=\"{y + 2}\" width=\"{wv}\" height=\"{row_h - 6}\"/>"
                     f"<rect class=\"hid\" x=\"{label_w + wv}\" y=\"{y + 2}\" width=\"{wh}\" height=\"{row_h - 6}\"/>"
                     f"<text x=\"{label_w + wv + wh + 6}\" y=\"{y + 14}\">{esc(_mb(visible + hidden))}"
                     f"{esc(' (' + _mb(hidden) + ' hidden)') if hidden else ''}</text></g>")
    parts.append("</svg>")
    legend = ("<div class=\"legend\"><span><i class=\"vis\"></i>visible in the final image</span>"
              "<span><i class=\"hid\"></i>hidden by later layers (deleted, overwritten)</span></div>")
    return "".join(parts) + legend


def _path_table(title: str, items: list[dict], table_id: str) -> str:
    if not items:
        return ""
    extra = any("cause" in it for it in items)
    head = "<th>bytes</th><th>path</th>" + ("<th>why hidden</th>" if extra else "<th>layer</th>")
    rows = []
    for it in items:
        if extra:
            cause = f"{it.get('cause')} in layer {it.get('hidden_by')}"
            if isinstance(it.get("added_in"), int) and it["added_in"] >= 0:
                cause = f"added in layer {it['added_in']}, {cause}"
            tail = f"<td>{esc(cause)}</td>"
        else:
            tail = f"<td class=\"num\">{esc(it.get('layer', ''))}</td>"
        rows.append(f"<tr><td class=\"num\">{esc(_mb(it.get('bytes')))}</td><td class=\"path\">{esc(it.get('path'))}"
                    f"</td>{tail}</tr>")
    return (f"<h3>{esc(title)}</h3><table id=\"{table_id}\"><thead><tr>{head}</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def packages_html(packages: dict) -> str:
    cats = packages.get("categories") or {}
    head = f"<h3>Packages</h3><p>{esc(packages.get('count', 0))} package(s)" + (
        f" ({esc(packages.get('manager'))})" if packages.get("manager") else " (no package database found)") + "</p>"
    if not cats:
        return head
    totals = {c: sum(p.get("bytes") or 0 for p in ps if isinstance(p, dict)) for c, ps in cats.items()}
    biggest = max(totals.values(), default=0) or 1
    bar_w, label_w, row_h = 360, 150, 22
    svg = [f"<svg class=\"chart\" id=\"sg-packages-chart\" role=\"img\" aria-label=\"packages by category\" "
           f"xmlns=\"http://www.w3.org/2000/svg\" width=\"{label_w + bar_w + 200}\" height=\"{row_h * len(cats) + 10}\">"]
    rows = []
    for i, (cat, ps) in enumerate(sorted(cats.items(), key=lambda kv: (-totals[kv[0]], kv[0]))):
        y = 5 + i * row_h
        w = round(totals[cat] / biggest * bar_w, 1)
        svg.append(f"<g><title>{esc(cat)}: {len(ps)} package(s), {esc(_mb(totals[cat]))}</title>"
                   f"<text x=\"0\" y=\"{y + 14}\">{esc(cat)}</text>"
                   f"<rect class=\"hid\" x=\"{label_w}\" y=\"{y + 2}\" width=\"{w}\" height=\"{row_h - 6}\"/>"
                   f"<text x=\"{label_w + w + 6}\" y=\"{y + 14}\">{len(ps)} · {esc(_mb(totals[cat]))}</text></g>")
        names = ", ".join(f"{p.get('name')} ({_mb(p.get('bytes'))})" for p in ps[:12] if isinstance(p, dict))
        more = f", … {len(ps) - 12} more" if len(ps) > 12 else ""
        rows.append(f"<tr><td>{esc(cat)}</td><td class=\"num\">{len(ps)}</td><td class=\"num\">{esc(_mb(totals[cat]))}"
                    f"</td><td>{esc(names + more)}</td></tr>")
    svg.append("</svg>")
    return (head + "".join(svg) + "<table id=\"sg-packages\"><thead><tr><th>category</th><th>packages</th>"
            "<th>bytes</th><th>largest</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def audit_html(summary: dict, notes: list | None = None) -> str:
    img = summary.get("image") or {}
    size = summary.get("size") or {}
    user = summary.get("user") or {}
    out = ["<h2>Image</h2><table id=\"sg-image\"><tbody>"]

    def row(k: str, v: Any) -> None:
        if v not in (None, "", [], {}):
            out.append(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>")

    row("reference", img.get("reference"))
    row("source", img.get("source"))
    row("platform", img.get("platform"))
    row("id", img.get("id"))
    row("created", img.get("created"))
    if size.get("layers_bytes") is not None:
        row("size", f"{_mb(size.get('layers_bytes'))} in {summary.get('layer_count')} layers")
        row("files", f"{_mb(size.get('content_bytes'))}, visible {_mb(size.get('visible_bytes'))}, hidden by later "
                     f"layers {_mb(size.get('hidden_bytes'))}")
    else:
        row("size", f"{summary.get('layer_count')} layers (layers not read: config only)")
    if size.get("compressed_bytes"):
        row("compressed", _mb(size.get("compressed_bytes")))
    problems = user.get("problems") or []
    row("user", f"{user.get('resolved')}" + (f" [{'; '.join(map(str, problems))}]" if problems else ""))
    base = summary.get("base")
    if isinstance(base, dict) and base.get("guess"):
        text = f"{base.get('guess')} ({base.get('how')})"
        if base.get("smaller_variant"):
            text += f"; smaller: {base['smaller_variant']}"
            if base.get("saving_bytes"):
                text += f", saves about {_mb(base['saving_bytes'])}"
        row("base", text)
    eff = (summary.get("efficiency") or {}).get("slimguard")
    if isinstance(eff, dict) and isinstance(eff.get("efficiency"), (int, float)):
        row("efficiency", f"{eff['efficiency'] * 100:.2f} % ({_mb(eff.get('hidden_bytes'))} hidden)")
    out.append("</tbody></table>")
    layers = summary.get("layers") or []
    if layers:
        out.append("<h3>Bytes per layer</h3>" + layers_chart(layers))
        out.append("<table id=\"sg-layers\"><thead><tr><th>layer</th><th>size</th><th>visible</th>"
                   "<th>hidden later</th><th>created by</th></tr></thead><tbody>")
        for L in layers:
            hidden = sum(v for v in (L.get("hidden_later") or {}).values() if isinstance(v, int))
            out.append(f"<tr><td class=\"num\">{esc(L.get('index'))}</td>"
                       f"<td class=\"num\">{esc(_mb(L.get('tar_bytes', L.get('compressed_bytes'))))}</td>"
                       f"<td class=\"num\">{esc(_mb(L.get('visible_bytes')))}</td>"
                       f"<td class=\"num\">{esc(_mb(hidden) if 'hidden_later' in L else '-')}</td>"
                       f"<td class=\"path\">{esc(_created_by(L.get('created_by'))[:200])}</td></tr>")
        out.append("</tbody></table>")
    out.append(_path_table("Largest files", summary.get("largest_files") or [], "sg-largest-files"))
    out.append(_path_table("Largest directories", summary.get("largest_dirs") or [], "sg-largest-dirs"))
    out.append(_path_table("Largest hidden files", summary.get("hidden_files") or [], "sg-hidden-files"))
    out.append(_path_table("Hidden directories", summary.get("hidden_dirs") or [], "sg-hidden-dirs"))
    out.append(packages_html(summary.get("packages") or {}))
    if summary.get("anomalies"):
        out.append("<h3>Archive anomalies</h3><ul>" + "".join(f"<li>{esc(a)}</li>" for a in summary["anomalies"][:50])
                   + "</ul>")
    if notes:
        out.append("<h3>Notes</h3><ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    return "\n".join(out)


# -- entry points --------------------------------------------------------------------------------------------


def render(report: Report, color: bool = False) -> str:
    kind = report.kind or "lint"
    body = []
    subtitle = ""
    audit = report.summary.get("audit") if report.summary else None
    if kind == "audit" and isinstance(audit, dict):
        body.append(audit_html(audit, list(report.summary.get("notes") or [])))
        body.append("<h2>Findings</h2>")
        subtitle = esc((audit.get("image") or {}).get("reference") or "")
    else:
        subtitle = esc(", ".join(report.files[:5]) + (f" and {len(report.files) - 5} more" if len(report.files) > 5
                                                     else ""))
    body.append(findings_html(report))
    return page(f"slimguard {kind} report", "\n".join(body), subtitle, report.tool_version)


def _size_chart(before: int | None, after: int | None) -> str:
    if not before or not after:
        return ""
    biggest = max(before, after)
    bar_w, label_w = 520, 70
    delta = after - before
    parts = ["<svg class=\"chart\" id=\"sg-size-chart\" role=\"img\" aria-label=\"image size before and after\" "
             f"xmlns=\"http://www.w3.org/2000/svg\" width=\"{label_w + bar_w + 200}\" height=\"62\">"]
    for i, (name, value, cls) in enumerate((("before", before, "before"),
                                            ("after", after, "after" if delta <= 0 else "worse"))):
        y = 4 + i * 28
        w = round(value / biggest * bar_w, 1)
        parts.append(f"<text x=\"0\" y=\"{y + 15}\">{name}</text><rect class=\"{cls}\" x=\"{label_w}\" y=\"{y + 2}\" "
                     f"width=\"{w}\" height=\"20\"/><text x=\"{label_w + w + 6}\" y=\"{y + 15}\">{value / 1e6:.1f} MB"
                     + (f" ({delta / 1e6:+.1f} MB, {delta / before * 100:+.1f} %)" if i == 1 else "") + "</text>")
    parts.append("</svg>")
    return "".join(parts)


def render_verify(r: Any, tool_version: str = "") -> str:
    """The page for a ``slimguard.verify.report.Report``."""
    from slimguard.verify.report import ROWS, _cells

    out = []
    if r.interrupted:
        verdict, cls = "interrupted", "bad"
    elif r.original_error is not None:
        verdict, cls = "the original Dockerfile does not build", "bad"
    elif r.proven:
        verdict, cls = "proven", "ok"
    else:
        verdict, cls = "NOT proven", "bad"
    out.append(f"<p class=\"verdict {cls}\" id=\"sg-verdict\">verdict: {esc(verdict)}</p>")
    if r.problems:
        out.append("<ul id=\"sg-problems\">" + "".join(f"<li>{esc(p)}</li>" for p in r.problems) + "</ul>")
    if r.after_file is not None:
        out.append(f"<p>fixed Dockerfile: {esc(r.after_file)} (given with --after)</p>")
    elif r.fixes:
        out.append("<h3>Fixes applied</h3><ul id=\"sg-fixes\">" + "".join(f"<li>{esc(f)}</li>" for f in r.fixes)
                   + "</ul>")
    else:
        out.append("<p>no fixes to apply: the Dockerfile is verified as it is</p>")
    out.append(f"<p>check: {esc(r.check.describe())}</p>")
    before = _cells(r.before, None, r.check)
    after = _cells(r.after, r.before, r.check)
    rows = [row for row in ROWS if row in before or row in after]
    table = ["<table id=\"sg-verify-table\"><thead><tr><th></th><th>before</th><th>after</th></tr></thead><tbody>"]
    for row in rows:
        table.append(f"<tr><th>{esc(row)}</th><td>{esc(before.get(row, '-'))}</td><td>{esc(after.get(row, '-'))}"
                     "</td></tr>")
    sized = bool(r.before.size and r.after.size and r.before.built and r.after.built and not r.same_dockerfile)
    if sized:
        delta = r.after.size - r.before.size
        table.append(f"<tr><th>size change</th><td></td><td id=\"sg-size-change\">{delta / 1e6:+.1f} MB "
                     f"({delta / r.before.size * 100:+.1f} %)</td></tr>")
    table.append("</tbody></table>")
    out.append("".join(table))
    if sized:
        out.append("<h3>Image size</h3>" + _size_chart(r.before.size, r.after.size))
    if r.baseline_reason is not None:
        out.append(f"<p>baseline: the original fails its own smoke test: {esc(r.baseline_reason)}</p>")
    elif r.original_error is None:
        out.append("<p>baseline: the original passes its own smoke test</p>")
    if r.hardened is not None and r.hardened.ok is not None and r.baseline_reason is None:
        out.append(f"<p>hardened (extra information, not the verdict): the fixed image {esc(r.hardened.summary())}</p>")
    if r.singles:
        out.append("<h3>Each fix alone on the original</h3><ul>" + "".join(
            f"<li>{esc(s.status)}: {esc('; '.join(s.fixes) or s.rule)}"
            f"{esc(' — ' + s.problems[0]) if s.problems else ''}</li>" for s in r.singles) + "</ul>")
    if r.notes:
        out.append("<h3>Notes</h3><ul>" + "".join(f"<li>{esc(n)}</li>" for n in r.notes) + "</ul>")
    before_text, after_text = r.before.dockerfile or "", r.after.dockerfile or ""
    if before_text != after_text:
        diff = list(difflib.unified_diff(before_text.splitlines(), after_text.splitlines(), lineterm="", n=2,
                                         fromfile=f"a/{r.path}", tofile=f"b/{r.path}"))
        out.append("<h3>The fixed Dockerfile</h3>" + diff_html("\n".join(diff)))
    if r.cleanup is not None:
        out.append(f"<p class=\"muted\">cleanup (label org.slimguard.verify={esc(r.run_id)}): "
                   f"{esc(r.cleanup.summary())}</p>")
    title = "slimguard verify report"
    return page(title, "\n".join(out), esc(r.path) + (" --unsafe" if r.unsafe else ""), tool_version)

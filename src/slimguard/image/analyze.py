"""From layers and config to findings and the summary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slimguard.core.config import Config
from slimguard.core.engine import run_rules
from slimguard.core.findings import Finding
from slimguard.image.dive import DiveCalc
from slimguard.image.overlay import CAUSES, Overlay
from slimguard.image.packages import installed_packages
from slimguard.image.secrets import scan_captures
from slimguard.image.sources import ImageData
from slimguard.image.users import resolve_user
from slimguard.image.layers import REG
from slimguard.image.rules import all_rules
from slimguard.image.rules.base import ImageContext
from slimguard.image.units import categorize, mb


@dataclass(frozen=True)
class AuditResult:
    """What an audit found: the findings, the summary (user, packages, bytes per layer), notes, rule errors."""

    reference: str
    findings: tuple[Finding, ...]
    summary: dict
    notes: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()  # one line per image rule that crashed


def _history_for_layers(config: dict, n_layers: int) -> list[str]:
    """created_by of the history entry that made each layer (non-empty history entries, in order)."""
    out = []
    for h in config.get("history") or []:
        if isinstance(h, dict) and not h.get("empty_layer"):
            out.append(str(h.get("created_by") or ""))
    out = out[:n_layers]
    return out + [""] * (n_layers - len(out))


def _largest(overlay: Overlay, top: int) -> tuple[list, list]:
    files: list[tuple[int, str, int]] = []
    per_dir: dict[str, int] = {}
    seen: set[int] = set()
    # overlay.walk() inlined (the same order: the first path of a hardlinked file wins)
    root = overlay.root
    stack: list = [("", root)]
    pop, push = stack.pop, stack.append
    while stack:
        path, node = pop()
        c = node.content
        if c is not None and node.kind == REG:
            if c.refs != 1:  # more than one path: hardlinks
                if id(c) in seen:
                    continue
                seen.add(id(c))
            files.append((c.size, path, c.layer))
            d = path[:path.rfind("/")]
            per_dir[d] = per_dir.get(d, 0) + c.size
        children = node.children
        if children:
            for name, child in children.items():
                push((path + "/" + name, child))
    dir_sizes: dict[str, int] = {}
    for d, size in per_dir.items():
        parts = d[1:].split("/")[:3] if d else []
        acc = ""
        for part in parts:
            acc += "/" + part
            dir_sizes[acc] = dir_sizes.get(acc, 0) + size
    files.sort(key=lambda t: (-t[0], t[1]))
    dirs = sorted(dir_sizes.items(), key=lambda kv: (-kv[1], kv[0]))
    return ([{"path": p, "bytes": s, "layer": layer} for s, p, layer in files[:top]],
            [{"path": p, "bytes": s} for p, s in dirs[:top]])


def analyze(data: ImageData, *, client: Any = None, use_dive: bool = True, top: int = 10,
            settings: Config | None = None) -> AuditResult:
    config = data.config
    cfg = config.get("config") if isinstance(config.get("config"), dict) else {}
    overlay: Overlay | None = None
    dive = DiveCalc() if use_dive else None
    hits = []
    anomalies: list[str] = []
    if data.layers is not None:
        overlay = Overlay()
        for idx, scan in enumerate(data.layers):
            overlay.apply(scan)
            if dive is not None:
                dive.add(scan)
            hits.extend(scan_captures(scan.captures, idx))
            for a in scan.anomalies:
                if len(anomalies) < 100:
                    anomalies.append(f"layer {idx}: {a}")
            scan.entries = []  # the overlay holds what is needed now
            scan.captures = {}
        overlay.finish()
        anomalies.extend(overlay.anomalies)
        for h in hits:
            node = overlay.get("/" + h.path, follow=False)
            h.visible = node is not None and node.layer == h.layer and node.kind == REG
    passwd = group = None
    if overlay is not None:
        p = overlay.get("/etc/passwd")
        g = overlay.get("/etc/group")
        # surrogateescape: a name with bytes that are not UTF-8 still matches the config's User byte for byte
        passwd = p.data.decode("utf-8", "surrogateescape") if p is not None and p.data is not None else None
        group = g.data.decode("utf-8", "surrogateescape") if g is not None and g.data is not None else None
    user_spec = str(cfg.get("User") or "")
    if overlay is None:
        user = resolve_user(user_spec, None, None)
        if user.problems and not user_spec.split(":")[0].isdigit():
            # without layers we cannot see /etc/passwd: not a finding, just unresolved
            user.problems = []
            user.uid = None
    else:
        user = resolve_user(user_spec, passwd, group)
    manager, packages = installed_packages(overlay) if overlay is not None else (None, [])
    n_layers = len(overlay.layers) if overlay is not None else len(data.descriptors)
    diff_ids = list(((config.get("rootfs") or {}).get("diff_ids")) or [])
    if overlay is not None and diff_ids and len(diff_ids) != n_layers:
        anomalies.append(f"the config lists {len(diff_ids)} diff_ids but the manifest {n_layers} layers")
    content = sum(st.content_bytes for st in overlay.layers) if overlay is not None else 0
    visible = sum(st.visible_bytes for st in overlay.layers) if overlay is not None else 0
    hidden = content - visible
    try:
        from slimguard.image.base import guess_base

        base = guess_base(config, overlay, packages, client, data.repo_tags, n_layers)
    except Exception:  # noqa: BLE001 - a guess must never break the audit
        base = None
    ctx = ImageContext(data.reference, config, overlay, user, tuple(packages), tuple(hits), base=base,
                       hidden_bytes=hidden, content_bytes=content)
    settings = settings or Config()
    run = run_rules(all_rules(), ctx, path=data.reference, select=settings.select, ignore=settings.ignore,
                    severity=settings.severity, origin="image")
    summary = build_summary(data, overlay, dive, user, manager, packages, base, anomalies, top)
    findings = tuple(_printable_finding(f) for f in run.findings)
    return AuditResult(data.reference, findings, printable(summary), tuple(printable(list(data.notes))),
                       run.errors)


def _text(s: str) -> str:
    """*s* with lone surrogates written as escapes: names read with ``surrogateescape`` (tar paths,
    /etc/passwd) and JSON ``\\udcff`` escapes in a config cannot be encoded as UTF-8, so no output could print
    them. Bytes kept by surrogateescape come out as ``\\xff``, other surrogates as ``\\udxxx``."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return "".join(f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF
                       else f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in s)


def printable(obj: Any, depth: int = 0) -> Any:
    """*obj* (JSON-like: dicts, lists, strings) with every string made encodable (:func:`_text`)."""
    if isinstance(obj, str):
        return _text(obj)
    if depth > 50:
        return obj
    if isinstance(obj, Mapping):
        return {(_text(k) if isinstance(k, str) else k): printable(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(printable(v, depth + 1) for v in obj)
    return obj


def _printable_finding(f: Finding) -> Finding:
    from dataclasses import replace

    changes = {}
    for name in ("message", "file", "title"):
        value = getattr(f, name)
        if isinstance(value, str) and _text(value) is not value:
            changes[name] = _text(value)
    if f.details:
        details = printable(f.details)
        if details != printable_ok(f.details):
            changes["details"] = details
    if f.fix is not None and _text(f.fix.description) is not f.fix.description:
        changes["fix"] = replace(f.fix, description=_text(f.fix.description))
    return replace(f, **changes) if changes else f


def printable_ok(obj: Any) -> Any:
    """*obj* as plain dicts and lists, unchanged (to compare with :func:`printable`'s result)."""
    if isinstance(obj, Mapping):
        return {k: printable_ok(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(printable_ok(v) for v in obj)
    return obj


def build_summary(data: ImageData, overlay: Overlay | None, dive: DiveCalc | None, user: Any, manager: str | None,
                  packages: list, base: dict | None, anomalies: list, top: int) -> dict:
    config = data.config
    cfg = config.get("config") if isinstance(config.get("config"), dict) else {}
    created_by = _history_for_layers(config, len(overlay.layers) if overlay is not None else len(data.descriptors))
    layers = []
    if overlay is not None:
        for st, desc in zip(overlay.layers, data.descriptors + [{}] * len(overlay.layers)):
            layers.append({
                "index": st.index, "digest": desc.get("digest"), "created_by": created_by[st.index][:200],
                "tar_bytes": st.tar_bytes, "compressed_bytes": st.raw_bytes if st.compression != "none" else None,
                "compression": st.compression, "content_bytes": st.content_bytes, "entries": st.entries,
                "files": st.files, "whiteouts": st.whiteouts, "opaque_dirs": st.opaque_dirs,
                "visible_bytes": st.visible_bytes, "hidden_later": {c: st.hidden_from.get(c, 0) for c in CAUSES if st.hidden_from.get(c)},
                "hides": {c: st.hidden_by.get(c, 0) for c in CAUSES if st.hidden_by.get(c)},
                "dive_size_bytes": st.header_bytes,
            })
    else:
        for i, desc in enumerate(data.descriptors):
            layers.append({"index": i, "digest": desc.get("digest"), "media_type": desc.get("mediaType"),
                           "compressed_bytes": desc.get("size"), "created_by": created_by[i][:200]})
    content = sum(L.get("content_bytes", 0) for L in layers)
    visible = sum(L.get("visible_bytes", 0) for L in layers)
    summary: dict = {
        "image": {
            "reference": data.reference, "source": data.source, "id": data.config_digest,
            "repo_tags": data.repo_tags, "platform": data.platform or (
                f"{config.get('os', '?')}/{config.get('architecture', '?')}" +
                (f"/{config['variant']}" if config.get("variant") else "")),
            "created": config.get("created"), "layers_read": overlay is not None,
        },
        "size": {
            "layers_bytes": sum(L.get("tar_bytes", 0) for L in layers) if overlay is not None else None,
            "compressed_bytes": (sum(L["compressed_bytes"] for L in layers if L.get("compressed_bytes"))
                                 or None),
            "content_bytes": content if overlay is not None else None,
            "visible_bytes": visible if overlay is not None else None,
            "hidden_bytes": content - visible if overlay is not None else None,
        },
        "layer_count": len(layers),
        "layers": layers,
        "user": {
            "configured": user.spec, "name": user.name, "uid": user.uid, "gid": user.gid, "group": user.group_name,
            "resolved": user.display(), "how": user.how, "problems": user.problems,
        },
        "packages": {"manager": manager, "count": len(packages),
                     "categories": {c: [{"name": p.name, "bytes": p.size} for p in sorted(ps, key=lambda p: -p.size)]
                                    for c, ps in categorize(packages).items()}},
        "base": base,
        "anomalies": anomalies,
    }
    if overlay is not None:
        summary["efficiency"] = {
            "slimguard": {
                "efficiency": round(visible / content, 6) if content else 1.0,
                "hidden_bytes": content - visible,
                "definition": "bytes of regular files visible in the final filesystem / bytes of regular files in all "
                              "layers; hidden = overwritten, deleted, in opaque or replaced directories, each file once",
            },
        }
        if dive is not None:
            d = dive.result()
            summary["efficiency"]["dive"] = {
                "efficiency": round(d.efficiency, 6), "wasted_bytes": d.wasted_bytes,
                "user_wasted_percent": round(d.user_wasted_percent * 100, 4), "size_bytes": d.size_bytes,
                "user_size_bytes": d.user_size_bytes, "inefficient_paths": d.inefficient_paths,
                "aborted_layers": d.aborted_layers,
                "top": [{"path": p, "count": n, "bytes": c} for p, n, c in d.top],
                "definition": "dive 0.13: leaf paths of every layer tree; efficiency = sum of minimum sizes / sum of "
                              "all sizes per path; wasted = all copies of paths seen in 2+ layers (surviving copy "
                              "included); deleted files count 0, opaque directories are ignored",
            }
        largest_files, largest_dirs = _largest(overlay, top)
        summary["largest_files"] = largest_files
        summary["largest_dirs"] = largest_dirs
        summary["hidden_files"] = [{"path": h.path, "bytes": h.size, "added_in": h.origin, "hidden_by": h.by,
                                    "cause": h.cause} for h in overlay.top_hidden.items()[:top]]
        summary["hidden_dirs"] = [{"path": h.path, "bytes": h.size, "files": h.files, "hidden_by": h.by,
                                   "cause": h.cause} for h in overlay.top_hidden_dirs.items()[:top]]
    env = cfg.get("Env") or []
    summary["config"] = {"user": cfg.get("User") or "", "exposed_ports": sorted((cfg.get("ExposedPorts") or {}).keys()),
                         "entrypoint": cfg.get("Entrypoint"), "cmd": cfg.get("Cmd"), "workdir": cfg.get("WorkingDir"),
                         "env_names": [str(e).split("=", 1)[0] for e in env if isinstance(e, str)]}
    return summary


def render_text_summary(summary: dict, color: bool = False) -> str:
    def b(t: str) -> str:
        return f"\x1b[1m{t}\x1b[0m" if color else t

    img = summary["image"]
    out = [b(f"Image {img['reference']}") + f"  ({img['source']}, {img.get('platform') or '?'})"]
    if img.get("id"):
        out.append(f"  id        {img['id']}")
    size = summary["size"]
    if size.get("layers_bytes") is not None:
        comp = f", {mb(size['compressed_bytes'])} compressed" if size.get("compressed_bytes") else ""
        out.append(f"  size      {mb(size['layers_bytes'])} in {summary['layer_count']} layers{comp}; "
                   f"files {mb(size['content_bytes'])}, visible {mb(size['visible_bytes'])}, "
                   f"hidden by later layers {mb(size['hidden_bytes'])}")
    else:
        comp = size.get("compressed_bytes")
        out.append(f"  size      {summary['layer_count']} layers" + (f", {mb(comp)} compressed" if comp else "")
                   + " (layers not read: config only)")
    u = summary["user"]
    out.append(f"  user      {u['resolved']}" + (f"  [{'; '.join(u['problems'])}]" if u["problems"] else ""))
    pk = summary["packages"]
    if pk["manager"]:
        cats = ", ".join(f"{len(v)} {k}" for k, v in pk["categories"].items())
        out.append(f"  packages  {pk['count']} ({pk['manager']})" + (f"; {cats}" if cats else ""))
    elif summary["image"].get("layers_read"):
        out.append("  packages  no package database found")
    eff = summary.get("efficiency")
    if eff:
        s = eff["slimguard"]
        out.append(f"  efficiency {s['efficiency'] * 100:.2f}% (slimguard: visible / all file bytes; "
                   f"{mb(s['hidden_bytes'])} hidden)")
        d = eff.get("dive")
        if d:
            out.append(f"             {d['efficiency'] * 100:.4f}% (dive's formula; wasted {mb(d['wasted_bytes'])}, "
                       f"user wasted {d['user_wasted_percent']:.4f}%)")
    base = summary.get("base")
    if base:
        line = f"  base      {base['guess']} ({base.get('how')})"
        if base.get("smaller_variant"):
            line += f"; smaller: {base['smaller_variant']}"
            if base.get("saving_bytes"):
                line += f", saves about {mb(base['saving_bytes'])}"
        out.append(line)
    if summary.get("layers") and summary["image"].get("layers_read"):
        out.append("")
        out.append(b("  layer       size      files    visible     hidden later  hides      created by"))
        for L in summary["layers"]:
            hl = sum(L["hidden_later"].values())
            hs = sum(L["hides"].values())
            cb = " ".join(L["created_by"].replace("/bin/sh -c #(nop) ", "").replace("/bin/sh -c ", "RUN ").split())
            out.append(f"  {L['index']:>5}  {mb(L['tar_bytes']):>9}  {mb(L['content_bytes']):>9}  "
                       f"{mb(L['visible_bytes']):>9}  {mb(hl):>11}  {mb(hs):>9}  {cb[:60]}")
    for key, title in (("hidden_dirs", "hidden directories"), ("hidden_files", "largest hidden files"),
                       ("largest_dirs", "largest directories"), ("largest_files", "largest files")):
        items = summary.get(key) or []
        if not items:
            continue
        out.append("")
        out.append(b(f"  {title}"))
        for it in items[:10]:
            extra = ""
            if "cause" in it:
                extra = f"  {it['cause']} in layer {it['hidden_by']}"
                if it.get("added_in") is not None and it["added_in"] >= 0:
                    extra = f"  added in layer {it['added_in']}," + extra[1:]
            elif "layer" in it:
                extra = f"  layer {it['layer']}"
            out.append(f"    {mb(it['bytes']):>9}  {it['path']}{extra}")
    if summary.get("anomalies"):
        out.append("")
        out.append(b("  archive anomalies"))
        for a in summary["anomalies"][:20]:
            out.append(f"    {a}")
    return "\n".join(out) + "\n"

"""The ``docker save`` format: ``manifest.json`` lists images by config and layer paths; the first
image is read."""

from __future__ import annotations

import re
from typing import Any

from slimguard.image.errors import CorruptError, LimitError
from slimguard.image.sources.base import ImageData, Meter
from slimguard.image.sources.bundles import Bundle
from slimguard.image.sources.feed import LayerFeed, bundle_layers
from slimguard.image.sources.manifests import check_config, load_json
from slimguard.image.sources.streamed import StreamedArchive
from slimguard.image.streams import Limits

_HEX = re.compile(r"([0-9a-f]{64})")


def _first_image(manifest: Any, what: str) -> tuple[dict, list[str]]:
    """-> (the first entry of manifest.json, notes)."""
    if not isinstance(manifest, list) or not manifest or not isinstance(manifest[0], dict):
        raise CorruptError(f"{what}: manifest.json is not a list of images")
    entry = manifest[0]
    if not isinstance(entry.get("Config"), str) or not isinstance(entry.get("Layers"), list):
        raise CorruptError(f"{what}: manifest.json has no Config or Layers")
    if not all(isinstance(x, str) for x in entry["Layers"]):
        raise CorruptError(f"{what}: manifest.json Layers must be paths")
    return entry, [f"manifest.json lists {len(manifest)} images; the first is audited"] if len(manifest) > 1 else []


def _config_digest(entry: dict) -> str | None:
    m = _HEX.search(entry["Config"])
    return f"sha256:{m.group(1)}" if m else None


def _repo_tags(entry: dict) -> list[str]:
    return [t for t in entry.get("RepoTags") or [] if isinstance(t, str)]


def from_bundle(bundle: Bundle, reference: str, limits: Limits, meter: Meter | None) -> ImageData:
    what = bundle.what
    feed = LayerFeed(limits, meter)
    entry, notes = _first_image(load_json(bundle.read("manifest.json", limits.max_json_bytes),
                                          f"{what}: manifest.json"), what)
    config = check_config(load_json(bundle.read(entry["Config"], limits.max_json_bytes), f"{what}: config"), what)
    names = list(entry["Layers"])
    if len(names) > limits.max_layers:
        raise LimitError(f"{what}: more than {limits.max_layers} layers")
    for n in names:
        if not bundle.exists(n):
            raise CorruptError(f"{what}: layer {n} named in manifest.json is missing")
    total = sum(bundle.size(n) for n in names)
    sources: dict = entry["LayerSources"] if isinstance(entry.get("LayerSources"), dict) else {}
    descs = []
    for n in names:
        dm = _HEX.search(n)
        d = sources.get(f"sha256:{dm.group(1)}") if dm else None
        descs.append({"path": n, "size": bundle.size(n),
                      "digest": (d or {}).get("digest") or (f"sha256:{dm.group(1)}" if dm and n.startswith("blobs/") else None)})
    if meter is not None:
        meter.total = total
    layers, close = bundle_layers(bundle, names, feed)
    return ImageData(reference, "docker-archive", config, _config_digest(entry), descs, _repo_tags(entry),
                     layers, total, notes=notes, close=close)


def from_streamed(arch: StreamedArchive, reference: str, source_kind: str, total: int | None) -> ImageData:
    entry, notes = _first_image(arch.get_json("manifest.json"), arch.what)
    config = check_config(arch.get_json(entry["Config"]), arch.what)
    names = list(entry["Layers"])
    layers = arch.get_layers(names)
    descs = [{"path": nm, "size": s.raw_bytes} for nm, s in zip(names, layers)]
    return ImageData(reference, source_kind, config, _config_digest(entry), descs, _repo_tags(entry), iter(layers),
                     total, notes=notes)

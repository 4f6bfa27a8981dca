"""The OCI image layout: ``index.json`` (maybe nested indexes) leads to one platform's manifest, which
names the config and layer blobs under ``blobs/sha256/``."""

from __future__ import annotations

import json
from typing import Any

from slimguard.image.errors import AuditError, CorruptError, LimitError
from slimguard.image.sources.base import ImageData, Meter
from slimguard.image.sources.bundles import Bundle
from slimguard.image.sources.feed import LayerFeed, bundle_layers
from slimguard.image.sources.manifests import (INDEX_TYPES, blob_path, check_config, choose_manifest, load_json,
                                               manifest_layers, platform_of)
from slimguard.image.sources.streamed import StreamedArchive
from slimguard.image.streams import Limits

NEITHER = "neither manifest.json (docker save) nor index.json (OCI layout) found"


def from_bundle(bundle: Bundle, reference: str, limits: Limits, meter: Meter | None, platform: str | None,
                ref_name: str | None) -> ImageData:
    """``ref_name``: the image of that ``org.opencontainers.image.ref.name`` in the top index."""
    what = bundle.what
    feed = LayerFeed(limits, meter)
    if not bundle.exists("index.json"):
        raise AuditError(f"{what}: {NEITHER}")
    if bundle.exists("oci-layout"):
        try:
            layout = json.loads(bundle.read("oci-layout", 1 << 16))
            if not str(layout.get("imageLayoutVersion", "")).startswith("1."):
                raise AuditError(f"{what}: unsupported OCI layout version {layout.get('imageLayoutVersion')!r}")
        except (ValueError, AttributeError):
            raise CorruptError(f"{what}: oci-layout is not valid JSON") from None
    doc: Any = load_json(bundle.read("index.json", limits.max_json_bytes), f"{what}: index.json")
    chosen_platform = None
    for depth in range(5):
        if not isinstance(doc, dict):
            raise CorruptError(f"{what}: index or manifest is not a JSON object")
        media = doc.get("mediaType")
        if "manifests" in doc and (media in INDEX_TYPES or media is None):
            desc = choose_manifest(doc, platform, what, ref_name if depth == 0 else None)
            chosen_platform = platform_of(desc) or chosen_platform
            doc = load_json(bundle.read(blob_path(desc.get("digest"), what), limits.max_json_bytes),
                            f"{what}: manifest")
            continue
        break
    else:
        raise LimitError(f"{what}: image indexes nested too deep")
    config_digest, descs = manifest_layers(doc, what)
    config = check_config(load_json(bundle.read(blob_path(config_digest, what), limits.max_json_bytes),
                                    f"{what}: config"), what)
    if len(descs) > limits.max_layers:
        raise LimitError(f"{what}: more than {limits.max_layers} layers")
    names = [blob_path(d.get("digest"), what) for d in descs]
    for i, (n, d) in enumerate(zip(names, descs)):
        if not bundle.exists(n):
            raise CorruptError(f"{what}: layer blob {n} is missing")
        want = d.get("size")
        if isinstance(want, int) and not isinstance(want, bool) and want >= 0 and bundle.size(n) != want:
            raise CorruptError(f"{what}: layer {i} ({n}): {bundle.size(n)} bytes where the manifest says "
                               f"{want} (truncated or replaced)")
    total = sum(bundle.size(n) for n in names)
    if meter is not None:
        meter.total = total
    layers, close = bundle_layers(bundle, names, feed)
    return ImageData(reference, "oci", config, config_digest, descs, [], layers, total,
                     platform=chosen_platform, close=close)


def from_streamed(arch: StreamedArchive, reference: str, source_kind: str, platform: str | None,
                  total: int | None) -> ImageData:
    what = arch.what
    doc = arch.get_json("index.json")
    chosen = None
    for _depth in range(5):
        if isinstance(doc, dict) and "manifests" in doc:
            desc = choose_manifest(doc, platform, what)
            chosen = platform_of(desc) or chosen
            doc = arch.get_json(blob_path(desc.get("digest"), what))
            continue
        break
    if not isinstance(doc, dict):
        raise CorruptError(f"{what}: manifest is not a JSON object")
    config_digest, descs = manifest_layers(doc, what)
    config = check_config(arch.get_json(blob_path(config_digest, what)), what)
    layers = arch.get_layers([blob_path(d.get("digest"), what) for d in descs])
    return ImageData(reference, source_kind, config, config_digest, descs, [], iter(layers), total, platform=chosen)

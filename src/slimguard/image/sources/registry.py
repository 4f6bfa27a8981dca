"""``registry:REF``: an image read through the distribution API v2 (:mod:`.distribution`), without
pulling into an engine.

By default only the manifest (and the index, for multi-platform images) and the config blob are
fetched: two or three small requests answer "who does it run as, what does it expose, what do its ENV
and history say". ``--deep`` then streams each layer blob through the same scanner as the other
sources, in order, without writing it anywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from slimguard.image.errors import AuditError, CorruptError, LimitError
from slimguard.image.layers import LayerScan
from slimguard.image.sources.base import ImageData, ImageSource, Meter, register
from slimguard.image.sources.feed import LayerFeed, Metered
from slimguard.image.sources.manifests import (DIGEST, DOCKER_LIST, DOCKER_MANIFEST, INDEX_TYPES, OCI_INDEX,
                                               OCI_MANIFEST, choose_manifest, manifest_layers, platform_of)
from slimguard.image.streams import Limits, ReaderSource

if TYPE_CHECKING:
    from slimguard.image.sources.distribution import RegistryClient

ACCEPT = ", ".join([OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST])


def open_registry(ref: str, *, limits: Limits, meter: Meter | None, platform: str | None, deep: bool) -> ImageData:
    from slimguard.image.sources.distribution import RegistryClient, parse_reference  # only when a registry is read

    host, repo, reference = parse_reference(ref)
    client = RegistryClient(host, repo, limits)
    doc, ctype = client.get_json(f"manifests/{reference}", ACCEPT)
    chosen = None
    for _ in range(5):
        media = (doc.get("mediaType") if isinstance(doc, dict) else None) or ctype.split(";")[0].strip()
        if isinstance(doc, dict) and ("manifests" in doc or media in INDEX_TYPES):
            desc = choose_manifest(doc, platform, f"registry:{ref}")
            chosen = platform_of(desc) or chosen
            digest = desc.get("digest")
            if not isinstance(digest, str) or not DIGEST.match(digest):
                raise CorruptError(f"registry:{ref}: bad manifest digest in the index")
            doc, ctype = client.get_json(f"manifests/{digest}", ACCEPT)
            continue
        break
    if not isinstance(doc, dict):
        raise CorruptError(f"registry:{ref}: manifest is not a JSON object")
    if doc.get("schemaVersion") == 1:
        raise AuditError(f"registry:{ref}: schema 1 manifests are not supported")
    config_digest, descs = manifest_layers(doc, f"registry:{ref}")
    if not isinstance(config_digest, str) or not DIGEST.match(config_digest):
        raise CorruptError(f"registry:{ref}: bad config digest")
    config, _ = client.get_json(f"blobs/{config_digest}")
    if not isinstance(config, dict):
        raise CorruptError(f"registry:{ref}: the image config is not a JSON object")
    if len(descs) > limits.max_layers:
        raise LimitError(f"registry:{ref}: more than {limits.max_layers} layers")
    for d in descs:
        if not isinstance(d.get("digest"), str) or not DIGEST.match(d["digest"]):
            raise CorruptError(f"registry:{ref}: bad layer digest")
    total = sum(int(d.get("size") or 0) for d in descs)
    if meter is not None:
        meter.total = total
    layers = None
    if deep:
        layers = _deep_layers(client, descs, limits, meter)
    data = ImageData(f"registry:{host}/{repo}:{reference}" if not reference.startswith("sha256:")
                     else f"registry:{host}/{repo}@{reference}", "registry", config, config_digest,
                     [{"digest": d["digest"], "mediaType": d.get("mediaType"), "size": d.get("size")} for d in descs],
                     [], layers, total, platform=chosen)
    data.notes.append(f"registry requests: {len(client.requests_made)}")
    data.registry_requests = client.requests_made  # type: ignore[attr-defined]
    return data


def _deep_layers(client: RegistryClient, descs: list, limits: Limits, meter: Meter | None) -> Iterator[LayerScan]:
    feed = LayerFeed(limits, meter)
    for i, d in enumerate(descs):
        if meter is not None:
            meter.label = f"layer {i + 1}/{len(descs)}"
        r = client.get(f"blobs/{d['digest']}", stream=True)
        try:
            src = Metered(ReaderSource(r.raw), meter)
            r.raw.decode_content = False
            yield feed.scan(src, f"layer {i} ({d['digest'][:19]})")
        finally:
            r.close()


@register
class RegistrySource(ImageSource):
    kind = "registry"
    prefixes = ("registry:",)

    def open(self) -> ImageData:
        o = self.options
        return open_registry(self.target, limits=o.limits, meter=o.meter, platform=o.platform, deep=o.deep)

"""An archive read forward-only (the engine's export, standard input, a compressed outer tar): members
are handled as they come; layer-like members are scanned in whatever order they arrive and kept as
metadata until the manifest, which may come last, gives their order."""

from __future__ import annotations

from typing import Any

from slimguard.image.errors import AuditError, CorruptError, LimitError
from slimguard.image.layers import LayerScan, normalize
from slimguard.image.sources.base import Meter
from slimguard.image.sources.bundles import archive_members, link_target
from slimguard.image.sources.feed import LayerFeed, Metered
from slimguard.image.sources.manifests import load_json
from slimguard.image.streams import Limits, Source, compression_of, decompressed
from slimguard.image.tarstream import TarReader


class MemberSource(Source):
    """A bounded view of the current member of an outer tar; keeps the outer reader in step."""

    def __init__(self, tar: TarReader, length: int) -> None:
        self.tar = tar
        self.length = length
        self.pos = 0

    def read(self, n: int) -> bytes:
        n = max(0, min(n, self.length - self.pos))
        data = self.tar.src.read(n) if n else b""
        if len(data) < n:
            raise CorruptError(f"{self.tar.what}: truncated")
        self.pos += len(data)
        self.tar._left -= len(data)
        return data

    def skip(self, n: int) -> int:
        n = max(0, min(n, self.length - self.pos))
        done = self.tar.src.skip(n) if n else 0
        if done < n:
            raise CorruptError(f"{self.tar.what}: truncated")
        self.pos += done
        self.tar._left -= done
        return done

    def peek(self, n: int) -> bytes:
        n = max(0, min(n, self.length - self.pos))
        return self.tar.src.peek(n) if n else b""


class StreamedArchive:
    """What a forward-only walk kept: small JSON members, layer scans, scan errors and links."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.jsons: dict[str, bytes] = {}
        self.scans: dict[str, LayerScan] = {}
        self.errors: dict[str, str] = {}  # members that did not scan as layers
        self.links: dict[str, str] = {}

    def resolve(self, name: str) -> str:
        norm, _ = normalize(name)
        for _ in range(16):
            if norm in self.scans or norm in self.jsons or norm in self.errors:
                return norm
            if norm in self.links:
                norm = self.links[norm]
                continue
            break
        return norm

    def get_json(self, name: str) -> Any:
        key = self.resolve(name)
        if key not in self.jsons:
            raise CorruptError(f"{self.what}: {name} is missing")
        return load_json(self.jsons[key], f"{self.what}: {name}")

    def get_layers(self, names: list[str]) -> list[LayerScan]:
        out = []
        for nm in names:
            key = self.resolve(nm)
            if key in self.errors:
                raise CorruptError(self.errors[key])
            if key not in self.scans:
                raise CorruptError(f"{self.what}: layer {nm} is missing")
            out.append(self.scans[key])
        return out


def walk(src: Source, what: str, limits: Limits, meter: Meter | None) -> StreamedArchive:
    """Read a whole (maybe compressed) outer tar from ``src``, scanning layer-like members on the way."""
    feed = LayerFeed(limits, meter)
    if meter is not None:
        src = Metered(src, meter)
    head = src.peek(6)
    if compression_of(head) != "none":
        src, _ = decompressed(src, limits, what)
    arch = StreamedArchive(what)
    json_total = 0
    tar = TarReader(src, what, limits.max_header_bytes)
    for name, e in archive_members(tar, limits, what):
        if e.type in ("1", "2"):
            target = link_target(name, e)
            if target is not None:
                arch.links[name] = target
            continue
        if not e.isreg:
            continue
        member = MemberSource(tar, e.size)
        first = member.peek(1)
        small_json = name.endswith(".json") or name in ("index.json", "oci-layout", "repositories")
        if small_json or (name.startswith("blobs/") and first in (b"{", b"[")):
            if e.size > limits.max_json_bytes:
                raise LimitError(f"{what}: {name} is larger than {limits.max_json_bytes} bytes")
            json_total += e.size
            if json_total > 4 * limits.max_json_bytes:
                raise LimitError(f"{what}: too much JSON metadata")
            arch.jsons[name] = member.read(e.size)
            continue
        if name.endswith((".tar", ".tar.gz", ".tgz", "/layer")) or name.startswith("blobs/"):
            if len(arch.scans) >= limits.max_layers:
                raise LimitError(f"{what}: more than {limits.max_layers} layers")
            if meter is not None:
                meter.label = f"layer {len(arch.scans) + 1}"
            try:
                arch.scans[name] = feed.scan(member, f"{what}: {name}")
            except LimitError:
                raise
            except AuditError as exc:  # maybe not a layer at all; decide once the manifest is known
                arch.errors[name] = str(exc)
                member.skip(e.size)
    tar.drain()
    return arch

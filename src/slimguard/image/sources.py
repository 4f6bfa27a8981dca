"""Where images come from: the local engine, ``docker save`` archives, OCI layouts (and registries,
in :mod:`.registry`).

Every source yields an :class:`ImageData`: the image config, the layer descriptors and an iterator of
:class:`~slimguard.image.layers.LayerScan` in manifest order (base first). Archives are read in one
of two ways:

* **random access** (a directory, or a tar file on disk): the outer tar is indexed by walking its
  headers (seeking over data), the manifest is read first, and only the selected image's layers are
  scanned, in order;
* **stream** (the engine's export, standard input, a compressed outer tar): members are handled as they
  come; layer-like members are scanned in whatever order they arrive and kept as metadata until the
  manifest, which may come last, gives their order.

Nothing is written to disk. Names taken from manifests are checked: a digest must be
``sha256:<64 hex>``, a path may not leave the archive.
"""

from __future__ import annotations

import dataclasses
import json
import marshal
import os
import platform as _platform
import re
import stat
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from slimguard.image.errors import AuditError, CorruptError, LimitError
from slimguard.image.layers import CaptureBudget, LayerScan, normalize, scan_layer
from slimguard.image.streams import (ChunkSource, FileRange, Limits, ReaderSource, Source, compression_of, decompressed)
from slimguard.image.tarstream import TarReader

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


# ------------------------------------------------------------------------------ the result


@dataclass
class ImageData:
    reference: str
    source: str  # engine, docker-archive, oci, registry
    config: dict
    config_digest: str | None = None
    descriptors: list = field(default_factory=list)  # layer descriptors: mediaType, digest, size
    repo_tags: list = field(default_factory=list)
    layers: Iterator[LayerScan] | None = None  # None: config only (registry without --deep)
    total_bytes: int | None = None  # for the progress bar
    engine_id: str | None = None
    diff_ids: list = field(default_factory=list)
    platform: str | None = None
    notes: list = field(default_factory=list)
    close: Callable[[], None] | None = None


class Meter:
    """Counts bytes read from sources, for the progress bar."""

    def __init__(self, total: int | None = None, callback: Callable[[int, int | None, str], None] | None = None):
        self.total = total
        self.done = 0
        self.label = ""
        self.callback = callback

    def add(self, n: int) -> None:
        self.done += n
        if self.callback is not None:
            self.callback(self.done, self.total, self.label)


class Metered(Source):
    def __init__(self, src: Source, meter: Meter | None) -> None:
        self.src = src
        self.meter = meter

    @property
    def pos(self) -> int:  # type: ignore[override]
        return self.src.pos

    @property
    def raw_pos(self) -> int:
        return self.src.raw_pos

    def read(self, n: int) -> bytes:
        data = self.src.read(n)
        if self.meter is not None:
            self.meter.add(len(data))
        return data

    def skip(self, n: int) -> int:
        done = self.src.skip(n)
        if self.meter is not None:
            self.meter.add(done)
        return done

    def peek(self, n: int) -> bytes:
        return self.src.peek(n)


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


# ------------------------------------------------------------------------------ helpers


def _load_json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CorruptError(f"{what}: not valid JSON ({exc})") from None


def _blob_path(digest: Any, what: str) -> str:
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        raise CorruptError(f"{what}: unsupported or malformed digest {str(digest)[:80]!r}")
    return "blobs/sha256/" + digest[7:]


def host_platform() -> str:
    machine = _platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm",
            "i686": "386", "i386": "386", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}.get(machine, machine)
    return f"linux/{arch}"


def _platform_of(desc: dict) -> str | None:
    p = desc.get("platform")
    if not isinstance(p, dict):
        return None
    s = f"{p.get('os', '')}/{p.get('architecture', '')}"
    if p.get("variant"):
        s += "/" + str(p["variant"])
    return s


def _platform_matches(want: str, have: str | None) -> bool:
    if have is None:
        return False
    w, h = want.split("/"), have.split("/")
    if w[:2] != h[:2]:
        return False
    return len(w) < 3 or (len(h) >= 3 and w[2] == h[2]) or (len(h) < 3 and w[2] in ("v8", "v7"))


def choose_manifest(index: dict, platform: str | None, what: str, ref_name: str | None = None) -> dict:
    """Pick one descriptor from an image index."""
    manifests = index.get("manifests")
    if not isinstance(manifests, list) or not manifests:
        raise CorruptError(f"{what}: image index without manifests")
    cands = [m for m in manifests if isinstance(m, dict)]
    if ref_name is not None:
        named = [m for m in cands if (m.get("annotations") or {}).get("org.opencontainers.image.ref.name") == ref_name]
        if not named:
            raise AuditError(f"{what}: no image named {ref_name!r} in the index")
        cands = named
    # attestation manifests (buildx) are not images
    cands = [m for m in cands if (m.get("annotations") or {}).get("vnd.docker.reference.type") != "attestation-manifest"
             and _platform_of(m) != "unknown/unknown"] or cands
    if len(cands) == 1 and (platform is None or _platform_of(cands[0]) is None):
        return cands[0]  # the only image, or a nested index whose entries carry the platforms
    want = platform or host_platform()
    matching = [m for m in cands if _platform_matches(want, _platform_of(m))]
    if matching:
        return matching[0]
    if platform is None and all(_platform_of(m) is None for m in cands):
        return cands[0]
    have = ", ".join(sorted({_platform_of(m) or "?" for m in cands}))
    raise AuditError(f"{what}: no manifest for platform {want} (the index has: {have}); use --platform")


def _manifest_layers(manifest: dict, what: str) -> tuple[str, list[dict]]:
    config = manifest.get("config")
    layers = manifest.get("layers")
    if not isinstance(config, dict) or not isinstance(layers, list):
        raise CorruptError(f"{what}: not an image manifest (no config or layers)")
    return config.get("digest"), [d for d in layers if isinstance(d, dict)]


def _check_config(config: Any, what: str) -> dict:
    if not isinstance(config, dict):
        raise CorruptError(f"{what}: the image config is not a JSON object")
    return config


# ------------------------------------------------------------------------------ random access bundles


class Bundle:
    """Random access to the files of an archive (directory or tar file)."""

    what = "archive"

    def exists(self, name: str) -> bool:
        raise NotImplementedError

    def open(self, name: str) -> Source:
        raise NotImplementedError

    def size(self, name: str) -> int:
        raise NotImplementedError

    def read(self, name: str, limit: int) -> bytes:
        if not self.exists(name):
            raise CorruptError(f"{self.what}: {name} is missing")
        if self.size(name) > limit:
            raise LimitError(f"{self.what}: {name} is larger than {limit} bytes")
        return self.open(name).read(limit)

    def close(self) -> None:
        pass


class DirBundle(Bundle):
    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)
        self.what = root
        self._fds: list[int] = []

    def _path(self, name: str) -> str | None:
        norm, escaped = normalize(name)
        if escaped or not norm:
            raise CorruptError(f"{self.what}: {name!r} points outside the archive")
        p = os.path.realpath(os.path.join(self.root, norm))
        if not (p == self.root or p.startswith(self.root + os.sep)):
            raise CorruptError(f"{self.what}: {name!r} resolves outside the archive")
        return p

    def exists(self, name: str) -> bool:
        p = self._path(name)
        return p is not None and os.path.isfile(p)

    def size(self, name: str) -> int:
        return os.path.getsize(self._path(name))  # type: ignore[arg-type]

    def open(self, name: str) -> Source:
        p = self._path(name)
        try:
            fd = os.open(p, os.O_RDONLY)  # type: ignore[arg-type]
        except OSError as exc:
            raise AuditError(f"{self.what}: {name}: {exc.strerror}") from None
        self._fds.append(fd)
        return FileRange(fd, 0, os.fstat(fd).st_size)

    def close(self) -> None:
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds.clear()


class TarBundle(Bundle):
    """An uncompressed tar file on disk, indexed once by walking its headers."""

    def __init__(self, path: str, limits: Limits) -> None:
        self.what = path
        try:
            self.fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            raise AuditError(f"{path}: {exc.strerror}") from None
        self.file_size = os.fstat(self.fd).st_size
        self.members: dict[str, tuple[int, int]] = {}  # name -> (offset, size)
        self.links: dict[str, str] = {}
        src = FileRange(self.fd, 0, self.file_size)
        tar = TarReader(src, path, limits.max_header_bytes)
        n = 0
        for e in tar:
            n += 1
            if n > limits.max_members:
                raise LimitError(f"{path}: more than {limits.max_members} members")
            name, escaped = normalize(e.name)
            if escaped or not name:
                continue
            if e.isreg:
                self.members[name] = (src.pos, e.size)
            elif e.type in ("1", "2"):
                base = name.rsplit("/", 1)[0] if "/" in name else ""
                target = e.linkname if e.type == "1" else ((base + "/" if base else "") + e.linkname)
                t, esc = normalize(target)
                if not esc and t:
                    self.links[name] = t

    def _resolve(self, name: str) -> str:
        norm, escaped = normalize(name)
        if escaped:
            raise CorruptError(f"{self.what}: {name!r} points outside the archive")
        for _ in range(16):
            if norm in self.members:
                return norm
            if norm in self.links:
                norm = self.links[norm]
                continue
            break
        return norm

    def exists(self, name: str) -> bool:
        return self._resolve(name) in self.members

    def size(self, name: str) -> int:
        return self.members[self._resolve(name)][1]

    def open(self, name: str) -> Source:
        key = self._resolve(name)
        if key not in self.members:
            raise CorruptError(f"{self.what}: {name} is missing")
        off, size = self.members[key]
        if off + size > self.file_size:
            raise CorruptError(f"{self.what}: {name} is truncated")
        return FileRange(self.fd, off, size)

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


# ------------------------------------------------------------------------------ layer iteration


class LayerFeed:
    """Scans layers one after another with shared limits and capture budget."""

    def __init__(self, limits: Limits, meter: Meter | None = None) -> None:
        self.limits = limits
        self.meter = meter
        self.budget = CaptureBudget(limits.max_capture_bytes)
        self.entries = [0]

    def scan(self, raw: Source, what: str) -> LayerScan:
        src, kind = decompressed(raw, self.limits, what)
        scan = scan_layer(src, what, self.limits, self.budget, self.entries)
        scan.compression = kind
        return scan


def _worker_wanted(feed: LayerFeed, names: list[str]) -> bool:
    """Scan in a forked worker process? Only where it is safe and pays: fork exists, two CPUs, no other
    thread in this process, nobody watching fine-grained progress, and not turned off with
    ``SLIMGUARD_AUDIT_WORKERS=0``."""
    env = os.environ.get("SLIMGUARD_AUDIT_WORKERS", "")
    if env.strip() == "0" or not names or not hasattr(os, "fork"):
        return False
    if feed.meter is not None and feed.meter.callback is not None:
        return False
    if env.strip() != "1" and (os.cpu_count() or 1) < 2:
        return False
    import threading

    return threading.active_count() == 1


_SCAN_FIELDS = tuple(f.name for f in dataclasses.fields(LayerScan))


class _ForkedLayers:
    """The layers scanned one after another by a forked child, sent back pickled through a pipe.

    The child starts at once (while this process still imports and reads the config) and reads the same
    files (``pread`` on shared descriptors, no shared offsets), with the same limits, capture budget and
    entry count, in the same order, so the scans are exactly the sequential ones; meanwhile this process
    applies the previous layers (overlay, dive). At most one scanned layer waits in the pipe, so memory
    stays bounded by about two layers' metadata. Errors are raised here as the sequential scan raises
    them, at the same layer. :meth:`close` (also called by ``ImageData.close``) stops and reaps the
    child."""

    def __init__(self, bundle: Bundle, names: list[str], feed: LayerFeed) -> None:
        import pickle

        self._pickle = pickle
        self.names = names
        self.feed = feed
        self.left = len(names)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child (coverage does not follow forks)
            code = 0
            try:
                os.close(r)
                with os.fdopen(w, "wb", buffering=1 << 20) as out:
                    try:
                        for i, name in enumerate(names):
                            scan = _scan_one(bundle, name, i, feed)
                            # marshal: plain tuples, lists, str, int and bytes, about twice as fast as pickle
                            data = marshal.dumps(tuple(getattr(scan, f) for f in _SCAN_FIELDS))
                            out.write(b"L" + len(data).to_bytes(8, "little"))
                            out.write(data)
                            out.flush()
                        out.write(b"D")
                    except BrokenPipeError:
                        code = 1
                    except BaseException as exc:  # noqa: BLE001 - every failure goes to the parent
                        try:
                            msg = pickle.dumps(exc)
                            pickle.loads(msg)
                        except Exception:  # noqa: BLE001 - an exception that does not pickle
                            msg = pickle.dumps(AuditError(f"{type(exc).__name__}: {exc}"))
                        out.write(b"E" + len(msg).to_bytes(8, "little") + msg)
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        os.close(w)
        self.pid = pid
        self.inp = os.fdopen(r, "rb", buffering=1 << 20)

    def __iter__(self) -> _ForkedLayers:
        return self

    def __next__(self) -> LayerScan:
        if self.pid is None:
            raise StopIteration
        try:
            kind = self.inp.read(1)
            if kind in (b"L", b"E"):
                n = int.from_bytes(self._read(8), "little")
                data = self._read(n)
        except BaseException:
            self.close()
            raise
        if kind == b"L":
            self.left -= 1
            value = LayerScan(*marshal.loads(data))
            if self.feed.meter is not None:
                self.feed.meter.add(value.raw_bytes)
            return value
        self.close()
        if kind == b"E":
            raise self._pickle.loads(data)
        if kind != b"D":
            raise AuditError("the layer scanning process ended unexpectedly")
        raise StopIteration

    def _read(self, n: int) -> bytes:
        data = self.inp.read(n)
        if len(data) < n:
            raise AuditError("the layer scanning process ended unexpectedly")
        return data

    def close(self) -> None:
        pid, self.pid = self.pid, None
        if pid is None:
            return
        import signal

        self.inp.close()
        try:
            os.kill(pid, signal.SIGKILL)  # our own child, by its id; a no-op once it has exited
        except OSError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass

    def __del__(self) -> None:  # pragma: no cover - safety net
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass


def _scan_one(bundle: Bundle, name: str, i: int, feed: LayerFeed) -> LayerScan:
    raw = bundle.open(name)
    scan = feed.scan(raw, f"layer {i} ({name})")
    raw.close()
    return scan


def _layers_of(bundle: Bundle, names: list[str], feed: LayerFeed) -> tuple[Iterator[LayerScan], Callable[[], None]]:
    """-> (the layers in order, a close function for ImageData.close)."""
    if _worker_wanted(feed, names):
        forked = _ForkedLayers(bundle, names, feed)

        def close() -> None:
            forked.close()
            bundle.close()

        return forked, close
    return _bundle_layers(bundle, names, feed), bundle.close


def _bundle_layers(bundle: Bundle, names: list[str], feed: LayerFeed) -> Iterator[LayerScan]:
    for i, name in enumerate(names):
        if feed.meter is not None:
            feed.meter.label = f"layer {i + 1}/{len(names)}"
        raw = bundle.open(name)
        meter = feed.meter
        if meter is not None and meter.callback is not None:
            yield feed.scan(Metered(raw, meter), f"layer {i} ({name})")
            continue
        # nobody watches the progress: the bare file range (the tar reader then takes headers straight
        # with pread and seeks over file data) and the meter counts the layer once it is read
        scan = feed.scan(raw, f"layer {i} ({name})")
        if meter is not None:
            meter.add(raw.pos)
        yield scan


def _resolve_docker_manifest(manifest: Any, what: str) -> tuple[dict, int]:
    if not isinstance(manifest, list) or not manifest or not isinstance(manifest[0], dict):
        raise CorruptError(f"{what}: manifest.json is not a list of images")
    entry = manifest[0]
    if not isinstance(entry.get("Config"), str) or not isinstance(entry.get("Layers"), list):
        raise CorruptError(f"{what}: manifest.json has no Config or Layers")
    if not all(isinstance(x, str) for x in entry["Layers"]):
        raise CorruptError(f"{what}: manifest.json Layers must be paths")
    return entry, len(manifest)


def from_bundle(bundle: Bundle, kind: str, reference: str, limits: Limits, meter: Meter | None,
                platform: str | None = None, ref_name: str | None = None) -> ImageData:
    what = bundle.what
    feed = LayerFeed(limits, meter)
    if kind == "docker-archive" or (kind == "auto" and bundle.exists("manifest.json")):
        entry, count = _resolve_docker_manifest(_load_json(bundle.read("manifest.json", limits.max_json_bytes),
                                                           f"{what}: manifest.json"), what)
        config = _check_config(_load_json(bundle.read(entry["Config"], limits.max_json_bytes), f"{what}: config"), what)
        names = list(entry["Layers"])
        if len(names) > limits.max_layers:
            raise LimitError(f"{what}: more than {limits.max_layers} layers")
        for n in names:
            if not bundle.exists(n):
                raise CorruptError(f"{what}: layer {n} named in manifest.json is missing")
        total = sum(bundle.size(n) for n in names)
        digest = entry["Config"]
        m = re.search(r"([0-9a-f]{64})", digest)
        sources = entry.get("LayerSources") if isinstance(entry.get("LayerSources"), dict) else {}
        descs = []
        for n in names:
            dm = re.search(r"([0-9a-f]{64})", n)
            d = sources.get(f"sha256:{dm.group(1)}") if dm else None
            descs.append({"path": n, "size": bundle.size(n),
                          "digest": (d or {}).get("digest") or (f"sha256:{dm.group(1)}" if dm and n.startswith("blobs/") else None)})
        notes = [f"manifest.json lists {count} images; the first is audited"] if count > 1 else []
        if meter is not None:
            meter.total = total
        layers, close = _layers_of(bundle, names, feed)
        return ImageData(reference, "docker-archive", config, f"sha256:{m.group(1)}" if m else None, descs,
                         [t for t in entry.get("RepoTags") or [] if isinstance(t, str)],
                         layers, total, notes=notes, close=close)
    if not bundle.exists("index.json"):
        raise AuditError(f"{what}: neither manifest.json (docker save) nor index.json (OCI layout) found")
    if bundle.exists("oci-layout"):
        try:
            layout = json.loads(bundle.read("oci-layout", 1 << 16))
            if not str(layout.get("imageLayoutVersion", "")).startswith("1."):
                raise AuditError(f"{what}: unsupported OCI layout version {layout.get('imageLayoutVersion')!r}")
        except (ValueError, AttributeError):
            raise CorruptError(f"{what}: oci-layout is not valid JSON") from None
    doc: Any = _load_json(bundle.read("index.json", limits.max_json_bytes), f"{what}: index.json")
    chosen_platform = None
    for depth in range(5):
        if not isinstance(doc, dict):
            raise CorruptError(f"{what}: index or manifest is not a JSON object")
        media = doc.get("mediaType")
        if "manifests" in doc and (media in INDEX_TYPES or media is None):
            desc = choose_manifest(doc, platform, what, ref_name if depth == 0 else None)
            chosen_platform = _platform_of(desc) or chosen_platform
            doc = _load_json(bundle.read(_blob_path(desc.get("digest"), what), limits.max_json_bytes),
                             f"{what}: manifest")
            continue
        break
    else:
        raise LimitError(f"{what}: image indexes nested too deep")
    config_digest, descs = _manifest_layers(doc, what)
    config = _check_config(_load_json(bundle.read(_blob_path(config_digest, what), limits.max_json_bytes),
                                      f"{what}: config"), what)
    if len(descs) > limits.max_layers:
        raise LimitError(f"{what}: more than {limits.max_layers} layers")
    names = [_blob_path(d.get("digest"), what) for d in descs]
    for n in names:
        if not bundle.exists(n):
            raise CorruptError(f"{what}: layer blob {n} is missing")
    total = sum(bundle.size(n) for n in names)
    if meter is not None:
        meter.total = total
    tags = []
    layers, close = _layers_of(bundle, names, feed)
    return ImageData(reference, "oci", config, config_digest, descs, tags, layers, total,
                     platform=chosen_platform, close=close)


# ------------------------------------------------------------------------------ streams


def from_stream(src: Source, reference: str, source_kind: str, limits: Limits, meter: Meter | None,
                platform: str | None = None, total: int | None = None) -> ImageData:
    """Read a whole docker-save or OCI tar from a forward-only stream."""
    what = reference
    feed = LayerFeed(limits, meter)
    if meter is not None:
        src = Metered(src, meter)
    head = src.peek(6)
    if compression_of(head) != "none":
        src, _ = decompressed(src, limits, what)
    tar = TarReader(src, what, limits.max_header_bytes)
    jsons: dict[str, bytes] = {}
    scans: dict[str, LayerScan] = {}
    errors: dict[str, str] = {}
    links: dict[str, str] = {}
    json_total = 0
    n = 0
    for e in tar:
        n += 1
        if n > limits.max_members:
            raise LimitError(f"{what}: more than {limits.max_members} members")
        name, escaped = normalize(e.name)
        if escaped or not name:
            continue
        if e.type in ("1", "2"):
            base = name.rsplit("/", 1)[0] if "/" in name else ""
            target = e.linkname if e.type == "1" else ((base + "/" if base else "") + e.linkname)
            t, esc = normalize(target)
            if not esc and t:
                links[name] = t
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
            jsons[name] = member.read(e.size)
            continue
        if name.endswith((".tar", ".tar.gz", ".tgz", "/layer")) or name.startswith("blobs/"):
            if len(scans) >= limits.max_layers:
                raise LimitError(f"{what}: more than {limits.max_layers} layers")
            if meter is not None:
                meter.label = f"layer {len(scans) + 1}"
            try:
                scans[name] = feed.scan(member, f"{what}: {name}")
            except LimitError:
                raise
            except AuditError as exc:  # maybe not a layer at all; decide once the manifest is known
                errors[name] = str(exc)
                member.skip(e.size)
    tar.drain()

    def resolve(name: str) -> str:
        norm, _ = normalize(name)
        for _ in range(16):
            if norm in scans or norm in jsons or norm in errors:
                return norm
            if norm in links:
                norm = links[norm]
                continue
            break
        return norm

    def get_json(name: str) -> Any:
        key = resolve(name)
        if key not in jsons:
            raise CorruptError(f"{what}: {name} is missing")
        return _load_json(jsons[key], f"{what}: {name}")

    def get_layers(names: list[str]) -> list[LayerScan]:
        out = []
        for nm in names:
            key = resolve(nm)
            if key in errors:
                raise CorruptError(errors[key])
            if key not in scans:
                raise CorruptError(f"{what}: layer {nm} is missing")
            out.append(scans[key])
        return out

    if "manifest.json" in jsons and source_kind != "oci":
        entry, count = _resolve_docker_manifest(get_json("manifest.json"), what)
        config = _check_config(get_json(entry["Config"]), what)
        names = list(entry["Layers"])
        layers = get_layers(names)
        m = re.search(r"([0-9a-f]{64})", entry["Config"])
        descs = [{"path": nm, "size": s.raw_bytes} for nm, s in zip(names, layers)]
        return ImageData(reference, source_kind, config, f"sha256:{m.group(1)}" if m else None, descs,
                         [t for t in entry.get("RepoTags") or [] if isinstance(t, str)], iter(layers), total,
                         notes=[f"manifest.json lists {count} images; the first is audited"] if count > 1 else [])
    if "index.json" in jsons:
        doc = get_json("index.json")
        chosen = None
        for _depth in range(5):
            if isinstance(doc, dict) and "manifests" in doc:
                desc = choose_manifest(doc, platform, what)
                chosen = _platform_of(desc) or chosen
                doc = get_json(_blob_path(desc.get("digest"), what))
                continue
            break
        if not isinstance(doc, dict):
            raise CorruptError(f"{what}: manifest is not a JSON object")
        config_digest, descs = _manifest_layers(doc, what)
        config = _check_config(get_json(_blob_path(config_digest, what)), what)
        layers = get_layers([_blob_path(d.get("digest"), what) for d in descs])
        return ImageData(reference, "oci" if source_kind == "oci" else source_kind, config, config_digest, descs, [],
                         iter(layers), total, platform=chosen)
    raise AuditError(f"{what}: neither manifest.json (docker save) nor index.json (OCI layout) found")


# ------------------------------------------------------------------------------ opening by spec


def open_archive(path: str, kind: str, limits: Limits, meter: Meter | None, platform: str | None) -> ImageData:
    """``docker-archive:PATH``, ``oci:PATH`` or a path given without prefix (kind "auto")."""
    ref_name = None
    if path == "-":
        return from_stream(ReaderSource(sys.stdin.buffer), "-", kind if kind != "auto" else "docker-archive",
                           limits, meter, platform)
    if not os.path.exists(path) and ":" in path:
        base, _, ref = path.rpartition(":")
        if os.path.exists(base):
            path, ref_name = base, ref
    if not os.path.exists(path):
        raise AuditError(f"{path}: no such file or directory")
    if os.path.isdir(path):
        bundle: Bundle = DirBundle(path)
        return from_bundle(bundle, kind, path, limits, meter, platform, ref_name)
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        fh = open(path, "rb")
        return from_stream(ReaderSource(fh), path, kind if kind != "auto" else "docker-archive", limits, meter,
                           platform)
    with open(path, "rb") as fh:
        head = fh.read(512)
    if compression_of(head) != "none":
        fh2 = open(path, "rb")
        return from_stream(ReaderSource(fh2), path, kind if kind != "auto" else "docker-archive", limits, meter,
                           platform, total=st.st_size)
    bundle = TarBundle(path, limits)
    try:
        return from_bundle(bundle, kind, path, limits, meter, platform, ref_name)
    except BaseException:
        bundle.close()
        raise


def docker_client() -> Any:
    try:
        import docker
    except ImportError:  # pragma: no cover
        raise AuditError("the docker Python package is needed to read images from the engine") from None
    try:
        client = docker.from_env(timeout=600)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure: no engine
        raise AuditError(f"no Docker engine answers ({type(exc).__name__}); give docker-archive:PATH or oci:PATH") from None
    return client


def engine_image(client: Any, name: str) -> Any | None:
    import docker.errors

    try:
        return client.images.get(name)
    except docker.errors.ImageNotFound:
        return None
    except docker.errors.APIError as exc:
        if getattr(exc, "status_code", None) in (400, 404):
            return None
        raise AuditError(f"engine: {exc}") from None


def open_engine(client: Any, image: Any, reference: str, limits: Limits, meter: Meter | None) -> ImageData:
    attrs = image.attrs or {}
    total = attrs.get("Size")
    if meter is not None:
        meter.total = total
    try:
        stream = image.save(chunk_size=1 << 20, named=False)
    except Exception as exc:  # noqa: BLE001
        raise AuditError(f"engine: cannot export {reference}: {exc}") from None
    src = ChunkSource(stream, on_close=getattr(stream, "close", None))
    data = from_stream(src, reference, "engine", limits, meter, total=total)
    data.source = "engine"
    data.engine_id = image.id
    data.repo_tags = list(image.tags or [])
    data.diff_ids = list((attrs.get("RootFS") or {}).get("Layers") or [])
    return data

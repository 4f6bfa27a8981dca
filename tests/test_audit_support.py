"""Builders for image archives used by the audit tests (no tests here).

Layers are described as lists of entries and written with Python's tarfile (or by hand for hostile
headers); images are packed as legacy or current ``docker save`` tars, or OCI layouts (directory or tar)
with gzip, zstd or no compression.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass, field

try:
    import zstandard
except ImportError:  # pragma: no cover
    zstandard = None


@dataclass
class E:
    """One tar entry. kind: file, dir, symlink, hardlink, char, fifo."""

    name: str
    kind: str = "file"
    data: bytes = b""
    size: int | None = None  # a file of this many zero bytes when data is empty
    mode: int | None = None
    uid: int = 0
    gid: int = 0
    link: str = ""


def layer_tar(entries: list[E], fmt: int = tarfile.GNU_FORMAT) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for e in entries:
            info = tarfile.TarInfo(e.name)
            info.uid, info.gid = e.uid, e.gid
            info.mtime = 0
            if e.kind == "file":
                data = e.data if e.data or e.size is None else b"\0" * e.size
                info.size = len(data)
                info.mode = 0o644 if e.mode is None else e.mode
                tar.addfile(info, io.BytesIO(data))
                continue
            info.mode = (0o755 if e.kind == "dir" else 0o777 if e.kind == "symlink" else 0o644) if e.mode is None else e.mode
            info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
                         "char": tarfile.CHRTYPE, "block": tarfile.BLKTYPE, "fifo": tarfile.FIFOTYPE}[e.kind]
            info.linkname = e.link
            tar.addfile(info)
    return buf.getvalue()


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def make_config(layers: list[bytes], user: str = "", env: list[str] | None = None, ports: list[str] | None = None,
                history: list[str] | None = None, extra: dict | None = None) -> dict:
    cfg: dict = {"Env": env or ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}
    if user:
        cfg["User"] = user
    if ports:
        cfg["ExposedPorts"] = {p: {} for p in ports}
    hist = [{"created_by": h} for h in (history or [f"layer {i}" for i in range(len(layers))])]
    doc = {"architecture": "amd64", "os": "linux", "config": cfg,
           "rootfs": {"type": "layers", "diff_ids": [sha(t) for t in layers]}, "history": hist}
    if extra:
        doc.update(extra)
    return doc


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def docker_archive(path: str, layers: list[bytes], config: dict | None = None, legacy: bool = True,
                   reverse: bool = False, tags: list[str] | None = None) -> dict:
    """Write a ``docker save`` tar. legacy: <id>/layer.tar; else blobs/sha256/<diffid> + index.json."""
    config = config or make_config(layers)
    cfg_bytes = json.dumps(config).encode()
    cfg_hex = hashlib.sha256(cfg_bytes).hexdigest()
    members: list[tuple[str, bytes]] = []
    layer_paths = []
    for i, t in enumerate(layers):
        h = hashlib.sha256(t + str(i).encode()).hexdigest() if legacy else hashlib.sha256(t).hexdigest()
        p = f"{h}/layer.tar" if legacy else f"blobs/sha256/{h}"
        if p not in layer_paths:
            members.append((p, t))
        layer_paths.append(p)
    cfg_path = f"{cfg_hex}.json" if legacy else f"blobs/sha256/{cfg_hex}"
    members.append((cfg_path, cfg_bytes))
    manifest = [{"Config": cfg_path, "RepoTags": tags or ["test/image:latest"], "Layers": layer_paths}]
    if reverse:
        members.reverse()
    with tarfile.open(path, "w") as tar:
        for name, data in members:
            _add(tar, name, data)
        if not legacy:
            _add(tar, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        _add(tar, "manifest.json", json.dumps(manifest).encode())
    return config


def compress(data: bytes, how: str) -> tuple[bytes, str]:
    if how == "gzip":
        return gzip.compress(data, compresslevel=1, mtime=0), "application/vnd.oci.image.layer.v1.tar+gzip"
    if how == "zstd":
        assert zstandard is not None
        return zstandard.ZstdCompressor(level=1).compress(data), "application/vnd.oci.image.layer.v1.tar+zstd"
    return data, "application/vnd.oci.image.layer.v1.tar"


@dataclass
class OciImage:
    layers: list  # uncompressed tars
    config: dict | None = None
    compression: str | list = "gzip"
    platform: dict | None = None
    blobs: dict = field(default_factory=dict)


def _oci_blobs(img: OciImage) -> tuple[dict, dict]:
    """-> (blobs digest->bytes, manifest descriptor)."""
    config = img.config or make_config(img.layers)
    blobs = {}
    descs = []
    for i, t in enumerate(img.layers):
        how = img.compression[i] if isinstance(img.compression, list) else img.compression
        data, media = compress(t, how)
        d = sha(data)
        blobs[d] = data
        descs.append({"mediaType": media, "digest": d, "size": len(data)})
    cfg = json.dumps(config).encode()
    blobs[sha(cfg)] = cfg
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(cfg),
                           "size": len(cfg)}, "layers": descs}
    mb = json.dumps(manifest).encode()
    blobs[sha(mb)] = mb
    desc = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(mb), "size": len(mb)}
    if img.platform:
        desc["platform"] = img.platform
    return blobs, desc


def oci_layout(path: str, images: list[OciImage] | OciImage, as_tar: bool = False, nested: bool = False,
               annotations: list[dict] | None = None) -> None:
    images = images if isinstance(images, list) else [images]
    blobs: dict = {}
    descs = []
    for k, img in enumerate(images):
        b, d = _oci_blobs(img)
        blobs.update(b)
        if annotations and k < len(annotations):
            d["annotations"] = annotations[k]
        descs.append(d)
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": descs}
    if nested:
        inner = json.dumps(index).encode()
        blobs[sha(inner)] = inner
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": sha(inner),
                                "size": len(inner)}]}
    files = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}', "index.json": json.dumps(index).encode()}
    for d, data in blobs.items():
        files["blobs/sha256/" + d[7:]] = data
    if as_tar:
        with tarfile.open(path, "w") as tar:
            for name, data in files.items():
                _add(tar, name, data)
    else:
        for name, data in files.items():
            p = os.path.join(path, name)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as fh:
                fh.write(data)


def raw_header(name: bytes, size: int = 0, typeflag: bytes = b"0", linkname: bytes = b"", mode: int = 0o644,
               size_field: bytes | None = None, bad_checksum: bool = False) -> bytes:
    """A hand-made ustar header (for names and sizes tarfile will not write)."""
    h = bytearray(512)
    h[0:len(name[:100])] = name[:100]
    h[100:108] = b"%07o\0" % mode
    h[108:116] = b"%07o\0" % 0
    h[116:124] = b"%07o\0" % 0
    h[124:136] = size_field if size_field is not None else (b"%011o\0" % size)
    h[136:148] = b"%011o\0" % 0
    h[156:157] = typeflag
    h[157:157 + len(linkname[:100])] = linkname[:100]
    h[257:263] = b"ustar\0"
    h[263:265] = b"00"
    h[148:156] = b" " * 8
    chk = sum(h) + (1 if bad_checksum else 0)
    h[148:156] = b"%06o\0 " % chk
    return bytes(h)


def raw_entry(name: bytes, data: bytes = b"", **kw) -> bytes:
    pad = (-len(data)) % 512
    return raw_header(name, len(data), **kw) + data + b"\0" * pad


END = b"\0" * 1024


def audit_archive(path: str, **kw):
    from slimguard.image import audit

    kw.setdefault("engine", "never")
    return audit(path, **kw)


def by_rule(result, rule: str) -> list:
    return [f for f in result.findings if f.rule == rule]


def _dpkg(packages: list[dict]) -> list[E]:
    """/var/lib/dpkg/status for *packages* ({name, version, size in KiB, status, files}), and the ``.list``
    of those that name their files (dpkg then measures them)."""
    status = "".join(f"Package: {p['name']}\nStatus: {p.get('status', 'install ok installed')}\n"
                     f"Architecture: amd64\nVersion: {p.get('version', '1.0')}\nInstalled-Size: {p.get('size', 0)}\n\n"
                     for p in packages)
    entries = [E("var/lib/dpkg/status", data=status.encode())]
    entries += [E(f"var/lib/dpkg/info/{p['name']}.list", data="".join(f"{f}\n" for f in p["files"]).encode())
                for p in packages if p.get("files")]
    return entries


def _entry(f: dict) -> E:
    path = f["path"].strip("/")
    kind = f.get("type", "file")
    mode = int(f["mode"], 8) if "mode" in f else None
    if kind == "whiteout":
        parent, _, name = path.rpartition("/")
        return E(f"{parent}/.wh.{name}".lstrip("/"))
    if kind == "opaque":
        return E(f"{path}/.wh..wh..opq")
    return E(path, kind, data=f.get("content", "").encode(), size=f.get("size"), mode=mode, link=f.get("link", ""))


def case_image(path: str, spec: dict) -> None:
    """Write the synthetic image an image rule's case describes as a ``docker save`` tar at *path*.

    *spec*: ``config`` (the image config's ``config`` object as is: User, Env, ExposedPorts, ...),
    ``history`` (``created_by`` of each step; default one per layer), ``tags`` (RepoTags), ``files``
    ({path, type: file|dir|symlink|hardlink|whiteout|opaque, mode: octal string, size or content, link,
    layer: index, default 0}) and ``packages`` (dpkg status entries in layer 0: {name, version, size in
    KiB, status, files}).
    """
    files = spec.get("files") or []
    layers: list[list[E]] = [[] for _ in range(1 + max((f.get("layer", 0) for f in files), default=0))]
    layers[0] += _dpkg(spec["packages"]) if spec.get("packages") else []
    for f in files:
        layers[f.get("layer", 0)].append(_entry(f))
    tars = [layer_tar(entries) for entries in layers]
    history = spec.get("history") or [f"layer {i}" for i in range(len(tars))]
    config = {"architecture": "amd64", "os": "linux", "config": dict(spec.get("config") or {}),
              "rootfs": {"type": "layers", "diff_ids": [sha(t) for t in tars]},
              "history": [{"created_by": h} for h in history]}
    docker_archive(path, tars, config, tags=spec.get("tags"))

"""Scan one layer (a tar changeset) into metadata: entries, whiteouts, and a few small files.

A :class:`LayerScan` holds one tuple per tar entry and the content of the few files the audit reads
(``/etc/passwd``, package databases, candidate secret files), so memory grows with the number of
files, not with their size.

Paths are normalised here, once: no leading ``/`` or ``./``, ``.`` and ``..`` resolved (clamped at
the root, as extracting tools do), no trailing ``/``. The root itself is ``""``. Names that escape
the root (``../x``, ``/abs``) are recorded as anomalies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from slimguard.image.errors import LimitError
from slimguard.image.streams import Limits, Source
from slimguard.image.tarstream import TarReader

# entry kinds
REG, HARDLINK, SYMLINK, CHAR, BLOCK, DIR, FIFO, WHITEOUT, OPAQUE = range(9)
KIND_NAMES = ("file", "hardlink", "symlink", "char-device", "block-device", "dir", "fifo", "whiteout", "opaque")
_TYPE_KIND = {"0": REG, "\0": REG, "7": REG, "S": REG, "1": HARDLINK, "2": SYMLINK, "3": CHAR, "4": BLOCK,
              "5": DIR, "6": FIFO}
_SKIP_TYPES = {"V", "M", "N"}  # GNU volume header, multi-volume continuation, old GNU long names

WH_PREFIX = ".wh."
WH_OPAQUE = ".wh..wh..opq"
MAX_ANOMALIES = 50

# An entry: (kind, path, size, mode, uid, gid, link). size is the file size for REG, the header size
# otherwise (dive counts header sizes). link: symlink target as written, or the normalised hardlink target.
Entry = tuple


def normalize(name: str) -> tuple[str, bool]:
    """-> (normalised path, escaped) where escaped means absolute or climbing above the root."""
    if ("//" not in name and "/." not in name and not name.startswith((".", "/"))):
        return (name[:-1] if name.endswith("/") else name), False
    escaped = name.startswith("/")
    parts: list[str] = []
    for p in name.split("/"):
        if p == "" or p == ".":
            continue
        if p == "..":
            if parts:
                parts.pop()
            else:
                escaped = True
            continue
        parts.append(p)
    return "/".join(parts), escaped


def dirname(path: str) -> str:
    i = path.rfind("/")
    return path[:i] if i >= 0 else ""


def basename(path: str) -> str:
    return path[path.rfind("/") + 1:]


# ---------------------------------------------------------------------------------------- captures

_EXACT_CAPTURE = {
    "etc/passwd": 4 << 20,
    "etc/group": 4 << 20,
    "etc/os-release": 64 << 10,
    "usr/lib/os-release": 64 << 10,
    "etc/alpine-release": 4 << 10,
    "etc/debian_version": 4 << 10,
    "var/lib/dpkg/status": 64 << 20,
    "lib/apk/db/installed": 64 << 20,
    "var/lib/rpm/rpmdb.sqlite": 96 << 20,
    "usr/lib/sysimage/rpm/rpmdb.sqlite": 96 << 20,
    "etc/sudoers": 256 << 10,
}

SECRET_NAMES = frozenset({
    ".env", "credentials", "credentials.json", ".git-credentials", ".netrc", "_netrc", ".npmrc", ".pypirc",
    ".pgpass", ".htpasswd", ".dockercfg", "secrets.yml", "secrets.yaml", "secrets.json", "master.key",
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk", ".vault-token",
    "service-account.json", "terraform.tfvars", "wp-config.php", ".s3cfg", "shadow",
})
_SECRET_RE = re.compile(
    r"(^\.env(\.[a-z0-9_-]+)?$)|(\.(pem|key|p12|pfx|jks|keystore|ppk|tfstate|ovpn)$)|(^ssh_host_.*_key$)"
    r"|(^id_(rsa|dsa|ecdsa|ed25519)(_sk)?$)|(^service[-_]account.*\.json$)", re.I)
SECRET_CAPTURE = 16 << 10


_SECRET_EXTS = frozenset({"pem", "key", "p12", "pfx", "jks", "keystore", "ppk", "tfstate", "ovpn", "json", "env"})


def is_secret_candidate(path: str) -> bool:
    base = path[path.rfind("/") + 1:]
    if base in SECRET_NAMES:
        return True
    c = base[:1]
    if c not in (".", "i", "s") and base.rpartition(".")[2].lower() not in _SECRET_EXTS:
        return path.endswith("/credentials")
    if _SECRET_RE.search(base):
        return True
    return path.endswith((".docker/config.json", ".aws/credentials", ".kube/config", ".ssh/config")) and \
        "/" in path


def capture_limit(path: str) -> int:
    """How many bytes of this file the audit keeps (0: none)."""
    limit = _EXACT_CAPTURE.get(path)
    if limit is not None:
        return limit
    if path.startswith("var/lib/dpkg/"):
        if path.startswith("var/lib/dpkg/info/") and path.endswith(".list"):
            return 8 << 20
        if path.startswith("var/lib/dpkg/status.d/"):
            return 4 << 20
    if is_secret_candidate(path):
        return SECRET_CAPTURE
    return 0


# ---------------------------------------------------------------------------------------- scan


@dataclass
class LayerScan:
    entries: list = field(default_factory=list)
    captures: dict = field(default_factory=dict)  # path -> bytes (maybe truncated at the capture limit)
    anomalies: list = field(default_factory=list)
    tar_bytes: int = 0  # uncompressed size of the tar stream
    raw_bytes: int = 0  # bytes read from the blob (compressed size when compressed)
    content_bytes: int = 0  # sum of regular-file sizes
    header_bytes: int = 0  # sum of header sizes (dive's layer size)
    compression: str = "none"
    error: str | None = None

    def anomaly(self, text: str) -> None:
        if len(self.anomalies) < MAX_ANOMALIES:
            self.anomalies.append(text)
        elif len(self.anomalies) == MAX_ANOMALIES:
            self.anomalies.append("... more anomalies not shown")


class CaptureBudget:
    def __init__(self, limit: int) -> None:
        self.left = limit
        self.exhausted = False

    def take(self, n: int) -> bool:
        if n > self.left:
            self.exhausted = True
            return False
        self.left -= n
        return True


def scan_layer(src: Source, what: str, limits: Limits, budget: CaptureBudget,
               entry_counter: list[int] | None = None) -> LayerScan:
    """Read a whole (decompressed) layer tar from ``src``."""
    scan = LayerScan()
    tar = TarReader(src, what, limits.max_header_bytes)
    entries = scan.entries
    append = entries.append
    content = 0
    headers = 0
    counter = entry_counter if entry_counter is not None else [0]
    anomaly = scan.anomaly
    captures = scan.captures
    read_data = tar.read_data
    type_kind = _TYPE_KIND
    max_entries = limits.max_entries
    n = counter[0]
    try:
        for name, linkname, t, size, mode, uid, gid, realsize in tar.entries():
            n += 1
            if n > max_entries:
                raise LimitError(f"{what}: more than {limits.max_entries} entries in the image")
            kind = type_kind.get(t)
            if kind is None:
                if t in _SKIP_TYPES:
                    continue
                kind = REG  # POSIX: unknown types are read as regular files
                anomaly(f"{name}: unknown tar type {t!r} read as a regular file")
            if "//" not in name and "/." not in name and not name.startswith((".", "/")):  # normalize(), inlined
                path = name[:-1] if name.endswith("/") else name
            else:
                path, escaped = normalize(name)
                if escaped:
                    anomaly(f"{name}: path escapes the layer root (read as /{path})")
            if path == "":
                if kind != DIR:
                    anomaly(f"{name}: a {KIND_NAMES[kind]} entry for the root directory (ignored)")
                continue
            headers += size
            if ".wh." in path:
                base = path[path.rfind("/") + 1:]
                if base.startswith(WH_PREFIX):
                    parent = path[:len(path) - len(base) - 1] if len(path) > len(base) else ""
                    if base == WH_OPAQUE:
                        append((OPAQUE, parent, 0, 0, 0, 0, None))
                        continue
                    if base.startswith(".wh..wh."):
                        continue  # other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs): not part of the image
                    target_name = base[4:]
                    target, esc2 = normalize(parent + "/" + target_name if parent else target_name)
                    if target_name in ("", ".", "..") or target == "" or esc2 or "/" in target_name:
                        anomaly(f"{name}: whiteout of {'/' + target if target else '/'} (ignored)")
                        continue
                    append((WHITEOUT, target, 0, 0, 0, 0, None))
                    continue
            if kind == REG:
                content += realsize
                limit = capture_limit(path)
                if limit and size:
                    k = min(limit, size)
                    if budget.take(k):
                        captures[path] = read_data(k)
                    elif budget.exhausted and len(scan.anomalies) < MAX_ANOMALIES:
                        anomaly(f"{path}: not read (capture budget exhausted)")
                append((REG, path, realsize, mode, uid, gid, None))
            elif kind == SYMLINK:
                append((SYMLINK, path, size, mode, uid, gid, linkname))
            elif kind == HARDLINK:
                target, esc2 = normalize(linkname)
                if esc2:
                    anomaly(f"{name}: hardlink target {linkname!r} escapes the root (read as /{target})")
                append((HARDLINK, path, size, mode, uid, gid, target))
            else:
                if kind in (CHAR, BLOCK):
                    anomaly(f"/{path}: {KIND_NAMES[kind]} node")
                append((kind, path, size, mode, uid, gid, None))
    finally:
        counter[0] = n
    tar.drain()
    scan.content_bytes = content
    scan.header_bytes = headers
    scan.tar_bytes = src.pos
    scan.raw_bytes = src.raw_pos
    return scan

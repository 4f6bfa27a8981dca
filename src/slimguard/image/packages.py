"""Installed packages from the final filesystem: dpkg, distroless ``status.d``, apk and rpm (sqlite).

Sizes: where the package manager lists the files a package owns (dpkg ``info/*.list``, apk ``F:``/``R:``
lines) the size is measured: the bytes of those files in the final filesystem, each file counted
once. Otherwise the database's own figure is used (dpkg ``Installed-Size`` in KiB, apk ``I:``, rpm
``SIZE``/``LONGSIZE``), and ``size_source`` says which.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slimguard.image.overlay import Overlay

from slimguard.image.layers import REG


@dataclass
class Package:
    name: str
    version: str = ""
    manager: str = ""
    size: int = 0  # bytes
    size_source: str = ""  # "files" (measured), "database"
    files: list = field(default_factory=list, repr=False)  # owned paths, when known


# ------------------------------------------------------------------------------ dpkg


MAX_PACKAGES = 100_000  # in one database: a large distribution image has a few thousand


def _lines(text: str):
    """The lines of *text*, one at a time (a 64 MB database split at once is millions of strings)."""
    start, n = 0, len(text)
    while start < n:
        end = text.find("\n", start)
        if end < 0:
            end = n
        yield text[start:end].rstrip("\r")
        start = end + 1


def _too_many(what: str) -> "Exception":
    from slimguard.image.errors import LimitError

    return LimitError(f"{what}: more than {MAX_PACKAGES} packages")


def _stanzas(text: str):
    fields: dict[str, str] = {}
    key = None
    for line in _lines(text):
        if not line.strip():
            if fields:
                yield fields
            fields, key = {}, None
            continue
        if line[0] in " \t":
            if key is not None and key in ("Package", "Version", "Status", "Installed-Size", "Architecture"):
                fields[key] += "\n" + line.strip()
            continue
        k, sep, v = line.partition(":")
        if sep:
            key = k.strip()
            if key in ("Package", "Version", "Status", "Installed-Size", "Architecture"):
                fields[key] = v.strip()
    if fields:
        yield fields


def parse_dpkg(text: str, require_status: bool = True, what: str = "/var/lib/dpkg/status") -> list[Package]:
    out = []
    for f in _stanzas(text):
        if len(out) >= MAX_PACKAGES:
            raise _too_many(what)
        name = f.get("Package")
        if not name:
            continue
        status = f.get("Status", "")
        if require_status and not status.endswith(" installed"):
            continue
        if not require_status and status and not status.endswith(" installed"):
            continue
        try:
            kib = int(f.get("Installed-Size", "0").split()[0])
        except (ValueError, IndexError):
            kib = 0
        pkg = Package(name, f.get("Version", ""), "dpkg", kib * 1024, "database" if kib else "")
        pkg.files = [f.get("Architecture", "")]  # temporarily: the architecture, for the .list lookup
        out.append(pkg)
    return out


def _list_paths(data: bytes) -> list[str]:
    return [line for line in _lines(data.decode("utf-8", "surrogateescape")) if line and line != "/."]


def measure(overlay: "Overlay", paths: list[str], dir_cache: dict | None = None) -> tuple[int, int]:
    """Bytes and count of the regular files among ``paths`` in the final view (each content once).
    Directories are resolved through symlinks (merged /usr), the last component is not."""
    seen: set[int] = set()
    total = 0
    cache = dir_cache if dir_cache is not None else {}
    for p in paths:
        d, _, base = p.rpartition("/")
        if d in cache:
            dn = cache[d]
        else:
            dn = overlay.get(d) if d else overlay.root
            cache[d] = dn
        if dn is None or not dn.children:
            continue
        node = dn.children.get(base)
        if node is None or node.kind != REG or node.content is None:
            continue
        key = id(node.content)
        if key in seen:
            continue
        seen.add(key)
        total += node.content.size
    return total, len(seen)


def dpkg_packages(overlay: "Overlay") -> list[Package] | None:
    status = overlay.get("/var/lib/dpkg/status")
    pkgs: list[Package] = []
    found = False
    if status is not None and status.data is not None:
        found = True
        pkgs.extend(parse_dpkg(status.data.decode("utf-8", "replace")))
    status_d = overlay.get("/var/lib/dpkg/status.d")
    if status_d is not None and status_d.children:
        for name in sorted(status_d.children):
            node = status_d.children[name]
            if node.data is None or name.endswith((".md5sums", ".list")):
                continue
            found = True
            pkgs.extend(parse_dpkg(node.data.decode("utf-8", "replace"), require_status=False,
                                   what=f"/var/lib/dpkg/status.d/{name}"))
            if len(pkgs) > MAX_PACKAGES:
                raise _too_many("/var/lib/dpkg/status.d")
    if not found:
        return None
    info = overlay.get("/var/lib/dpkg/info")
    dir_cache: dict = {}
    for pkg in pkgs:
        arch = pkg.files[0] if pkg.files else ""
        pkg.files = []
        lst = None
        for candidate in (f"{pkg.name}:{arch}.list", f"{pkg.name}.list"):
            if info is not None and info.children and candidate in info.children:
                lst = info.children[candidate]
                break
        if lst is None and status_d is not None and status_d.children:
            md5 = status_d.children.get(pkg.name + ".md5sums")
            if md5 is not None and md5.data is not None:
                paths = ["/" + line.split(None, 1)[1] for line in _lines(md5.data.decode("utf-8", "replace"))
                         if len(line.split(None, 1)) == 2]
                pkg.size, _ = measure(overlay, paths, dir_cache)
                pkg.size_source = "files"
                continue
        if lst is not None and lst.data is not None:
            paths = _list_paths(lst.data)
            pkg.size, _ = measure(overlay, paths, dir_cache)
            pkg.size_source = "files"
    return pkgs


# ------------------------------------------------------------------------------ apk


def apk_packages(overlay: "Overlay") -> list[Package] | None:
    node = overlay.get("/lib/apk/db/installed")
    if node is None or node.data is None:
        return None
    pkgs: list[Package] = []
    cur: Package | None = None
    directory = ""
    for line in _lines(node.data.decode("utf-8", "replace") + "\n\n"):
        if not line.strip():
            if cur is not None:
                pkgs.append(cur)
                if len(pkgs) > MAX_PACKAGES:
                    raise _too_many("/lib/apk/db/installed")
            cur, directory = None, ""
            continue
        key, _, value = line.partition(":")
        if key == "P":
            cur = Package(value.strip(), manager="apk")
        elif cur is None:
            continue
        elif key == "V":
            cur.version = value.strip()
        elif key == "I":
            try:
                cur.size = int(value.strip())
                cur.size_source = "database"
            except ValueError:
                pass
        elif key == "F":
            directory = value.strip()
        elif key == "R":
            cur.files.append("/" + (directory + "/" if directory else "") + value.strip())
    for pkg in pkgs:
        if pkg.files:
            pkg.size, _ = measure(overlay, pkg.files)
            pkg.size_source = "files"
        pkg.files = []
    return pkgs


# ------------------------------------------------------------------------------ rpm (sqlite)

_RPMTAG_NAME, _RPMTAG_VERSION, _RPMTAG_RELEASE, _RPMTAG_SIZE, _RPMTAG_LONGSIZE = 1000, 1001, 1002, 1009, 5009


def parse_rpm_header(blob: bytes) -> Package | None:
    """The fields we need from an rpm header blob as stored in rpmdb.sqlite (no lead, no magic)."""
    if len(blob) < 8:
        return None
    il, dl = struct.unpack(">II", blob[:8])
    if il > 100000 or dl > len(blob) or 8 + 16 * il + dl > len(blob) + 16:
        return None
    store = 8 + 16 * il
    vals: dict[int, object] = {}
    for k in range(il):
        tag, typ, off, cnt = struct.unpack(">IIII", blob[8 + 16 * k:24 + 16 * k])
        if tag not in (_RPMTAG_NAME, _RPMTAG_VERSION, _RPMTAG_RELEASE, _RPMTAG_SIZE, _RPMTAG_LONGSIZE):
            continue
        pos = store + off
        if pos >= len(blob):
            continue
        if typ == 6:  # STRING
            end = blob.find(b"\0", pos)
            vals[tag] = blob[pos:end if end >= 0 else len(blob)].decode("utf-8", "replace")
        elif typ == 4 and pos + 4 <= len(blob):  # INT32
            vals[tag] = struct.unpack(">I", blob[pos:pos + 4])[0]
        elif typ == 5 and pos + 8 <= len(blob):  # INT64
            vals[tag] = struct.unpack(">Q", blob[pos:pos + 8])[0]
    name = vals.get(_RPMTAG_NAME)
    if not isinstance(name, str):
        return None
    size = vals.get(_RPMTAG_LONGSIZE, vals.get(_RPMTAG_SIZE, 0))
    version = "-".join(str(vals[t]) for t in (_RPMTAG_VERSION, _RPMTAG_RELEASE) if t in vals)
    return Package(name, version, "rpm", int(size) if isinstance(size, int) else 0, "database")


RPM_MAX_BLOB = 16 << 20  # one header blob
RPM_MAX_STEPS = 2_000_000  # sqlite progress-handler calls (1000 VM instructions each)
RPM_HEAP_LIMIT = 64 << 20  # sqlite's own heap while the database is read


def _read_rpmdb(db: str, what: str, budget: int) -> list[Package] | None:
    """The packages of an rpmdb.sqlite at *db*, read with every loop bounded: the database is hostile
    input (a ``Packages`` view over a recursive query never ends; a schema can run SQL on read).

    None when it is not an rpm database sqlite can read; LimitError when it is too big to be real."""
    from slimguard.image.errors import LimitError

    steps = [0]

    def progress() -> int:
        steps[0] += 1
        return 1 if steps[0] > RPM_MAX_STEPS else 0  # non-zero: interrupt the statement

    try:
        con = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return None
    old_heap = None
    try:
        try:
            old_heap = con.execute("PRAGMA hard_heap_limit").fetchone()[0]
            con.execute(f"PRAGMA hard_heap_limit={RPM_HEAP_LIMIT if not old_heap else min(old_heap, RPM_HEAP_LIMIT)}")
        except sqlite3.Error:
            old_heap = None
        for limit, value in ((getattr(sqlite3, "SQLITE_LIMIT_LENGTH", None), RPM_MAX_BLOB + 1024),
                             (getattr(sqlite3, "SQLITE_LIMIT_SQL_LENGTH", None), 1 << 16),
                             (getattr(sqlite3, "SQLITE_LIMIT_EXPR_DEPTH", None), 100),
                             (getattr(sqlite3, "SQLITE_LIMIT_COMPOUND_SELECT", None), 10),
                             (getattr(sqlite3, "SQLITE_LIMIT_TRIGGER_DEPTH", None), 1)):
            if limit is not None and hasattr(con, "setlimit"):
                con.setlimit(limit, value)
        con.set_progress_handler(progress, 1000)
        try:
            for pragma in ("trusted_schema=OFF", "cache_size=-2048", "mmap_size=0", "temp_store=FILE",
                           "cell_size_check=ON"):
                con.execute(f"PRAGMA {pragma}")
            kind = con.execute("SELECT type FROM sqlite_master WHERE name = 'Packages' COLLATE NOCASE").fetchall()
            if [k[0] for k in kind] != ["table"]:
                return None  # a view (or nothing): not what rpm writes, and a view can run any query
            cur = con.execute("SELECT blob FROM Packages")
            pkgs: list[Package] = []
            rows = 0
            while True:
                row = cur.fetchone()
                if row is None:
                    break
                rows += 1
                if rows > MAX_PACKAGES:
                    raise _too_many(what)
                blob = row[0] if row else None
                if not isinstance(blob, bytes) or not blob:
                    continue  # text, numbers, NULL: not a header blob
                budget -= len(blob)
                if budget < 0:
                    raise LimitError(f"{what}: the package headers are larger than the database")
                pkg = parse_rpm_header(blob)
                if pkg is not None:
                    pkgs.append(pkg)
            return pkgs
        except sqlite3.OperationalError as exc:
            if steps[0] > RPM_MAX_STEPS:
                raise LimitError(f"{what}: reading the rpm database takes too long (a crafted schema?)") from None
            if "memory" in str(exc).lower() or "too big" in str(exc).lower():
                raise LimitError(f"{what}: reading the rpm database needs too much memory") from None
            return None
        except (sqlite3.Error, MemoryError):
            return None
    finally:
        if old_heap is not None:
            try:
                con.execute(f"PRAGMA hard_heap_limit={int(old_heap)}")
            except sqlite3.Error:  # pragma: no cover
                pass
        con.close()


def rpm_packages(overlay: "Overlay") -> list[Package] | None:
    for path in ("/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite"):
        node = overlay.get(path)
        if node is None or node.data is None:
            continue
        with tempfile.TemporaryDirectory(prefix="slimguard-rpm-") as tmp:
            db = os.path.join(tmp, "rpmdb.sqlite")
            with open(db, "wb") as fh:
                fh.write(node.data)
            # the blobs come out of the file: more than twice its size means the schema computes them
            return _read_rpmdb(db, path, 2 * len(node.data) + (1 << 20))
    return None


def installed_packages(overlay: "Overlay") -> tuple[str | None, list[Package]]:
    """-> (manager or None when no database was found, packages)."""
    for manager, fn in (("dpkg", dpkg_packages), ("apk", apk_packages), ("rpm", rpm_packages)):
        pkgs = fn(overlay)
        if pkgs is not None:
            return manager, sorted(pkgs, key=lambda p: p.name)
    return None, []

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


def _stanzas(text: str):
    fields: dict[str, str] = {}
    key = None
    for line in text.splitlines():
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


def parse_dpkg(text: str, require_status: bool = True) -> list[Package]:
    out = []
    for f in _stanzas(text):
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
    return [line for line in data.decode("utf-8", "surrogateescape").splitlines() if line and line != "/."]


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
            pkgs.extend(parse_dpkg(node.data.decode("utf-8", "replace"), require_status=False))
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
                paths = ["/" + line.split(None, 1)[1] for line in md5.data.decode("utf-8", "replace").splitlines()
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
    for line in node.data.decode("utf-8", "replace").splitlines() + [""]:
        if not line.strip():
            if cur is not None:
                pkgs.append(cur)
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


def rpm_packages(overlay: "Overlay") -> list[Package] | None:
    for path in ("/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite"):
        node = overlay.get(path)
        if node is None or node.data is None:
            continue
        with tempfile.TemporaryDirectory(prefix="slimguard-rpm-") as tmp:
            db = os.path.join(tmp, "rpmdb.sqlite")
            with open(db, "wb") as fh:
                fh.write(node.data)
            try:
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
                try:
                    rows = con.execute("SELECT blob FROM Packages").fetchall()
                finally:
                    con.close()
            except sqlite3.Error:
                return None
        pkgs = [p for p in (parse_rpm_header(bytes(r[0])) for r in rows if r and r[0]) if p is not None]
        return pkgs
    return None


def installed_packages(overlay: "Overlay") -> tuple[str | None, list[Package]]:
    """-> (manager or None when no database was found, packages)."""
    for manager, fn in (("dpkg", dpkg_packages), ("apk", apk_packages), ("rpm", rpm_packages)):
        pkgs = fn(overlay)
        if pkgs is not None:
            return manager, sorted(pkgs, key=lambda p: p.name)
    return None, []

"""What an image carries, read from a stopped container with ``get_archive``.

/etc/passwd and /etc/group (does the user exist, what is uid N called), the package
database (dpkg ``status``, distroless ``status.d/``, apk ``installed``) for the package count
and the build tools left in the image (compilers, build tools, source control and downloaders as
:mod:`slimguard.analysis.packages` classifies them; headers are counted separately).
"""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass, field
from typing import Any

from slimguard.analysis.packages import classify
from slimguard.knowledge.facts import parse_apk_installed, parse_dpkg_status, parse_group, parse_passwd

_TOOL_CATEGORIES = frozenset({"compiler", "build-tool", "scm", "downloader"})

# for run_container(read_files=...): the package databases in order of preference
FILES = ("/etc/passwd", "/etc/group", "/var/lib/dpkg/status|/var/lib/dpkg/status.d|/lib/apk/db/installed")


def tar_texts(data: bytes | None) -> dict[str, str]:
    """Regular files of a get_archive tar: member name -> text."""
    out: dict[str, str] = {}
    if not data:
        return out
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar:
                if member.isfile():
                    fh = tar.extractfile(member)
                    if fh is not None:
                        out[member.name] = fh.read().decode("utf-8", "replace")
    except tarfile.TarError:
        pass
    return out


def _one(data: bytes | None) -> str | None:
    texts = tar_texts(data)
    return next(iter(texts.values()), None) if texts else None


@dataclass
class ImageContents:
    users: dict[str, tuple[int, int]] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    has_passwd: bool = False
    package_db: str | None = None  # dpkg, apk, or None when the image has none
    packages: frozenset[str] | None = None

    @property
    def package_count(self) -> int | None:
        return None if self.packages is None else len(self.packages)

    @property
    def build_tools(self) -> list[str] | None:
        if self.packages is None:
            return None
        return sorted(p for p in self.packages if classify(p) in _TOOL_CATEGORIES)

    @property
    def dev_packages(self) -> int | None:
        if self.packages is None:
            return None
        return sum(1 for p in self.packages if classify(p) == "dev-headers")

    def user_name(self, uid: int) -> str | None:
        for name, (u, _g) in self.users.items():
            if u == uid:
                return name
        return None

    def group_name(self, gid: int) -> str | None:
        for name, g in self.groups.items():
            if g == gid:
                return name
        return None

    def user_exists(self, spec: str) -> bool | None:
        """Whether the user part of a USER value is defined in /etc/passwd (None: no passwd)."""
        user = (spec or "root").split(":", 1)[0] or "root"
        if not self.has_passwd:
            return None
        if user.isdigit():
            return self.user_name(int(user)) is not None
        return user in self.users


def read_contents(files: dict[str, bytes | None]) -> ImageContents:
    c = ImageContents()
    passwd = _one(files.get("/etc/passwd"))
    group = _one(files.get("/etc/group"))
    c.has_passwd = passwd is not None
    c.users = parse_passwd(passwd or "")
    c.groups = parse_group(group or "")
    status = _one(files.get("/var/lib/dpkg/status"))
    status_d = tar_texts(files.get("/var/lib/dpkg/status.d"))
    apk = _one(files.get("/lib/apk/db/installed"))
    if status is not None or status_d:
        pkgs = parse_dpkg_status(status or "")
        for text in status_d.values():  # distroless: one stanza per file, no Status: field
            for line in text.splitlines():
                if line.startswith("Package:"):
                    pkgs.add(line.split(":", 1)[1].strip())
        c.package_db, c.packages = "dpkg", frozenset(pkgs)
    elif apk is not None:
        c.package_db, c.packages = "apk", frozenset(parse_apk_installed(apk))
    return c


def as_dict(c: ImageContents) -> dict[str, Any]:
    return {"package_db": c.package_db, "packages": c.package_count, "build_tools": c.build_tools,
            "dev_packages": c.dev_packages}

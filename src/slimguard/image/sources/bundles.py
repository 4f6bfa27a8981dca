"""Random access to the files of an archive: a directory, or an uncompressed tar file on disk indexed
once by walking its headers (seeking over data). Names may not leave the archive."""

from __future__ import annotations

import os
from collections.abc import Iterator

from slimguard.image.errors import AuditError, CorruptError, LimitError
from slimguard.image.layers import normalize
from slimguard.image.streams import FileRange, Limits, Source
from slimguard.image.tarstream import TarEntry, TarReader


def link_target(name: str, e: TarEntry) -> str | None:
    """The member a hard link or symlink member ``name`` (normalised) points to, if inside the archive."""
    base = name.rsplit("/", 1)[0] if "/" in name else ""
    target = e.linkname if e.type == "1" else ((base + "/" if base else "") + e.linkname)
    t, esc = normalize(target)
    return t if not esc and t else None


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


def archive_members(tar: TarReader, limits: Limits, what: str) -> Iterator[tuple[str, TarEntry]]:
    """(normalised name, entry) of an image archive's members, at most ``limits.max_members`` of them;
    names that escape the archive root, and the root itself, are skipped."""
    for n, e in enumerate(tar, start=1):
        if n > limits.max_members:
            raise LimitError(f"{what}: more than {limits.max_members} members")
        name, escaped = normalize(e.name)
        if not escaped and name:
            yield name, e


class DirBundle(Bundle):
    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)
        self.what = root
        self._fds: list[int] = []

    def _path(self, name: str) -> str:
        norm, escaped = normalize(name)
        if escaped or not norm:
            raise CorruptError(f"{self.what}: {name!r} points outside the archive")
        p = os.path.realpath(os.path.join(self.root, norm))
        if not (p == self.root or p.startswith(self.root + os.sep)):
            raise CorruptError(f"{self.what}: {name!r} resolves outside the archive")
        return p

    def exists(self, name: str) -> bool:
        return os.path.isfile(self._path(name))

    def size(self, name: str) -> int:
        return os.path.getsize(self._path(name))

    def open(self, name: str) -> Source:
        p = self._path(name)
        try:
            fd = os.open(p, os.O_RDONLY)
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
        for name, e in archive_members(TarReader(src, path, limits.max_header_bytes), limits, path):
            if e.isreg:
                self.members[name] = (src.pos, e.size)
            elif e.type in ("1", "2"):
                target = link_target(name, e)
                if target is not None:
                    self.links[name] = target

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

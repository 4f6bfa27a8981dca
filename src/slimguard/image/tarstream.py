"""A small, strict, streaming tar header reader.

Reads ustar, GNU (long names ``L``/``K``, base-256 numbers) and pax (``x``) headers from a
:class:`~slimguard.image.streams.Source` and skips file data it is not asked for, so a layer is walked
at the speed of its decompression. Nothing is ever written to disk; names are returned as text
(undecodable bytes kept with ``surrogateescape``) and are *not* trusted: callers normalise them.

Limits: one pax or long-name header may not exceed ``max_header_bytes``; header checksums are
verified; a stream that ends inside a header or inside file data is an error.
"""

from __future__ import annotations

import os
from typing import Iterator
from zlib import adler32

from slimguard.image.errors import CorruptError, LimitError
from slimguard.image.streams import FileRange, Source

BLOCK = 512
WINDOW = 16 << 10  # bytes read at once around a header on the pread path

REG, LNK, SYM, CHR, BLK, DIR, FIFO = "0", "1", "2", "3", "4", "5", "6"
_REGULAR = {"0", "\0", "7", ""}


class TarEntry:
    __slots__ = ("name", "linkname", "type", "size", "mode", "uid", "gid", "realsize")

    def __init__(self, name: str, linkname: str, type_: str, size: int, mode: int, uid: int, gid: int,
                 realsize: int) -> None:
        self.name = name
        self.linkname = linkname
        self.type = type_
        self.size = size  # bytes of data stored in the archive
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.realsize = realsize  # file size (differs from size only for GNU sparse files)

    @property
    def isreg(self) -> bool:
        return self.type in _REGULAR or self.type == "S"

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"TarEntry({self.name!r}, type={self.type!r}, size={self.size})"


def _num(field: bytes, what: str) -> int:
    if not field:
        return 0
    first = field[0]
    if first & 0x80:  # GNU base-256
        value = first & 0x7F
        for b in field[1:]:
            value = (value << 8) | b
        if first == 0xFF:  # negative: two's complement over the field width
            value = value - (1 << (8 * len(field) - 1))
        return value
    try:
        return int(field.strip(b" \0") or b"0", 8)
    except ValueError:
        text = field.split(b"\0", 1)[0].strip(b" ")
        try:
            return int(text or b"0", 8)
        except ValueError:
            raise CorruptError(f"bad numeric field {what} in tar header: {text[:20]!r}") from None


def _text(field: bytes) -> str:
    i = field.find(0)
    return (field[:i] if i >= 0 else field).decode("utf-8", "surrogateescape")


def _checksum_ok(block: bytes) -> bool:
    stored = block[148:156]
    try:
        want = int(stored.strip(b" \0") or b"-1", 8)
    except ValueError:
        try:
            want = int(stored.split(b"\0", 1)[0].strip(b" ") or b"-1", 8)
        except ValueError:
            return False
    unsigned = sum(block) - sum(stored) + 256
    if want == unsigned:
        return True
    signed = sum((b - 256 if b > 127 else b) for b in block[:148]) + 256 + sum(
        (b - 256 if b > 127 else b) for b in block[156:])
    return want == signed


def _parse_pax(data: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    pos = 0
    n = len(data)
    while pos < n:
        if data[pos] == 0:  # NUL padding
            break
        sp = data.find(b" ", pos)
        if sp < 0:
            raise CorruptError("malformed pax header")
        try:
            length = int(data[pos:sp])
        except ValueError:
            raise CorruptError("malformed pax record length") from None
        if length <= 0 or pos + length > n:
            raise CorruptError("malformed pax record length")
        record = data[sp + 1:pos + length]
        if not record.endswith(b"\n") or b"=" not in record:
            raise CorruptError("malformed pax record")
        key, _, value = record[:-1].partition(b"=")
        out[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return out


_TYPES = tuple(chr(i) for i in range(256))
_META_TYPES = frozenset({"x", "g", "L", "K"})
_HEADER_ONLY = frozenset({LNK, SYM, DIR, CHR, BLK, FIFO})


def _apply_pax(pax: dict[str, str], what: str, name: str, linkname: str, size: int, uid: int, gid: int,
               realsize: int) -> tuple[str, str, int, int, int, int]:
    if "path" in pax:
        name = pax["path"]
    if "linkpath" in pax:
        linkname = pax["linkpath"]
    try:
        if "size" in pax:
            size = int(pax["size"])
            realsize = size
        if "uid" in pax:
            uid = int(pax["uid"])
        if "gid" in pax:
            gid = int(pax["gid"])
        if "GNU.sparse.realsize" in pax:
            realsize = int(pax["GNU.sparse.realsize"])
        elif "GNU.sparse.size" in pax:
            realsize = int(pax["GNU.sparse.size"])
    except ValueError:
        raise CorruptError(f"{what}: bad number in pax header") from None
    if size < 0:
        raise CorruptError(f"{what}: negative size in pax header")
    return name, linkname, size, uid, gid, realsize


class TarReader:
    """Iterate the entries of a tar stream. After each entry, ``read_data`` may read its content."""

    def __init__(self, src: Source, what: str = "tar", max_header_bytes: int = 1 << 20) -> None:
        self.src = src
        self.what = what
        self.max_header_bytes = max_header_bytes
        self._left = 0  # data bytes of the current entry not yet read
        self._pad = 0
        self.count = 0
        self.ended_cleanly = False

    def read_data(self, limit: int) -> bytes:
        n = min(limit, self._left)
        if n <= 0:
            return b""
        data = self.src.read(n)
        if len(data) < n:
            raise CorruptError(f"{self.what}: truncated (file data ends early)")
        self._left -= n
        return data

    def _finish_entry(self) -> None:
        n = self._left + self._pad
        if n:
            if self.src.skip(n) < n:
                raise CorruptError(f"{self.what}: truncated (file data ends early)")
        self._left = self._pad = 0

    def _read_block(self) -> bytes | None:
        block = self.src.read(BLOCK)
        if not block:
            return None
        if len(block) < BLOCK:
            raise CorruptError(f"{self.what}: truncated (ends inside a header)")
        return block

    def _read_meta(self, size: int, kind: str) -> bytes:
        if size > self.max_header_bytes:
            raise LimitError(f"{self.what}: {kind} header of {size} bytes exceeds the "
                             f"{self.max_header_bytes}-byte limit")
        data = self.src.read(size)
        if len(data) < size:
            raise CorruptError(f"{self.what}: truncated (ends inside a {kind} header)")
        pad = (-size) % BLOCK
        if pad and self.src.skip(pad) < pad:
            raise CorruptError(f"{self.what}: truncated")
        return data

    def __iter__(self) -> "TarReader":
        return self

    def __next__(self) -> TarEntry:
        self._finish_entry()
        pax: dict[str, str] = {}
        long_name: str | None = None
        long_link: str | None = None
        while True:
            block = self._read_block()
            if block is None:
                if self.count == 0 and not pax and long_name is None:
                    raise StopIteration  # an empty stream is an empty archive
                if pax or long_name is not None or long_link is not None:
                    raise CorruptError(f"{self.what}: truncated (extended header without its entry)")
                raise StopIteration
            if block.count(0) == BLOCK:
                self.ended_cleanly = True
                raise StopIteration
            if not _checksum_ok(block):
                if self.count == 0:
                    raise CorruptError(f"{self.what}: not a tar archive (bad header checksum)")
                raise CorruptError(f"{self.what}: corrupt tar header after {self.count} entries")
            type_ = chr(block[156]) if block[156] else "0"
            size = _num(block[124:136], "size")
            if size < 0:
                raise CorruptError(f"{self.what}: negative size in tar header")
            if type_ == "x":
                pax.update(_parse_pax(self._read_meta(size, "pax")))
                continue
            if type_ == "g":  # global pax header: skipped like Go's archive/tar does for layers
                self._read_meta(size, "pax global")
                continue
            if type_ == "L":
                long_name = self._read_meta(size, "GNU long name").split(b"\0", 1)[0].decode(
                    "utf-8", "surrogateescape")
                continue
            if type_ == "K":
                long_link = self._read_meta(size, "GNU long link").split(b"\0", 1)[0].decode(
                    "utf-8", "surrogateescape")
                continue
            break
        name = _text(block[0:100])
        if block[257:262] == b"ustar":
            prefix = _text(block[345:500]) if block[345] and block[262:263] == b"\0" else ""  # POSIX ustar only
            if prefix:
                name = prefix + "/" + name
        linkname = _text(block[157:257]) if type_ in ("1", "2") else ""
        mode = _num(block[100:108], "mode")
        f = block[108:116]
        uid = 0 if f == b"0000000\0" else _num(f, "uid")
        f = block[116:124]
        gid = 0 if f == b"0000000\0" else _num(f, "gid")
        if long_name is not None:
            name = long_name
        if long_link is not None:
            linkname = long_link
        realsize = size
        if pax:
            name, linkname, size, uid, gid, realsize = _apply_pax(pax, self.what, name, linkname, size, uid,
                                                                  gid, realsize)
        if type_ == "S":
            realsize = _num(block[483:495], "realsize") or size
        # header-only types carry no data whatever the size field says (as Go's archive/tar reads them)
        data_size = 0 if type_ in (LNK, SYM, DIR, CHR, BLK, FIFO) else size
        self._left = data_size
        self._pad = (-data_size) % BLOCK
        self.count += 1
        return TarEntry(name, linkname, type_, size, mode, uid, gid, realsize)

    def entries(self) -> Iterator[tuple]:
        """The entries as plain tuples ``(name, linkname, type, size, mode, uid, gid, realsize)``: the same
        headers, checks and results as iterating the reader, with less work per entry (no entry objects,
        cached decoding of the mode/uid/gid fields, and headers read straight with ``pread`` when the
        source is a :class:`~slimguard.image.streams.FileRange` on a file). ``read_data`` works between
        items as it does between entries."""
        src = self.src
        what = self.what
        fast = type(src) is FileRange
        fd = src.fd if fast else -1
        start = src.start if fast else 0
        length = src.length if fast else 0
        pread = os.pread
        read_block = self._read_block
        ncache: dict[bytes, int] = {}  # mode/uid/gid field -> value (bounded)
        zero8 = b"0000000\0"
        ncache[zero8] = 0
        header_only = _HEADER_ONLY
        win = b""  # a window of the file (fast path) and its offset in the source
        win_at = 0
        while True:
            n = self._left + self._pad
            if n:
                if fast:
                    if length - src.pos < n:
                        src.pos = length
                        raise CorruptError(f"{what}: truncated (file data ends early)")
                    src.pos += n
                elif src.skip(n) < n:
                    raise CorruptError(f"{what}: truncated (file data ends early)")
                self._left = self._pad = 0
            pax: dict[str, str] | None = None
            long_name: str | None = None
            long_link: str | None = None
            while True:
                if fast:
                    p = src.pos
                    if p + BLOCK <= length:
                        k = p - win_at
                        if 0 <= k and k + BLOCK <= len(win):
                            block = win[k:k + BLOCK]
                        else:  # headers of small files come several to a window: fewer system calls
                            win = pread(fd, min(WINDOW, length - p), start + p)
                            win_at = p
                            block = win[:BLOCK]
                        if len(block) < BLOCK:  # the file is shorter than its index says
                            raise CorruptError(f"{what}: truncated (ends inside a header)")
                        src.pos = p + BLOCK
                    elif p >= length:
                        block = None
                    else:
                        raise CorruptError(f"{what}: truncated (ends inside a header)")
                else:
                    block = read_block()
                if block is None:
                    if pax or long_name is not None or long_link is not None:
                        raise CorruptError(f"{what}: truncated (extended header without its entry)")
                    return
                if block.count(0) == BLOCK:
                    self.ended_cleanly = True
                    return
                stored = block[148:156]
                try:
                    want = int(stored[:6], 8) if stored[6:] == b"\0 " else -1
                except ValueError:
                    want = -1
                # the unsigned byte sum, in C: Adler-32's low half is 1 + the byte sum while that sum stays
                # below 65521, so two 256-byte halves (at most 65280 each) give it exactly
                # (sum(block) - sum(stored) + 8 spaces), else the full check (signed sums, odd fields)
                if want != ((adler32(block[:256]) & 0xFFFF) + (adler32(block[256:]) & 0xFFFF) - 2
                            - ((adler32(stored) & 0xFFFF) - 1) + 256) and not _checksum_ok(block):
                    if self.count == 0:
                        raise CorruptError(f"{what}: not a tar archive (bad header checksum)")
                    raise CorruptError(f"{what}: corrupt tar header after {self.count} entries")
                t = block[156]
                type_ = _TYPES[t] if t else "0"
                f = block[124:136]
                if f[11] in (0, 32) and f[0] < 0x80:
                    try:
                        size = int(f[:11], 8)
                    except ValueError:
                        size = _num(f, "size")
                else:
                    size = _num(f, "size")
                if size < 0:
                    raise CorruptError(f"{what}: negative size in tar header")
                if type_ in _META_TYPES:
                    if type_ == "x":
                        if pax is None:
                            pax = {}
                        pax.update(_parse_pax(self._read_meta(size, "pax")))
                    elif type_ == "g":  # global pax header: skipped like Go's archive/tar does for layers
                        self._read_meta(size, "pax global")
                    elif type_ == "L":
                        long_name = self._read_meta(size, "GNU long name").split(b"\0", 1)[0].decode(
                            "utf-8", "surrogateescape")
                    else:
                        long_link = self._read_meta(size, "GNU long link").split(b"\0", 1)[0].decode(
                            "utf-8", "surrogateescape")
                    continue
                break
            i = block.find(0, 0, 100)
            name = block[:i if i >= 0 else 100].decode("utf-8", "surrogateescape")
            if block[345] and block[257:263] == b"ustar\0":  # POSIX ustar prefix
                prefix = _text(block[345:500])
                if prefix:
                    name = prefix + "/" + name
            if type_ == "1" or type_ == "2":
                i = block.find(0, 157, 257)
                linkname = block[157:i if i >= 0 else 257].decode("utf-8", "surrogateescape")
            else:
                linkname = ""
            f = block[100:108]
            mode = ncache.get(f)
            if mode is None:
                mode = _num(f, "mode")
                if len(ncache) < 4096:
                    ncache[f] = mode
            f = block[108:116]
            uid = ncache.get(f)
            if uid is None:
                uid = _num(f, "uid")
                if len(ncache) < 4096:
                    ncache[f] = uid
            f = block[116:124]
            gid = ncache.get(f)
            if gid is None:
                gid = _num(f, "gid")
                if len(ncache) < 4096:
                    ncache[f] = gid
            if long_name is not None:
                name = long_name
            if long_link is not None:
                linkname = long_link
            realsize = size
            if pax:
                name, linkname, size, uid, gid, realsize = _apply_pax(pax, what, name, linkname, size, uid, gid,
                                                                      realsize)
            if type_ == "S":
                realsize = _num(block[483:495], "realsize") or size
            data_size = 0 if type_ in header_only else size
            self._left = data_size
            self._pad = (-data_size) % BLOCK
            self.count += 1
            yield (name, linkname, type_, size, mode, uid, gid, realsize)

    def drain(self) -> None:
        """Consume everything after the last entry (the end blocks, trailing padding)."""
        self._finish_entry()
        while self.src.skip(1 << 20) == (1 << 20):
            pass

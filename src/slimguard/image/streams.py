"""Forward-only byte sources and streaming decompression.

Everything the auditor reads goes through a :class:`Source`: ``read(n)`` returns exactly ``n`` bytes
unless the data ends, ``skip(n)`` drops bytes without keeping them (a seek where the bytes are in a
file, decompress-and-discard otherwise). Layers are never extracted and never held whole in memory:
the buffers here hold at most about one megabyte of output at a time.

gzip goes through ISA-L (``isal``) when it is installed, else the standard library's zlib; zstd needs
the ``zstandard`` package. A decompression-ratio limit stops decompression bombs early.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from slimguard.image.errors import AuditError, CorruptError, LimitError

try:  # pragma: no cover - depends on the environment
    from isal import isal_zlib as _gzip_impl

    GZIP_BACKEND = "isal"
except ImportError:  # pragma: no cover
    _gzip_impl = zlib  # type: ignore[assignment]
    GZIP_BACKEND = "zlib"

_GZIP_ERROR = getattr(_gzip_impl, "error", zlib.error)

try:  # pragma: no cover - depends on the environment
    import zstandard as _zstd
except ImportError:  # pragma: no cover
    _zstd = None

CHUNK = 1 << 20  # output produced per decompression step
IN_CHUNK = 256 << 10  # compressed input fed per step

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
XZ_MAGIC = b"\xfd7zXZ\x00"
BZIP2_MAGIC = b"BZh"


@dataclass
class Limits:
    """Safety limits. The defaults keep a hostile image under ~256 MB of RSS."""

    max_ratio: float = 200.0  # decompressed / compressed, checked once past ratio_floor
    ratio_floor: int = 32 << 20  # small layers may compress better than max_ratio (all zeros: 1032:1)
    max_layer_bytes: int = 64 << 30  # uncompressed bytes in one layer
    max_layers: int = 20000
    max_entries: int = 5_000_000  # tar entries in one image
    max_header_bytes: int = 1 << 20  # one pax or GNU long-name header
    max_json_bytes: int = 16 << 20  # a manifest, index or config
    max_capture_bytes: int = 160 << 20  # small files kept for analysis, all layers together
    max_members: int = 200000  # entries in the outer archive (docker save / OCI tar)


class Source:
    """A forward-only stream of bytes."""

    pos: int = 0  # bytes delivered or skipped so far

    def read(self, n: int) -> bytes:
        raise NotImplementedError

    def skip(self, n: int) -> int:
        """Drop up to n bytes; returns how many were dropped (fewer only at the end)."""
        raise NotImplementedError

    def peek(self, n: int) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        pass

    @property
    def raw_pos(self) -> int:
        """Bytes taken from the underlying (compressed) input so far."""
        return self.pos


class FileRange(Source):
    """``length`` bytes of an open file from ``offset``, read with pread (shareable, seekable)."""

    def __init__(self, fd: int, offset: int, length: int) -> None:
        self.fd = fd
        self.start = offset
        self.length = length
        self.pos = 0

    def read(self, n: int) -> bytes:
        n = max(0, min(n, self.length - self.pos))
        if n == 0:
            return b""
        data = os.pread(self.fd, n, self.start + self.pos)
        if len(data) < n:  # the file is shorter than its index says
            while len(data) < n:
                more = os.pread(self.fd, n - len(data), self.start + self.pos + len(data))
                if not more:
                    break
                data += more
        self.pos += len(data)
        return data

    def skip(self, n: int) -> int:
        n = max(0, min(n, self.length - self.pos))
        self.pos += n
        return n

    def peek(self, n: int) -> bytes:
        n = max(0, min(n, self.length - self.pos))
        return os.pread(self.fd, n, self.start + self.pos) if n else b""


class Buffered(Source):
    """A source fed by ``_more()`` chunks; subclasses produce the chunks."""

    def __init__(self) -> None:
        self._buf = b""
        self._off = 0
        self.pos = 0
        self._eof = False

    def _more(self) -> bytes:  # b"" at the end
        raise NotImplementedError

    def _next(self) -> bytes:
        if self._eof:
            return b""
        chunk = self._more()
        if not chunk:
            self._eof = True
        return chunk

    def read(self, n: int) -> bytes:
        buf, off = self._buf, self._off
        end = off + n
        if end <= len(buf):
            self._off = end
            self.pos += n
            return buf[off:end]
        parts = [buf[off:]] if off < len(buf) else []
        have = len(buf) - off if off < len(buf) else 0
        self._buf, self._off = b"", 0
        while have < n:
            chunk = self._next()
            if not chunk:
                break
            need = n - have
            if len(chunk) > need:
                parts.append(chunk[:need])
                self._buf, self._off = chunk, need
                have = n
                break
            parts.append(chunk)
            have += len(chunk)
        self.pos += have
        return b"".join(parts)

    def skip(self, n: int) -> int:
        left = n
        avail = len(self._buf) - self._off
        if avail >= left:
            self._off += left
            self.pos += left
            return n
        left -= avail
        self._buf, self._off = b"", 0
        while left > 0:
            chunk = self._next()
            if not chunk:
                break
            if len(chunk) > left:
                self._buf, self._off = chunk, left
                left = 0
                break
            left -= len(chunk)
        done = n - left
        self.pos += done
        return done

    def peek(self, n: int) -> bytes:
        while len(self._buf) - self._off < n:
            chunk = self._next()
            if not chunk:
                break
            self._buf = self._buf[self._off:] + chunk
            self._off = 0
        return self._buf[self._off:self._off + n]


class ChunkSource(Buffered):
    """Bytes from an iterator of chunks (the docker SDK's ``image.save()``)."""

    def __init__(self, chunks: Iterable[bytes], on_close: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._it: Iterator[bytes] = iter(chunks)
        self._on_close = on_close

    def _more(self) -> bytes:
        for chunk in self._it:
            if chunk:
                return bytes(chunk)
        return b""

    def close(self) -> None:
        if self._on_close is not None:
            self._on_close()
            self._on_close = None


class ReaderSource(Buffered):
    """Bytes from a file-like object with ``read`` (stdin, an HTTP response, a pipe)."""

    def __init__(self, fileobj: Any, chunk: int = CHUNK) -> None:
        super().__init__()
        self._fh = fileobj
        self._chunk = chunk

    def _more(self) -> bytes:
        try:
            return self._fh.read(self._chunk) or b""
        except OSError as exc:
            raise CorruptError(f"read error: {exc}") from None

    def close(self) -> None:
        close = getattr(self._fh, "close", None)
        if close is not None:
            close()


class _Counted(Buffered):
    """Shared ratio bookkeeping for decompressors."""

    kind = "?"

    def __init__(self, raw: Source, limits: Limits, what: str) -> None:
        super().__init__()
        self.raw = raw
        self.limits = limits
        self.what = what
        self.out_bytes = 0

    @property
    def raw_pos(self) -> int:
        return self.raw.raw_pos

    def _account(self, out: bytes) -> bytes:
        self.out_bytes += len(out)
        lim = self.limits
        if self.out_bytes > lim.ratio_floor and self.out_bytes > self.raw.pos * lim.max_ratio:
            raise LimitError(
                f"{self.what}: decompression ratio above {lim.max_ratio:g}:1 "
                f"({self.out_bytes} bytes out of {self.raw.pos}); a decompression bomb? (--max-ratio)")
        if self.out_bytes > lim.max_layer_bytes:
            raise LimitError(f"{self.what}: more than {lim.max_layer_bytes} uncompressed bytes")
        return out


class GzipSource(_Counted):
    """gzip (multi-member), through ISA-L when available."""

    kind = "gzip"

    def __init__(self, raw: Source, limits: Limits, what: str) -> None:
        super().__init__(raw, limits, what)
        self._d: Any = _gzip_impl.decompressobj(wbits=31)
        self._pending = b""  # compressed input not yet given to the decompressor
        self._done = False

    def _more(self) -> bytes:
        while not self._done:
            d = self._d
            if self._pending:
                data, self._pending = self._pending, b""
            else:
                data = self.raw.read(IN_CHUNK)
                if not data:
                    if not d.eof:
                        raise CorruptError(f"{self.what}: truncated gzip stream "
                                           f"(ends after {self.raw.pos} compressed bytes)")
                    self._done = True
                    return b""
            try:
                out = d.decompress(data, CHUNK)
            except (zlib.error, _GZIP_ERROR, OSError, ValueError) as exc:
                raise CorruptError(f"{self.what}: corrupt gzip data ({exc})") from None
            if d.eof:
                rest = d.unused_data
                if rest:
                    if rest[:2] == GZIP_MAGIC:
                        self._d = _gzip_impl.decompressobj(wbits=31)
                        self._pending = rest
                    elif rest.strip(b"\x00"):
                        raise CorruptError(f"{self.what}: garbage after the gzip stream")
                    else:  # zero padding after the last member: allowed
                        self._done = not self._drain_zeros()
                else:
                    nxt = self.raw.peek(2)
                    if not nxt:
                        self._done = True
                    elif nxt[:2] == GZIP_MAGIC:
                        self._d = _gzip_impl.decompressobj(wbits=31)
                    elif not self._drain_zeros():
                        self._done = True
            else:
                self._pending = d.unconsumed_tail
            if out:
                return self._account(out)
        return b""

    def _drain_zeros(self) -> bool:
        """Consume zero padding after the last member; True when another member follows."""
        while True:
            data = self.raw.peek(IN_CHUNK)
            if not data:
                return False
            stripped = data.lstrip(b"\x00")
            self.raw.skip(len(data) - len(stripped))
            if stripped:
                if stripped[:2] == GZIP_MAGIC:
                    self._d = _gzip_impl.decompressobj(wbits=31)
                    return True
                raise CorruptError(f"{self.what}: garbage after the gzip stream")


class ZstdFrames:
    """Follows the frame and block structure of a zstd stream as its bytes go by (RFC 8878, section 3),
    so that a stream cut short is told from a complete one: zstandard's stream reader just stops at the
    end of its input, wherever that falls. Only headers are parsed; block contents are counted past."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.frames = 0
        self._need = 4  # bytes wanted for the current state
        self._state = "magic"
        self._hdr = b""
        self._skip = 0  # bytes to pass over (block content, skippable frame data, checksum)
        self._checksum = False
        self._last = False

    def feed(self, data: bytes) -> None:
        pos, n = 0, len(data)
        while pos < n:
            if self._skip:
                k = min(self._skip, n - pos)
                self._skip -= k
                pos += k
                if not self._skip and self._state == "checksum":
                    self._state, self._need = "magic", 4
                continue
            k = min(self._need - len(self._hdr), n - pos)
            self._hdr += data[pos:pos + k]
            pos += k
            if len(self._hdr) < self._need:
                continue
            self._step()

    def _step(self) -> None:
        h, state = self._hdr, self._state
        self._hdr = b""
        if state == "magic":
            magic = int.from_bytes(h, "little")
            if magic == 0xFD2FB528:
                self._state, self._need = "fhd", 1
            elif magic & 0xFFFFFFF0 == 0x184D2A50:
                self._state, self._need = "skipsize", 4
            else:
                raise CorruptError(f"{self.what}: corrupt zstd data (bad frame magic after {self.frames} frames)")
        elif state == "skipsize":
            self._skip = int.from_bytes(h, "little")
            # "checksum" means: pass over _skip bytes, then the next frame
            self._state, self._need = ("checksum", 0) if self._skip else ("magic", 4)
        elif state == "fhd":
            fhd = h[0]
            if fhd & 0x08:
                raise CorruptError(f"{self.what}: corrupt zstd data (reserved bit set in a frame header)")
            fcs_flag, single = fhd >> 6, (fhd >> 5) & 1
            self._checksum = bool(fhd & 0x04)
            did = (0, 1, 2, 4)[fhd & 0x03]
            fcs = (single, 2, 4, 8)[fcs_flag]
            rest = (0 if single else 1) + did + fcs
            if rest:
                self._state, self._need = "fhrest", rest
            else:
                self._state, self._need = "block", 3
        elif state == "fhrest":
            self._state, self._need = "block", 3
        elif state == "block":
            bh = int.from_bytes(h, "little")
            last, btype, bsize = bh & 1, (bh >> 1) & 3, bh >> 3
            if btype == 3:
                raise CorruptError(f"{self.what}: corrupt zstd data (reserved block type)")
            self._skip = 1 if btype == 1 else bsize
            if last:  # after its content (and the checksum), the next frame
                self.frames += 1
                self._skip += 4 if self._checksum else 0
                self._state, self._need = ("checksum", 0) if self._skip else ("magic", 4)
            else:
                self._need = 3

    def complete(self) -> bool:
        """Whether the bytes seen so far end at a frame boundary, after at least one frame."""
        return self.frames > 0 and self._state == "magic" and not self._hdr and not self._skip


class _RawReader:
    """File-like view of a Source for zstandard's stream_reader; watches the frames go by."""

    def __init__(self, raw: Source, frames: "ZstdFrames | None" = None) -> None:
        self.raw = raw
        self.frames = frames

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n if n >= 0 else CHUNK)
        if self.frames is not None and data:
            self.frames.feed(data)
        return data


class ZstdSource(_Counted):
    kind = "zstd"

    def __init__(self, raw: Source, limits: Limits, what: str) -> None:
        super().__init__(raw, limits, what)
        if _zstd is None:
            raise AuditError(f"{what}: zstd-compressed layer; install the 'zstandard' package to read it")
        dctx = _zstd.ZstdDecompressor(max_window_size=1 << 27)
        self._frames = ZstdFrames(what)
        self._reader = dctx.stream_reader(_RawReader(raw, self._frames), read_size=IN_CHUNK,
                                          read_across_frames=True)

    def _more(self) -> bytes:
        try:
            out = self._reader.read(CHUNK)
        except _zstd.ZstdError as exc:
            raise CorruptError(f"{self.what}: corrupt zstd data ({exc})") from None
        if not out:
            # the reader stops at the end of its input wherever that is: the stream must end at a frame
            # boundary, with nothing after the last frame
            while True:
                rest = self.raw.read(IN_CHUNK)
                if not rest:
                    break
                self._frames.feed(rest)
            if not self._frames.complete():
                raise CorruptError(f"{self.what}: truncated zstd stream "
                                   f"(ends inside a frame after {self.raw.pos} compressed bytes)")
            return b""
        return self._account(out)


def compression_of(head: bytes) -> str:
    if head[:2] == GZIP_MAGIC:
        return "gzip"
    if head[:4] == ZSTD_MAGIC:
        return "zstd"
    if head[:6] == XZ_MAGIC:
        return "xz"
    if head[:3] == BZIP2_MAGIC and len(head) >= 4 and head[3:4].isdigit():
        return "bzip2"
    return "none"


def decompressed(raw: Source, limits: Limits, what: str) -> tuple[Source, str]:
    """Wrap ``raw`` in the decompressor its magic bytes call for."""
    kind = compression_of(raw.peek(6))
    if kind == "gzip":
        return GzipSource(raw, limits, what), kind
    if kind == "zstd":
        return ZstdSource(raw, limits, what), kind
    if kind in ("xz", "bzip2"):
        raise AuditError(f"{what}: {kind}-compressed layers are not supported (OCI allows gzip and zstd)")
    return raw, kind

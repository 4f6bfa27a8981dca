"""Reading Dockerfiles from disk or stdin, with clear one-line errors."""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass

MAX_BYTES = 10 * 1024 * 1024  # a Dockerfile larger than this is not a Dockerfile


class InputError(Exception):
    """Bad input: the message is one line and names the path (and line:col when known)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Source:
    path: str  # as given, "-" for stdin shown as "<stdin>"
    text: str  # decoded text, BOM kept (the parser keeps it as a token)

    @property
    def display(self) -> str:
        return "<stdin>" if self.path == "-" else self.path


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


def decode(data: bytes, display: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) >= 2 and (data[0] == 0) != (data[1] == 0) and b"\x00" in data[:64:2] + data[1:64:2]):
        raise InputError(f"{display}: file is UTF-16 encoded; save it as UTF-8")
    nul = data.find(b"\x00")
    if nul != -1:
        line, col = _position(data, nul)
        raise InputError(f"{display}:{line}:{col}: binary file (NUL byte); not a Dockerfile")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start)
        raise InputError(f"{display}:{line}:{col}: not valid UTF-8 (byte 0x{data[exc.start]:02x})") from None


def read_source(path: str, max_bytes: int = MAX_BYTES) -> Source:
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        display = "<stdin>"
    else:
        display = path
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise InputError(f"{path}: no such file or directory") from None
        except PermissionError:
            raise InputError(f"{path}: permission denied") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{path}: is a directory; give a Dockerfile")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{path}: not a regular file")
        if st.st_size > max_bytes:
            raise InputError(f"{path}: file too large ({st.st_size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB)")
        try:
            with open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
        except PermissionError:
            raise InputError(f"{path}: permission denied") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise InputError(f"{display}: input too large (more than {max_bytes / 1e6:.0f} MB)")
    text = decode(data, display)
    if text.strip("\ufeff \t\r\n") == "":
        raise InputError(f"{display}: empty file; no instructions")
    return Source(path, text)

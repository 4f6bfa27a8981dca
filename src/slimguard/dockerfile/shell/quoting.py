"""Quote removal helpers and quoting of argv lists."""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["unescape_unquoted", "unescape_double", "decode_ansi_c", "quote_argv"]


def unescape_unquoted(text: str) -> str:
    """Backslash removal outside quotes: ``a\\ b`` -> ``a b``; backslash-newline vanishes."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt != "\n":
                out.append(nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


_DQ_ESCAPABLE = frozenset('$`"\\')


def unescape_double(text: str) -> str:
    """Backslash removal inside double quotes (only before $ ` " \\ and newline)."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "\n":
                i += 2
                continue
            if nxt in _DQ_ESCAPABLE:
                out.append(nxt)
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out)


_SIMPLE_ESC = {
    "n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b",
    "f": "\f", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?",
}
_HEX = "0123456789abcdefABCDEF"


def decode_ansi_c(body: str) -> str:
    """Decode the body of a ``$'...'`` string."""
    out: list[str] = []
    i = 0
    n = len(body)
    while i < n:
        ch = body[i]
        if ch != "\\" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        c = body[i + 1]
        i += 2
        if c in _SIMPLE_ESC:
            out.append(_SIMPLE_ESC[c])
        elif c in "xuU":
            limit = {"x": 2, "u": 4, "U": 8}[c]
            j = i
            while j < n and j - i < limit and body[j] in _HEX:
                j += 1
            if j == i:
                out.append("\\" + c)
            else:
                code = int(body[i:j], 16)
                out.append(chr(code) if code <= 0x10FFFF else "\ufffd")
                i = j
        elif c in "01234567":
            j = i
            while j < n and j - i < 2 and body[j] in "01234567":
                j += 1
            out.append(chr(int(c + body[i:j], 8) & 0xFF))
            i = j
        elif c == "c" and i < n:
            out.append(chr(ord(body[i]) & 0x1F))
            i += 1
        else:
            out.append("\\" + c)
    return "".join(out)


_SAFE = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
_RESERVED = frozenset({
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do",
    "done", "function", "time", "in", "coproc",
})


def _quote(arg: str, first: bool) -> str:
    if _SAFE.fullmatch(arg) and not (first and ("=" in arg or arg in _RESERVED)):
        return arg
    return "'" + arg.replace("'", "'\\''") + "'"


def quote_argv(argv: Sequence[str]) -> str:
    """Join ``argv`` into a shell command line that parses back to ``argv``."""
    return " ".join(_quote(a, i == 0) for i, a in enumerate(argv))

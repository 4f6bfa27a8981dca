"""Text handed to tree-sitter and the mapping of its byte offsets back to the script.

tree-sitter works on UTF-8 bytes; every offset is converted to a character
offset of the analysed string.  Nested scripts (``sh -c '...'``, here-document
bodies) are parsed as sources of their own whose offsets are shifted back into
the outer script.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from tree_sitter import Node

__all__ = ["Source", "ByteRange"]

# tree-sitter-bash 0.25 can crash (out-of-bounds read in the lexer) on code
# points from about U+80000 up, e.g. "{" followed by U+FB651.  Before parsing,
# every character outside the BMP is replaced by four ASCII letters and every
# lone surrogate by three: the same number of UTF-8 bytes, so all byte offsets
# stay valid, and the words are cut from the original text.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _crash_safe(text: str) -> str:
    """``text`` with the characters that can crash tree-sitter-bash replaced (same UTF-8 length)."""
    if _ASTRAL.search(text):
        text = _ASTRAL.sub("xxxx", text)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("xxx", text)
    return text


def _byte_to_char_table(text: str, nbytes: int) -> list[int]:
    """Character offset in ``text`` of every UTF-8 byte offset 0..nbytes."""
    table = [0] * (nbytes + 1)
    byte = 0
    for index, char in enumerate(text):
        code = ord(char)
        width = 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
        for k in range(width):
            table[byte + k] = index
        byte += width
    table[nbytes] = len(text)
    return table


class ByteRange:
    """A stand-in for a node covering a byte range (for :meth:`Source.slice`)."""

    __slots__ = ("start_byte", "end_byte")

    def __init__(self, start: int, end: int) -> None:
        self.start_byte = start
        self.end_byte = end


class Source:
    """A piece of text handed to tree-sitter and how its offsets map back.

    ``text`` is the text as analysed (words are cut from it), ``data`` the
    UTF-8 bytes given to tree-sitter and ``base`` the offset of ``text`` in
    the analysed script.  ``fixed_span`` is set when local offsets cannot be
    mapped exactly: every offset then maps into that span.  ``inserted`` are
    positions (in ``text``) of characters that were inserted to work around
    grammar limitations; they do not exist in the analysed script and are
    skipped when offsets are mapped back.  ``plain`` means byte offsets are
    character offsets and map back by adding ``base`` (the fast path)."""

    __slots__ = ("text", "data", "byte_to_char", "base", "fixed_span", "inserted", "plain")

    def __init__(self, text: str, base: int = 0, fixed_span: tuple[int, int] | None = None,
                 inserted: tuple[int, ...] = ()) -> None:
        self.text = text
        if text.isascii():
            data = text.encode()
            self.byte_to_char: list[int] | None = None
        else:
            data = _crash_safe(text).encode()
            self.byte_to_char = _byte_to_char_table(text, len(data))
        self.data = data
        self.base = base
        self.fixed_span = fixed_span
        self.inserted = inserted
        self.plain = fixed_span is None and self.byte_to_char is None and not inserted

    def char(self, byte: int) -> int:
        """Local character offset of local byte offset ``byte``."""
        table = self.byte_to_char
        if table is None:
            return byte
        return table[byte] if byte < len(table) else table[-1]

    def char_to_global(self, char: int, end: bool) -> int:
        """Offset in the analysed script of local character offset ``char``."""
        span = self.fixed_span
        if span is not None:
            return span[1] if end else span[0]
        inserted = self.inserted
        return self.base + (char - bisect_left(inserted, char) if inserted else char)

    def byte_to_global(self, byte: int, end: bool) -> int:
        """Offset in the analysed script of local byte offset ``byte``."""
        return self.char_to_global(self.char(byte), end)

    def slice(self, node: Node | ByteRange, strip: int = 0) -> Source:
        """The text of ``node`` (minus ``strip`` characters at both ends) as a new source."""
        start = self.char(node.start_byte) + strip
        end = self.char(node.end_byte) - strip
        if end < start:
            end = start
        inserted = self.inserted
        if inserted:
            inner = tuple(p - start for p in inserted if start <= p < end)
            return Source(self.text[start:end], self.base + start - bisect_left(inserted, start),
                          self.fixed_span, inner)
        return Source(self.text[start:end], self.base + start, self.fixed_span)

    def unmapped(self, text: str, start: int, end: int) -> Source:
        """A new source whose offsets cannot be mapped: they all point at start..end."""
        return Source(text, 0, self.fixed_span or (start, end))

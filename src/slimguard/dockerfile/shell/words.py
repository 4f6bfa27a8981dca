"""Decode tree-sitter word nodes into :class:`Word` (raw text, value after quote removal, offsets)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slimguard.dockerfile.shell.grammar import EXPANSION_TYPES
from slimguard.dockerfile.shell.model import Word, new_word
from slimguard.dockerfile.shell.quoting import decode_ansi_c, unescape_double, unescape_unquoted
from slimguard.dockerfile.shell.source import Source

if TYPE_CHECKING:  # pragma: no cover
    from tree_sitter import Node

__all__ = ["decode_word"]


def decode_word(node: Node, src: Source) -> Word:
    """The word of ``node`` with its value (None when it depends on an expansion)."""
    start_byte = node.start_byte
    end_byte = node.end_byte
    if src.plain:
        raw = src.text[start_byte:end_byte]
        if node.type == "word":
            value: str | None = unescape_unquoted(raw) if "\\" in raw else raw
        else:
            value = _word_value(node, raw, src)
        base = src.base
        return new_word(raw, value, base + start_byte, base + end_byte)
    start = src.char(start_byte)
    end = src.char(end_byte)
    raw = src.text[start:end]
    if node.type == "word":
        value = unescape_unquoted(raw) if "\\" in raw else raw
    else:
        value = _word_value(node, raw, src)
    return new_word(raw, value, src.char_to_global(start, False), src.char_to_global(end, True))


def _word_value(node: Node, raw: str, src: Source) -> str | None:
    """The value of ``node`` (source text ``raw``) after quote removal, or None when it has expansions."""
    kind = node.type
    if kind == "raw_string":
        return raw[1:-1] if len(raw) >= 2 and raw.endswith("'") else raw[1:]
    if kind == "ansi_c_string":
        return decode_ansi_c(raw[2:-1] if raw.endswith("'") else raw[2:])
    if kind in EXPANSION_TYPES:
        return None
    if node.child_count == 0:
        return unescape_unquoted(raw) if "\\" in raw else raw
    if kind == "string" or kind == "translated_string":
        for child in node.children:
            if child.type in EXPANSION_TYPES:
                return None
        lead = 2 if kind == "translated_string" else 1  # `"` or `$"`
        inner = raw[lead:-1] if len(raw) > lead and raw.endswith('"') else raw[lead:]
        return unescape_double(inner) if "\\" in inner else inner
    # concatenation and other composite nodes: join the parts (text between them is literal)
    parts: list[str] = []
    text = src.text
    pos = src.char(node.start_byte)
    for child in node.children:
        child_start = src.char(child.start_byte)
        child_end = src.char(child.end_byte)
        if child_start > pos:
            parts.append(text[pos:child_start])
        value = _word_value(child, text[child_start:child_end], src)
        if value is None:
            return None
        parts.append(value)
        pos = max(pos, child_end)
    end = src.char(node.end_byte)
    if end > pos:
        parts.append(text[pos:end])
    return "".join(parts)

"""Work around tree-sitter-bash misreading here-document delimiters glued to an operator.

In ``cat <<EOF>/x``, ``<<EOF|sh`` or ``<<EOF&&x`` the grammar lets the body
swallow the rest of the script.  Before parsing, a space is inserted after
such delimiters (only outside quotes and here-document bodies); the source
records the insertions so that offsets still map to the analysed script.
"""

from __future__ import annotations

import re

from slimguard.dockerfile.shell.source import Source

__all__ = ["separate_glued_heredocs"]

_HEREDOC_OPERATOR = re.compile(
    r"<<(-?)[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|\\?([A-Za-z0-9_.+\-]+))")
_GLUE_CHARS = frozenset(";&|<>)")


def _glued_delimiter_ends(text: str) -> list[int]:
    """Positions right after here-document delimiters glued to an operator."""
    out: list[int] = []
    pending: list[tuple[str, bool]] = []  # (delimiter, strips tabs) of heredocs started on this line
    i = 0
    n = len(text)
    quote = ""
    while i < n:
        char = text[i]
        if quote == "'":
            if char == "'":
                quote = ""
        elif char == "\\":
            i += 2
            continue
        elif quote == '"':
            if char == '"':
                quote = ""
        elif char == "'" or char == '"':
            quote = char
        elif char == "#" and (i == 0 or text[i - 1] in " \t\n;&|("):
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
            continue
        elif char == "\n" and pending:
            # skip the bodies of the here-documents started on this line
            pos = i + 1
            for delimiter, strip_tabs in pending:
                while pos < n:
                    newline = text.find("\n", pos)
                    line = text[pos:] if newline < 0 else text[pos:newline]
                    pos = n if newline < 0 else newline + 1
                    if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                        break
            pending = []
            i = pos
            continue
        elif char == "<" and text.startswith("<<", i) and not text.startswith("<<<", i):
            match = _HEREDOC_OPERATOR.match(text, i)
            if match is not None:
                single, double, bare = match.group(2), match.group(3), match.group(4)
                delimiter = single if single is not None else double if double is not None else bare
                pending.append((delimiter or "", match.group(1) == "-"))
                end = match.end()
                if end < n and text[end] in _GLUE_CHARS:
                    out.append(end)
                i = end
                continue
            i += 2
            continue
        elif char == "<" and text.startswith("<<<", i):
            i += 3
            continue
        i += 1
    return out


def separate_glued_heredocs(src: Source) -> Source:
    """``src`` with spaces inserted after here-document delimiters glued to an operator."""
    text = src.text
    if "<<" not in text or src.inserted:
        return src
    ends = _glued_delimiter_ends(text)
    if not ends:
        return src
    parts: list[str] = []
    inserted: list[int] = []
    last = 0
    for end in ends:
        parts.append(text[last:end])
        parts.append(" ")
        inserted.append(end + len(inserted))
        last = end
    parts.append(text[last:])
    return Source("".join(parts), src.base, src.fixed_span, tuple(inserted))

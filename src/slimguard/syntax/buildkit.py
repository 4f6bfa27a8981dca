"""Argument splitting with the same results as BuildKit's Dockerfile parser.

These functions work on the *logical* line (continuations joined, comment lines
dropped) and return plain strings plus logical offsets, so callers can map the
results back to source spans.  Behaviour follows BuildKit's documented parser
rules; the implementation is our own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

WHITESPACE_RE = re.compile(r"[\t\v\f\r ]+")

NOT_STRING_ARRAY = "when using JSON array syntax, arrays must be comprised of strings only"


class ArgumentError(ValueError):
    """An instruction's arguments are malformed in a way BuildKit rejects."""


@dataclass(frozen=True, slots=True)
class RawFlag:
    text: str  # processed like BuildKit: quotes removed, escapes resolved
    start: int  # logical offsets of the raw flag word
    end: int


def split_keyword(line: str) -> tuple[int, int]:
    """Return the logical [start, end) of the instruction keyword."""
    start = len(line) - len(line.lstrip())
    m = WHITESPACE_RE.search(line, start)
    end = m.start() if m else len(line.rstrip())
    return start, max(start, end)


def extract_flags(line: str, offset: int) -> tuple[list[RawFlag], int]:
    """Parse leading ``--flag`` words of *line* starting at *offset*.

    Returns the flags and the logical offset where the remaining arguments begin.
    """
    flags: list[RawFlag] = []
    pos = offset
    n = len(line)
    while True:
        while pos < n and line[pos].isspace():
            pos += 1
        if pos >= n:
            return flags, n
        if not line.startswith("--", pos):
            return flags, pos
        start = pos
        word: list[str] = []
        blank_ok = False
        quote = ""
        while pos < n:
            ch = line[pos]
            if quote:
                if ch == quote:
                    quote = ""
                    pos += 1
                    continue
                if ch == "\\":
                    if pos + 1 == n:
                        pos += 1
                        quote = ""
                        break
                    pos += 1
                    ch = line[pos]
                word.append(ch)
                pos += 1
                continue
            if ch.isspace():
                break
            if ch in "'\"":
                quote = ch
                blank_ok = True
                pos += 1
                continue
            if ch == "\\":
                if pos + 1 == n:
                    pos += 1
                    continue
                pos += 1
                ch = line[pos]
            word.append(ch)
            pos += 1
        text = "".join(word)
        if text == "--":
            # an explicit end of flags
            if pos >= n:
                return flags, n
            return flags, pos
        if blank_ok or text:
            flags.append(RawFlag(text, start, pos))
        if pos >= n:
            return flags, n


def parse_words(rest: str, escape: str) -> list[tuple[str, int, int]]:
    """BuildKit's ``parseWords``: split on whitespace, keeping quotes and escapes."""
    words: list[tuple[str, int, int]] = []
    n = len(rest)
    pos = 0
    word: list[str] = []
    start = -1
    quote = ""
    blank_ok = False
    in_word = False
    while pos <= n:
        if pos == n:
            if in_word and (blank_ok or word):
                words.append(("".join(word), start, pos))
            break
        ch = rest[pos]
        if not in_word:
            if ch.isspace():
                pos += 1
                continue
            in_word = True
            start = pos
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote != "'":
                if pos + 1 == n:
                    quote = ""
                    pos += 1
                    continue
                word.append(ch)
                pos += 1
                ch = rest[pos]
            word.append(ch)
            pos += 1
            continue
        if ch.isspace():
            if blank_ok or word:
                words.append(("".join(word), start, pos))
            word = []
            blank_ok = False
            in_word = False
            pos += 1
            continue
        if ch in "'\"":
            quote = ch
            blank_ok = True
        if ch == escape:
            if pos + 1 == n:
                pos += 1
                continue
            word.append(ch)
            pos += 1
            ch = rest[pos]
        word.append(ch)
        pos += 1
    return words


def split_whitespace(rest: str) -> list[tuple[str, int, int]]:
    """BuildKit's ``parseStringsWhitespaceDelimited`` with offsets."""
    if rest == "":
        return []
    out: list[tuple[str, int, int]] = []
    pos = 0
    for m in WHITESPACE_RE.finditer(rest):
        out.append((rest[pos : m.start()], pos, m.start()))
        pos = m.end()
    out.append((rest[pos:], pos, len(rest)))
    return out


def parse_json_array(rest: str) -> list[str] | None:
    """Return the JSON string array at the start of *rest*, or None when not JSON.

    Raises :class:`ArgumentError` when it is a JSON array holding non-strings.
    Trailing text after the array is ignored, as BuildKit does.
    """
    text = rest.lstrip()
    if not text.startswith("["):
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, str) for v in value):
        raise ArgumentError(NOT_STRING_ARRAY)
    return value


def name_values(rest: str, key: str, escape: str) -> list[str]:
    """BuildKit's ``parseNameVal`` (ENV, LABEL): a flat [k1, v1, k2, v2 ...] list."""
    words = parse_words(rest, escape)
    if not words:
        return []
    if "=" not in words[0][0]:
        parts = WHITESPACE_RE.split(rest, maxsplit=1)
        if len(parts) < 2:
            raise ArgumentError(f"{key} must have two arguments")
        return [parts[0], parts[1]]
    out: list[str] = []
    for word, _, _ in words:
        if "=" not in word:
            raise ArgumentError(
                f"Syntax error - can't find = in {json.dumps(word)}. Must be of the form: name=value"
            )
        k, v = word.split("=", 1)
        out += [k, v]
    return out


_HEREDOC_RE = re.compile(r"^(\d*)<<(-?)([^<]*)$")


@dataclass(frozen=True, slots=True)
class HeredocSpec:
    name: str
    fd: int
    chomp: bool
    expand: bool


def _lex_words(text: str, keep_quotes: bool) -> list[str]:
    """A small shell-word splitter matching BuildKit's lexer for heredoc detection."""
    words: list[str] = []
    cur: list[str] = []
    have = False
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            if have:
                words.append("".join(cur))
                cur, have = [], False
            i += 1
            continue
        have = True
        if ch == "\\":
            if keep_quotes:
                cur.append(text[i : i + 2])
            elif i + 1 < n:
                cur.append(text[i + 1])
            i += 2
            continue
        if ch in "'\"":
            end = i + 1
            while end < n and text[end] != ch:
                if ch == '"' and text[end] == "\\":
                    end += 1
                end += 1
            inner = text[i + 1 : end]
            if keep_quotes:
                cur.append(text[i : end + 1])
            else:
                cur.append(inner if ch == "'" else re.sub(r"\\(.)", r"\1", inner))
            i = end + 1
            continue
        cur.append(ch)
        i += 1
    if have:
        words.append("".join(cur))
    return words


def heredocs_in_line(line: str) -> list[HeredocSpec]:
    """Heredoc openers (``<<EOF``, ``<<-"EOF"``, ``3<<EOF``) in a logical line."""
    specs: list[HeredocSpec] = []
    for word in _lex_words(line, keep_quotes=True):
        m = _HEREDOC_RE.match(word)
        if not m or not m.group(3):
            continue
        rest = m.group(3)
        plain = _lex_words(rest, keep_quotes=False)
        if len(plain) != 1:
            continue
        raw = _lex_words(rest, keep_quotes=True)
        name = plain[0]
        quotes_plain = name.count("'") + name.count('"')
        quotes_raw = raw[0].count("'") + raw[0].count('"') if raw else 0
        specs.append(
            HeredocSpec(
                name=name,
                fd=int(m.group(1)) if m.group(1) else 0,
                chomp=m.group(2) == "-",
                expand=quotes_plain == quotes_raw,
            )
        )
    return specs

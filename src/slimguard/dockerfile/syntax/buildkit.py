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
# Go's unicode.IsSpace, which BuildKit uses for trimming and word splitting.
GO_SPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
            "\u200a\u2028\u2029\u202f\u205f\u3000")

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
    start = len(line) - len(line.lstrip(GO_SPACE))
    m = WHITESPACE_RE.search(line, start)
    end = m.start() if m else len(line.rstrip(GO_SPACE))
    return start, max(start, end)


def extract_flags(line: str, offset: int) -> tuple[list[RawFlag], int]:
    """Parse leading ``--flag`` words of *line* starting at *offset*.

    Returns the flags and the logical offset where the remaining arguments begin.
    BuildKit reads flags byte by byte (each UTF-8 byte becomes one Latin-1 character, and the
    bytes 0x85 and 0xA0 count as spaces); non-ASCII lines are handled the same way, so flag
    texts and the start of the arguments match what BuildKit uses.
    """
    if "--" not in line[offset:]:
        pos = offset
        while pos < len(line) and line[pos] in GO_SPACE:
            pos += 1
        return [], pos  # no flags: the common case
    if line.isascii():
        return _extract_flags(line, offset)
    data = line.encode("utf-8", "surrogatepass")
    units = data.decode("latin-1")
    starts: list[int] = []  # byte offset where each character starts
    char_of: list[int] = []  # character index of each byte
    pos = 0
    for ci, ch in enumerate(line):
        size = len(ch.encode("utf-8", "surrogatepass"))
        starts.append(pos)
        char_of.extend([ci] * size)
        pos += size
    char_of.append(len(line))
    starts.append(len(data))

    def to_char(b: int) -> int:
        ci = char_of[b]
        return ci if starts[ci] == b else ci + 1  # a split inside a character consumes it

    flags, rest = _extract_flags(units, len(line[:offset].encode("utf-8", "surrogatepass")))
    return [RawFlag(f.text, to_char(f.start), to_char(f.end)) for f in flags], to_char(rest)


def _extract_flags(line: str, offset: int) -> tuple[list[RawFlag], int]:
    flags: list[RawFlag] = []
    pos = offset
    n = len(line)
    while True:
        while pos < n and line[pos] in GO_SPACE:
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
            if ch in GO_SPACE:
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
            if ch in GO_SPACE:
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
        if ch in GO_SPACE:
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


def _reject_number(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")  # Go cannot decode it: not JSON
    return value


def _reject_constant(text: str) -> float:
    raise ValueError(f"{text} is not JSON")


_DECODER = json.JSONDecoder(parse_float=_reject_number, parse_int=_reject_number,
                            parse_constant=_reject_constant)
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json_array(rest: str) -> list[str] | None:
    """Return the JSON string array at the start of *rest*, or None when not JSON.

    Raises :class:`ArgumentError` when it is a JSON array holding non-strings.
    Trailing text after the array is ignored, as BuildKit does. Like Go's decoder,
    NaN/Infinity and numbers out of float64 range make it "not JSON", and unpaired
    surrogate escapes decode to U+FFFD.
    """
    text = rest.lstrip(GO_SPACE)
    if not text.startswith("["):
        return None
    try:
        value, _ = _DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, str) for v in value):
        raise ArgumentError(NOT_STRING_ARRAY)
    return [_SURROGATE.sub("\ufffd", v) for v in value]


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


def _lex_words(text: str, keep_quotes: bool) -> list[str] | None:
    """A small shell-word splitter matching BuildKit's lexer for heredoc detection.

    Returns None on an unterminated quote (BuildKit then finds no heredoc at all).
    Without ``keep_quotes`` empty words are dropped, as BuildKit's lexer does.
    """
    words: list[str] = []
    cur: list[str] = []
    have = False
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in GO_SPACE:
            if have:
                word = "".join(cur)
                if keep_quotes or word:
                    words.append(word)
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
            if end >= n:
                return None
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
        word = "".join(cur)
        if keep_quotes or word:
            words.append(word)
    return words


def _substitutions_ok(text: str) -> bool:
    """False where BuildKit's shell lexer fails on a ``${...}`` (bad name, modifier or brace)."""
    from slimguard.dockerfile.expand import UNRESOLVED, ExpansionError, expand_raw, references

    env = {name: UNRESOLVED for name in references(text)}  # unset variables are not errors here
    try:
        expand_raw(text, env)
    except ExpansionError:
        return False
    return True


def heredocs_in_line(line: str) -> list[HeredocSpec]:
    """Heredoc openers (``<<EOF``, ``<<-"EOF"``, ``3<<EOF``) in a logical line.

    Like BuildKit, a line its shell lexer cannot read (an unterminated quote, a bad ``${...}``)
    has no heredocs at all.
    """
    specs: list[HeredocSpec] = []
    if "${" in line and not _substitutions_ok(line):
        return specs
    for word in _lex_words(line, keep_quotes=True) or []:
        m = _HEREDOC_RE.match(word)
        if not m or not m.group(3):
            continue
        rest = m.group(3)
        plain = _lex_words(rest, keep_quotes=False)
        if plain is None or len(plain) != 1:
            continue
        raw = _lex_words(rest, keep_quotes=True) or []
        name = plain[0]
        if name.startswith("\ufeff"):
            name = name[1:]  # the lexer drops one leading byte order mark
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

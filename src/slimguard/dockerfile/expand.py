"""Dockerfile variable substitution with BuildKit's semantics.

BuildKit expands variables itself (not through a shell) in the arguments of
ARG, ENV, FROM, COPY, ADD, USER, EXPOSE, WORKDIR, LABEL, VOLUME and
STOPSIGNAL; RUN, CMD and ENTRYPOINT are left to the shell.  This module
reimplements BuildKit's lexer for that:

* ``$NAME``, ``${NAME}``; names are letters, digits and ``_`` (Unicode
  letters and digits count); ``$1``/``$123`` (all the digits) and the special
  parameters ``$@ $* $# $? $- $$ $! $0`` are looked up like any other name
  (and so are normally empty);
* ``${V-w} ${V:-w} ${V+w} ${V:+w} ${V?w} ${V:?w}`` (the word ``w`` is always
  expanded, even when not used, as BuildKit does);
* ``${V#p} ${V##p} ${V%p} ${V%%p}`` and ``${V/p/r} ${V//p/r}`` where the
  pattern knows ``*`` and ``?`` only (``[`` is literal, as in BuildKit);
* ``'...'`` keeps everything literally, ``"..."`` expands ``$`` and lets the
  escape character escape only ``"``, ``$`` and itself;
* the escape character (a backslash, or a backtick after the ``escape``
  parser directive) escapes the next character outside quotes; a trailing
  escape is dropped;
* ``$`` not followed by a name or ``{`` stays literal;
* unknown variables expand to the empty string and are reported in
  :attr:`Expansion.missing`.

Env values may be :class:`Unresolved` to say "set, but the value is not
known statically" (e.g. an ARG that a build argument may override).  Such a
variable is written back in ``${NAME...}`` form, like BuildKit does for unset
variables when it only previews a command, and reported in
:attr:`Expansion.unresolved`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "UNRESOLVED",
    "Expansion",
    "ExpansionError",
    "ExpansionTooLarge",
    "MAX_MATCH_STEPS",
    "MAX_VALUE_LENGTH",
    "Unresolved",
    "expand_heredoc",
    "expand_raw",
    "expand_word",
    "expand_words",
    "references",
]


class Unresolved:
    """Marker env value: the variable is set but its value is unknown."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNRESOLVED"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unresolved)

    def __hash__(self) -> int:
        return hash(Unresolved)


UNRESOLVED = Unresolved()

Env = Mapping[str, "str | Unresolved"]


class ExpansionError(ValueError):
    """Invalid substitution syntax, or a ``${V?msg}`` check that failed."""

    def __init__(self, message: str, *, text: str | None = None, reason: str | None = None):
        super().__init__(message)
        self.text = text
        self.reason = reason if reason is not None else message


class ExpansionTooLarge(ExpansionError):
    """The expansion would exceed a size or work bound (not a syntax error: the value is unknown).

    Raised when a value would grow past :data:`MAX_VALUE_LENGTH` characters (``ARG B=${A}${A}``
    repeated doubles it every line) or a ``${V#pattern}``-style match needs more than
    :data:`MAX_MATCH_STEPS` steps.  BuildKit would compute such values; a linter treats them as
    unknown instead of spending memory and time on them.
    """


@dataclass(frozen=True)
class Expansion:
    """Result of expanding a word."""

    value: str
    missing: frozenset[str] = frozenset()
    used: frozenset[str] = frozenset()
    unresolved: frozenset[str] = frozenset()

    @property
    def exact(self) -> bool:
        """True when no :class:`Unresolved` variable took part."""
        return not self.unresolved


# Go's unicode.IsSpace (Python's str.isspace also accepts \x1c-\x1f).
_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_HEREDOC_SPACE = frozenset("\t\r ")
_SPECIAL_PARAMS = frozenset("@*#?-$!0")
_BOM = "\ufeff"
MAX_NESTING = 100  # ${a:-${b:-...}} deeper than this is refused (an ExpansionError), not recursed into
MAX_VALUE_LENGTH = 1 << 20  # longer expansions raise ExpansionTooLarge instead of being built
MAX_MATCH_STEPS = 2_000_000  # Pike VM thread steps allowed for one substitution's pattern matching


def _too_large() -> ExpansionTooLarge:
    return ExpansionTooLarge(
        f"expanded value longer than {MAX_VALUE_LENGTH} characters ({MAX_VALUE_LENGTH >> 20} MB): "
        "not computed, the value is unknown"
    )


def _is_digit(ch: str) -> bool:
    return ch.isdecimal()


def _is_name_char(ch: str) -> bool:
    return ch.isalpha() or ch.isdecimal() or ch == "_"


class _Words:
    """Accumulates unquoted-whitespace separated words (ProcessWords)."""

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.words: list[tuple[str, list[tuple[str, int]]]] = []
        self.in_word = False
        self.refs: list[tuple[str, int]] = []

    def _emit(self) -> None:
        self.words.append(("".join(self.buf), self.refs))
        self.buf = []
        self.refs = []
        self.in_word = False

    def add_char(self, ch: str) -> bool:
        """Add a splittable char; return True when it ended a word."""
        if ch in _SPACE:
            if self.in_word and self.buf:
                self._emit()
                return True
            return False
        self.add_raw_char(ch)
        return False

    def add_raw_char(self, ch: str) -> None:
        self.buf.append(ch)
        self.in_word = True

    def add_string(self, text: str, refs: list[tuple[str, int]]) -> None:
        self.refs.extend(refs)
        split = False
        for ch in text:
            if split and ch not in _SPACE:
                self.refs.extend(refs)
                split = False
            if self.add_char(ch):
                split = True

    def add_raw_string(self, text: str, refs: list[tuple[str, int]]) -> None:
        self.refs.extend(refs)
        if text:
            self.buf.append(text)
        self.in_word = True

    def finish(self) -> list[tuple[str, list[tuple[str, int]]]]:
        if self.buf:
            self._emit()
        elif self.refs and self.words:
            self.words[-1][1].extend(self.refs)
            self.refs = []
        return self.words


# Lookup outcomes recorded in the reference log.
_FOUND, _MISSING, _UNRESOLVED = 0, 1, 2


class _Lexer:
    def __init__(
        self,
        text: str,
        env: Env,
        escape: str,
        *,
        raw_quotes: bool = False,
        skip_quotes: bool = False,
        lenient: bool = False,
    ) -> None:
        if not isinstance(escape, str) or len(escape) != 1:
            raise ValueError(f"escape must be a single character, got {escape!r}")
        if text.startswith(_BOM):  # Go's text/scanner skips a leading BOM
            text = text[1:]
        self.src = text
        self.pos = 0
        self.env = env
        self.escape = escape
        self.raw_quotes = raw_quotes
        self.skip_quotes = skip_quotes
        self.lenient = lenient
        self.raw_escapes = False
        self.depth = 0
        self.log: list[tuple[str, int]] = []

    # -- scanner -------------------------------------------------------
    def peek(self) -> str | None:
        return self.src[self.pos] if self.pos < len(self.src) else None

    def next(self) -> str | None:
        if self.pos < len(self.src):
            ch = self.src[self.pos]
            self.pos += 1
            return ch
        return None

    # -- env -----------------------------------------------------------
    def lookup(self, name: str) -> tuple[str, bool, bool]:
        """Return (value, is_set, unresolved) and log the lookup.

        BuildKit logs the empty name too (``${+x}``); it is not a variable,
        so it is not logged here.
        """
        value = self.env.get(name)
        if value is None:
            kind, result = _MISSING, ("", False, False)
        elif isinstance(value, Unresolved):
            kind, result = _UNRESOLVED, ("", True, True)
        else:
            kind, result = _FOUND, (value, True, False)
        if name:
            self.log.append((name, kind))
        return result

    # -- lexer ---------------------------------------------------------
    def process(
        self, stop: str | None, raw_escapes: bool, words: _Words | None = None
    ) -> str:
        saved = self.raw_escapes
        self.raw_escapes = raw_escapes
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise ExpansionError(f"variable substitution nested deeper than {MAX_NESTING} levels")
            return self._process(stop, words)
        finally:
            self.depth -= 1
            self.raw_escapes = saved

    def _process(self, stop: str | None, words: _Words | None) -> str:
        result: list[str] = []
        size = 0
        while (ch := self.peek()) is not None:
            if stop is not None and ch == stop:
                self.next()
                return "".join(result)
            if ch == "$" or ch == "<" or (ch in "'\"" and not self.skip_quotes):
                mark = len(self.log)
                if ch == "$":
                    tmp = self.dollar()
                elif ch == "<":
                    tmp = self.possible_heredoc()
                elif ch == "'":
                    tmp = self.single_quote()
                else:
                    tmp = self.double_quote()
                size += len(tmp)
                if size > MAX_VALUE_LENGTH:
                    raise _too_large()
                result.append(tmp)
                if words is not None:
                    refs = self.log[mark:]
                    if ch == "$":
                        words.add_string(tmp, refs)
                    else:
                        words.add_raw_string(tmp, refs)
                continue
            ch = self.next()
            assert ch is not None
            if ch == self.escape:
                if self.raw_escapes:
                    result.append(ch)
                    if words is not None:
                        words.add_raw_char(ch)
                ch = self.next()
                if ch is None:
                    break
                if words is not None:
                    words.add_raw_char(ch)
            elif words is not None:
                words.add_char(ch)
            result.append(ch)
        if stop is not None:
            raise ExpansionError(
                f"unexpected end of statement while looking for matching {stop}"
            )
        return "".join(result)

    def single_quote(self) -> str:
        out: list[str] = []
        self.next()
        if self.raw_quotes:
            out.append("'")
        while True:
            ch = self.next()
            if ch is None:
                raise ExpansionError(
                    "unexpected end of statement while looking for matching single-quote"
                )
            if ch == "'":
                if self.raw_quotes:
                    out.append(ch)
                return "".join(out)
            out.append(ch)

    def double_quote(self) -> str:
        out: list[str] = []
        size = 0
        self.next()
        if self.raw_quotes:
            out.append('"')
        while True:
            ch = self.peek()
            if ch is None:
                raise ExpansionError(
                    "unexpected end of statement while looking for matching double-quote"
                )
            if ch == '"':
                self.next()
                if self.raw_quotes:
                    out.append(ch)
                return "".join(out)
            if ch == "$":
                tmp = self.dollar()
                size += len(tmp)
                if size > MAX_VALUE_LENGTH:
                    raise _too_large()
                out.append(tmp)
                continue
            ch = self.next()
            assert ch is not None
            if ch == self.escape:
                if self.raw_escapes:
                    out.append(ch)
                nxt = self.peek()
                if nxt is None:
                    continue
                if nxt in ('"', "$", self.escape):
                    ch = self.next()
                    assert ch is not None
            out.append(ch)

    def possible_heredoc(self) -> str:
        self.next()
        if self.peek() != "<":
            return "<"
        self.next()
        space: list[str] = []
        while (ch := self.peek()) is not None and ch in _HEREDOC_SPACE:
            space.append(ch)
            self.next()
        return "<<" + "".join(space)

    def name(self) -> str:
        out: list[str] = []
        while (ch := self.peek()) is not None:
            if not out and _is_digit(ch):
                while (ch := self.peek()) is not None and _is_digit(ch):
                    out.append(ch)
                    self.next()
                return "".join(out)
            if not out and ch in _SPECIAL_PARAMS:
                self.next()
                return ch
            if not _is_name_char(ch):
                break
            out.append(ch)
            self.next()
        return "".join(out)

    def dollar(self) -> str:
        self.next()  # '$'
        if self.peek() != "{":
            name = self.name()
            if not name:
                return "$"
            value, _, unresolved = self.lookup(name)
            return "$" + name if unresolved else value
        self.next()  # '{'
        first = self.peek()
        if first is None:
            raise ExpansionError("syntax error: missing '}'")
        if first in "{}:":
            raise ExpansionError("syntax error: bad substitution")
        name = self.name()
        ch = self.next()
        if ch is None:
            raise ExpansionError("syntax error: missing '}'")
        if ch == "}":
            value, _, unresolved = self.lookup(name)
            return "${" + name + "}" if unresolved else value
        if ch == ":" or ch in "+-?#%":
            return self.modifier(name, ch)
        if ch == "/":
            return self.replace(name)
        raise ExpansionError(f"unsupported modifier ({ch}) in substitution")

    def modifier(self, name: str, ch: str) -> str:
        op = ch
        null_is_unset = False
        if ch == ":":
            null_is_unset = True
            nxt = self.next()
            ch = nxt if nxt is not None else "\ufffd"
            op += ch
        raw = ch in "#%"
        if null_is_unset and raw:
            raise ExpansionError(f"unsupported modifier ({op}) in substitution")
        try:
            word = self.process("}", raw)
        except ExpansionTooLarge:
            raise
        except ExpansionError:
            if self.peek() is None:
                raise ExpansionError("syntax error: missing '}'") from None
            raise
        value, is_set, unresolved = self.lookup(name)
        if unresolved:
            return "${" + name + op + word + "}"
        empty = not is_set or (null_is_unset and value == "")
        if ch == "-":
            return word if empty else value
        if ch == "+":
            return "" if empty else word
        if ch == "?":
            if not is_set:
                message = word or "is not allowed to be unset"
            elif null_is_unset and value == "":
                message = word or "is not allowed to be empty"
            else:
                return value
            if self.lenient:
                return value
            raise ExpansionError(f"{name}: {message}")
        if ch in "#%":
            greedy = word[:1] == ch
            if greedy:
                word = word[1:]
            if ch == "%":
                return _trim_suffix(word, value, greedy)
            return _trim_prefix(word, value, greedy)
        raise ExpansionError(f"unsupported modifier ({op}) in substitution")

    def replace(self, name: str) -> str:
        replace_all = self.peek() == "/"
        if replace_all:
            self.next()
        try:
            pattern = self.process("/", True)
        except ExpansionTooLarge:
            raise
        except ExpansionError:
            if self.peek() is None:
                raise ExpansionError("syntax error: missing '/' in ${}") from None
            raise
        try:
            replacement = self.process("}", True)
        except ExpansionTooLarge:
            raise
        except ExpansionError:
            if self.peek() is None:
                raise ExpansionError("syntax error: missing '}'") from None
            raise
        value, _, unresolved = self.lookup(name)
        if unresolved:
            slashes = "//" if replace_all else "/"
            return "${" + name + slashes + pattern + "/" + replacement + "}"
        glob = _Glob(pattern, greedy=True)
        if replace_all:
            return _replace_all(glob, value, replacement)
        match = glob.search(value)
        if match is None:
            return value
        return value[: match[0]] + replacement + value[match[1] :]


# -- shell patterns --------------------------------------------------------
# BuildKit turns a pattern into a Go regexp: ``*`` -> ``.*`` (``.*?`` for the
# shortest variants), ``?`` -> ``.``, everything else literal.  Go's RE2 picks
# the leftmost-first match in linear time; a backtracking engine can take
# exponential time on patterns like ``*a*a*a*b``, so patterns run on a tiny
# Pike VM with the same priority rules instead.
_CHAR, _ANY, _SPLIT, _JMP, _MATCH = range(5)


class _Glob:
    """A compiled ``${V#pattern}``-style pattern."""

    __slots__ = ("prog", "steps", "literal")

    def __init__(self, pattern: str, greedy: bool) -> None:
        prog: list[tuple[int, Any, int]] = []
        i, n = 0, len(pattern)
        while i < n:
            ch = pattern[i]
            i += 1
            if ch == "*":
                top = len(prog)
                prog.append((_SPLIT, top + 1, top + 3) if greedy else (_SPLIT, top + 3, top + 1))
                prog.append((_ANY, None, 0))
                prog.append((_JMP, top, 0))
                continue
            if ch == "?":
                prog.append((_ANY, None, 0))
                continue
            if ch == "\\":
                nxt = pattern[i] if i < n else None
                if nxt in ("}", "/"):
                    continue  # escaped delimiters: the escape is not part of the pattern
                if nxt not in ("*", "?", "\\"):
                    shown = "EOF" if nxt is None else nxt
                    raise ExpansionError(
                        f"invalid pattern ({pattern}) in substitution: invalid escape '\\{shown}'"
                    )
                ch = nxt
                i += 1
            prog.append((_CHAR, ch, 0))
        prog.append((_MATCH, None, 0))
        self.prog = prog
        self.steps = 0  # thread steps spent so far (bounded by MAX_MATCH_STEPS)
        # a pattern without wildcards matches like str.find / str.startswith
        self.literal: str | None = (
            "".join(arg for _, arg, _ in prog[:-1]) if all(op == _CHAR for op, _, _ in prog[:-1]) else None
        )

    def _add(self, threads: list[tuple[int, int]], seen: set[int], pc: int, start: int) -> None:
        stack = [pc]
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            op, arg, alt = self.prog[pc]
            if op == _JMP:
                stack.append(arg)
            elif op == _SPLIT:
                stack.append(alt)
                stack.append(arg)  # explored first: higher priority
            else:
                threads.append((pc, start))

    def search(self, text: str, pos: int = 0, anchored: bool = False) -> tuple[int, int] | None:
        """Leftmost-first match at or after ``pos`` as (start, end), like RE2."""
        if self.literal is not None:
            if anchored:
                return (pos, pos + len(self.literal)) if text.startswith(self.literal, pos) else None
            at = text.find(self.literal, pos)
            return None if at < 0 else (at, at + len(self.literal))
        found: tuple[int, int] | None = None
        threads: list[tuple[int, int]] = []
        seen: set[int] = set()
        first = pos
        while True:
            if found is None and (not anchored or pos == first):
                self._add(threads, seen, 0, pos)
            if not threads:
                return found
            ch = text[pos] if pos < len(text) else None
            following: list[tuple[int, int]] = []
            following_seen: set[int] = set()
            for pc, start in threads:
                op, arg, _ = self.prog[pc]
                if op == _MATCH:
                    found = (start, pos)
                    break  # lower-priority threads lose
                if ch is not None and (ch == arg if op == _CHAR else ch != "\n"):
                    self._add(following, following_seen, pc + 1, start)
            if ch is None:
                return found
            self.steps += len(threads)
            if self.steps > MAX_MATCH_STEPS:
                raise ExpansionTooLarge(
                    f"pattern matching needs more than {MAX_MATCH_STEPS} steps: not computed, the value is unknown"
                )
            threads, seen = following, following_seen
            pos += 1


def _trim_prefix(pattern: str, value: str, greedy: bool) -> str:
    match = _Glob(pattern, greedy).search(value, anchored=True)
    return value[match[1] :] if match else value


def _reverse_pattern(pattern: str) -> str:
    tokens: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        if pattern[i] == "\\" and i != n - 1:
            tokens.append(pattern[i : i + 2])
            i += 2
        else:
            tokens.append(pattern[i])
            i += 1
    return "".join(reversed(tokens))


def _trim_suffix(pattern: str, value: str, greedy: bool) -> str:
    # Suffix removal = prefix removal on the reversed pattern and value.
    return _trim_prefix(_reverse_pattern(pattern), value[::-1], greedy)[::-1]


def _template_name(template: str, pos: int) -> tuple[str, int] | None:
    """Parse ``name`` or ``{name}`` at ``pos`` (Go regexp template syntax)."""
    brace = pos < len(template) and template[pos] == "{"
    i = pos + 1 if brace else pos
    start = i
    while i < len(template) and _is_name_char(template[i]):
        i += 1
    if i == start:
        return None
    name = template[start:i]
    if brace:
        if i >= len(template) or template[i] != "}":
            return None
        i += 1
    return name, i


def _expand_template(template: str, whole: str) -> str:
    """Go's Regexp.Expand for a pattern without groups: only ``$0`` is set."""
    if "$" not in template:
        return template
    out: list[str] = []
    i = 0
    while True:
        j = template.find("$", i)
        if j < 0:
            out.append(template[i:])
            return "".join(out)
        out.append(template[i:j])
        i = j + 1
        if i < len(template) and template[i] == "$":
            out.append("$")
            i += 1
            continue
        parsed = _template_name(template, i)
        if parsed is None:
            out.append("$")
            continue
        name, i = parsed
        if name == "0":
            out.append(whole)


def _replace_all(glob: _Glob, value: str, replacement: str) -> str:
    """Go's ReplaceAllString (an empty match right after a match is skipped)."""
    out: list[str] = []
    size = 0
    last_end = 0
    pos = 0
    n = len(value)
    while pos <= n:
        match = glob.search(value, pos)
        if match is None:
            break
        start, end = match
        out.append(value[last_end:start])
        size += start - last_end
        if end > last_end or start == 0:
            piece = _expand_template(replacement, value[start:end])
            out.append(piece)
            size += len(piece)
        if size > MAX_VALUE_LENGTH:
            raise _too_large()
        last_end = end
        pos = end if end > pos else pos + 1
    out.append(value[last_end:])
    return "".join(out)


# -- public API ------------------------------------------------------------
def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _expansion(value: str, log: list[tuple[str, int]]) -> Expansion:
    missing = {n for n, kind in log if kind == _MISSING}
    used = {n for n, kind in log if kind != _MISSING}
    unresolved = {n for n, kind in log if kind == _UNRESOLVED}
    return Expansion(value, frozenset(missing), frozenset(used), frozenset(unresolved))


def _run(lexer: _Lexer, text: str, words: _Words | None = None) -> str:
    try:
        return lexer.process(None, False, words)
    except ExpansionError as exc:
        kind = ExpansionTooLarge if isinstance(exc, ExpansionTooLarge) else ExpansionError
        shown = text if len(text) <= 200 else text[:200] + "..."
        raise kind(
            f"failed to process {_quote(shown)}: {exc.reason}", text=text, reason=exc.reason
        ) from None


def expand_word(text: str, env: Env, escape: str = "\\") -> Expansion:
    """Expand one word like BuildKit's ProcessWord (quotes removed)."""
    lexer = _Lexer(text, env, escape)
    return _expansion(_run(lexer, text), lexer.log)


def expand_raw(text: str, env: Env, escape: str = "\\") -> Expansion:
    """Expand variables but keep quote characters (BuildKit's RawQuotes mode).

    Quoting still has its effect: nothing inside ``'...'`` is expanded and
    escapes are still consumed.
    """
    lexer = _Lexer(text, env, escape, raw_quotes=True)
    return _expansion(_run(lexer, text), lexer.log)


def expand_heredoc(text: str, env: Env) -> Expansion:
    """Expand a heredoc body as BuildKit does (quotes are ordinary characters).

    BuildKit always uses the backslash as escape character here.
    """
    lexer = _Lexer(text, env, "\\", skip_quotes=True)
    return _expansion(_run(lexer, text), lexer.log)


def expand_words(text: str, env: Env, escape: str = "\\") -> list[Expansion]:
    """Expand and split into words like BuildKit's ProcessWords.

    Splitting happens on unquoted, unescaped whitespace, including whitespace
    that comes out of an unquoted expansion (``$V`` with ``V="a b"`` gives two
    words; ``"$V"`` gives one).  Empty words (``''``) are dropped.

    Each word carries the variables whose expansion contributed to it.  A
    variable that produced nothing is attached to the word it appeared in
    or, failing that, to the next (or last) word; when there are no words at
    all it is not reported here, so use :func:`expand_word` on the same text
    for the complete ``missing``/``used`` sets.
    """
    lexer = _Lexer(text, env, escape)
    words = _Words()
    _run(lexer, text, words)
    return [_expansion(word, refs) for word, refs in words.finish()]


def references(text: str, escape: str = "\\") -> set[str]:
    """Names of all variables ``text`` refers to (nested defaults included).

    Never raises: on a syntax error the names found before it are returned.
    """
    lexer = _Lexer(text, {}, escape, lenient=True)
    try:
        lexer.process(None, False)
    except ExpansionError:
        pass
    return {name for name, _ in lexer.log}

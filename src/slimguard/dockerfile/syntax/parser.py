"""Lossless Dockerfile parser.

The line handling mirrors BuildKit's parser (parser directives, comment and blank
lines inside continuations, heredocs, the escape token); instead of discarding
what BuildKit throws away, every character is kept in a token so the tree prints
back to the exact input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Union

from slimguard.dockerfile.syntax import buildkit
from slimguard.dockerfile.syntax.instruction import (
    HEREDOC_INSTRUCTIONS,
    KNOWN_INSTRUCTIONS,
    Flag,
    Heredoc,
    Instruction,
    LogicalLine,
)
from slimguard.dockerfile.syntax.nodes import (
    Comment,
    Directive,
    LineIndex,
    Node,
    ParseError,
    Token,
    TokenKind,
    Trivia,
)

_GO_SPACE = buildkit.GO_SPACE
_ASCII_SPACE = "\t\n\v\f\r "
# RE2's \s is ASCII-only and has no \v
_DIRECTIVE_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$", re.DOTALL)
MAX_LINE_BYTES = 65535  # bufio.Scanner's limit in BuildKit
_KNOWN_LOWER = {k.lower(): k for k in KNOWN_INSTRUCTIONS}
VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})

_NEEDS_ONE = frozenset(
    {"FROM", "USER", "WORKDIR", "STOPSIGNAL", "MAINTAINER", "EXPOSE", "VOLUME", "ARG", "ENV",
     "LABEL", "SHELL", "ONBUILD", "HEALTHCHECK"}
)
_NOT_TRIGGERS = frozenset({"ONBUILD", "FROM", "MAINTAINER"})

TopLevel = Union[Trivia, Comment, Directive, Instruction]


def _lstrip(s: str) -> str:
    return s.lstrip(_GO_SPACE)


def _continuation_re(escape: str) -> re.Pattern[str]:
    e = re.escape(escape)
    return re.compile(rf"(?:^|(?<=[^{e}])){e}[ \t]*$")


@dataclass(eq=False)
class Dockerfile(Node):
    """The root of the tree."""

    text: str = ""
    escape: str = "\\"
    directives: list[Directive] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    kind = "dockerfile"

    def __str__(self) -> str:  # fast path; equal to joining the children
        return "".join(str(c) for c in self.children)

    @property
    def instructions(self) -> list[Instruction]:
        return [c for c in self.children if isinstance(c, Instruction)]

    @property
    def comments(self) -> list[Comment]:
        out: list[Comment] = []
        for c in self.children:
            if isinstance(c, Comment):
                out.append(c)
            elif isinstance(c, Instruction):
                out.extend(x for x in _walk(c) if isinstance(x, Comment))
        return out

    def directive(self, name: str) -> str | None:
        for d in self.directives:
            if d.name == name:
                return d.value
        return None


def _walk(node: Node):
    for c in node.children:
        if isinstance(c, Node):
            yield c
            yield from _walk(c)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.index = LineIndex(text)
        self.lines: list[tuple[int, int, int]] = []
        self.long_lines: list[int] = []
        start = 1 if text.startswith("\ufeff") else 0
        self.first = start
        pos = start
        n = len(text)
        while pos < n:
            nl = text.find("\n", pos)
            end = n if nl == -1 else nl + 1
            cend = end
            while cend > pos and text[cend - 1] in "\r\n":
                cend -= 1
            self.lines.append((pos, cend, end))
            stop = end - 1 if text[end - 1] == "\n" else end
            if stop - pos > MAX_LINE_BYTES // 4 and len(text[pos:stop].encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
                self.long_lines.append(pos)
            pos = end
        self.i = 0
        self.escape = "\\"
        self.cont_re = _continuation_re(self.escape)
        self.directives_done = False
        self.seen: set[str] = set()
        self.errors: list[ParseError] = []
        self.directives: list[Directive] = []
        for start in self.long_lines:
            self.errors.append(self._error(f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES}", start))

    # -- helpers -----------------------------------------------------------
    def _error(self, message: str, start: int, end: int | None = None) -> ParseError:
        s = self.index.position(start)
        e = self.index.position(end if end is not None else start)
        return ParseError(message, s.line, s.column, e.line, e.column)

    def _simple_line(self, node: Node, start: int, cend: int, end: int, kind: TokenKind) -> Node:
        content = self.text[start:cend]
        body = _lstrip(content)
        lead = len(content) - len(body)
        if lead:
            node.children.append(Token(TokenKind.WHITESPACE, content[:lead], start))
        if body:
            node.children.append(Token(kind, body, start + lead))
        if end > cend:
            node.children.append(Token(TokenKind.NEWLINE, self.text[cend:end], cend))
        node.set_extent(start, end, self.index)
        return node

    # -- top level ---------------------------------------------------------
    def run(self) -> Dockerfile:
        root = Dockerfile(text=self.text, index=self.index)
        if self.first:
            bom = Trivia([Token(TokenKind.BOM, "\ufeff", 0)], 0, 1, self.index)
            root.children.append(bom)
        while self.i < len(self.lines):
            start, cend, end = self.lines[self.i]
            content = self.text[start:cend]
            body = _lstrip(content)
            if not self.directives_done:
                directive = self._directive(body, start, cend, end)
                if directive is not None:
                    root.children.append(directive)
                    self.i += 1
                    continue
            if body.startswith("#"):
                root.children.append(self._simple_line(Comment(), start, cend, end, TokenKind.COMMENT))
                self.i += 1
                continue
            if body == "":
                root.children.append(self._simple_line(Trivia(), start, cend, end, TokenKind.WHITESPACE))
                self.i += 1
                continue
            root.children.append(self._instruction())
        root.escape = self.escape
        root.directives = self.directives
        if not any(isinstance(c, Instruction) for c in root.children):
            self.errors.append(self._error("file with no instructions", len(self.text)))
        for child in root.children:
            if isinstance(child, Instruction):
                self.errors.extend(child.errors)
                if child.trigger is not None:
                    self.errors.extend(child.trigger.errors)
        self.errors.sort(key=lambda e: (e.line, e.column))
        root.errors = self.errors
        root.set_extent(0, len(self.text), self.index)
        return root

    def _directive(self, body: str, start: int, cend: int, end: int) -> Directive | None:
        if not body.startswith("#"):
            self.directives_done = True
            return None
        m = _DIRECTIVE_RE.match(_lstrip(body[1:]))
        if not m or m.group(1).lower() not in VALID_DIRECTIVES:
            self.directives_done = True
            return None
        name, value = m.group(1).lower(), m.group(2)
        node = self._simple_line(Directive(name=name, value=value), start, cend, end, TokenKind.DIRECTIVE)
        assert isinstance(node, Directive)
        if name in self.seen:
            self.errors.append(self._error(f"only one {name} parser directive can be used", start, cend))
            return node
        self.seen.add(name)
        if name == "escape":
            if value not in ("\\", "`"):
                self.errors.append(
                    self._error(f"invalid escape token '{value}' does not match ` or \\", start, cend)
                )
            else:
                self.escape = value
                self.cont_re = _continuation_re(value)
        self.directives.append(node)
        return node

    # -- instructions ------------------------------------------------------
    def _instruction(self) -> Instruction:
        text = self.text
        line = LogicalLine()
        items: list[Token | Node | tuple[int, int, str]] = []  # tuples: (logical, source, text)
        start, cend, end = self.lines[self.i]
        self.i += 1
        content = text[start:cend]
        body = _lstrip(content)
        lead = len(content) - len(body)
        first_offset = start
        if lead:
            items.append(Token(TokenKind.WHITESPACE, content[:lead], start))
        eol = self._line_piece(body, start + lead, cend, end, line, items)
        while not eol and self.i < len(self.lines):
            start, cend, end = self.lines[self.i]
            self.i += 1
            content = text[start:cend]
            stripped = _lstrip(content)
            if stripped.startswith("#"):
                items.append(self._simple_line(Comment(), start, cend, end, TokenKind.COMMENT))
                continue
            if stripped == "":
                items.append(self._simple_line(Trivia(), start, cend, end, TokenKind.WHITESPACE))
                continue
            eol = self._line_piece(content, start, cend, end, line, items)

        ins = Instruction(escape=self.escape)
        regions: list[tuple[int, int, TokenKind]] = []
        self._analyze(ins, line, 0, len(line.text), regions)
        ins.original = line.text

        target = ins.trigger if ins.name == "ONBUILD" and ins.trigger is not None else ins
        if target.name in HEREDOC_INSTRUCTIONS and not target.is_json and "<<" in line.text:
            for spec in buildkit.heredocs_in_line(line.text):
                doc = self._heredoc(spec, first_offset)
                target.heredocs.append(doc)
                items.append(doc)
                if not doc.terminated:
                    target.errors.append(self._error("unterminated heredoc", first_offset, doc.end_offset))
        if target is ins and ins.heredocs:
            ins.original = line.text + "\n" + "".join(h.content + h.name + "\n" for h in ins.heredocs)

        ins.children = self._tokens(items, regions)
        ins.set_extent(first_offset, _end_of(ins.children, first_offset), self.index)
        if ins.trigger is not None:
            trig = ins.trigger
            cut = trig.keyword_start
            k = 0
            while k < len(ins.children) and _offset_of(ins.children[k]) < cut:
                k += 1
            trig.children = ins.children[k:]
            ins.children = ins.children[:k] + [trig]
            trig.set_extent(cut, ins.end_offset, self.index)
        return ins

    def _line_piece(self, content: str, offset: int, cend: int, end: int, line: LogicalLine, items: list) -> bool:
        m = self.cont_re.search(content)
        piece = content[: m.start()] if m else content
        if piece:
            items.append((len(line.text), offset, piece))
            line.append(piece, offset)
        if m:
            items.append(Token(TokenKind.CONTINUATION, content[m.start():], offset + m.start()))
        if end > cend:
            items.append(Token(TokenKind.NEWLINE, self.text[cend:end], cend))
        return m is None

    def _heredoc(self, spec: buildkit.HeredocSpec, ins_start: int) -> Heredoc:
        doc = Heredoc(name=spec.name, fd=spec.fd, chomp=spec.chomp, expand=spec.expand)
        body_start = self.lines[self.i][0] if self.i < len(self.lines) else len(self.text)
        body_end = body_start
        content: list[str] = []
        doc.terminated = False
        while self.i < len(self.lines):
            start, cend, end = self.lines[self.i]
            self.i += 1
            candidate = self.text[start:cend]
            if spec.chomp:
                candidate = candidate.lstrip("\t")
            if candidate == spec.name:
                if body_end > body_start:
                    doc.children.append(Token(TokenKind.HEREDOC_BODY, self.text[body_start:body_end], body_start))
                doc.children.append(Token(TokenKind.HEREDOC_END, self.text[start:cend], start))
                if end > cend:
                    doc.children.append(Token(TokenKind.NEWLINE, self.text[cend:end], cend))
                doc.terminated = True
                body_end = end
                break
            content.append(self.text[start:end])
            body_end = end
        if not doc.terminated and body_end > body_start:
            doc.children.append(Token(TokenKind.HEREDOC_BODY, self.text[body_start:body_end], body_start))
        doc.content = "".join(content)
        doc.set_extent(body_start, body_end, self.index)
        return doc

    def _tokens(self, items: list, regions: list[tuple[int, int, TokenKind]]) -> list:
        regions.sort()
        out: list = []
        append = out.append
        for item in items:
            if type(item) is not tuple:
                append(item)
                continue
            lstart, source, piece = item
            lend = lstart + len(piece)
            pos = lstart
            for rs, rend, kind in regions:
                if rend <= pos or rs >= lend:
                    continue
                if rs > pos:
                    self._gap(append, piece, lstart, source, pos, rs)
                    pos = rs
                b = rend if rend < lend else lend
                append(Token(kind, piece[pos - lstart : b - lstart], source + (pos - lstart)))
                pos = b
            if pos < lend:
                self._gap(append, piece, lstart, source, pos, lend)
        return out

    @staticmethod
    def _gap(append, piece: str, lstart: int, source: int, a: int, b: int) -> None:
        sub = piece[a - lstart : b - lstart]
        kind = TokenKind.WHITESPACE if sub.strip(_GO_SPACE) == "" else TokenKind.ARGUMENT
        append(Token(kind, sub, source + (a - lstart)))

    def _analyze(self, ins: Instruction, line: LogicalLine, lo: int, hi: int, regions: list) -> None:
        """Fill in the semantic fields of *ins* from the logical text [lo, hi).

        ``ONBUILD ONBUILD …`` chains are walked in a loop, not by recursion, so no chain length can
        exhaust Python's stack; each ONBUILD level is completed from its trigger, deepest first.
        """
        pending: list[tuple[Instruction, Instruction, str, int]] = []
        current: Instruction | None = ins
        while current is not None:
            descend = self._analyze_one(current, line, lo, hi, regions)
            if descend is None:
                break
            trig, lo, rest, kw_src = descend
            hi = lo + len(rest)
            pending.append((current, trig, rest, kw_src))
            current = trig
        for parent, trig, rest, kw_src in reversed(pending):
            trig.original = rest
            parent.trigger = trig
            if trig.name == "ONBUILD":
                parent._value = ("",) if trig.trigger is not None else ()
            else:
                parent._value = trig._value
            parent.is_json, parent.json_args = trig.is_json, trig.json_args
            if trig.name in _NOT_TRIGGERS:
                trig.errors.append(self._error(f"{trig.name} isn't allowed as an ONBUILD trigger", kw_src))

    def _analyze_one(self, ins: Instruction, line: LogicalLine, lo: int, hi: int,
                     regions: list) -> tuple[Instruction, int, str, int] | None:
        """Analyze one level; for ``ONBUILD X`` return (trigger to fill, its start, its text, keyword pos)."""
        text = line.text[:hi].rstrip(_GO_SPACE)
        hi = len(text)
        ks, ke = buildkit.split_keyword(text[lo:])
        ks += lo
        ke += lo
        ins.keyword = text[ks:ke]
        ins.name, ins.is_known = _instruction_name(ins.keyword)
        ins._line = line
        ins._index = self.index
        kw_src = line.to_source(ks)
        ins.keyword_start = kw_src
        ins.keyword_end = line.to_source(ke, is_end=True) if ke > ks else kw_src
        if ke > ks:
            regions.append((ks, ke, TokenKind.KEYWORD))
        raw_flags, rest_start = buildkit.extract_flags(text, ke)
        for f in raw_flags:
            regions.append((f.start, f.end, TokenKind.FLAG))
            ins.flags.append(Flag(f.text, line.to_source(f.start), line.to_source(f.end, is_end=True), self.index))
        rest_raw = text[rest_start:hi]
        rest = rest_raw.strip(_GO_SPACE)
        rs = rest_start + (len(rest_raw) - len(rest_raw.lstrip(_GO_SPACE)))
        ins.rest = rest
        ins._rest_offset = rs
        name = ins.name if ins.is_known else ""
        if name == "ONBUILD":
            if rest:
                return Instruction(escape=self.escape), rs, rest, kw_src
            ins.errors.append(self._error("ONBUILD requires at least one argument", kw_src))
            return None
        if rest:
            regions.append((rs, rs + len(rest), TokenKind.ARGUMENT))
        try:
            ins._value = self._value(ins, rest)
        except buildkit.ArgumentError as exc:
            ins.errors.append(self._error(str(exc), line.to_source(rs)))
            ins._value = ()
        if not ins.is_known:
            if ins.keyword:
                ins.errors.append(self._error(f"unknown instruction: {ins.keyword}", kw_src))
            else:
                ins.errors.append(self._error("empty continuation line without an instruction", kw_src))
        elif name in _NEEDS_ONE and not rest:
            ins.errors.append(self._error(f"{name} requires at least one argument", kw_src))
        elif name in ("COPY", "ADD") and len(ins._value) < 2:
            ins.errors.append(self._error(f"{name} requires at least two arguments", kw_src))

    def _value(self, ins: Instruction, rest: str) -> tuple[str, ...]:
        if not ins.is_known:
            return ("",)
        name = ins.name
        if name in ("ADD", "COPY", "VOLUME"):
            j = buildkit.parse_json_array(rest)
            if j is not None:
                ins.is_json, ins.json_args = True, j
                return tuple(j)
            return tuple(w for w, _, _ in buildkit.split_whitespace(rest))
        if name in ("CMD", "ENTRYPOINT", "RUN", "SHELL"):
            if not rest:
                return ()
            j = buildkit.parse_json_array(rest)
            if j is not None:
                ins.is_json, ins.json_args = True, j
                return tuple(j)
            return (rest,)
        if name == "ARG":
            return tuple(w for w, _, _ in buildkit.parse_words(rest, self.escape))
        if name in ("ENV", "LABEL"):
            return tuple(buildkit.name_values(rest, name, self.escape))
        if name in ("EXPOSE", "FROM"):
            return tuple(w for w, _, _ in buildkit.split_whitespace(rest))
        if name == "HEALTHCHECK":
            # BuildKit scans this split byte by byte: only ASCII white space separates
            sep = 0
            while sep < len(rest) and rest[sep] not in _ASCII_SPACE:
                sep += 1
            if sep == 0:
                return ()
            nxt = sep
            while nxt < len(rest) and rest[nxt] in _ASCII_SPACE:
                nxt += 1
            cmd = rest[nxt:]
            if not cmd:
                return (rest[:sep],)
            j = buildkit.parse_json_array(cmd)
            if j is not None:
                ins.is_json, ins.json_args = True, j
                return (rest[:sep], *j)
            return (rest[:sep], cmd)
        if name in ("MAINTAINER", "STOPSIGNAL", "USER", "WORKDIR"):
            return (rest,) if rest else ()
        return ("",)


def _instruction_name(keyword: str) -> tuple[str, bool]:
    """(upper-case name, known?): known instructions are matched with Go's simple lower-casing."""
    if keyword.isascii():
        lowered = keyword.lower()
    else:
        lowered = "".join("i" if c == "\u0130" else c.lower() for c in keyword)
    known = _KNOWN_LOWER.get(lowered)
    return (known, True) if known is not None else (keyword.upper(), False)


def _offset_of(child: Token | Node) -> int:
    if isinstance(child, Token):
        return child.offset
    return child.start_offset


def _end_of(children: list, default: int) -> int:
    if not children:
        return default
    last = children[-1]
    return last.end if isinstance(last, Token) else last.end_offset


def parse(text: str) -> Dockerfile:
    """Parse Dockerfile *text* into a lossless tree; never raises for ``str`` input."""
    if not isinstance(text, str):
        raise TypeError(f"parse() expects str, not {type(text).__name__}")
    return _Parser(text).run()

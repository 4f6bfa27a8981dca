"""Lossless concrete syntax tree for Dockerfiles.

Every character of the input belongs to exactly one :class:`Token`; tokens are
grouped into nodes.  ``str(node)`` concatenates the node's tokens, so
``str(parse(text)) == text`` for every input.

Offsets are character offsets into the parsed ``str``; lines and columns are
1-based (columns count characters).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import Enum
from typing import Iterator, Union


class TokenKind(str, Enum):
    BOM = "bom"
    WHITESPACE = "whitespace"
    NEWLINE = "newline"
    COMMENT = "comment"
    DIRECTIVE = "directive"
    KEYWORD = "keyword"
    FLAG = "flag"
    ARGUMENT = "argument"
    CONTINUATION = "continuation"  # escape character plus trailing blanks
    HEREDOC_BODY = "heredoc_body"
    HEREDOC_END = "heredoc_end"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Position:
    offset: int
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Span:
    start: Position
    end: Position

    @property
    def line(self) -> int:
        return self.start.line

    @property
    def column(self) -> int:
        return self.start.column

    @property
    def end_line(self) -> int:
        return self.end.line

    @property
    def end_column(self) -> int:
        return self.end.column

    def __str__(self) -> str:
        return f"{self.start.line}:{self.start.column}-{self.end.line}:{self.end.column}"


class LineIndex:
    """Maps character offsets to 1-based (line, column)."""

    __slots__ = ("_starts", "_length")

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts
        self._length = len(text)

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, self._length))
        line = bisect.bisect_right(self._starts, offset) - 1
        return Position(offset, line + 1, offset - self._starts[line] + 1)

    def span(self, start: int, end: int) -> Span:
        return Span(self.position(start), self.position(end))

    @property
    def line_count(self) -> int:
        return len(self._starts)


@dataclass(slots=True)
class Token:
    kind: TokenKind
    text: str
    offset: int

    @property
    def end(self) -> int:
        return self.offset + len(self.text)

    def __str__(self) -> str:
        return self.text

    def tokens(self) -> Iterator["Token"]:
        yield self


Child = Union[Token, "Node"]


@dataclass(eq=False)
class Node:
    """A group of tokens and nodes; its text is the concatenation of its children.

    Offsets are stored; line/column spans are computed on demand.
    """

    children: list[Child] = field(default_factory=list)
    start_offset: int = 0
    end_offset: int = 0
    index: "LineIndex | None" = field(default=None, repr=False)

    kind = "node"

    def __str__(self) -> str:
        return "".join(str(c) for c in self.children)

    def tokens(self) -> Iterator[Token]:
        for child in self.children:
            yield from child.tokens()

    def set_extent(self, start: int, end: int, index: "LineIndex") -> None:
        self.start_offset = start
        self.end_offset = end
        self.index = index

    @property
    def span(self) -> Span | None:
        if self.index is None:
            return None
        return self.index.span(self.start_offset, self.end_offset)

    @property
    def start_line(self) -> int:
        assert self.index is not None
        return self.index.position(self.start_offset).line

    @property
    def end_line(self) -> int:
        """Last line holding content of this node (a final newline does not start a new line)."""
        assert self.index is not None
        start = self.index.position(self.start_offset)
        end = self.index.position(self.end_offset)
        if end.column == 1 and end.line > start.line:
            return end.line - 1
        return end.line


@dataclass(eq=False)
class Trivia(Node):
    """Blank line(s), whitespace, or a byte order mark outside any instruction."""

    kind = "trivia"


@dataclass(eq=False)
class Comment(Node):
    kind = "comment"

    @property
    def text(self) -> str:
        """The comment text after ``#`` with surrounding whitespace removed."""
        for tok in self.tokens():
            if tok.kind is TokenKind.COMMENT:
                return tok.text.lstrip()[1:].strip()
        return ""


@dataclass(eq=False)
class Directive(Node):
    """A parser directive such as ``# escape=`` or ``# syntax=``."""

    name: str = ""
    value: str = ""
    kind = "directive"


@dataclass(frozen=True, slots=True)
class ParseError:
    message: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"

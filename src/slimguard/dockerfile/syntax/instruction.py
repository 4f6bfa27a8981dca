"""Instruction and heredoc nodes."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from slimguard.dockerfile.syntax.nodes import LineIndex, Node, ParseError, Span

KNOWN_INSTRUCTIONS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
        "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
        "WORKDIR",
    }
)
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})


class LogicalLine:
    """The instruction text as BuildKit sees it, with a map back to source offsets."""

    __slots__ = ("text", "_logical", "_source", "_lengths")

    def __init__(self) -> None:
        self.text = ""
        self._logical: list[int] = []
        self._source: list[int] = []
        self._lengths: list[int] = []

    def append(self, piece: str, source_offset: int) -> None:
        if not piece:
            return
        self._logical.append(len(self.text))
        self._source.append(source_offset)
        self._lengths.append(len(piece))
        self.text += piece

    def segments(self) -> list[tuple[int, int, int]]:
        return list(zip(self._logical, self._source, self._lengths))

    def to_source(self, logical: int, *, is_end: bool = False) -> int:
        """Source offset for a logical offset (``is_end``: an exclusive end offset)."""
        if not self._logical:
            return 0
        if is_end and logical > 0:
            i = bisect.bisect_right(self._logical, logical - 1) - 1
            return self._source[i] + (logical - self._logical[i])
        i = max(0, bisect.bisect_right(self._logical, logical) - 1)
        return self._source[i] + (logical - self._logical[i])


@dataclass(frozen=True, slots=True)
class Word:
    """A piece of an instruction's arguments with its source span."""

    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Flag:
    """A ``--name[=value]`` builder flag."""

    text: str  # as BuildKit reports it: quotes removed
    start: int  # source offsets of the flag as written
    end: int
    index: LineIndex

    @property
    def span(self) -> Span:
        return self.index.span(self.start, self.end)

    @property
    def name(self) -> str:
        return self.text[2:].split("=", 1)[0]

    @property
    def value(self) -> str | None:
        return self.text.split("=", 1)[1] if "=" in self.text else None


@dataclass(eq=False)
class Heredoc(Node):
    """A here-document body and its terminator line."""

    name: str = ""
    fd: int = 0
    chomp: bool = False
    expand: bool = True
    content: str = ""
    terminated: bool = True
    kind = "heredoc"

    @property
    def body(self) -> str:
        """The content as the build sees it (leading tabs removed for ``<<-``)."""
        if self.chomp:
            return re.sub(r"(?m)^\t+", "", self.content)
        return self.content


@dataclass(eq=False)
class Instruction(Node):
    """One Dockerfile instruction, including its continuation lines and heredocs."""

    keyword: str = ""
    name: str = ""  # the keyword in upper case
    is_known: bool = False  # a Dockerfile instruction BuildKit knows
    flags: list[Flag] = field(default_factory=list)
    rest: str = ""  # the arguments after flags, trimmed (BuildKit's "rest")
    is_json: bool = False
    json_args: list[str] | None = None
    heredocs: list[Heredoc] = field(default_factory=list)
    trigger: "Instruction | None" = None
    original: str = ""
    errors: list[ParseError] = field(default_factory=list)
    escape: str = "\\"
    keyword_start: int = 0  # source offsets of the keyword
    keyword_end: int = 0
    _value: tuple[str, ...] = ()
    _line: LogicalLine | None = None
    _rest_offset: int = 0
    _index: LineIndex | None = None
    kind = "instruction"

    @property
    def keyword_span(self) -> Span:
        assert self._index is not None
        return self._index.span(self.keyword_start, self.keyword_end)

    @property
    def rest_span(self) -> Span:
        return self.source_span(0, len(self.rest))


    def flag(self, name: str) -> Flag | None:
        """The last flag called *name* (``from``, ``chown``, ...), if any."""
        found = None
        for f in self.flags:
            if f.name.lower() == name.lower():
                found = f
        return found

    def buildkit_flags(self) -> tuple[str, ...]:
        return tuple(f.text for f in self.flags)

    def buildkit_value(self) -> tuple[str, ...]:
        return self._value

    def source_span(self, start: int, end: int) -> Span:
        """Span of a [start, end) range of ``rest`` in the source text."""
        assert self._line is not None and self._index is not None
        s = self._line.to_source(self._rest_offset + start)
        e = self._line.to_source(self._rest_offset + end, is_end=True) if end > start else s
        return self._index.span(s, e)

    def words(self) -> list[Word]:
        """``rest`` split on whitespace (shell form), with source spans."""
        from slimguard.dockerfile.syntax.buildkit import split_whitespace

        return [Word(t, self.source_span(s, e)) for t, s, e in split_whitespace(self.rest)]

    @property
    def command_line(self) -> str:
        """Shell-form command text for RUN/CMD/ENTRYPOINT (``rest``), joined JSON otherwise."""
        if self.is_json and self.json_args is not None:
            return " ".join(self.json_args)
        return self.rest

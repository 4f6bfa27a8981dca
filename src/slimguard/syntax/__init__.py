"""Lossless Dockerfile syntax tree."""

from .instruction import Flag, Heredoc, Instruction, Word
from .nodes import Comment, Directive, LineIndex, Node, ParseError, Position, Span, Token, TokenKind, Trivia
from .parser import Dockerfile, parse

__all__ = [
    "Comment", "Directive", "Dockerfile", "Flag", "Heredoc", "Instruction", "LineIndex", "Node",
    "ParseError", "Position", "Span", "Token", "TokenKind", "Trivia", "Word", "parse",
]

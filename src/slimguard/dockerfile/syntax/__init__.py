"""Lossless Dockerfile syntax tree."""

from slimguard.dockerfile.syntax.instruction import Flag, Heredoc, Instruction, Word
from slimguard.dockerfile.syntax.nodes import Comment, Directive, LineIndex, Node, ParseError, Position, Span, Token, TokenKind, Trivia
from slimguard.dockerfile.syntax.parser import Dockerfile, parse

__all__ = [
    "Comment", "Directive", "Dockerfile", "Flag", "Heredoc", "Instruction", "LineIndex", "Node",
    "ParseError", "Position", "Span", "Token", "TokenKind", "Trivia", "Word", "parse",
]

"""Simple commands: ``command`` nodes, assignments, ``declare``/``unset`` and ``[ .. ]`` tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slimguard.dockerfile.shell.grammar import EXPANSION_TYPES, LEAF_TYPES, REDIRECT_TYPES, WORD_TYPES
from slimguard.dockerfile.shell.model import Word, new_word
from slimguard.dockerfile.shell.nested import NESTING_COMMANDS, visit_nested_scripts, visit_substitutions
from slimguard.dockerfile.shell.quoting import unescape_unquoted
from slimguard.dockerfile.shell.redirects import attach_redirect
from slimguard.dockerfile.shell.words import decode_word

if TYPE_CHECKING:  # pragma: no cover
    from tree_sitter import Node

    from slimguard.dockerfile.shell.builder import CommandBuilder
    from slimguard.dockerfile.shell.records import CommandRecord, Context
    from slimguard.dockerfile.shell.source import Source

__all__ = ["simple_command", "assignment_command", "declaration_command", "test_command"]

_TEST_WORD_TYPES = frozenset({"string", "concatenation", "translated_string"})


def simple_command(builder: CommandBuilder, node: Node, src: Source, ctx: Context) -> CommandRecord:
    """The record of a ``command`` node, with its redirects and the commands nested in it."""
    assignment_nodes: list[Node] = []
    word_nodes: list[Node] = []
    words: list[Word] = []
    redirect_nodes: list[Node] | None = None
    composite_words: list[int] | None = None  # indexes into word_nodes of words that may hold commands
    plain = src.plain
    text = src.text
    base = src.base
    decode = decode_word
    for child in node.children:
        kind = child.type
        if kind == "command_name":
            inner = child.children
            if len(inner) == 1:
                child = inner[0]
                kind = child.type
        if kind == "word":
            word_nodes.append(child)
            if plain:  # the most common word, inlined
                start_byte = child.start_byte
                end_byte = child.end_byte
                raw = text[start_byte:end_byte]
                words.append(new_word(raw, unescape_unquoted(raw) if "\\" in raw else raw,
                                      base + start_byte, base + end_byte))
            else:
                words.append(decode(child, src))
        elif kind in WORD_TYPES or kind == "command_name":
            if kind not in LEAF_TYPES:
                if composite_words is None:
                    composite_words = []
                composite_words.append(len(word_nodes))
            word_nodes.append(child)
            words.append(decode(child, src))
        elif kind == "variable_assignment":
            assignment_nodes.append(child)
        elif kind in REDIRECT_TYPES:
            if redirect_nodes is None:
                redirect_nodes = []
            redirect_nodes.append(child)
        elif kind != "comment" and child.is_named:
            if composite_words is None:
                composite_words = []
            composite_words.append(len(word_nodes))
            word_nodes.append(child)
            words.append(decode(child, src))
    if assignment_nodes:
        to_char = src.char
        assignments = [text[to_char(n.start_byte):to_char(n.end_byte)] for n in assignment_nodes]
    else:
        assignments = []
    record = builder.new_record(src, node.start_byte, node.end_byte, words, assignments, ctx)
    first_arg = len(words) - len(record.args)  # words before it: the name and stripped wrappers
    if redirect_nodes:
        for redirect_node in redirect_nodes:
            attach_redirect(builder, redirect_node, src, [record], ctx)
    for assignment_node in assignment_nodes:
        if assignment_node.child_count:
            visit_substitutions(builder, assignment_node, src, record, -1, "cmdsub")
    if composite_words:
        for i in composite_words:
            visit_substitutions(builder, word_nodes[i], src, record, i - first_arg, "cmdsub")
    if record.name in NESTING_COMMANDS:
        visit_nested_scripts(builder, record, src, word_nodes[first_arg:])
    return record


def assignment_command(builder: CommandBuilder, node: Node, src: Source, ctx: Context) -> CommandRecord:
    """A command of only assignments (``A=1`` or ``A=1 B=2``)."""
    nodes = [node] if node.type == "variable_assignment" else [
        child for child in node.named_children if child.type == "variable_assignment"]
    text = src.text
    to_char = src.char
    assignments = [text[to_char(n.start_byte):to_char(n.end_byte)] for n in nodes]
    record = builder.new_record(src, node.start_byte, node.end_byte, [], assignments, ctx)
    visit_substitutions(builder, node, src, record, -1, "cmdsub")
    return record


def declaration_command(builder: CommandBuilder, node: Node, src: Source, ctx: Context) -> CommandRecord:
    """``declare``/``export``/``local``/``readonly``/``unset``: the keyword and its arguments as words."""
    words: list[Word] = []
    for child in node.children:
        if child.is_named:
            if child.type != "comment":
                words.append(decode_word(child, src))
        elif not words:
            words.append(decode_word(child, src))  # the keyword
    record = builder.new_record(src, node.start_byte, node.end_byte, words, [], ctx)
    visit_substitutions(builder, node, src, record, -1, "cmdsub")
    return record


def test_command(builder: CommandBuilder, node: Node, src: Source, ctx: Context) -> CommandRecord:
    """``[ .. ]`` / ``[[ .. ]]``: the opening bracket as name, the operands and operators as words."""
    words: list[Word] = []
    children = node.children
    if children and not children[0].is_named:
        words.append(decode_word(children[0], src))
        children = children[1:]
    if children and not children[-1].is_named:
        children = children[:-1]  # the closing bracket
    stack = list(reversed(children))
    while stack:
        item = stack.pop()
        kind = item.type
        if (not item.is_named or kind in LEAF_TYPES or kind in EXPANSION_TYPES
                or kind in _TEST_WORD_TYPES):
            words.append(decode_word(item, src))
        else:
            stack.extend(reversed(item.children))
    record = builder.new_record(src, node.start_byte, node.end_byte, words, [], ctx)
    visit_substitutions(builder, node, src, record, -1, "cmdsub")
    return record

"""tree-sitter-bash itself: the lazily created parser, node type groups, tree helpers.

tree-sitter is imported on the first parse, not when this module is imported.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from tree_sitter import Node, Parser

__all__ = [
    "get_parser",
    "REDIRECT_TYPES",
    "EXPANSION_TYPES",
    "SUBSTITUTION_TYPES",
    "LEAF_TYPES",
    "WORD_TYPES",
    "SEPARATOR_TYPES",
    "TRAILING_STATEMENT_TYPES",
    "SIMPLE_STATEMENT_TYPES",
    "has_unforgiven_errors",
    "flatten_list",
    "split_leftmost",
]

_thread_state = threading.local()
_language: Any = None


def get_parser() -> Parser:
    """This thread's tree-sitter-bash parser (parsers are not thread-safe)."""
    parser = getattr(_thread_state, "parser", None)
    if parser is None:
        global _language
        import tree_sitter
        import tree_sitter_bash

        if _language is None:
            _language = tree_sitter.Language(tree_sitter_bash.language())
        parser = tree_sitter.Parser(_language)
        _thread_state.parser = parser
    return parser


# --------------------------------------------------------------------------- node types

REDIRECT_TYPES = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
EXPANSION_TYPES = frozenset({"simple_expansion", "expansion", "command_substitution",
                             "process_substitution", "arithmetic_expansion"})
"""Nodes whose value is only known at run time."""
SUBSTITUTION_TYPES = frozenset({"command_substitution", "process_substitution"})
LEAF_TYPES = frozenset({"word", "number", "raw_string", "ansi_c_string", "variable_name",
                        "string_content", "special_variable_name", "file_descriptor",
                        "test_operator", "heredoc_start", "heredoc_end", "regex", "extglob_pattern",
                        "comment", "heredoc_content"})
"""Nodes that never contain commands."""
WORD_TYPES = frozenset({"word", "string", "raw_string", "concatenation", "simple_expansion",
                        "expansion", "number", "command_substitution", "ansi_c_string",
                        "process_substitution", "arithmetic_expansion", "translated_string",
                        "brace_expression"})
"""Nodes that are one word of a simple command."""
SEPARATOR_TYPES = frozenset({";", "&", "\n", "&&", "||", "comment", "(", ")", "{", "}"})
TRAILING_STATEMENT_TYPES = frozenset({"list", "pipeline", "negated_command", "redirected_statement"})
"""Statements whose redirections apply to their last part (``a && b >x`` redirects ``b``)."""
SIMPLE_STATEMENT_TYPES = frozenset({"command", "variable_assignment", "variable_assignments",
                                    "declaration_command", "unset_command", "test_command"})
"""Statements that become exactly one simple command."""


# --------------------------------------------------------------------------- tree helpers


def has_unforgiven_errors(root: Node, forgiven: set[tuple[int, int]]) -> bool:
    """Whether the tree has ERROR/MISSING nodes other than the forgiven (start, end byte) ones."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR":
            if (node.start_byte, node.end_byte) not in forgiven:
                return True
            continue
        if node.is_missing:
            return True
        stack.extend(child for child in node.children if child.has_error or child.is_missing)
    return False


def flatten_list(node: Node) -> list[Node]:
    """The statements of a (left-nested) ``&&``/``||`` list, without recursion."""
    out: list[Node] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if item.type == "list":
            stack.extend(reversed([child for child in item.named_children if child.type != "comment"]))
        else:
            out.append(item)
    return out


def split_leftmost(node: Node) -> tuple[Node, list[Node]]:
    """The first statement of a list and the others (``node`` itself when it is no list)."""
    if node.type != "list":
        return node, []
    items = flatten_list(node)
    return items[0], items[1:]

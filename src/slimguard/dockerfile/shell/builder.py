"""Walk a tree-sitter-bash tree and collect its simple commands as :class:`CommandRecord`.

The builder visits statements (lists, pipelines, redirected statements,
compound commands, functions) and hands simple commands to
:mod:`~slimguard.dockerfile.shell.commands`; nested scripts come back through
:meth:`CommandBuilder.run`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from slimguard.dockerfile.shell.commands import (
    assignment_command,
    declaration_command,
    simple_command,
    test_command,
)
from slimguard.dockerfile.shell.grammar import (
    LEAF_TYPES,
    REDIRECT_TYPES,
    SEPARATOR_TYPES,
    SIMPLE_STATEMENT_TYPES,
    TRAILING_STATEMENT_TYPES,
    flatten_list,
    get_parser,
    has_unforgiven_errors,
)
from slimguard.dockerfile.shell.heredoc_glue import separate_glued_heredocs
from slimguard.dockerfile.shell.nested import visit_substitution, visit_substitutions
from slimguard.dockerfile.shell.records import CommandRecord, Context
from slimguard.dockerfile.shell.redirects import attach_redirect
from slimguard.dockerfile.shell.wrappers import WRAPPERS, basename, strip_wrappers

if TYPE_CHECKING:  # pragma: no cover
    from tree_sitter import Node

    from slimguard.dockerfile.shell.model import Word
    from slimguard.dockerfile.shell.source import Source

__all__ = ["CommandBuilder", "MAX_DEPTH"]

MAX_DEPTH = 8
"""Maximum nesting of scripts inside scripts (sh -c inside sh -c ...)."""


class CommandBuilder:
    """Collects the simple commands of a script and of the scripts nested in it.

    ``records`` are in creation order; ``pipeline_lengths[id]`` is the number
    of commands of pipeline ``id``; ``forgiven`` holds the (start, end byte)
    of ERROR nodes of the tree being visited that are valid shell."""

    def __init__(self) -> None:
        self.records: list[CommandRecord] = []
        self.pipeline_lengths: list[int] = []
        self.has_errors = False
        self.depth = 0
        self.forgiven: set[tuple[int, int]] = set()

    def run(self, src: Source, parent: CommandRecord | None, via: str, arg_index: int) -> None:
        """Parse ``src`` and visit it as a script run by ``parent`` (None at the top)."""
        if self.depth >= MAX_DEPTH:
            return
        src = separate_glued_heredocs(src)
        self.depth += 1
        try:
            tree = get_parser().parse(src.data)
            root = tree.root_node
            outer_forgiven = self.forgiven
            self.forgiven = set()
            try:
                self.visit(root, src, (-1, 0, parent, via, arg_index))
                if root.has_error and not self.has_errors:
                    self.has_errors = not self.forgiven or has_unforgiven_errors(root, self.forgiven)
            finally:
                self.forgiven = outer_forgiven
        finally:
            self.depth -= 1

    # ---- statements

    def visit(self, node: Node, src: Source, ctx: Context) -> list[CommandRecord]:
        """Visit a statement (or any node holding statements); returns its top-level commands."""
        kind = node.type
        if kind == "command":
            return [simple_command(self, node, src, ctx)]
        handler = _STATEMENT_HANDLERS.get(kind)
        if handler is not None:
            return handler(self, node, src, ctx)
        if kind in LEAF_TYPES:
            return []
        out: list[CommandRecord] = []
        for child in node.children:
            child_kind = child.type
            if child_kind == "command":
                out.append(simple_command(self, child, src, ctx))
            elif child_kind in SEPARATOR_TYPES or not child.is_named:
                continue
            else:
                out.extend(self.visit(child, src, ctx))
        return out

    def visit_list(self, node: Node, src: Source, ctx: Context) -> list[CommandRecord]:
        """``a && b || c``."""
        out: list[CommandRecord] = []
        for item in flatten_list(node):
            out.extend(self.visit(item, src, ctx))
        return out

    def visit_pipeline(self, node: Node, src: Source, ctx: Context) -> list[CommandRecord]:
        """``a | b``: a new pipeline id; each element gets its 1-based position."""
        elements = [child for child in node.named_children if child.type != "comment"]
        pipeline = len(self.pipeline_lengths)
        self.pipeline_lengths.append(len(elements))
        _, _, parent, via, arg_index = ctx
        out: list[CommandRecord] = []
        for position, element in enumerate(elements, 1):
            out.extend(self.visit(element, src, (pipeline, position, parent, via, arg_index)))
        return out

    def visit_redirected(self, node: Node, src: Source, ctx: Context) -> list[CommandRecord]:
        """A statement with redirects; they apply to its last command(s)
        (``a && b >x`` redirects ``b``, ``{ a; b; } >x`` both)."""
        body: Node | None = None
        redirect_nodes: list[Node] = []
        for child in node.named_children:
            if child.type in REDIRECT_TYPES:
                redirect_nodes.append(child)
            elif body is None and child.type != "comment":
                body = child
        if body is None:
            records = [self.new_record(src, node.start_byte, node.end_byte, [], [], ctx)]
            targets = records
        else:
            records = self.visit(body, src, ctx)
            targets = _redirect_targets(body, records)
        if targets:
            for redirect_node in redirect_nodes:
                attach_redirect(self, redirect_node, src, targets, ctx)
        return records

    def visit_nothing(self, node: Node, src: Source, ctx: Context) -> list[CommandRecord]:
        """Nodes without commands to collect."""
        return []

    def visit_substitution(self, node: Node, src: Source, ctx: Context) -> list[CommandRecord]:
        """A substitution in statement position (its commands are nested, not top-level)."""
        _, _, parent, via, arg_index = ctx
        visit_substitution(self, node, src, parent, arg_index, via if parent is not None else "top")
        return []

    def visit_assignments(self, node: Node, src: Source, ctx: Context) -> list[CommandRecord]:
        """``A=1`` / ``A=1 B=2`` alone."""
        return [assignment_command(self, node, src, ctx)]

    def visit_declaration(self, node: Node, src: Source, ctx: Context) -> list[CommandRecord]:
        """``export``/``declare``/``local``/``readonly``/``unset``."""
        return [declaration_command(self, node, src, ctx)]

    def visit_test(self, node: Node, src: Source, ctx: Context) -> list[CommandRecord]:
        """``[ .. ]`` / ``[[ .. ]]``."""
        return [test_command(self, node, src, ctx)]

    def visit_c_style_for(self, node: Node, src: Source, ctx: Context) -> list[CommandRecord]:
        """``for ((i=0; ...)); do ..; done``: only substitutions in the arithmetic."""
        _, _, parent, via, arg_index = ctx
        out: list[CommandRecord] = []
        for child in node.named_children:
            if child.type in ("do_group", "compound_statement"):
                out.extend(self.visit(child, src, ctx))
            else:
                visit_substitutions(self, child, src, parent, arg_index,
                                    via if parent is not None else "top")
        return out

    def visit_function(self, node: Node, src: Source, ctx: Context) -> list[CommandRecord]:
        """``name() { ..; }``: the body (the name is no command)."""
        out: list[CommandRecord] = []
        for child in node.named_children:
            if child.type != "word":
                out.extend(self.visit(child, src, ctx))
        return out

    # ---- records

    def new_record(self, src: Source, start_byte: int, end_byte: int, words: list[Word],
                   assignments: list[str], ctx: Context, start: int | None = None,
                   end: int | None = None) -> CommandRecord:
        """Add the command made of ``words`` (name first; wrappers such as sudo
        or env are stripped).  Its offsets are those of the byte range unless
        ``start`` and ``end`` are given."""
        record = CommandRecord()
        record.redirects = []
        record.sequence = len(self.records)
        record.start_byte = start_byte
        record.end_byte = end_byte
        if start is not None and end is not None:
            record.start = start
            record.end = end
        elif src.plain:
            record.start = src.base + start_byte
            record.end = src.base + end_byte
        else:
            record.start = src.byte_to_global(start_byte, False)
            record.end = src.byte_to_global(end_byte, True)
        record.wrappers = ()
        record.users = ()
        record.assignments = tuple(assignments)
        if words:
            name_word = words[0]
            value = name_word.value
            name = None if value is None else (basename(value) if "/" in value else value)
            if name in WRAPPERS:
                stripped = strip_wrappers(words)
                name_index = stripped.index
                name_word = words[name_index]
                value = name_word.value
                name = None if value is None else basename(value)
                record.args = tuple(words[name_index + 1:])
                record.wrappers = stripped.wrappers
                record.users = stripped.users
                if stripped.assignments:
                    record.assignments += stripped.assignments
            else:
                record.args = tuple(words[1:])
            record.name_word = name_word
            record.name = name
        else:
            record.name_word = None
            record.name = None
            record.args = ()
        record.pipeline, record.position, record.parent, record.via, record.arg_index = ctx
        self.records.append(record)
        return record


def _redirect_targets(body: Node, records: list[CommandRecord]) -> list[CommandRecord]:
    """The commands of ``records`` (visited from ``body``) that redirects after ``body`` apply to."""
    last: Node | None = body
    while last is not None and last.type in TRAILING_STATEMENT_TYPES:
        if last.type == "redirected_statement":
            inner = None
            for child in last.named_children:
                if child.type not in REDIRECT_TYPES and child.type != "comment":
                    inner = child
                    break
            last = inner
        else:
            children = [child for child in last.named_children if child.type != "comment"]
            last = children[-1] if children else None
    if last is None:
        return records[-1:]
    low, high = last.start_byte, last.end_byte
    targets = [r for r in records if r.start_byte >= low and r.end_byte <= high]
    if last.type in SIMPLE_STATEMENT_TYPES:
        targets = targets[:1]
    return targets or records[-1:]


_StatementHandler = Callable[[CommandBuilder, "Node", "Source", Context], list[CommandRecord]]

_STATEMENT_HANDLERS: dict[str, _StatementHandler] = {
    "redirected_statement": CommandBuilder.visit_redirected,
    "pipeline": CommandBuilder.visit_pipeline,
    "list": CommandBuilder.visit_list,
    "heredoc_body": CommandBuilder.visit_nothing,
    "command_substitution": CommandBuilder.visit_substitution,
    "process_substitution": CommandBuilder.visit_substitution,
    "variable_assignment": CommandBuilder.visit_assignments,
    "variable_assignments": CommandBuilder.visit_assignments,
    "declaration_command": CommandBuilder.visit_declaration,
    "unset_command": CommandBuilder.visit_declaration,
    "test_command": CommandBuilder.visit_test,
    "c_style_for_statement": CommandBuilder.visit_c_style_for,
    "function_definition": CommandBuilder.visit_function,
}
"""Statement kinds that are not walked generically (see :meth:`CommandBuilder.visit`)."""

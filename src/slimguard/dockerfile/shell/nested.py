"""Commands that run inside other commands.

``$(..)``/backquote and ``<(..)`` substitutions, the script of ``sh -c`` /
``su -c``, the arguments of ``eval`` and the command of ``find -exec``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slimguard.dockerfile.shell.grammar import LEAF_TYPES, SUBSTITUTION_TYPES
from slimguard.dockerfile.shell.shells import SHELLS, shell_mode

if TYPE_CHECKING:  # pragma: no cover
    from tree_sitter import Node

    from slimguard.dockerfile.shell.builder import CommandBuilder
    from slimguard.dockerfile.shell.model import Word
    from slimguard.dockerfile.shell.records import CommandRecord, Context
    from slimguard.dockerfile.shell.source import Source

__all__ = ["NESTING_COMMANDS", "visit_substitution", "visit_substitutions", "visit_nested_scripts"]

NESTING_COMMANDS = SHELLS | {"eval", "su", "runuser", "find"}
"""Command names whose arguments may hold a script (see :func:`visit_nested_scripts`)."""

_EXEC_OPTIONS = ("-exec", "-execdir", "-ok", "-okdir")
_SU_SCRIPT_OPTIONS = ("-c", "--command", "--session-command")


def visit_substitution(builder: CommandBuilder, node: Node, src: Source, parent: CommandRecord | None,
                       arg_index: int, via: str) -> None:
    """Visit the commands of a command or process substitution ``node``."""
    kind = "procsub" if node.type == "process_substitution" else via
    ctx: Context = (-1, 0, parent, kind, arg_index)
    for child in node.named_children:
        builder.visit(child, src, ctx)


def visit_substitutions(builder: CommandBuilder, node: Node, src: Source, parent: CommandRecord | None,
                        arg_index: int, via: str) -> None:
    """Visit every substitution anywhere inside ``node`` (a word, assignment, ...)."""
    stack = [node]
    while stack:
        item = stack.pop()
        kind = item.type
        if kind in SUBSTITUTION_TYPES:
            visit_substitution(builder, item, src, parent, arg_index, via)
        elif kind not in LEAF_TYPES and item.child_count:
            stack.extend(reversed(item.children))


def visit_nested_scripts(builder: CommandBuilder, record: CommandRecord, src: Source,
                         arg_nodes: list[Node]) -> None:
    """Parse the script a shell, ``eval``, ``su``/``runuser`` or ``find -exec`` runs."""
    name = record.name
    args = record.args
    if name is None or not args or len(arg_nodes) != len(args):
        return
    if name in SHELLS:
        mode, i = shell_mode(args)
        if mode == "c":
            _run_script_word(builder, record, src, args[i], arg_nodes[i], "dash-c", i)
    elif name == "eval":
        if len(args) == 1:
            _run_script_word(builder, record, src, args[0], arg_nodes[0], "eval", 0)
        elif all(a.value is not None for a in args):
            script = " ".join(a.value or "" for a in args)
            builder.run(src.unmapped(script, args[0].start, args[-1].end), record, "eval", 0)
    elif name in ("su", "runuser"):
        for i, arg in enumerate(args[:-1]):
            if arg.text in _SU_SCRIPT_OPTIONS:
                _run_script_word(builder, record, src, args[i + 1], arg_nodes[i + 1], "su-c", i + 1)
                break
    elif name == "find":
        _add_find_exec_commands(builder, record, src)


def _run_script_word(builder: CommandBuilder, record: CommandRecord, src: Source, word: Word,
                     node: Node, via: str, arg_index: int) -> None:
    """Parse the script held by ``word`` (argument ``arg_index`` of ``record``).

    A word that is the script verbatim (or quoted as a whole) is parsed in
    place so that offsets stay exact; other known values are parsed with
    offsets pointing at the word; a double-quoted word with only parameter
    expansions is parsed from its source text; anything else is skipped."""
    raw = word.raw
    value = word.value
    if value is not None:
        if raw == value:
            script = src.slice(node)
        elif len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" and raw[1:-1] == value:
            script = src.slice(node, 1)
        else:
            script = src.unmapped(value, word.start, word.end)
    elif (len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"' and "$(" not in raw
          and "`" not in raw and "<(" not in raw):
        script = src.slice(node, 1)
    else:
        return
    builder.run(script, record, via, arg_index)


def _add_find_exec_commands(builder: CommandBuilder, record: CommandRecord, src: Source) -> None:
    """Add the commands of ``find ... -exec CMD ARGS ;`` (also -execdir, -ok, -okdir, ``+``)."""
    args = record.args
    i = 0
    while i < len(args):
        if args[i].text in _EXEC_OPTIONS:
            j = i + 1
            while j < len(args) and args[j].text not in (";", "+"):
                j += 1
            words = list(args[i + 1:j])
            if words:
                end = args[j].end if j < len(args) else words[-1].end
                builder.new_record(src, record.start_byte, record.end_byte, words, [],
                                   (-1, 0, record, "find-exec", i + 1), words[0].start, end)
            i = j
        i += 1

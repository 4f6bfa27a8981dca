"""Parse shell source with tree-sitter-bash into simple commands.

The entry point is :func:`parse_commands`.  It returns the simple commands in
source order plus, for each, an internal :class:`CommandInfo` telling in which
pipeline it runs and whether it runs inside another command (a ``$(..)``
substitution, ``<(..)``, the script of ``sh -c``, a here-document fed to a
shell, ``eval`` or ``find -exec``).  The classifier uses that context, for
instance to see ``bash -c "$(curl ...)"``.

The work is done by these modules:

* :mod:`.grammar` - the lazily loaded tree-sitter-bash parser, node types, tree helpers
* :mod:`.source` - text given to tree-sitter, byte to character offsets, crash guard
* :mod:`.heredoc_glue` - workaround for ``<<EOF|cmd`` (delimiter glued to an operator)
* :mod:`.builder` - the walk over statements (lists, pipelines, redirected statements)
* :mod:`.commands` - simple commands, assignments, declarations, tests
* :mod:`.words` - word nodes to :class:`~slimguard.dockerfile.shell.model.Word`
* :mod:`.redirects` - file redirects, here-strings, here-documents
* :mod:`.nested` - substitutions, ``sh -c``, ``eval``, ``su -c``, ``find -exec``
* :mod:`.shells` - shell names and how a shell invocation gets its script
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from slimguard.dockerfile.shell.builder import MAX_DEPTH, CommandBuilder
from slimguard.dockerfile.shell.model import SimpleCommand, new_command
from slimguard.dockerfile.shell.shells import SHELLS, shell_mode
from slimguard.dockerfile.shell.source import Source

__all__ = ["CommandInfo", "Parsed", "parse_commands", "parse_partial", "shell_mode", "SHELLS",
           "MAX_DEPTH"]


class CommandInfo(NamedTuple):
    """Context of one simple command (internal to the shell package)."""

    command: SimpleCommand
    position: int
    """Index of the command in ``ShellScript.commands``."""
    pipeline: int
    """Pipeline id (-1 when not in a pipeline); equal ids share a pipeline."""
    parent: int
    """Index of the command this one runs inside (-1 for none)."""
    via: str
    """top, cmdsub, procsub, dash-c, heredoc, eval, su-c, find-exec."""
    arg_index: int
    """Index into the parent's args of the word that holds this command (-1 if none)."""
    users: tuple[str | None, ...]
    """Target user per wrapper, aligned with ``command.wrappers``."""


@dataclass(frozen=True, slots=True)
class Parsed:
    """The simple commands of a script in source order, their context, and
    whether the script has syntax errors."""

    commands: tuple[SimpleCommand, ...]
    infos: tuple[CommandInfo, ...]
    has_errors: bool


def parse_commands(script: str) -> Parsed:
    """Parse ``script`` into simple commands with their context."""
    builder = CommandBuilder()
    builder.run(Source(script), None, "top", -1)
    return _result(builder)


def parse_partial(script: str) -> Parsed:
    """Like :func:`parse_commands` but returns what was collected when the
    tree is too deep for Python's recursion limit."""
    builder = CommandBuilder()
    try:
        builder.run(Source(script), None, "top", -1)
    except RecursionError:
        builder.has_errors = True
    return _result(builder)


def _result(builder: CommandBuilder) -> Parsed:
    """The builder's records as commands sorted by start offset, with their context."""
    records = builder.records
    if any(records[i].start > records[i + 1].start for i in range(len(records) - 1)):
        records = sorted(records, key=lambda r: (r.start, r.sequence))
    index: dict[int, int] | None = None
    if any(r.parent is not None for r in records):
        index = {id(r): i for i, r in enumerate(records)}
    pipeline_lengths = builder.pipeline_lengths
    commands: list[SimpleCommand] = []
    infos: list[CommandInfo] = []
    for i, record in enumerate(records):
        pipeline = record.pipeline
        if pipeline >= 0 and pipeline_lengths[pipeline] > 1:
            position, length = record.position, pipeline_lengths[pipeline]
        else:  # a pipeline of one command is no pipeline
            position = length = 0
            pipeline = -1
        command = new_command(record.name, record.args, record.assignments,
                              tuple(record.redirects) if record.redirects else (),
                              record.wrappers, position, length, record.start, record.end,
                              record.name_word)
        commands.append(command)
        parent = -1
        if index is not None and record.parent is not None:
            parent = index.get(id(record.parent), -1)
        infos.append(CommandInfo(command, i, pipeline, parent, record.via, record.arg_index, record.users))
    return Parsed(tuple(commands), tuple(infos), builder.has_errors)

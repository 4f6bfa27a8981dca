"""The builder's working records: a simple command under construction and where it runs."""

from __future__ import annotations

from typing import TypeAlias

from slimguard.dockerfile.shell.model import Redirect, Word

__all__ = ["CommandRecord", "Context"]


class CommandRecord:
    """A simple command under construction (redirects and pipeline length
    can still change while the enclosing statements are visited)."""

    __slots__ = ("sequence", "start", "end", "start_byte", "end_byte", "name", "name_word", "args",
                 "assignments", "redirects", "wrappers", "users", "pipeline", "position", "parent",
                 "via", "arg_index")

    sequence: int
    """Creation order (ties of ``start`` keep it)."""
    start: int
    end: int
    start_byte: int
    """Byte offsets in the source the command was parsed from."""
    end_byte: int
    name: str | None
    name_word: Word | None
    args: tuple[Word, ...]
    assignments: tuple[str, ...]
    redirects: list[Redirect]
    wrappers: tuple[str, ...]
    users: tuple[str | None, ...]
    pipeline: int
    position: int
    parent: CommandRecord | None
    via: str
    arg_index: int


Context: TypeAlias = tuple[int, int, "CommandRecord | None", str, int]
"""Where the statements being visited run: ``(pipeline, position, parent, via, arg_index)``.

``pipeline`` is the pipeline id (-1 when not in a pipeline) and ``position``
the 1-based position in it (0 when not in one); ``parent`` the command the
statements run inside (None at the top), ``via`` how they are nested in it
(see ``CommandInfo.via``) and ``arg_index`` the index into the parent's args
of the word that holds them (-1 if none).  The values are copied into each
new :class:`CommandRecord`.  A plain tuple: contexts are created on the hot
path and unpacked by name where used."""

"""What hadolint's shell view of a RUN sees, and instruction walks the hadolint-parity rules share.

hadolint parses a RUN's shell text once and does not look into the strings of ``sh -c "..."``; slimguard's
shell analysis does. :func:`top_commands` keeps the commands hadolint sees, :func:`nested` tells the others
apart, so rules can report nested commands without a hadolint alias.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimguard.dockerfile.shell import ShellScript, SimpleCommand, Word

if TYPE_CHECKING:
    from slimguard.dockerfile.syntax import Dockerfile, Instruction


def nested(script: ShellScript, cmd: SimpleCommand) -> bool:
    """True when *cmd* sits inside another command's words (``sh -c "cmd"``, ``$(cmd)`` in an argument)."""
    width = cmd.end - cmd.start
    return any(c is not cmd and c.start <= cmd.start and cmd.end <= c.end and c.end - c.start > width
               for c in script.commands)


def top_commands(script: ShellScript) -> list[SimpleCommand]:
    """The commands of the script that are not nested in another command's words, in order."""
    return [c for c in script.commands if not nested(script, c)]


def all_instructions(tree: "Dockerfile") -> Iterator[tuple["Instruction", "Instruction"]]:
    """``(reported, effective)`` for every instruction: the instruction itself, and for ``ONBUILD X`` the
    ONBUILD (reported) with its trigger X (effective)."""
    for ins in tree.instructions:
        if ins.name == "ONBUILD":
            if ins.trigger is not None:
                yield ins, ins.trigger
            continue
        yield ins, ins


def unquote(text: str) -> str:
    """*text* without one pair of surrounding quotes."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def verb_word(cmd: SimpleCommand) -> Word | None:
    """The sub-command of ``tool [options] verb ...``: the first argument that is not an option."""
    for w in cmd.args:
        if w.value is None:
            return None
        if not w.value.startswith("-"):
            return w
    return None

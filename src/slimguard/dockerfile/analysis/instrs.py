"""The instructions of a Dockerfile grouped by stage, as the instruction-level rules (WORKDIR, EXPOSE,
COPY, HEALTHCHECK, CMD, FROM checks) read them: in file order, instructions before the first FROM in a
group of their own (index -1), ONBUILD triggers reported on the ONBUILD line."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.syntax import Instruction


@dataclass(frozen=True)
class Site:
    """One instruction: ``reported`` is where a finding goes (the ONBUILD around a trigger), ``ins`` the
    instruction itself."""

    reported: "Instruction"
    ins: "Instruction"
    stage: int  # index of the FROM above it, -1 before the first FROM
    onbuild: bool


def sites(ctx: "LintContext", *, onbuild: bool = True) -> Iterator[Site]:
    """Every instruction (and with *onbuild*, every ONBUILD trigger) in file order."""
    stage = -1
    for ins in ctx.tree.instructions:
        if ins.name == "FROM":
            stage += 1
        if ins.name == "ONBUILD":
            if onbuild and ins.trigger is not None:
                yield Site(ins, ins.trigger, stage, True)
            continue
        yield Site(ins, ins, stage, False)


def unquote(word: str) -> str:
    """*word* without one pair of surrounding quotes."""
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
        return word[1:-1]
    return word


def stage_names(ctx: "LintContext") -> list[tuple["Instruction", str | None]]:
    """Each FROM with its ``AS name`` as written (None without one)."""
    out: list[tuple["Instruction", str | None]] = []
    for ins in ctx.tree.instructions:
        if ins.name != "FROM":
            continue
        args = list(ins.buildkit_value())
        name = args[2] if len(args) >= 3 and args[1].upper() == "AS" else None
        out.append((ins, name))
    return out


def quoted_words(ins: "Instruction") -> list[str]:
    """The arguments of *ins* as hadolint reads them: the JSON array's strings, or the text after the
    flags split on blanks outside single or double quotes, the quotes removed and backslashes kept (so
    Windows paths such as ``"C:\\Program Files\\App"`` stay one word)."""
    if ins.is_json and ins.json_args is not None:
        return list(ins.json_args)
    words: list[str] = []
    cur: list[str] = []
    quote = ""
    started = False
    for ch in ins.rest:
        if quote:
            if ch == quote:
                quote = ""
            else:
                cur.append(ch)
        elif ch in "'\"":
            quote = ch
            started = True
        elif ch.isspace():
            if started or cur:
                words.append("".join(cur))
            cur, started = [], False
        else:
            cur.append(ch)
            started = True
    if started or cur:
        words.append("".join(cur))
    return words


def repeated_in_stage(ctx: "LintContext", name: str) -> Iterator["Instruction"]:
    """Every *name* instruction (CMD, ENTRYPOINT) after the first of its stage; each FROM starts afresh and
    ONBUILD triggers do not count."""
    seen = False
    for ins in ctx.tree.instructions:
        if ins.name == "FROM":
            seen = False
        elif ins.name == name:
            if seen:
                yield ins
            seen = True

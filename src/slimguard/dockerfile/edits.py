"""Helpers to build text edits that keep the file's own style."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slimguard.core.findings import Edit

if TYPE_CHECKING:
    from slimguard.dockerfile.syntax import Dockerfile, Instruction


def newline_of(tree: "Dockerfile") -> str:
    text = tree.text
    i = text.find("\n")
    return "\r\n" if i > 0 and text[i - 1] == "\r" else "\n"


def keyword(tree: "Dockerfile", name: str) -> str:
    """*name* in the file's keyword casing (lower-case files get lower-case keywords)."""
    words = [i.keyword for i in tree.instructions if i.keyword]
    if words and sum(w.islower() for w in words) > len(words) / 2:
        return name.lower()
    return name.upper()


def insert_after(tree: "Dockerfile", ins: "Instruction", lines: list[str]) -> Edit:
    """Insert whole lines after *ins* (after its heredocs and continuation lines)."""
    nl = newline_of(tree)
    end = ins.end_offset
    body = nl.join(lines)
    if end > 0 and tree.text[end - 1] == "\n":
        return Edit(end, end, body + nl)
    return Edit(end, end, nl + body)


def insert_before(tree: "Dockerfile", ins: "Instruction", lines: list[str]) -> Edit:
    nl = newline_of(tree)
    start = ins.start_offset
    # keep the instruction's indentation
    indent = ""
    for tok in ins.tokens():
        if tok.kind.value == "whitespace":
            indent = tok.text
        break
    return Edit(start, start, "".join(indent + line + nl for line in lines))


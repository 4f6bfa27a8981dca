"""Redirections: files, here-strings and here-documents.

A here-document fed to a shell is parsed as a script.  tree-sitter-bash puts
what follows the here-document operator on the same line (``| next``,
``&& next``, ``; next``) inside the redirect node; those commands are
visited from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slimguard.dockerfile.shell.grammar import LEAF_TYPES, REDIRECT_TYPES, split_leftmost
from slimguard.dockerfile.shell.model import new_redirect
from slimguard.dockerfile.shell.nested import visit_substitutions
from slimguard.dockerfile.shell.shells import SHELLS, shell_mode
from slimguard.dockerfile.shell.source import ByteRange
from slimguard.dockerfile.shell.words import decode_word

if TYPE_CHECKING:  # pragma: no cover
    from tree_sitter import Node

    from slimguard.dockerfile.shell.builder import CommandBuilder
    from slimguard.dockerfile.shell.records import CommandRecord, Context
    from slimguard.dockerfile.shell.source import Source

__all__ = ["attach_redirect"]


def attach_redirect(builder: CommandBuilder, node: Node, src: Source, targets: list[CommandRecord],
                    ctx: Context) -> None:
    """Add the redirect ``node`` to every command of ``targets``; substitutions
    in it run inside the first one.

    File redirects and here-strings are handled inline (not in helpers) so
    that the Python stack per nesting level, and so the depth at which
    :func:`~slimguard.dockerfile.shell.parse.parse_partial` stops, stays as it was."""
    kind = node.type
    if kind == "file_redirect":
        # [fd]op target; a duplication (2>&1, <&-) keeps the descriptor in the operator
        text = src.text
        fd = ""
        op = ""
        dest: Node | None = None
        for child in node.children:
            if child.type == "file_descriptor":
                fd = text[src.char(child.start_byte):src.char(child.end_byte)]
            elif not child.is_named:
                op += text[src.char(child.start_byte):src.char(child.end_byte)]
            elif dest is None:
                dest = child
        target: str | None = None
        if dest is not None:
            dest_word = decode_word(dest, src)
            if op in (">&", "<&") and dest_word.value is not None and (
                    dest_word.value.isdigit() or dest_word.value == "-"):
                op = op + dest_word.value
            else:
                target = dest_word.text
            if dest.type not in LEAF_TYPES:
                visit_substitutions(builder, dest, src, targets[0], -1, "cmdsub")
        redirect = new_redirect(fd + op, target, src.byte_to_global(node.start_byte, False),
                                src.byte_to_global(node.end_byte, True), None)
    elif kind == "herestring_redirect":
        # <<< word: the word's text is the redirect target
        value: str | None = None
        for child in node.named_children:
            value = decode_word(child, src).text
            if child.type not in LEAF_TYPES:
                visit_substitutions(builder, child, src, targets[0], -1, "cmdsub")
            break
        redirect = new_redirect("<<<", value, src.byte_to_global(node.start_byte, False),
                                src.byte_to_global(node.end_byte, True), None)
    else:
        if kind == "heredoc_redirect":
            _attach_heredoc(builder, node, src, targets, ctx)
        return
    for record in targets:
        record.redirects.append(redirect)


def _attach_heredoc(builder: CommandBuilder, node: Node, src: Source, targets: list[CommandRecord],
                    ctx: Context) -> None:
    """``<<DELIM``/``<<-DELIM`` with its body, plus what tree-sitter put inside the node:
    more redirects, a pipeline continuation, commands after ``&&``/``||`` and,
    after an ERROR, the rest of the line (parsed again)."""
    text = src.text
    op = "<<"
    head_end = node.end_byte
    body: Node | None = None
    more_redirects: list[Node] = []
    pipeline_rest: Node | None = None
    after_and_or: list[Node] = []
    error: Node | None = None
    seen_and_or = False
    for child in node.children:
        kind = child.type
        if not child.is_named:
            token = text[src.char(child.start_byte):src.char(child.end_byte)]
            if token in ("<<", "<<-"):
                op = token
            elif token in ("&&", "||"):
                seen_and_or = True
            continue
        if kind == "heredoc_start":
            head_end = child.end_byte
        elif kind == "heredoc_body":
            body = child
        elif kind == "heredoc_end":
            continue
        elif kind in REDIRECT_TYPES:
            more_redirects.append(child)
        elif kind == "pipeline" and pipeline_rest is None and not seen_and_or:
            pipeline_rest = child
        elif kind == "ERROR":
            if error is None:
                error = child
                # ``cat <<EOF; next`` is valid shell that the grammar rejects
                if text[src.char(child.start_byte):src.char(child.end_byte)].strip() in (";", "&"):
                    builder.forgiven.add((child.start_byte, child.end_byte))
        elif seen_and_or and error is None:
            after_and_or.append(child)
    body_text: str | None = None
    if body is not None:
        body_text = text[src.char(body.start_byte):src.char(body.end_byte)]
        if op == "<<-":
            body_text = "\n".join(line.lstrip("\t") for line in body_text.split("\n"))
    redirect = new_redirect(op, None, src.byte_to_global(node.start_byte, False),
                            src.byte_to_global(head_end, True), body_text)
    for record in targets:
        record.redirects.append(redirect)
    for child in more_redirects:
        attach_redirect(builder, child, src, targets, ctx)
    if body is not None:
        head = targets[0]
        if head.name in SHELLS and shell_mode(head.args)[0] == "stdin":
            builder.run(src.slice(body), head, "heredoc", -1)
        else:
            visit_substitutions(builder, body, src, head, -1, "cmdsub")
    if pipeline_rest is not None:
        _continue_pipeline(builder, pipeline_rest, src, targets[-1], ctx)
    _, _, parent, via, arg_index = ctx
    outside_pipeline = (-1, 0, parent, via, arg_index)
    for child in after_and_or:
        builder.visit(child, src, outside_pipeline)
    if error is not None:
        stop = body.start_byte if body is not None else node.end_byte
        if stop > error.end_byte:
            rest = src.slice(ByteRange(error.end_byte, stop))
            builder.run(rest, parent, via if parent is not None else "top", arg_index)


def _continue_pipeline(builder: CommandBuilder, node: Node, src: Source, head: CommandRecord,
                       ctx: Context) -> None:
    """``cmd <<EOF | next``: tree-sitter puts ``| next`` inside the heredoc redirect."""
    lengths = builder.pipeline_lengths
    if head.pipeline < 0:
        head.pipeline = len(lengths)
        head.position = 1
        lengths.append(1)
    pipeline = head.pipeline
    _, _, parent, via, arg_index = ctx
    outside_pipeline = (-1, 0, parent, via, arg_index)
    for element in node.named_children:
        if element.type == "comment":
            continue
        first, rest = split_leftmost(element)
        lengths[pipeline] += 1
        builder.visit(first, src, (pipeline, lengths[pipeline], parent, via, arg_index))
        for statement in rest:
            builder.visit(statement, src, outside_pipeline)

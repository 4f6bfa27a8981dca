"""Parse shell source with tree-sitter-bash into simple commands.

The entry point is :func:`parse_commands`.  It returns the simple commands in
source order plus, for each, an internal :class:`CommandInfo` telling in which
pipeline it runs and whether it runs inside another command (a ``$(..)``
substitution, ``<(..)``, the script of ``sh -c``, a here-document fed to a
shell, ``eval`` or ``find -exec``).  The classifier uses that context, for
instance to see ``bash -c "$(curl ...)"``.

tree-sitter works on UTF-8 bytes; every offset is converted to a character
offset of the analysed string.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from dataclasses import dataclass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from slimguard.dockerfile.shell.model import Redirect, SimpleCommand, Word, new_command, new_redirect, new_word
from slimguard.dockerfile.shell.quoting import decode_ansi_c, unescape_double, unescape_unquoted
from slimguard.dockerfile.shell.wrappers import WRAPPERS, basename, strip_wrappers

if TYPE_CHECKING:  # pragma: no cover
    from tree_sitter import Node, Parser

__all__ = ["CommandInfo", "Parsed", "parse_commands", "shell_mode", "SHELLS", "MAX_DEPTH"]

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "yash", "posh", "ksh93"})
MAX_DEPTH = 8
"""Maximum nesting of scripts inside scripts (sh -c inside sh -c ...)."""

_local = threading.local()
_language: Any = None


def _parser() -> Parser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        global _language
        import tree_sitter
        import tree_sitter_bash

        if _language is None:
            _language = tree_sitter.Language(tree_sitter_bash.language())
        parser = tree_sitter.Parser(_language)
        _local.parser = parser
    return parser


# --------------------------------------------------------------------------- offsets

# tree-sitter-bash 0.25 can crash (out-of-bounds read in the lexer) on code
# points from about U+80000 up, e.g. "{" followed by U+FB651.  Before parsing,
# every character outside the BMP is replaced by four ASCII letters and every
# lone surrogate by three: the same number of UTF-8 bytes, so all byte offsets
# stay valid, and the words are cut from the original text.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _sanitized(text: str) -> str:
    if _ASTRAL.search(text):
        text = _ASTRAL.sub("xxxx", text)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("xxx", text)
    return text



def _byte_to_char(text: str, nbytes: int) -> list[int]:
    table = [0] * (nbytes + 1)
    b = 0
    for ci, ch in enumerate(text):
        o = ord(ch)
        width = 1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4
        for k in range(width):
            table[b + k] = ci
        b += width
    table[nbytes] = len(text)
    return table


class _Src:
    """A piece of text handed to tree-sitter and how its offsets map back.

    ``inserts`` are positions (in ``text``) of characters that were inserted
    to work around grammar limitations; they do not exist in the analysed
    script and are skipped when offsets are mapped back."""

    __slots__ = ("text", "data", "b2c", "base", "span", "inserts", "plain")

    def __init__(self, text: str, base: int = 0, span: tuple[int, int] | None = None,
                 inserts: tuple[int, ...] = ()) -> None:
        self.text = text
        if text.isascii():
            data = text.encode()
            self.b2c = None
        else:
            data = _sanitized(text).encode()
            self.b2c = _byte_to_char(text, len(data))
        self.data = data
        self.base = base
        self.span = span  # set when local offsets cannot be mapped exactly
        self.inserts = inserts
        self.plain = span is None and self.b2c is None and not inserts

    def c(self, b: int) -> int:
        """Local character offset of local byte offset ``b``."""
        t = self.b2c
        if t is None:
            return b
        return t[b] if b < len(t) else t[-1]

    def gc(self, c: int, end: bool) -> int:
        """Global character offset of local character offset ``c``."""
        span = self.span
        if span is not None:
            return span[1] if end else span[0]
        ins = self.inserts
        return self.base + (c - bisect_left(ins, c) if ins else c)

    def g(self, b: int, end: bool) -> int:
        """Global character offset of local byte offset ``b``."""
        return self.gc(self.c(b), end)

    def sub(self, node: Node | _Node, strip: int = 0) -> _Src:
        """The text of ``node`` (minus ``strip`` characters at both ends) as a new source."""
        s = self.c(node.start_byte) + strip
        e = self.c(node.end_byte) - strip
        if e < s:
            e = s
        ins = self.inserts
        if ins:
            child = tuple(p - s for p in ins if s <= p < e)
            return _Src(self.text[s:e], self.base + s - bisect_left(ins, s), self.span, child)
        return _Src(self.text[s:e], self.base + s, self.span)

    def derived(self, text: str, start: int, end: int) -> _Src:
        """A new source whose offsets cannot be mapped: they all point at start..end."""
        return _Src(text, 0, self.span or (start, end))


# tree-sitter-bash misreads a here-document delimiter glued to an operator
# (``cat <<EOF>/x``, ``<<EOF|sh``, ``<<EOF&&x``): the body swallows the rest of
# the script.  A space is inserted after such delimiters before parsing (only
# outside quotes and here-document bodies).
_HEREDOC_OP = re.compile(
    r"<<(-?)[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|\\?([A-Za-z0-9_.+\-]+))")
_GLUE_CHARS = frozenset(";&|<>)")


def _glued_heredocs(text: str) -> list[int]:
    """Positions right after here-document delimiters glued to an operator."""
    out: list[int] = []
    pending: list[tuple[str, bool]] = []
    i = 0
    n = len(text)
    quote = ""
    while i < n:
        ch = text[i]
        if quote == "'":
            if ch == "'":
                quote = ""
        elif ch == "\\":
            i += 2
            continue
        elif quote == '"':
            if ch == '"':
                quote = ""
        elif ch == "'" or ch == '"':
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t\n;&|("):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        elif ch == "\n" and pending:
            # skip the bodies of the here-documents started on this line
            pos = i + 1
            for delim, dash in pending:
                while pos < n:
                    nl = text.find("\n", pos)
                    line = text[pos:] if nl < 0 else text[pos:nl]
                    pos = n if nl < 0 else nl + 1
                    if (line.lstrip("\t") if dash else line) == delim:
                        break
            pending = []
            i = pos
            continue
        elif ch == "<" and text.startswith("<<", i) and not text.startswith("<<<", i):
            m = _HEREDOC_OP.match(text, i)
            if m is not None:
                delim = m.group(2) if m.group(2) is not None else (
                    m.group(3) if m.group(3) is not None else m.group(4))
                pending.append((delim or "", m.group(1) == "-"))
                e = m.end()
                if e < n and text[e] in _GLUE_CHARS:
                    out.append(e)
                i = e
                continue
            i += 2
            continue
        elif ch == "<" and text.startswith("<<<", i):
            i += 3
            continue
        i += 1
    return out


def _patched(src: _Src) -> _Src:
    """``src`` with spaces inserted after glued here-document delimiters."""
    text = src.text
    if "<<" not in text or src.inserts:
        return src
    ends = _glued_heredocs(text)
    if not ends:
        return src
    parts: list[str] = []
    inserts: list[int] = []
    last = 0
    for e in ends:
        parts.append(text[last:e])
        parts.append(" ")
        inserts.append(e + len(inserts))
        last = e
    parts.append(text[last:])
    return _Src("".join(parts), src.base, src.span, tuple(inserts))


# --------------------------------------------------------------------------- records


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


class _Rec:
    """A simple command under construction (redirects and pipeline length
    can still change while the enclosing statements are visited)."""

    __slots__ = ("seq", "start", "end", "bs", "be", "name", "name_word", "args", "assigns",
                 "redirects", "wrappers", "users", "pipe", "pos", "parent", "via", "argi")

    seq: int
    start: int
    end: int
    bs: int
    be: int
    name: str | None
    name_word: Word | None
    args: tuple[Word, ...]
    assigns: tuple[str, ...]
    redirects: list[Redirect]
    wrappers: tuple[str, ...]
    users: tuple[str | None, ...]
    pipe: int
    pos: int
    parent: _Rec | None
    via: str
    argi: int


@dataclass(frozen=True, slots=True)
class Parsed:
    commands: tuple[SimpleCommand, ...]
    infos: tuple[CommandInfo, ...]
    has_errors: bool


# --------------------------------------------------------------------------- node types

_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_EXPANSIONS = frozenset({"simple_expansion", "expansion", "command_substitution",
                         "process_substitution", "arithmetic_expansion"})
_SUBST = frozenset({"command_substitution", "process_substitution"})
_LEAVES = frozenset({"word", "number", "raw_string", "ansi_c_string", "variable_name",
                     "string_content", "special_variable_name", "file_descriptor",
                     "test_operator", "heredoc_start", "heredoc_end", "regex", "extglob_pattern",
                     "comment", "heredoc_content"})
_WORDISH = frozenset({"word", "string", "raw_string", "concatenation", "simple_expansion",
                      "expansion", "number", "command_substitution", "ansi_c_string",
                      "process_substitution", "arithmetic_expansion", "translated_string",
                      "brace_expression"})
_SKIP_TOKENS = frozenset({";", "&", "\n", "&&", "||", "comment", "(", ")", "{", "}"})
_NESTING = SHELLS | {"eval", "su", "runuser", "find"}
_DESCEND_LAST = frozenset({"list", "pipeline", "negated_command", "redirected_statement"})
_SIMPLE_STMT = frozenset({"command", "variable_assignment", "variable_assignments",
                          "declaration_command", "unset_command", "test_command"})

_Ctx = tuple[int, int, "_Rec | None", str, int]
"""(pipeline id, position in it, enclosing command, how it is nested, arg index)."""


def shell_mode(args: tuple[Word, ...] | list[Word]) -> tuple[str, int]:
    """How a shell invoked with ``args`` gets its script.

    Returns ("c", i) when args[i] is the ``-c`` script, ("stdin", -1) when it
    reads the script from standard input, ("file", i) for a script file and
    ("none", -1) for ``-c`` without a script."""
    c_flag = s_flag = False
    i = 0
    n = len(args)
    while i < n:
        t = args[i].text
        if t == "--":
            i += 1
            break
        if len(t) >= 2 and t[0] in "-+":
            if t.startswith("--"):
                if t in ("--rcfile", "--init-file"):
                    i += 1
                i += 1
                continue
            letters = t[1:]
            if "c" in letters:
                c_flag = True
            if "s" in letters:
                s_flag = True
            if "o" in letters or "O" in letters:
                i += 1
            i += 1
            continue
        break
    if c_flag:
        return ("c", i) if i < n else ("none", -1)
    if s_flag or i >= n or args[i].text == "-":
        return ("stdin", -1)
    return ("file", i)


# --------------------------------------------------------------------------- builder


class _Builder:
    def __init__(self) -> None:
        self.recs: list[_Rec] = []
        self.pipe_len: list[int] = []
        self.has_errors = False
        self.depth = 0
        self.forgiven: set[tuple[int, int]] = set()

    # ---- entry points

    def run(self, src: _Src, parent: _Rec | None, via: str, argi: int) -> None:
        if self.depth >= MAX_DEPTH:
            return
        src = _patched(src)
        self.depth += 1
        try:
            tree = _parser().parse(src.data)
            root = tree.root_node
            forgiven = self.forgiven
            self.forgiven = set()
            try:
                self.visit(root, src, (-1, 0, parent, via, argi))
                if root.has_error and not self.has_errors:
                    self.has_errors = not self.forgiven or _unforgiven_errors(root, self.forgiven)
            finally:
                self.forgiven = forgiven
        finally:
            self.depth -= 1

    # ---- statements

    def visit(self, node: Node, src: _Src, ctx: _Ctx) -> list[_Rec]:
        t = node.type
        if t == "command":
            return [self.command(node, src, ctx)]
        handler = _DISPATCH.get(t)
        if handler is not None:
            found: list[_Rec] = handler(self, node, src, ctx)
            return found
        if t in _LEAVES:
            return []
        out: list[_Rec] = []
        for ch in node.children:
            ct = ch.type
            if ct == "command":
                out.append(self.command(ch, src, ctx))
            elif ct in _SKIP_TOKENS or not ch.is_named:
                continue
            else:
                out.extend(self.visit(ch, src, ctx))
        return out

    def v_list(self, node: Node, src: _Src, ctx: _Ctx) -> list[_Rec]:
        out: list[_Rec] = []
        for item in _flatten_list(node):
            out.extend(self.visit(item, src, ctx))
        return out

    def v_none(self, node: Node, src: _Src, ctx: _Ctx) -> list[_Rec]:
        return []

    def v_subst(self, node: Node, src: _Src, ctx: _Ctx) -> list[_Rec]:
        self.substitution(node, src, ctx[2], ctx[4], ctx[3] if ctx[2] is not None else "top")
        return []

    def v_assignment(self, node: Node, src: _Src, ctx: _Ctx) -> list[_Rec]:
        return [self.assignment(node, src, ctx)]

    def v_declaration(self, node: Node, src: _Src, ctx: _Ctx) -> list[_Rec]:
        return [self.declaration(node, src, ctx)]

    def v_test(self, node: Node, src: _Src, ctx: _Ctx) -> list[_Rec]:
        return [self.test(node, src, ctx)]

    def v_c_for(self, node: Node, src: _Src, ctx: _Ctx) -> list[_Rec]:
        out: list[_Rec] = []
        for ch in node.named_children:
            if ch.type in ("do_group", "compound_statement"):
                out.extend(self.visit(ch, src, ctx))
            else:
                self.find_subs(ch, src, ctx[2], ctx[4], ctx[3] if ctx[2] is not None else "top")
        return out

    def v_function(self, node: Node, src: _Src, ctx: _Ctx) -> list[_Rec]:
        out: list[_Rec] = []
        for ch in node.named_children:
            if ch.type != "word":
                out.extend(self.visit(ch, src, ctx))
        return out

    def pipeline(self, node: Node, src: _Src, ctx: _Ctx) -> list[_Rec]:
        elements = [ch for ch in node.named_children if ch.type != "comment"]
        pid = len(self.pipe_len)
        self.pipe_len.append(len(elements))
        out: list[_Rec] = []
        for i, el in enumerate(elements, 1):
            out.extend(self.visit(el, src, (pid, i, ctx[2], ctx[3], ctx[4])))
        return out

    def redirected(self, node: Node, src: _Src, ctx: _Ctx) -> list[_Rec]:
        body: Node | None = None
        reds: list[Node] = []
        for ch in node.named_children:
            if ch.type in _REDIRECTS:
                reds.append(ch)
            elif body is None and ch.type != "comment":
                body = ch
        if body is None:
            rec = self.new_rec(src, node.start_byte, node.end_byte, [], [], ctx)
            recs = [rec]
            targets = recs
        else:
            recs = self.visit(body, src, ctx)
            last: Node | None = body
            while last is not None and last.type in _DESCEND_LAST:
                if last.type == "redirected_statement":
                    nxt = None
                    for ch in last.named_children:
                        if ch.type not in _REDIRECTS and ch.type != "comment":
                            nxt = ch
                            break
                    last = nxt
                else:
                    kids = [ch for ch in last.named_children if ch.type != "comment"]
                    last = kids[-1] if kids else None
            if last is None:
                targets = recs[-1:]
            else:
                lo, hi = last.start_byte, last.end_byte
                targets = [r for r in recs if r.bs >= lo and r.be <= hi]
                if last.type in _SIMPLE_STMT:
                    targets = targets[:1]
                if not targets:
                    targets = recs[-1:]
        if targets:
            for rn in reds:
                self.redirect(rn, src, targets, ctx)
        return recs

    # ---- simple commands

    def new_rec(self, src: _Src, bs: int, be: int, words: list[Word], assigns: list[str],
                ctx: _Ctx, start: int | None = None, end: int | None = None) -> _Rec:
        rec = _Rec()
        rec.redirects = []
        rec.seq = len(self.recs)
        rec.bs = bs
        rec.be = be
        if start is not None and end is not None:
            rec.start = start
            rec.end = end
        elif src.plain:
            rec.start = src.base + bs
            rec.end = src.base + be
        else:
            rec.start = src.g(bs, False)
            rec.end = src.g(be, True)
        rec.wrappers = ()
        rec.users = ()
        rec.assigns = tuple(assigns)
        if words:
            nw = words[0]
            v = nw.value
            name = None if v is None else (basename(v) if "/" in v else v)
            if name in WRAPPERS:
                stripped = strip_wrappers(words)
                k = stripped.index
                nw = words[k]
                v = nw.value
                name = None if v is None else basename(v)
                rec.args = tuple(words[k + 1:])
                rec.wrappers = stripped.wrappers
                rec.users = stripped.users
                if stripped.assignments:
                    rec.assigns += stripped.assignments
            else:
                rec.args = tuple(words[1:])
            rec.name_word = nw
            rec.name = name
        else:
            rec.name_word = None
            rec.name = None
            rec.args = ()
        rec.pipe, rec.pos, rec.parent, rec.via, rec.argi = ctx
        self.recs.append(rec)
        return rec

    def command(self, node: Node, src: _Src, ctx: _Ctx) -> _Rec:
        assign_nodes: list[Node] = []
        word_nodes: list[Node] = []
        words: list[Word] = []
        redir_nodes: list[Node] | None = None
        complex_words: list[int] | None = None
        plain = src.plain
        text = src.text
        base = src.base
        word = self.word
        for ch in node.children:
            t = ch.type
            if t == "command_name":
                inner = ch.children
                if len(inner) == 1:
                    ch = inner[0]
                    t = ch.type
                else:
                    t = "command_name"
            if t == "word":
                word_nodes.append(ch)
                if plain:
                    bs = ch.start_byte
                    be = ch.end_byte
                    raw = text[bs:be]
                    words.append(new_word(raw, unescape_unquoted(raw) if "\\" in raw else raw,
                                          base + bs, base + be))
                else:
                    words.append(word(ch, src))
            elif t in _WORDISH or t == "command_name":
                if t not in _LEAVES:
                    if complex_words is None:
                        complex_words = []
                    complex_words.append(len(word_nodes))
                word_nodes.append(ch)
                words.append(word(ch, src))
            elif t == "variable_assignment":
                assign_nodes.append(ch)
            elif t in _REDIRECTS:
                if redir_nodes is None:
                    redir_nodes = []
                redir_nodes.append(ch)
            elif t != "comment" and ch.is_named:
                if complex_words is None:
                    complex_words = []
                complex_words.append(len(word_nodes))
                word_nodes.append(ch)
                words.append(word(ch, src))
        if assign_nodes:
            assigns = [text[src.c(n.start_byte):src.c(n.end_byte)] for n in assign_nodes]
        else:
            assigns = []
        rec = self.new_rec(src, node.start_byte, node.end_byte, words, assigns, ctx)
        first_arg = len(words) - len(rec.args)
        if redir_nodes:
            for rn in redir_nodes:
                self.redirect(rn, src, [rec], ctx)
        for n in assign_nodes:
            if n.child_count:
                self.find_subs(n, src, rec, -1, "cmdsub")
        if complex_words:
            for i in complex_words:
                self.find_subs(word_nodes[i], src, rec, i - first_arg, "cmdsub")
        if rec.name in _NESTING:
            self.nested(rec, src, word_nodes[first_arg:], ctx)
        return rec

    def assignment(self, node: Node, src: _Src, ctx: _Ctx) -> _Rec:
        nodes = [node] if node.type == "variable_assignment" else [
            ch for ch in node.named_children if ch.type == "variable_assignment"]
        assigns = [src.text[src.c(n.start_byte):src.c(n.end_byte)] for n in nodes]
        rec = self.new_rec(src, node.start_byte, node.end_byte, [], assigns, ctx)
        self.find_subs(node, src, rec, -1, "cmdsub")
        return rec

    def declaration(self, node: Node, src: _Src, ctx: _Ctx) -> _Rec:
        words: list[Word] = []
        for ch in node.children:
            if ch.is_named:
                if ch.type != "comment":
                    words.append(self.word(ch, src))
            elif not words:
                words.append(self.word(ch, src))
        rec = self.new_rec(src, node.start_byte, node.end_byte, words, [], ctx)
        self.find_subs(node, src, rec, -1, "cmdsub")
        return rec

    def test(self, node: Node, src: _Src, ctx: _Ctx) -> _Rec:
        words: list[Word] = []
        kids = node.children
        if kids and not kids[0].is_named:
            words.append(self.word(kids[0], src))
            kids = kids[1:]
        if kids and not kids[-1].is_named:
            kids = kids[:-1]
        stack = list(reversed(kids))
        while stack:
            n = stack.pop()
            t = n.type
            if not n.is_named or t in _LEAVES or t in _EXPANSIONS or t in (
                    "string", "concatenation", "translated_string"):
                words.append(self.word(n, src))
            else:
                stack.extend(reversed(n.children))
        rec = self.new_rec(src, node.start_byte, node.end_byte, words, [], ctx)
        self.find_subs(node, src, rec, -1, "cmdsub")
        return rec

    # ---- words

    def word(self, node: Node, src: _Src) -> Word:
        bs = node.start_byte
        be = node.end_byte
        if src.plain:
            raw = src.text[bs:be]
            if node.type == "word":
                value: str | None = unescape_unquoted(raw) if "\\" in raw else raw
            else:
                value = self.value(node, raw, src)
            base = src.base
            return new_word(raw, value, base + bs, base + be)
        s = src.c(bs)
        e = src.c(be)
        raw = src.text[s:e]
        if node.type == "word":
            value = unescape_unquoted(raw) if "\\" in raw else raw
        else:
            value = self.value(node, raw, src)
        return new_word(raw, value, src.gc(s, False), src.gc(e, True))

    def value(self, node: Node, raw: str, src: _Src) -> str | None:
        t = node.type
        if node.child_count == 0:
            if t == "raw_string":
                return raw[1:-1] if len(raw) >= 2 and raw.endswith("'") else raw[1:]
            if t == "ansi_c_string":
                return decode_ansi_c(raw[2:-1] if raw.endswith("'") else raw[2:])
            if t in _EXPANSIONS:
                return None
            return unescape_unquoted(raw) if "\\" in raw else raw
        if t in _EXPANSIONS:
            return None
        if t == "string" or t == "translated_string":
            for ch in node.children:
                if ch.type in _EXPANSIONS:
                    return None
            lead = 2 if t == "translated_string" else 1
            inner = raw[lead:-1] if len(raw) > lead and raw.endswith('"') else raw[lead:]
            return unescape_double(inner) if "\\" in inner else inner
        if t == "raw_string":
            return raw[1:-1] if len(raw) >= 2 and raw.endswith("'") else raw[1:]
        if t == "ansi_c_string":
            return decode_ansi_c(raw[2:-1] if raw.endswith("'") else raw[2:])
        # concatenation and other composite nodes: join the parts
        parts: list[str] = []
        text = src.text
        pos = src.c(node.start_byte)
        for ch in node.children:
            cs = src.c(ch.start_byte)
            ce = src.c(ch.end_byte)
            if cs > pos:
                parts.append(text[pos:cs])
            v = self.value(ch, text[cs:ce], src)
            if v is None:
                return None
            parts.append(v)
            pos = max(pos, ce)
        end = src.c(node.end_byte)
        if end > pos:
            parts.append(text[pos:end])
        return "".join(parts)

    # ---- redirections

    def redirect(self, rn: Node, src: _Src, targets: list[_Rec], ctx: _Ctx) -> None:
        t = rn.type
        text = src.text
        if t == "file_redirect":
            fd = ""
            op = ""
            dest: Node | None = None
            for ch in rn.children:
                if ch.type == "file_descriptor":
                    fd = text[src.c(ch.start_byte):src.c(ch.end_byte)]
                elif not ch.is_named:
                    op += text[src.c(ch.start_byte):src.c(ch.end_byte)]
                elif dest is None:
                    dest = ch
            target: str | None = None
            if dest is not None:
                dw = self.word(dest, src)
                if op in (">&", "<&") and dw.value is not None and (
                        dw.value.isdigit() or dw.value == "-"):
                    op = op + dw.value
                else:
                    target = dw.text
                if dest.type not in _LEAVES:
                    self.find_subs(dest, src, targets[0], -1, "cmdsub")
            red = new_redirect(fd + op, target, src.g(rn.start_byte, False),
                               src.g(rn.end_byte, True), None)
            for r in targets:
                r.redirects.append(red)
            return
        if t == "herestring_redirect":
            value: str | None = None
            for ch in rn.named_children:
                w = self.word(ch, src)
                value = w.text
                if ch.type not in _LEAVES:
                    self.find_subs(ch, src, targets[0], -1, "cmdsub")
                break
            red = new_redirect("<<<", value, src.g(rn.start_byte, False),
                               src.g(rn.end_byte, True), None)
            for r in targets:
                r.redirects.append(red)
            return
        if t == "heredoc_redirect":
            self.heredoc(rn, src, targets, ctx)

    def heredoc(self, rn: Node, src: _Src, targets: list[_Rec], ctx: _Ctx) -> None:
        text = src.text
        op = "<<"
        head_end = rn.end_byte
        body: Node | None = None
        extra: list[Node] = []
        pipe_cont: Node | None = None
        right: list[Node] = []
        error: Node | None = None
        after_op = False
        for ch in rn.children:
            ct = ch.type
            if not ch.is_named:
                tok = text[src.c(ch.start_byte):src.c(ch.end_byte)]
                if tok in ("<<", "<<-"):
                    op = tok
                elif tok in ("&&", "||"):
                    after_op = True
                continue
            if ct == "heredoc_start":
                head_end = ch.end_byte
            elif ct == "heredoc_body":
                body = ch
            elif ct == "heredoc_end":
                pass
            elif ct in _REDIRECTS:
                extra.append(ch)
            elif ct == "pipeline" and pipe_cont is None and not after_op:
                pipe_cont = ch
            elif ct == "ERROR":
                if error is None:
                    error = ch
                    # ``cat <<EOF; next`` is valid shell that the grammar rejects
                    tok = text[src.c(ch.start_byte):src.c(ch.end_byte)].strip()
                    if tok in (";", "&"):
                        self.forgiven.add((ch.start_byte, ch.end_byte))
            elif after_op and error is None:
                right.append(ch)
        body_text: str | None = None
        if body is not None:
            body_text = text[src.c(body.start_byte):src.c(body.end_byte)]
            if op == "<<-":
                body_text = "\n".join(line.lstrip("\t") for line in body_text.split("\n"))
        red = new_redirect(op, None, src.g(rn.start_byte, False), src.g(head_end, True), body_text)
        for r in targets:
            r.redirects.append(red)
        for ch in extra:
            self.redirect(ch, src, targets, ctx)
        if body is not None:
            head = targets[0]
            if head.name in SHELLS and shell_mode(head.args)[0] == "stdin":
                self.run(src.sub(body), head, "heredoc", -1)
            else:
                self.find_subs(body, src, head, -1, "cmdsub")
        if pipe_cont is not None:
            self.pipe_continue(pipe_cont, src, targets[-1], ctx)
        base = (-1, 0, ctx[2], ctx[3], ctx[4])
        for ch in right:
            self.visit(ch, src, base)
        if error is not None:
            stop = body.start_byte if body is not None else rn.end_byte
            if stop > error.end_byte:
                frag = _Node(error.end_byte, stop)
                self.run(src.sub(frag), ctx[2], ctx[3] if ctx[2] is not None else "top", ctx[4])

    def pipe_continue(self, pnode: Node, src: _Src, head: _Rec, ctx: _Ctx) -> None:
        """``cmd <<EOF | next``: tree-sitter puts ``| next`` inside the heredoc redirect."""
        if head.pipe < 0:
            head.pipe = len(self.pipe_len)
            head.pos = 1
            self.pipe_len.append(1)
        pid = head.pipe
        base = (-1, 0, ctx[2], ctx[3], ctx[4])
        for el in pnode.named_children:
            if el.type == "comment":
                continue
            left, rest = _split_leftmost(el)
            self.pipe_len[pid] += 1
            self.visit(left, src, (pid, self.pipe_len[pid], ctx[2], ctx[3], ctx[4]))
            for r in rest:
                self.visit(r, src, base)

    # ---- nested commands

    def substitution(self, node: Node, src: _Src, parent: _Rec | None, argi: int, via: str) -> None:
        kind = "procsub" if node.type == "process_substitution" else via
        ctx = (-1, 0, parent, kind, argi)
        for ch in node.named_children:
            self.visit(ch, src, ctx)

    def find_subs(self, node: Node, src: _Src, parent: _Rec | None, argi: int, via: str) -> None:
        stack = [node]
        while stack:
            n = stack.pop()
            t = n.type
            if t in _SUBST:
                self.substitution(n, src, parent, argi, via)
            elif t not in _LEAVES and n.child_count:
                stack.extend(reversed(n.children))

    def nested(self, rec: _Rec, src: _Src, arg_nodes: list[Node], ctx: _Ctx) -> None:
        name = rec.name
        args = rec.args
        if name is None or not args or len(arg_nodes) != len(args):
            return
        if name in SHELLS:
            mode, i = shell_mode(args)
            if mode == "c":
                self.script_word(rec, src, args[i], arg_nodes[i], "dash-c", i)
        elif name == "eval":
            if len(args) == 1:
                self.script_word(rec, src, args[0], arg_nodes[0], "eval", 0)
            elif all(a.value is not None for a in args):
                script = " ".join(a.value or "" for a in args)
                self.run(src.derived(script, args[0].start, args[-1].end), rec, "eval", 0)
        elif name in ("su", "runuser"):
            for i, a in enumerate(args[:-1]):
                if a.text in ("-c", "--command", "--session-command"):
                    self.script_word(rec, src, args[i + 1], arg_nodes[i + 1], "su-c", i + 1)
                    break
        elif name == "find":
            self.find_exec(rec, src, ctx)

    def script_word(self, rec: _Rec, src: _Src, w: Word, node: Node, via: str, argi: int) -> None:
        raw = w.raw
        if w.value is not None:
            if raw == w.value:
                sub = src.sub(node)
            elif len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" and raw[1:-1] == w.value:
                sub = src.sub(node, 1)
            else:
                sub = src.derived(w.value, w.start, w.end)
        elif (len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"' and "$(" not in raw
              and "`" not in raw and "<(" not in raw):
            sub = src.sub(node, 1)
        else:
            return
        self.run(sub, rec, via, argi)

    def find_exec(self, rec: _Rec, src: _Src, ctx: _Ctx) -> None:
        args = rec.args
        i = 0
        while i < len(args):
            if args[i].text in ("-exec", "-execdir", "-ok", "-okdir"):
                j = i + 1
                while j < len(args) and args[j].text not in (";", "+"):
                    j += 1
                words = list(args[i + 1:j])
                if words:
                    end = args[j].end if j < len(args) else words[-1].end
                    self.new_rec(src, rec.bs, rec.be, words, [],
                                 (-1, 0, rec, "find-exec", i + 1), words[0].start, end)
                i = j
            i += 1

    # ---- result

    def build(self) -> Parsed:
        recs = self.recs
        if any(recs[i].start > recs[i + 1].start for i in range(len(recs) - 1)):
            recs = sorted(recs, key=lambda r: (r.start, r.seq))
        index: dict[int, int] | None = None
        if any(r.parent is not None for r in recs):
            index = {id(r): i for i, r in enumerate(recs)}
        pipe_len = self.pipe_len
        commands: list[SimpleCommand] = []
        infos: list[CommandInfo] = []
        for i, r in enumerate(recs):
            pipe = r.pipe
            if pipe >= 0 and pipe_len[pipe] > 1:
                pos, plen = r.pos, pipe_len[pipe]
            else:
                pos = plen = 0
                pipe = -1
            cmd = new_command(r.name, r.args, r.assigns, tuple(r.redirects) if r.redirects else (),
                              r.wrappers, pos, plen, r.start, r.end, r.name_word)
            commands.append(cmd)
            parent = -1
            if index is not None and r.parent is not None:
                parent = index.get(id(r.parent), -1)
            infos.append(CommandInfo(cmd, i, pipe, parent, r.via, r.argi, r.users))
        return Parsed(tuple(commands), tuple(infos), self.has_errors)


_DISPATCH: dict[str, Callable[[_Builder, Node, _Src, _Ctx], list[_Rec]]] = {
    "redirected_statement": _Builder.redirected,
    "pipeline": _Builder.pipeline,
    "list": _Builder.v_list,
    "heredoc_body": _Builder.v_none,
    "command_substitution": _Builder.v_subst,
    "process_substitution": _Builder.v_subst,
    "variable_assignment": _Builder.v_assignment,
    "variable_assignments": _Builder.v_assignment,
    "declaration_command": _Builder.v_declaration,
    "unset_command": _Builder.v_declaration,
    "test_command": _Builder.v_test,
    "c_style_for_statement": _Builder.v_c_for,
    "function_definition": _Builder.v_function,
}


class _Node:
    """A stand-in for a node covering a byte range (for _Src.sub)."""

    __slots__ = ("start_byte", "end_byte")

    def __init__(self, start: int, end: int) -> None:
        self.start_byte = start
        self.end_byte = end


def _unforgiven_errors(root: Node, forgiven: set[tuple[int, int]]) -> bool:
    """Whether the tree has ERROR/MISSING nodes other than the forgiven ones."""
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "ERROR":
            if (n.start_byte, n.end_byte) not in forgiven:
                return True
            continue
        if n.is_missing:
            return True
        stack.extend(ch for ch in n.children if ch.has_error or ch.is_missing)
    return False


def _flatten_list(node: Node) -> list[Node]:
    """The statements of a (left-nested) ``&&``/``||`` list, without recursion."""
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "list":
            stack.extend(reversed([ch for ch in n.named_children if ch.type != "comment"]))
        else:
            out.append(n)
    return out


def _split_leftmost(node: Node) -> tuple[Node, list[Node]]:
    if node.type != "list":
        return node, []
    items = _flatten_list(node)
    return items[0], items[1:]


def parse_commands(script: str) -> Parsed:
    """Parse ``script`` into simple commands with their context."""
    b = _Builder()
    b.run(_Src(script), None, "top", -1)
    return b.build()


def parse_partial(script: str) -> Parsed:
    """Like :func:`parse_commands` but returns what was collected when the
    tree is too deep for Python's recursion limit."""
    b = _Builder()
    try:
        b.run(_Src(script), None, "top", -1)
    except RecursionError:
        b.has_errors = True
    return b.build()

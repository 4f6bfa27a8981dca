"""Where a stage's base image reference is written, and the one edit that moves it to another tag.

A FROM names its image literally (``FROM node:12.16``) or through global ARGs (``ARG NODE_VERSION=12.16`` /
``FROM node:${NODE_VERSION}``, ``ARG BASE=node:12.16`` / ``FROM ${BASE}``, ``FROM node:${V:-12.16}``).
:func:`retag_base` finds the place to edit so that the stage builds *new_repository:new_tag* with the
Dockerfile's defaults and ``--build-arg`` overrides keep working:

* a literal reference: the tag in the FROM (the repository too when it changes);
* the tag comes from ARGs and the new tag only adds a suffix (``12.16`` -> ``12.16-slim``): the suffix is
  appended in the FROM (``node:${NODE_VERSION}-slim``), so ``--build-arg NODE_VERSION=14`` builds
  ``node:14-slim`` and the ARG keeps its value for other stages and RUN lines;
* the whole reference is one ARG (``FROM ${BASE}``): that ARG's default is rewritten (appending to the FROM
  would turn ``--build-arg BASE=node:14-alpine`` into ``node:14-alpine-slim``);
* the tag is exactly one ARG and the new tag is not a suffix (``3.12-bookworm`` -> ``3.12-slim-bookworm``):
  the ARG's default is rewritten when nothing else uses the ARG;
* a ``${VAR:-default}`` whose default is what the build uses: that default, in the FROM.

When the value cannot be known (an ARG without a default, one the configured build args override, an
automatic platform ARG, ``${VAR:+...}`` and other operators, quotes or escapes in the reference), or the
edit would change what another stage or instruction uses, there is no edit and :attr:`Retag.reason` says
why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slimguard.core.findings import Edit
from slimguard.dockerfile.syntax.buildkit import parse_words

if TYPE_CHECKING:
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.model import Stage
    from slimguard.dockerfile.syntax import Instruction

__all__ = ["Retag", "retag_base"]

_REF = re.compile(r"\$\{(?P<b>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+?=])(?P<d>[^}]*))?\}|\$(?P<n>[A-Za-z_][A-Za-z0-9_]*)")
_PLATFORM_ARGS = frozenset({"BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT", "TARGETPLATFORM",
                            "TARGETOS", "TARGETARCH", "TARGETVARIANT"})


@dataclass(frozen=True)
class Retag:
    """The edit that moves the base to the new reference (None when there is none), what it changes, and
    otherwise why not."""

    edit: Edit | None
    where: str = ""  # "the FROM at line 2", "ARG BASE at line 1"
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.edit is not None


@dataclass(frozen=True)
class _Value:
    """Where a variable of the FROM gets its value: a global ARG default, or the ``:-`` default in the FROM."""

    text: str
    start: int  # source offsets of the value text
    end: int
    arg: "Instruction | None"  # the global ARG (None: the default inside the FROM)


def _same_repo(a: str, b: str) -> bool:
    from slimguard.knowledge.bases import normalize_repository

    return normalize_repository(a) == normalize_repository(b)


def _split(ref: str) -> tuple[str, str | None]:
    """``node:12.16`` -> (``node``, ``12.16``); a registry port is not a tag."""
    colon, slash = ref.rfind(":"), ref.rfind("/")
    if colon > slash:
        return ref[:colon], ref[colon + 1 :]
    return ref, None


def _literal_edit(text: str, start: int, new_repo: str, new_tag: str) -> Edit:
    """The edit of a literal reference at *start*: the tag, or the whole reference for another repository."""
    repo, tag = _split(text)
    if not _same_repo(repo, new_repo):
        return Edit(start, start + len(text), f"{new_repo}:{new_tag}")
    if tag is not None:
        return Edit(start + len(repo) + 1, start + len(text), new_tag)
    return Edit(start + len(text), start + len(text), f":{new_tag}")  # implied latest: add the tag


def _global_default(ctx: "LintContext", name: str) -> tuple[_Value | None, str | None]:
    """The last global ARG that gives *name* a default, with the source span of that default."""
    tree = ctx.tree
    found: _Value | None = None
    declared = False
    for ins in tree.instructions:
        if ins.name == "FROM":
            break
        if ins.name != "ARG":
            continue
        for word, s, e in parse_words(ins.rest, tree.escape):
            key = word.split("=", 1)[0]
            if key != name:
                continue
            declared = True
            if "=" not in word:
                continue
            a, b = s + len(name) + 1, e
            raw = ins.rest[a:b]
            if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
                a, b, raw = a + 1, b - 1, raw[1:-1]
            if any(c in raw for c in "$'\"\\` ") or tree.escape in raw:
                return None, f"ARG {name} at line {ins.start_line} sets its default in a way slimguard cannot rewrite"
            span = ins.source_span(a, b)
            start, end = span.start.offset, span.end.offset
            if tree.text[start:end] != raw:
                return None, f"ARG {name} at line {ins.start_line} spans lines"
            found = _Value(raw, start, end, ins)
    if found is None and not declared:
        return None, None
    return found, None


def _other_uses(ctx: "LintContext", name: str, from_ins: "Instruction") -> str | None:
    """Another FROM or a stage ARG that uses the global ARG *name*, if any."""
    pattern = re.compile(r"\$\{?" + re.escape(name) + r"(?![A-Za-z0-9_])")
    for stage in ctx.model.stages:
        ins = stage.from_instruction
        if ins is not from_ins and pattern.search(ins.rest + " " + " ".join(f.text for f in ins.flags)):
            return f"the FROM at line {ins.start_line} also uses ${name}"
        for step in stage.steps:
            if step.instruction.name == "ARG" and any(
                    w.split("=", 1)[0] == name for w in step.instruction.buildkit_value()):
                return f"stage {stage.label} redeclares ARG {name} at line {step.instruction.start_line}"
    return None


def retag_base(ctx: "LintContext", stage: "Stage", new_repository: str, new_tag: str) -> Retag:
    """The edit that makes *stage*'s FROM build ``new_repository:new_tag`` (see the module docstring)."""
    ins = stage.from_instruction
    base = stage.base
    line = ins.start_line
    words = ins.words()
    if not words:
        return Retag(None, reason="the FROM line could not be read")
    word = words[0]
    start, end = word.span.start.offset, word.span.end.offset
    raw = ctx.tree.text[start:end]
    if raw != word.text or raw != base.raw:
        return Retag(None, reason="the FROM line could not be read")
    if "@" in base.text:
        return Retag(None, reason="the FROM pins a digest")
    if "$" not in raw:
        if any(c in raw for c in "'\"\\`"):
            return Retag(None, reason="the FROM reference is quoted")
        return Retag(_literal_edit(raw, start, new_repository, new_tag), f"the FROM at line {line}")
    if any(c in raw for c in "'\"\\`"):
        return Retag(None, reason="the FROM reference is quoted or escaped")

    # the reference through variables: resolve each one and remember where its value is written
    pieces: list[tuple[str, _Value | None]] = []  # (resolved text, where it is set: None for a literal part)
    refs: list[tuple[str, str, _Value | None]] = []  # (name, op, value source)
    pos = 0
    build_args = ctx.options.build_args or {}
    for m in _REF.finditer(raw):
        if m.start() > pos:
            pieces.append((raw[pos : m.start()], None))
        pos = m.end()
        name = m.group("b") or m.group("n")
        op = m.group("op") or ""
        if name in build_args:
            return Retag(None, reason=f"${name} comes from --build-arg {name}={build_args[name]}")
        if name in _PLATFORM_ARGS:
            return Retag(None, reason=f"${name} depends on the build platform")
        if op and op not in (":-", "-"):
            return Retag(None, reason=f"slimguard cannot tell what ${{{name}{op}...}} gives")
        value, why = _global_default(ctx, name)
        if why is not None:
            return Retag(None, reason=why)
        if value is None or (op == ":-" and not value.text):
            if not op:
                return Retag(None, reason=f"ARG {name} has no default")
            d = m.group("d") or ""
            if "$" in d:
                return Retag(None, reason=f"the default of ${name} uses another variable")
            d0 = start + m.start("d")
            value = _Value(d, d0, d0 + len(d), None)
        pieces.append((value.text, value))
        refs.append((name, op, value))
    if pos < len(raw):
        pieces.append((raw[pos:], None))
    resolved = "".join(text for text, _ in pieces)
    if resolved != base.text:
        return Retag(None, reason="slimguard could not follow the ARGs of the FROM")
    repo, tag = _split(resolved)

    def value_edit(value: _Value, new_text: str, name: str) -> Retag:
        if value.arg is None:
            return Retag(Edit(value.start, value.end, new_text), f"the default of ${name} in the FROM at line {line}")
        other = _other_uses(ctx, name, ins)
        if other is not None:
            return Retag(None, reason=f"ARG {name} sets the whole tag and {other}")
        return Retag(Edit(value.start, value.end, new_text), f"ARG {name} at line {value.arg.start_line}")

    # the whole reference is one variable: rewrite its value
    if len(pieces) == 1 and refs:
        name, _, value = refs[0]
        assert value is not None
        vstart = value.start
        edit = _literal_edit(value.text, vstart, new_repository, new_tag)
        new_text = value.text[: edit.start - vstart] + edit.text + value.text[edit.end - vstart :]
        return value_edit(value, new_text, name)

    if tag is None:
        return Retag(None, reason="the FROM has no tag slimguard can extend")
    # the repository part must be written literally to be replaced
    literal_repo = bool(pieces) and pieces[0][1] is None and pieces[0][0].startswith(repo + ":")
    if not _same_repo(repo, new_repository) and not literal_repo:
        return Retag(None, reason="the repository in the FROM comes from an ARG")
    if new_tag.startswith(tag) and new_tag != tag:
        suffix = new_tag[len(tag) :]
        bare = re.search(r"\$([A-Za-z_][A-Za-z0-9_]*)$", raw)
        if bare is not None and re.match(r"[A-Za-z0-9_]", suffix):
            # $NAME followed by a name character would name another variable: write ${NAME}suffix
            s0 = start + bare.start()
            if _same_repo(repo, new_repository):
                return Retag(Edit(s0, end, "${" + bare.group(1) + "}" + suffix), f"the FROM at line {line}")
            return Retag(None, reason="the FROM line could not be rewritten safely")
        if _same_repo(repo, new_repository):
            return Retag(Edit(end, end, suffix), f"the FROM at line {line}")
        # another repository: replace the literal repository and append the suffix (one edit, whole word)
        rest = raw[len(repo) :]
        return Retag(Edit(start, end, new_repository + rest + suffix), f"the FROM at line {line}")
    # not a suffix: only a tag that is exactly one variable can take the new tag
    tag_raw = raw[len(pieces[0][0]) :] if literal_repo else None
    if tag_raw is not None and pieces[0][0] == repo + ":" and len(pieces) == 2 and pieces[1][1] is not None:
        name = refs[0][0]
        value = pieces[1][1]
        if not _same_repo(repo, new_repository):
            return Retag(None, reason="the new tag needs another repository and a different tag")
        return value_edit(value, new_tag, name)
    return Retag(None, reason=f"the tag is built from several parts and {new_tag} is not {tag} plus a suffix")

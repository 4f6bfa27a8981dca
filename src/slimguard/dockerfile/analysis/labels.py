"""LABEL instructions and hadolint's label schema (``label-schema``, ``strict-labels``): the label pairs of
a Dockerfile, the value checks per schema type, key validity, and which stages lack a required label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slimguard.dockerfile.analysis.spdx_ids import LICENSE_IDS

if TYPE_CHECKING:
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.syntax import Instruction


@dataclass(frozen=True)
class LabelPair:
    key: str
    value: str  # quotes removed
    instruction: "Instruction"  # the LABEL, or the ONBUILD around it (reported on)
    onbuild: bool


def _unquote(value: str) -> str:
    """A LABEL value as the image gets it, for the literal cases: quotes removed, escapes resolved."""
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(value):
        ch = value[i]
        if quote != "'" and ch == "\\" and i + 1 < len(value):
            out.append(value[i + 1])
            i += 2
            continue
        if ch in "\"'" and (not quote or quote == ch):
            quote = "" if quote else ch
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def label_pairs(ctx: "LintContext", *, onbuild: bool = True) -> Iterator[LabelPair]:
    """Every ``key=value`` of every LABEL (ONBUILD LABEL triggers too with *onbuild*), in file order."""
    for ins in ctx.tree.instructions:
        label = ins.trigger if ins.name == "ONBUILD" else ins
        if label is None or label.name != "LABEL":
            continue
        if ins is not label and not onbuild:
            continue
        values = label.buildkit_value()
        for key, value in zip(values[0::2], values[1::2]):
            yield LabelPair(_unquote(key), _unquote(value), ins, ins is not label)


def label_instructions(ctx: "LintContext") -> Iterator[tuple["Instruction", list[LabelPair]]]:
    """Each LABEL (or ONBUILD LABEL) with its pairs."""
    current: "Instruction | None" = None
    pairs: list[LabelPair] = []
    for pair in label_pairs(ctx):
        if pair.instruction is not current:
            if current is not None:
                yield current, pairs
            current, pairs = pair.instruction, []
        pairs.append(pair)
    if current is not None:
        yield current, pairs


# ------------------------------------------------------------------------------------------ label keys

RESERVED_NAMESPACES = ("com.docker.", "io.docker.", "org.dockerproject.")
_KEY = re.compile(r"^[a-z](?:[a-z0-9._-]*[a-z0-9])?$")


def key_problem(key: str) -> str | None:
    """Why *key* is not a valid label key by Docker's guidelines, or None."""
    if key.startswith(RESERVED_NAMESPACES):
        return f"the namespace {key.split('.')[0]}.{key.split('.')[1]} is reserved for Docker"
    if not _KEY.match(key):
        return "a key must start with a lower-case letter, end with a letter or digit and use only a-z, 0-9, '.', '-' and '_'"
    if ".." in key or "--" in key:
        return "a key must not contain consecutive dots or dashes"
    return None


# ------------------------------------------------------------------------------------------ value types

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\"<>\\^`{|}]*$")
_RFC3339 = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?"
    r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)
_HASH = re.compile(r"^(?:[0-9a-f]{7}|[0-9a-f]{40})$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_EMAIL = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*$")

VALIDATORS: dict[str, Callable[[str], bool]] = {
    "url": lambda v: bool(_URL.match(v)),
    "rfc3339": lambda v: bool(_RFC3339.match(v)),
    "spdx": lambda v: v in LICENSE_IDS,
    "hash": lambda v: bool(_HASH.match(v)),
    "semver": lambda v: bool(_SEMVER.match(v)),
    "email": lambda v: bool(_EMAIL.match(v)),
}


def invalid_pairs(ctx: "LintContext", kind: str) -> Iterator[LabelPair]:
    """The label pairs whose key the schema gives type *kind* and whose value is not of that type."""
    schema = ctx.options.label_schema
    check = VALIDATORS[kind]
    for pair in label_pairs(ctx):
        if schema.get(pair.key) == kind and not check(pair.value):
            yield pair


# ------------------------------------------------------------------------------------------ missing labels


@dataclass
class _StageLabels:
    alias: str | None  # the AS name
    ins: "Instruction"
    keys: set[str]
    sources: set[int]  # the stages this one uses: its FROM and COPY --from, as indexes


def _stage_ref(stages: list[_StageLabels], name: str) -> int | None:
    """The latest stage so far whose AS name is *name* (unnamed stages cannot be referred to)."""
    for i in range(len(stages) - 1, -1, -1):
        if stages[i].alias == name:
            return i
    return None


def missing_labels(ctx: "LintContext", required: list[str]) -> Iterator[tuple["Instruction", str]]:
    """``(FROM, label)`` for every stage and required label hadolint's DL3049 reports: a stage lacks the
    label (its own LABELs, or inherited from the stage it is built FROM), and no stage that has it builds
    FROM or copies from this stage, directly or through other stages."""
    stages: list[_StageLabels] = []
    for ins in ctx.tree.instructions:
        if ins.name == "FROM":
            words = list(ins.buildkit_value())
            if not words:
                continue
            alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            parent = _stage_ref(stages, words[0])
            keys = set(stages[parent].keys) if parent is not None else set()
            stages.append(_StageLabels(alias, ins, keys, {parent} if parent is not None else set()))
        elif not stages:
            continue
        elif ins.name == "LABEL":
            values = ins.buildkit_value()
            stages[-1].keys.update(_unquote(k) for k in values[0::2])
        elif ins.name == "COPY":
            source = ins.flag("from")
            ref = _stage_ref(stages, source.value) if source is not None and source.value else None
            if ref is not None:
                stages[-1].sources.add(ref)
    for label in required:
        covered = {i for i, s in enumerate(stages) if label in s.keys}
        todo = list(covered)
        while todo:  # everything a stage with the label is made from
            for j in stages[todo.pop()].sources:
                if j not in covered:
                    covered.add(j)
                    todo.append(j)
        for i, s in enumerate(stages):
            if i not in covered:
                yield s.ins, label

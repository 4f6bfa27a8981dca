"""Semantic model of a Dockerfile: stages, scopes, users, ports, packages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Mapping

from slimguard.dockerfile.model.ports import PortSpec
from slimguard.dockerfile.model.users import UserRef

if TYPE_CHECKING:
    from slimguard.knowledge.imageref import ImageRef
    from slimguard.dockerfile.shell import ShellScript
    from slimguard.dockerfile.syntax import Dockerfile, Instruction, Span


@dataclass(slots=True)
class BaseRef:
    """What a stage is built FROM."""

    raw: str  # as written
    text: str  # after ARG substitution
    image: "ImageRef | None"  # None for a stage reference, scratch handled by image.is_scratch
    stage: "Stage | None" = None
    platform: str | None = None
    unresolved: frozenset[str] = frozenset()

    @property
    def is_stage(self) -> bool:
        return self.stage is not None

    @property
    def is_scratch(self) -> bool:
        return self.stage is None and self.text.lower() == "scratch"


@dataclass(slots=True)
class RunInfo:
    """A RUN instruction's command analysed by the shell parser."""

    script: "ShellScript"
    form: str  # "shell", "exec" or "heredoc"
    span_of: Callable[[int, int], "Span"]  # script offsets -> source span


@dataclass(slots=True)
class Step:
    """One instruction in a stage with its context."""

    instruction: "Instruction"
    stage: "Stage"
    user: UserRef  # the effective user when this instruction runs
    env: Mapping[str, str]  # ARG and ENV values visible to it
    workdir: str
    expanded: tuple[str, ...] = ()  # arguments after substitution (where Docker substitutes)
    unresolved: frozenset[str] = frozenset()
    run: RunInfo | None = None
    in_onbuild: bool = False  # an ONBUILD trigger (runs in child images, not here)


@dataclass(slots=True)
class Volume:
    path: str
    instruction: "Instruction"


@dataclass(slots=True)
class CopyFrom:
    instruction: "Instruction"
    source: str  # the --from value after substitution
    stage: "Stage | None"  # None: an external image


@dataclass(slots=True)
class Stage:
    index: int
    name: str | None
    from_instruction: "Instruction"
    base: BaseRef
    steps: list[Step] = field(default_factory=list)
    parent: "Stage | None" = None
    args: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    user: UserRef = field(default_factory=lambda: UserRef("", "default"))
    start_user: UserRef = field(default_factory=lambda: UserRef("", "default"))
    workdir: str = "/"
    shell: list[str] = field(default_factory=lambda: ["/bin/sh", "-c"])
    exposed: list[tuple[PortSpec, "Instruction"]] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    copies_from: list[CopyFrom] = field(default_factory=list)
    cmd: "Instruction | None" = None
    entrypoint: "Instruction | None" = None
    healthcheck: "Instruction | None" = None
    # Set by build_model once the model is complete: from then on chain() and all_steps() are cached
    # (rules call them per stage and per step; recomputing them made long FROM chains quadratic).
    frozen: bool = field(default=False, repr=False, compare=False)
    _chain: "list[Stage] | None" = field(default=None, repr=False, compare=False)
    _all_steps: "list[Step] | None" = field(default=None, repr=False, compare=False)
    _root: "BaseRef | None" = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        return self.name if self.name else str(self.index)

    def _compute_chain(self) -> list["Stage"]:
        out: list[Stage] = []
        seen: set[int] = set()  # identity, not ==: dataclass equality compares whole stages
        s: Stage | None = self
        while s is not None and id(s) not in seen:
            seen.add(id(s))
            out.append(s)
            if s.frozen and s._chain is not None:  # the rest of the chain is already known
                for t in s._chain[1:]:
                    if id(t) in seen:
                        break
                    seen.add(id(t))
                    out.append(t)
                break
            s = s.parent
        return out

    def chain(self) -> list["Stage"]:
        """This stage and the stages it is built FROM, nearest first."""
        if not self.frozen:
            return self._compute_chain()
        if self._chain is None:
            self._chain = self._compute_chain()
        return list(self._chain)

    @property
    def root_base(self) -> BaseRef:
        """The external base image at the bottom of the FROM chain."""
        if not self.frozen:
            return self.chain()[-1].base
        if self._root is None:
            # walk up to a stage that knows its root (or the bottom), then remember it on the way: O(1)
            # per stage over a whole model, without building every stage's full chain list
            path: list[Stage] = []
            seen: set[int] = set()
            s: Stage | None = self
            root: BaseRef | None = None
            while s is not None and id(s) not in seen:
                if s.frozen and s._root is not None:
                    root = s._root
                    break
                seen.add(id(s))
                path.append(s)
                root = s.base
                s = s.parent
            for st in path:
                if st.frozen:
                    st._root = root
        return self._root if self._root is not None else self.base

    def all_steps(self) -> list[Step]:
        """Steps of the whole FROM chain, oldest first."""
        if self.frozen and self._all_steps is not None:
            return list(self._all_steps)
        steps: list[Step] = []
        for s in reversed(self.chain()):
            steps.extend(s.steps)
        if self.frozen:
            self._all_steps = steps
            return list(steps)
        return steps


@dataclass(slots=True)
class Model:
    dockerfile: "Dockerfile"
    stages: list[Stage]
    global_args: dict[str, str]
    build_args: dict[str, str]
    notes: list[str] = field(default_factory=list)  # e.g. values too large to expand (treated as unknown)

    def stage(self, ref: str | int) -> Stage | None:
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            i = int(ref)
            return self.stages[i] if 0 <= i < len(self.stages) else None
        for s in self.stages:
            if s.name is not None and s.name.lower() == ref.lower():
                return s
        return None

    @property
    def final(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def target(self, name: str | None = None) -> Stage | None:
        return self.stage(name) if name else self.final

    def needed_stages(self, target: Stage) -> list[Stage]:
        """Stages the target depends on (FROM and COPY --from), in file order."""
        seen: set[int] = set()
        todo = [target]
        while todo:
            s = todo.pop()
            if s.index in seen:
                continue
            seen.add(s.index)
            if s.parent is not None:
                todo.append(s.parent)
            for c in s.copies_from:
                if c.stage is not None:
                    todo.append(c.stage)
            for st in s.steps:
                for m in _mount_stages(self, st):
                    todo.append(m)
        return [s for s in self.stages if s.index in seen]


def _mount_stages(model: Model, step: Step) -> list[Stage]:
    out: list[Stage] = []
    for f in step.instruction.flags:
        if f.name == "mount" and f.value:
            for part in f.value.split(","):
                k, _, v = part.partition("=")
                if k.strip() == "from":
                    st = model.stage(v.strip())
                    if st is not None:
                        out.append(st)
    return out

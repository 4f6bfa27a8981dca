"""The context a Dockerfile rule checks: one parsed file, its semantic model and the options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slimguard.core.config import DEFAULT_GID, DEFAULT_UID, Config
from slimguard.core.findings import Finding, Fix, Severity
from slimguard.core.rule import Rule

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Model, Stage
    from slimguard.dockerfile.syntax import Dockerfile, Instruction, Span
    from slimguard.knowledge.facts import ImageFacts, Resolver


@dataclass(frozen=True)
class LintOptions:
    """What a lint run needs beyond the text: the target stage, build args, compat mode, ids for fixes."""

    target: str | None = None
    build_args: dict[str, str] = field(default_factory=dict)
    hadolint_compat: bool = False  # aliased rules check every stage like hadolint does
    trusted_registries: tuple[str, ...] = ()
    uid: int = DEFAULT_UID
    gid: int = DEFAULT_GID
    label_schema: Mapping[str, str] = field(default_factory=dict)  # hadolint's label-schema
    strict_labels: bool = False

    @classmethod
    def from_config(cls, config: Config, *, target: str | None = None,
                    build_args: Mapping[str, str] | None = None) -> "LintOptions":
        """The options a lint run with *config* uses, for *target* and *build_args*."""
        return cls(target=target, build_args=dict(build_args or {}), hadolint_compat=config.hadolint_compat,
                   trusted_registries=tuple(config.trusted_registries), uid=config.uid, gid=config.gid,
                   label_schema=dict(config.label_schema), strict_labels=config.strict_labels)


@dataclass
class LintContext:
    """What a Dockerfile rule checks: the tree, the model, the options and the base-image resolver."""

    path: str
    tree: "Dockerfile"
    model: "Model"
    options: LintOptions
    resolver: "Resolver"
    engine_facts: set[str] = field(default_factory=set)  # images whose facts came from the local engine

    @property
    def target(self) -> "Stage | None":
        return self.model.target(self.options.target)

    def runtime_stages(self) -> list["Stage"]:
        """Stages whose result ships: the target (all stages in hadolint-compat mode)."""
        if self.options.hadolint_compat:
            return list(self.model.stages)
        t = self.target
        return [t] if t is not None else []

    def facts(self, stage: "Stage") -> "ImageFacts | None":
        """What is known about the external image at the bottom of the stage's FROM chain."""
        base = stage.root_base
        if base.image is None or base.is_scratch:
            return None
        facts = self.resolver.resolve(base.image)
        if facts is not None and facts.source == "engine":
            self.engine_facts.add(base.text or str(base.image))  # said in the result: this file's answer depends on the engine
        return facts

    def finding(
        self,
        rule: Rule,
        span: "Span",
        message: str,
        *,
        fix: Fix | None = None,
        aliases: tuple[str, ...] | None = None,
        severity: Severity | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Finding:
        return Finding(
            rule=rule.id,
            concern=rule.concern,
            severity=severity or rule.severity,
            message=message,
            file=self.path,
            line=span.start.line,
            column=span.start.column,
            end_line=span.end.line,
            end_column=span.end.column,
            aliases=rule.aliases if aliases is None else aliases,
            title=rule.title,
            fix=fix,
            details=details or {},
        )

    def at(self, rule: Rule, ins: "Instruction", message: str, **kw: Any) -> Finding:
        """A finding on an instruction's first line (keyword to end of that line)."""
        span = ins.span
        assert span is not None

        first_line_end = self.tree.text.find("\n", span.start.offset)
        end = span.end.offset if first_line_end == -1 else min(first_line_end, span.end.offset)
        end = max(end, span.start.offset)
        while end > span.start.offset and self.tree.text[end - 1] in "\r":
            end -= 1
        index = self.tree.index
        assert index is not None
        return self.finding(rule, index.span(span.start.offset, end), message, **kw)

    def text_span(self, start: int, end: int) -> "Span":
        assert self.tree.index is not None
        return self.tree.index.span(start, end)

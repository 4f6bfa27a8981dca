"""BuildKit's check configuration applied to a lint run.

BuildKit reads which build checks run from, in this order:

- the ``BUILDKIT_DOCKERFILE_CHECK`` build arg (``--build-arg``), which replaces the directive, else
- the ``# check=skip=<names|all>;error=<bool>;experimental=<names|all>`` parser directive, honoured only
  in the leading directive block (like ``# syntax=``; after the first instruction or any other comment it
  is an ordinary comment);
- and, merged into that for one instruction, a ``# check=...`` comment among the comments right above it
  (its skip and experimental parts; ``error`` is file-wide only).

In slimguard the names are aliases of rules (``docs/buildkit.md``): ``skip`` suppresses the findings of the
rules those names alias (``all``: every rule answering to a BuildKit check, the experimental one aside) like
an ignore pragma (so ``--disable-ignore-pragma`` turns it off too); ``error=true`` reports the findings of
every BuildKit-aliased rule as errors unless a configured severity override names the finding;
``experimental`` runs the experimental check (InvalidDefinitionDescription) although it is outside the
default set, when no ``--select`` is given.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping

from slimguard.core.engine import Pragmas
from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule
from slimguard.dockerfile.analysis.buildkit import (
    CHECKS,
    EXPERIMENTAL,
    CheckOptions,
    file_check_options,
    instruction_check_options,
    previous_comments,
)

if TYPE_CHECKING:
    from slimguard.dockerfile.syntax import Dockerfile

_NAMES = frozenset(CHECKS)


def buildkit_names(rule: Rule) -> frozenset[str]:
    """The BuildKit check names among *rule*'s aliases."""
    return frozenset(a for a in rule.aliases if a in _NAMES)


@dataclass
class CheckConfig:
    """The check options of one Dockerfile: file-wide, and per instruction as (first, last line, options)."""

    file: CheckOptions | None = None
    instructions: list[tuple[int, int, CheckOptions]] = field(default_factory=list)

    def skip_pragmas(self, pragmas: Pragmas) -> None:
        """Add the skipped checks to *pragmas* (file-wide as global codes, per instruction as ranges)."""
        if self.file is not None:
            codes = {n.upper() for n in self.file.skipped_names()}
            if codes:
                pragmas.global_codes |= codes
                pragmas.count += 1
        for first, last, opts in self.instructions:
            codes = {n.upper() for n in opts.skipped_names()}
            if codes:
                pragmas.ranges.append((first, last, codes))
                pragmas.count += 1

    @property
    def error(self) -> bool:
        return self.file is not None and self.file.error

    def experimental_everywhere(self, name: str) -> bool:
        return self.file is not None and self.file.enables(name)

    def experimental_ranges(self, name: str) -> list[tuple[int, int]]:
        return [(a, b) for a, b, o in self.instructions if o.enables(name)]

    def enables(self, name: str) -> bool:
        return self.experimental_everywhere(name) or bool(self.experimental_ranges(name))


def read_check_config(tree: "Dockerfile", build_args: Mapping[str, str] | None = None) -> CheckConfig:
    config = CheckConfig(file_check_options(tree, dict(build_args or {})))
    comments = previous_comments(tree)
    for ins in tree.instructions:
        opts = instruction_check_options(comments.get(id(ins), ()))
        if opts is not None:
            config.instructions.append((ins.start_line, ins.end_line, opts))
    return config


def experimental_findings(findings: Iterable[Finding], config: CheckConfig, name: str) -> list[Finding]:
    """The findings of the experimental check *name* on the lines where the configuration enables it."""
    if config.experimental_everywhere(name):
        return list(findings)
    ranges = config.experimental_ranges(name)
    return [f for f in findings if any(a <= f.line <= b for a, b in ranges)]


def raise_to_error(findings: Iterable[Finding], rules: Iterable[Rule], overrides: Mapping[str, Severity]) -> list[Finding]:
    """``error=true``: the findings of BuildKit-aliased rules as errors (a configured override wins)."""
    bk = {r.id: r for r in rules if buildkit_names(r)}
    out: list[Finding] = []
    for f in findings:
        rule = bk.get(f.rule)
        if rule is not None and f.severity != Severity.ERROR:
            codes = {f.rule, *f.aliases, *rule.codes, f.concern.upper()}
            if not codes & set(overrides):
                f = dataclasses.replace(f, severity=Severity.ERROR)
        out.append(f)
    return out


EXPERIMENTAL_CHECKS = EXPERIMENTAL

"""The one rule type: Dockerfile, run-time and image rules differ only in the context they check."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, Iterable

from slimguard.core.findings import Finding, Severity

KINDS = ("dockerfile", "runtime", "image")
FIXABLE = ("none", "safe", "unsafe", "display-only")


@dataclass(frozen=True, slots=True)
class RuleDocs:
    """A rule's documentation (the What/Why/Example/Use instead/Fix safety sections)."""

    what: str  # What it does
    why: str  # Why is this bad
    example: str  # input that triggers the rule
    instead: str  # Use instead
    fix_safety: str  # what the fix does and when it could change behaviour

    def as_dict(self) -> dict[str, str]:
        return {
            "what_it_does": self.what,
            "why_is_this_bad": self.why,
            "example": self.example,
            "use_instead": self.instead,
            "fix_safety": self.fix_safety,
        }


class Rule:
    """Base class of every rule. Subclasses set the class attributes and implement :meth:`check`.

    ``kind`` names the context the rule checks (a Dockerfile :class:`LintContext`, a run-time
    :class:`CheckContext` or an image :class:`ImageContext`); ``origins`` the inputs it applies to;
    ``fixable`` the most a finding's fix can be (none, safe, unsafe, display-only).
    """

    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity]
    concern: ClassVar[str]
    fixable: ClassVar[str] = "none"
    aliases: ClassVar[tuple[str, ...]] = ()
    docs: ClassVar[RuleDocs]
    kind: ClassVar[str] = "dockerfile"
    origins: ClassVar[tuple[str, ...]] = ("dockerfile",)
    example_lang: ClassVar[str] = "dockerfile"  # the language of the Example and Use instead sections
    # In the default rule set. False (style and pinning rules kept for hadolint parity): the rule runs only
    # when --select names it, or in hadolint mode (--hadolint-compat or a .hadolint.yaml in use).
    default: ClassVar[bool] = True
    # Whether hadolint mode turns the rule on when it is outside the default set. False for checks hadolint
    # has no counterpart of (BuildKit's casing and format checks): hadolint mode means hadolint's findings.
    in_hadolint_mode: ClassVar[bool] = True
    # An open family of codes the rule's findings carry as aliases (SG090: ``^SC\\d{4}$``). Selecting,
    # ignoring or re-levelling one such code acts on the matching findings of this rule only.
    alias_pattern: ClassVar[str | None] = None
    # Codes of other tools' checks the rule covers (Trivy ``DS002``/``AVD-DS-0002``, Checkov
    # ``CKV_DOCKER_8``): they select, ignore and re-level the rule like its aliases, and are listed in its
    # docs, but findings do not carry them (docs/peers.md maps each peer check and says where it differs).
    peers: ClassVar[tuple[str, ...]] = ()

    def check(self, ctx: Any) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def codes(self) -> tuple[str, ...]:
        """Everything that names the rule in --select, --ignore, pragmas and configuration."""
        # codes from --select, --ignore, pragmas and configuration arrive upper-cased; CamelCase aliases
        # (BuildKit's check names such as StageNameCasing) answer in that form too
        upper = tuple(a.upper() for a in self.aliases if a != a.upper())
        return (self.id, *self.aliases, *upper, *self.peers, self.concern.upper())

    def family_codes(self, codes: Iterable[str]) -> set[str]:
        """The members of *codes* that fall in this rule's open alias family."""
        if not self.alias_pattern:
            return set()
        pattern = re.compile(self.alias_pattern)
        return {c for c in codes if pattern.match(c)}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "severity": self.severity.label,
            "concern": self.concern,
            "fixable": self.fixable,
            "default": self.default,
        }
        if self.kind != "dockerfile":
            out["origins"] = list(self.origins)
        out["aliases"] = list(self.aliases)
        if self.peers:
            out["peers"] = list(self.peers)
        out["docs"] = self.docs.as_dict()
        return out

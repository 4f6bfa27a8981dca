"""What an image rule is, and the context it checks: one built image as `slimguard audit` read it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule

if TYPE_CHECKING:
    from slimguard.image.overlay import Node, Overlay
    from slimguard.image.packages import Package
    from slimguard.image.secrets import SecretHit
    from slimguard.image.users import ResolvedUser


class ImageRule(Rule):
    """Base class of the image rules (``SGA…``); ``check`` receives an :class:`ImageContext`."""

    kind: ClassVar[str] = "image"
    origins: ClassVar[tuple[str, ...]] = ("image",)
    example_lang: ClassVar[str] = "dockerfile"

    def check(self, ctx: "ImageContext") -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class ImageContext:
    """One image: its config document, its final filesystem (None when only the config was read), the
    config ``User`` resolved against the image's own /etc/passwd, the installed packages, the secret files
    found in any layer, the base image guess and the bytes of the layers' files (all, and hidden)."""

    reference: str
    config: Mapping[str, Any]
    overlay: "Overlay | None"
    user: "ResolvedUser"
    packages: "tuple[Package, ...]" = ()
    secret_hits: "tuple[SecretHit, ...]" = ()
    base: Mapping[str, Any] | None = None
    hidden_bytes: int = 0
    content_bytes: int = 0

    @property
    def run_config(self) -> Mapping[str, Any]:
        """The config's execution parameters (``User``, ``Env``, ``ExposedPorts``, ...)."""
        c = self.config.get("config")
        if not isinstance(c, Mapping):
            c = self.config.get("Config") if isinstance(self.config.get("Config"), Mapping) else {}
        return c or {}

    def node(self, path: str) -> "Node | None":
        """The final filesystem's entry at *path*, taken literally: no symlink is followed on the way."""
        node = self.overlay.root if self.overlay is not None else None
        for name in path.strip("/").split("/"):
            if node is None or not node.children:
                return None
            node = node.children.get(name)
        return node

    def finding(self, rule: ImageRule, message: str, severity: Severity | None = None, **details: Any) -> Finding:
        """A finding of *rule* on the image: ``file`` is the reference, at 1:1 (an image has no lines);
        *details* that are None are left out."""
        return Finding(
            rule=rule.id, concern=rule.concern, severity=severity or rule.severity, message=message,
            file=self.reference, line=1, column=1, end_line=1, end_column=1, aliases=rule.aliases,
            title=rule.title, origin="image", details={k: v for k, v in details.items() if v is not None})

"""The user a container process runs as."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slimguard.dockerfile.syntax import Instruction


@dataclass(frozen=True, slots=True)
class UserRef:
    """A ``user[:group]`` as set by USER, inherited, or the base image's default.

    ``source`` is one of ``instruction`` (a USER in this stage), ``stage`` (inherited
    from a parent stage), ``base`` (the base image's configured user, when known),
    ``default`` (nothing sets a user: the engine runs as root) or ``unknown`` (the
    base image's user could not be determined).
    """

    text: str
    source: str
    instruction: "Instruction | None" = None
    unresolved: frozenset[str] = frozenset()

    @property
    def user(self) -> str:
        return self.text.split(":", 1)[0]

    @property
    def group(self) -> str | None:
        return self.text.split(":", 1)[1] if ":" in self.text else None

    @property
    def uid(self) -> int | None:
        return int(self.user) if self.user.isdigit() else None

    @property
    def gid(self) -> int | None:
        g = self.group
        return int(g) if g is not None and g.isdigit() else None

    @property
    def is_numeric(self) -> bool:
        return self.user.isdigit() and (self.group is None or self.group.isdigit())

    @property
    def is_root(self) -> bool | None:
        """True for root (``root``, ``0``, ``0:0``, ``root:grp`` or nothing), None when unknown."""
        if self.source == "unknown" or (self.unresolved and not self.user):
            return None
        user = self.user
        if user == "" or user == "root":
            return True
        if user.isdigit():
            return int(user) == 0
        return False


ROOT_DEFAULT = UserRef("", "default")

"""The user a container process runs as."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from slimguard.analysis.users import UserSpec

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
    def spec(self) -> UserSpec:
        return UserSpec.parse(self.text)

    @property
    def user(self) -> str:
        return self.spec.user

    @property
    def group(self) -> str | None:
        return self.spec.group

    @property
    def uid(self) -> int | None:
        return self.spec.uid

    @property
    def gid(self) -> int | None:
        return self.spec.gid

    @property
    def is_numeric(self) -> bool:
        return self.spec.is_numeric

    @property
    def is_root(self) -> bool | None:
        """True for root (``root``, ``0``, ``0:0``, ``root:grp`` or nothing), None when unknown.

        A name other than root counts as not root: the model has no /etc/passwd to look it up in.
        """
        if self.source == "unknown" or (self.unresolved and not self.user):
            return None
        return bool(self.spec.is_root())


ROOT_DEFAULT = UserRef("", "default")

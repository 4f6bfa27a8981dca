"""Who a process runs as: ``user[:group]`` specs, whether that is root, and /etc/passwd and /etc/group.

One answer for the Dockerfile rules (USER), the run-time checks (compose ``user:``, ``docker run
--user``, the image a container runs) and the image audit (the config's ``User``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

ROOT = "root"


def numeric_id(text: str) -> int | None:
    """*text* as a uid or gid when it is written in decimal digits, else None (a name)."""
    return int(text) if text.isdecimal() else None


@dataclass(frozen=True, slots=True)
class UserSpec:
    """A ``user[:group]`` as USER, ``docker run --user`` and compose ``user:`` take it.

    ``group`` is None when there is no ``:``, and ``""`` for ``app:``.
    """

    user: str
    group: str | None = None

    @classmethod
    def parse(cls, text: str) -> "UserSpec":
        user, colon, group = text.partition(":")
        return cls(user, group if colon else None)

    @property
    def uid(self) -> int | None:
        """The user part as a uid, when it is numeric."""
        return numeric_id(self.user)

    @property
    def gid(self) -> int | None:
        """The group part as a gid, when it is given and numeric."""
        return None if self.group is None else numeric_id(self.group)

    @property
    def numeric_user(self) -> bool:
        return self.uid is not None

    @property
    def numeric_group(self) -> bool:
        return self.gid is not None

    @property
    def is_numeric(self) -> bool:
        """A uid, and a gid when a group is given: nothing has to be looked up in /etc/passwd."""
        return self.numeric_user and (not self.group or self.numeric_group)

    def is_root(self, uid: int | None = None) -> bool | None:
        """Whether the spec runs as root: True for nothing (the runtime default), ``root`` and uid 0.

        Any other uid is not root. Any other name is root only when its *uid* (looked up in the
        image's /etc/passwd) is 0, and None when that uid is not known.
        """
        if self.uid is not None:
            return self.uid == 0
        if self.user in ("", ROOT):
            return True
        return None if uid is None else uid == 0


class PasswdEntry(NamedTuple):
    name: str
    uid: int
    gid: int


class GroupEntry(NamedTuple):
    name: str
    gid: int


def _records(text: str | bytes) -> Iterator[list[str]]:
    """The ``:``-separated fields of each line, leaving out blank lines and ``#`` comments."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield line.split(":")


def parse_passwd(text: str | bytes) -> list[PasswdEntry]:
    """The accounts of an /etc/passwd, in file order; lines without a numeric uid and gid are left out."""
    entries = []
    for fields in _records(text):
        if len(fields) >= 4:
            uid, gid = numeric_id(fields[2].strip()), numeric_id(fields[3].strip())
            if uid is not None and gid is not None:
                entries.append(PasswdEntry(fields[0], uid, gid))
    return entries


def parse_group(text: str | bytes) -> list[GroupEntry]:
    """The groups of an /etc/group, in file order; lines without a numeric gid are left out."""
    entries = []
    for fields in _records(text):
        if len(fields) >= 3:
            gid = numeric_id(fields[2].strip())
            if gid is not None:
                entries.append(GroupEntry(fields[0], gid))
    return entries

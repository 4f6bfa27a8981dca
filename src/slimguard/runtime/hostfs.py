"""The host side of bind mounts: who owns a directory, and can a given uid/gid read and write it."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass


@dataclass(frozen=True)
class HostStat:
    path: str
    uid: int
    gid: int
    mode: int  # permission bits (0o7777)
    is_dir: bool

    @property
    def mode_text(self) -> str:
        return f"{self.mode:04o}"

    def describe(self) -> str:
        return f"{self.uid}:{self.gid} {self.mode_text}"


def access(st: HostStat, uid: int, gid: int, groups: tuple[int, ...] = ()) -> tuple[bool, bool]:
    """(can read/list, can create files) for a process with *uid*/*gid* (no ACLs, no user namespace)."""
    if uid == 0:
        return True, True
    if st.uid == uid:
        bits = (st.mode >> 6) & 7
    elif st.gid == gid or st.gid in groups:
        bits = (st.mode >> 3) & 7
    else:
        bits = st.mode & 7
    if st.is_dir:
        return bool(bits & 4) and bool(bits & 1), bool(bits & 2) and bool(bits & 1)
    return bool(bits & 4), bool(bits & 2)


class HostFS:
    """The real filesystem; subclasses (or :class:`StubHostFS`) answer in tests."""

    def stat(self, path: str) -> HostStat | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return HostStat(path, st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode), stat.S_ISDIR(st.st_mode))

    def current_user(self) -> tuple[int, int]:
        """The user a shell's ``$(id -u):$(id -g)`` names (the sudo caller when run with sudo)."""
        su, sg = os.environ.get("SUDO_UID"), os.environ.get("SUDO_GID")
        if os.geteuid() == 0 and su and su.isdigit() and sg and sg.isdigit():
            return int(su), int(sg)
        return os.getuid(), os.getgid()

    def home(self) -> str:
        return os.path.expanduser("~")


class StubHostFS(HostFS):
    """Paths -> {uid, gid, mode, dir}; anything not listed does not exist."""

    def __init__(self, entries: dict[str, dict], base: str, user: tuple[int, int] = (1000, 1000)) -> None:
        self.entries = {os.path.normpath(os.path.join(base, k)): v for k, v in entries.items()}
        self.user = user
        self.base = base

    def stat(self, path: str) -> HostStat | None:
        e = self.entries.get(os.path.normpath(path))
        if e is None:
            return None
        mode = e.get("mode", "0755")
        mode_int = int(str(mode), 8) if isinstance(mode, str) else int(mode)
        return HostStat(path, int(e.get("uid", 0)), int(e.get("gid", 0)), mode_int, bool(e.get("dir", True)))

    def current_user(self) -> tuple[int, int]:
        return self.user

    def home(self) -> str:
        return "/home/user"

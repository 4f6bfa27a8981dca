"""Writing a fixed file without losing anything: atomic, same mode (setuid/setgid/sticky too) and owner,
through a symlink to its target."""

from __future__ import annotations

import os
import tempfile


def atomic_write(path: str, text: str) -> str:
    """Replace the file *path* names with *text* (UTF-8) atomically; returns the path written.

    A symlink is followed and its target replaced, so the link stays a link. The owner is restored
    before the mode, because chown clears the setuid and setgid bits.
    """
    target = os.path.realpath(path)
    st = os.stat(target)
    fd, tmp = tempfile.mkstemp(prefix=".slimguard-", dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8", "surrogatepass"))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chown(tmp, st.st_uid, st.st_gid)
        except PermissionError:
            pass
        os.chmod(tmp, st.st_mode & 0o7777)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


def outside(path: str, root: str) -> bool:
    """Whether *path* resolves to a place outside *root* (e.g. a symlink out of the repository)."""
    real, base = os.path.realpath(path), os.path.realpath(root)
    return os.path.commonpath([real, base]) != base

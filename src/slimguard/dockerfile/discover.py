"""Finding Dockerfiles in directories."""

from __future__ import annotations

import fnmatch
import os
import subprocess
from collections.abc import Sequence

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"}
PATTERNS = ("Dockerfile", "Containerfile", "*.Dockerfile", "*.dockerfile", "Dockerfile.*", "Containerfile.*")


def is_dockerfile_name(name: str) -> bool:
    """A Dockerfile by its name; BuildKit's per-Dockerfile ignore file (``Dockerfile.dockerignore``) is not."""
    if name.endswith(".dockerignore"):
        return False
    return any(fnmatch.fnmatchcase(name, p) for p in PATTERNS)


def excluded(rel: str, patterns: Sequence[str]) -> bool:
    """Whether the path *rel* (relative to the walked directory, ``/``-separated) matches an ``exclude``
    pattern: against the whole path, a leading part of it (a directory), or the file name."""
    parts = rel.split("/")
    for pat in patterns:
        pat = pat.rstrip("/")
        if fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(parts[-1], pat):
            return True
        if any(fnmatch.fnmatchcase("/".join(parts[:i]), pat) for i in range(1, len(parts))):
            return True
    return False


def git_ignored(root: str, paths: list[str]) -> set[str]:
    """The *paths* that git ignores (.gitignore, .git/info/exclude, the global excludes) when *root* is in a
    git work tree; none otherwise (no git, not a repository)."""
    if not paths:
        return set()
    try:
        proc = subprocess.run(["git", "-C", root, "check-ignore", "--stdin", "-z"],
                              input="\0".join(os.path.abspath(p) for p in paths).encode("utf-8", "surrogateescape"),
                              capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return set()
    if proc.returncode not in (0, 1):  # 128: not a git repository
        return set()
    hits = {h for h in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if h}
    return {p for p in paths if os.path.abspath(p) in hits}


def discover(path: str, exclude: Sequence[str] = ()) -> list[str]:
    """The Dockerfiles under *path*, sorted, leaving out the usual tool and VCS directories, what git ignores
    and what matches an *exclude* pattern."""
    found: list[str] = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if is_dockerfile_name(name):
                full = os.path.join(root, name)
                if exclude and excluded(os.path.relpath(full, path).replace(os.sep, "/"), exclude):
                    continue
                found.append(full)
    ignored = git_ignored(path, found)
    return [f for f in found if f not in ignored]

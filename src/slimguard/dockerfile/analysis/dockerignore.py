"""The build context's ignore file, as BuildKit reads it for the CopyIgnoredFile check.

The ignore file is ``<Dockerfile name>.dockerignore`` beside the Dockerfile when it exists, else
``.dockerignore`` in the build context; slimguard takes the Dockerfile's directory as the context (what
``docker build .`` next to the Dockerfile uses). Lines starting with ``#`` are comments, blanks are
trimmed, each pattern is cleaned like a path and a leading ``/`` dropped; ``!`` starts an exception.

Matching follows moby/patternmatcher: ``*`` is any run of characters but ``/``, ``?`` one such
character, ``**`` any number of directories, ``[...]`` a class, ``\\`` escapes; a path is excluded when
a pattern matches it or one of its parent directories.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class IgnoreFile:
    path: str  # the file read
    patterns: tuple[str, ...]  # cleaned, "!" kept on exceptions

    @property
    def has_exceptions(self) -> bool:
        return any(p.startswith("!") for p in self.patterns)


def read_patterns(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for i, line in enumerate(text.splitlines()):
        if i == 0:
            line = line.lstrip("\ufeff")
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        invert = line.startswith("!")
        if invert:
            line = line[1:].strip()
        if line:
            line = posixpath.normpath(line)  # Go's filepath.Clean
            if len(line) > 1 and line.startswith("/"):
                line = line[1:]
        out.append("!" + line if invert else line)
    return tuple(out)


def find_ignore_file(dockerfile: str) -> IgnoreFile | None:
    """The ignore file that applies to the Dockerfile at *dockerfile* (a path on disk), or None."""
    p = Path(dockerfile)
    if not p.is_file():
        return None
    for candidate in (p.parent / f"{p.name}.dockerignore", p.parent / ".dockerignore"):
        if candidate.is_file():
            try:
                text = candidate.read_text(encoding="utf-8", errors="replace")
            except OSError:
                return None
            return IgnoreFile(str(candidate), read_patterns(text))
    return None


@lru_cache(maxsize=512)
def _compile(pattern: str) -> tuple[str, object]:
    """(kind, matcher): exact, prefix (``dir/**``), suffix (``**/x``) or a regex."""
    out = ["^"]
    kind = "exact"
    i, n = 0, len(pattern)
    first = True
    while i < n:
        ch = pattern[i]
        i += 1
        if ch == "*":
            if i < n and pattern[i] == "*":
                i += 1
                if i < n and pattern[i] == "/":
                    i += 1
                if i >= n:
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        out.append(".*")
                        kind = "regex"
                else:
                    out.append("(.*/)?")
                    kind = "regex"
                if first:
                    kind = "suffix"
            else:
                out.append("[^/]*")
                kind = "regex"
        elif ch == "?":
            out.append("[^/]")
            kind = "regex"
        elif ch in ".+()|{}$":
            out.append("\\" + ch)
        elif ch == "\\":
            if i < n:
                out.append("\\" + pattern[i])
                i += 1
                kind = "regex"
            else:
                out.append("\\\\")
        elif ch in "[]":
            out.append(ch)
            kind = "regex"
        else:
            out.append(re.escape(ch) if ch in "^" else ch)
        first = False
    if kind == "regex":
        try:
            return kind, re.compile("".join(out) + "$")
        except re.error:
            return "bad", None
    return kind, None


def _match(pattern: str, path: str) -> bool:
    kind, rx = _compile(pattern)
    if kind == "exact":
        return path == pattern
    if kind == "prefix":
        return path.startswith(pattern[:-2])
    if kind == "suffix":
        suffix = pattern[2:]
        return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
    if kind == "regex":
        return bool(rx.match(path))  # type: ignore[union-attr]
    return False


def excluded(patterns: tuple[str, ...], path: str) -> bool:
    """Whether *path* (cleaned, relative to the context) or one of its parents is excluded by *patterns*
    (exceptions are applied in order, as the matcher does)."""
    matched = False
    parent = posixpath.dirname(path)
    parents = parent.split("/") if parent else []
    for raw in patterns:
        exception = raw.startswith("!")
        pattern = raw[1:] if exception else raw
        if exception != matched:
            continue
        hit = _match(pattern, path)
        if not hit and parents:
            for k in range(1, len(parents) + 1):
                if _match(pattern, "/".join(parents[:k])):
                    hit = True
                    break
        if hit:
            matched = not exception
    return matched


def root_excluded(patterns: tuple[str, ...]) -> bool:
    """Whether the patterns exclude every entry of the context (``*``, ``**``, ``**/*``)."""
    return any(p in ("*", "**", "**/*") for p in patterns if not p.startswith("!"))

"""A small getopt-like scanner for command arguments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from slimguard.dockerfile.shell.model import Word

__all__ = ["OptSpec", "Parsed", "parse_opts", "spec"]


@dataclass(frozen=True, slots=True)
class OptSpec:
    """How a program reads its options.

    ``short_val``: one-letter options that take a value (``-o FILE``,
    ``-oFILE``).  ``long_val``: long options that take a value
    (``--target DIR`` or ``--target=DIR``); with ``single_dash`` long options
    are written with one dash (``-ldflags X``, ``-name X``) and there is no
    bundling.  ``stop_at_positional``: the first operand ends option
    scanning (wrappers, ``sudo cmd -x``).  ``numeric``: ``-10`` is an option
    (nice, head)."""

    short_val: frozenset[str] = frozenset()
    long_val: frozenset[str] = frozenset()
    single_dash: bool = False
    stop_at_positional: bool = False
    numeric: bool = False


def spec(short_val: str = "", long_val: Iterable[str] = (), **kw: bool) -> OptSpec:
    return OptSpec(frozenset(short_val), frozenset(long_val), **kw)


class Parsed:
    """Result of :func:`parse_opts`."""

    __slots__ = ("flags", "options", "positionals", "end")

    def __init__(self) -> None:
        self.flags: list[str] = []
        """Option words as written (values given as separate words excluded)."""
        self.options: list[tuple[str, str | None]] = []
        """(option name, value) for every option; one entry per letter of a bundle."""
        self.positionals: list[Word] = []
        self.end = 0
        """Index (into the scanned words) where scanning stopped."""

    def has(self, *names: str) -> bool:
        for opt, _ in self.options:
            if opt in names:
                return True
        return False

    def values(self, *names: str) -> list[str]:
        return [v for opt, v in self.options if v is not None and opt in names]

    def last(self, *names: str) -> str | None:
        for opt, v in reversed(self.options):
            if v is not None and opt in names:
                return v
        return None


_NON_LITERAL = frozenset("$`'\"\\")


def parse_opts(words: Sequence[Word], sp: OptSpec, start: int = 0) -> Parsed:
    out = Parsed()
    flags = out.flags
    options = out.options
    positionals = out.positionals
    texts = [w.raw if w.value is None else w.value for w in words]
    n = len(texts)
    stop = sp.stop_at_positional
    i = start
    while i < n:
        t = texts[i]
        if len(t) < 2 or t[0] != "-":
            positionals.append(words[i])
            i += 1
            if stop:
                break
            continue
        if t == "--":
            i += 1
            if stop:
                break
            positionals.extend(words[i:])
            i = n
            break
        flags.append(t)
        if t[1] == "-" or sp.single_dash:
            name, eq, val = t.partition("=")
            if eq:
                options.append((name, val))
            elif name in sp.long_val and i + 1 < n:
                i += 1
                options.append((name, texts[i]))
            else:
                options.append((name, None))
            i += 1
            continue
        # short option bundle
        if sp.numeric and t[1:].isdigit():
            options.append((t, None))
            i += 1
            continue
        if len(t) > 2 and t[2] == "=":
            options.append((t[:2], t[3:]))
            i += 1
            continue
        short_val = sp.short_val
        j = 1
        lt = len(t)
        if words[i].value is None:
            # -j$(nproc): only the letters before the expansion/quote are options
            for k, c in enumerate(t):
                if c in _NON_LITERAL:
                    lt = k
                    break
        while j < lt:
            ch = t[j]
            if ch in short_val:
                if j + 1 < len(t):
                    options.append(("-" + ch, t[j + 1:]))
                elif i + 1 < n:
                    i += 1
                    options.append(("-" + ch, texts[i]))
                else:
                    options.append(("-" + ch, None))
                break
            options.append(("-" + ch, None))
            j += 1
        i += 1
    out.end = i
    return out

"""Which commands are POSIX shells and how a shell invocation gets its script."""

from __future__ import annotations

from slimguard.dockerfile.shell.model import Word

__all__ = ["SHELLS", "shell_mode"]

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "yash", "posh", "ksh93"})


def shell_mode(args: tuple[Word, ...] | list[Word]) -> tuple[str, int]:
    """How a shell invoked with ``args`` gets its script.

    Returns ("c", i) when args[i] is the ``-c`` script, ("stdin", -1) when it
    reads the script from standard input, ("file", i) for a script file and
    ("none", -1) for ``-c`` without a script."""
    dash_c = dash_s = False
    i = 0
    n = len(args)
    while i < n:
        text = args[i].text
        if text == "--":
            i += 1
            break
        if len(text) >= 2 and text[0] in "-+":
            if text.startswith("--"):
                if text in ("--rcfile", "--init-file"):
                    i += 1  # skip the option's value
                i += 1
                continue
            letters = text[1:]
            if "c" in letters:
                dash_c = True
            if "s" in letters:
                dash_s = True
            if "o" in letters or "O" in letters:
                i += 1  # skip the option name of -o/-O
            i += 1
            continue
        break
    if dash_c:
        return ("c", i) if i < n else ("none", -1)
    if dash_s or i >= n or args[i].text == "-":
        return ("stdin", -1)
    return ("file", i)

"""analyze() and analyze_argv(): the entry points of slimguard.dockerfile.shell."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from slimguard.dockerfile.shell.classify import classify
from slimguard.dockerfile.shell.model import ShellScript
from slimguard.dockerfile.shell.parse import parse_partial
from slimguard.dockerfile.shell.quoting import quote_argv

__all__ = ["analyze", "analyze_argv", "analyze_uncached"]


def analyze_uncached(script: str) -> ShellScript:
    """Parse and classify ``script``.  Never raises."""
    if not isinstance(script, str):
        script = str(script)
    try:
        parsed = parse_partial(script)
    except Exception:  # noqa: BLE001 - analysis must never fail on odd input
        return ShellScript(script, (), (), True)
    try:
        ops = classify(parsed.infos)
    except Exception:  # noqa: BLE001
        ops = ()
    return ShellScript(script, parsed.commands, ops, parsed.has_errors)


@lru_cache(maxsize=512)
def _cached(script: str) -> ShellScript:
    return analyze_uncached(script)


def analyze(script: str) -> ShellScript:
    """Analyse the shell ``script`` of a RUN instruction (or a heredoc body).

    Returns every simple command (also inside subshells, groups, loops,
    functions, ``$(...)``, ``sh -c '...'`` and here-documents fed to a shell)
    and the operations they perform.  Never raises.  Results are cached; the
    returned objects are immutable."""
    if not isinstance(script, str):
        return analyze_uncached(script)
    return _cached(script)


def analyze_argv(argv: Sequence[str]) -> ShellScript:
    """Analyse an exec-form command (``RUN ["apt-get", "install", "-y", "x"]``).

    The result's ``source`` is the argv joined into a shell command line with
    quoting that parses back to exactly ``argv`` (no expansion, globbing or
    word splitting, as in exec form); offsets point into it.  For
    ``["/bin/sh", "-c", script]`` the script is analysed as well."""
    try:
        args = [a if isinstance(a, str) else str(a) for a in argv]
    except Exception:  # noqa: BLE001
        return ShellScript("", (), (), True)
    if not args:
        return ShellScript("", (), (), False)
    return analyze(quote_argv(args))

"""Command-line entry point.

Kept import-light: ``--version`` answers without importing click or the parser.
"""

from __future__ import annotations

import sys

COMMANDS = {
    "dump": ("slimguard.commands.dump", "Print the syntax tree and semantic model of a Dockerfile."),
}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        from . import __version__

        sys.stdout.write(f"slimguard {__version__}\n")
        raise SystemExit(0)
    from .commands import build_cli

    cli = build_cli()
    cli.main(args=args, prog_name="slimguard")


if __name__ == "__main__":  # pragma: no cover
    main()

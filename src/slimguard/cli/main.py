"""Command-line entry point: ``slimguard`` (the subcommands are in :mod:`slimguard.cli.table`).

Kept import-light: ``--version`` answers without importing click or the parser.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        from slimguard import __version__

        sys.stdout.write(f"slimguard {__version__}\n")
        raise SystemExit(0)
    from slimguard.cli.group import build_cli

    cli = build_cli()
    cli.main(args=args, prog_name="slimguard")


if __name__ == "__main__":  # pragma: no cover
    main()

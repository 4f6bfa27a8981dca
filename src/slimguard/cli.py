"""Command-line entry point.

Kept import-light: ``--version`` answers without importing click or the parser.
"""

from __future__ import annotations

import sys

COMMANDS = {
    "dump": ("slimguard.commands.dump", "command", "Print the syntax tree and semantic model of a Dockerfile."),
    "lint": ("slimguard.commands.lint", "command", "Find root and bloat problems in Dockerfiles."),
    "fix": ("slimguard.commands.fix", "command", "Fix Dockerfiles with minimal edits (diff, --write, --check)."),
    "verify": ("slimguard.commands.verify", "command", "Build and run the original and fixed Dockerfile; prove the fix."),
    "audit": ("slimguard.commands.audit", "command", "Audit a built image: user, packages, bytes per layer."),
    "check": ("slimguard.commands.check", "command", "Check compose files, Kubernetes manifests and docker run."),
    "doctor": ("slimguard.commands.doctor", "command", "Diagnose bind-mount ownership for a non-root image."),
    "rules": ("slimguard.commands.rules_cmd", "rules_command", "List the rules."),
    "explain": ("slimguard.commands.rules_cmd", "explain_command", "Show a rule's documentation."),
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

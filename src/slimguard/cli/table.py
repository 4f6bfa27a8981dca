"""The subcommands: name -> (module, attribute, one-line help), imported only when used."""

from __future__ import annotations

COMMANDS = {
    "dump": ("slimguard.cli.dump", "command", "Print the syntax tree and semantic model of a Dockerfile."),
    "lint": ("slimguard.cli.lint", "command", "Find root and bloat problems in Dockerfiles."),
    "hadolint": ("slimguard.cli.hadolint", "command", "Lint with hadolint's flags, formats and exit codes."),
    "fix": ("slimguard.cli.fix", "command", "Fix Dockerfiles with minimal edits (diff, --write, --check)."),
    "verify": ("slimguard.cli.verify", "command", "Build and run the original and fixed Dockerfile; prove the fix."),
    "audit": ("slimguard.cli.audit", "command", "Audit a built image: user, packages, bytes per layer."),
    "check": ("slimguard.cli.check", "command", "Check compose files, Kubernetes manifests and docker run."),
    "doctor": ("slimguard.cli.doctor", "command", "Diagnose bind-mount ownership for a non-root image."),
    "rules": ("slimguard.cli.rules_cmd", "rules_command", "List the rules."),
    "explain": ("slimguard.cli.rules_cmd", "explain_command", "Show a rule's documentation."),
}

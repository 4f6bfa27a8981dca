"""What lint, check and audit share: writing the report and choosing the exit code."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from slimguard.core.config import Config
    from slimguard.formatters import Report


def use_color(output: str | None, no_color: bool) -> bool:
    """Colour only for a terminal, never into a file, and never with NO_COLOR set."""
    if no_color or output or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def parse_codes(values: tuple[str, ...]) -> set[str]:
    """Rule ids, hadolint codes or concerns from repeatable, comma-separated --select/--ignore values."""
    return {c.strip().upper() for v in values for c in v.split(",") if c.strip()}


def load_settings(*, hadolint_config: str | None = None, config_file: str | None = None,
                  select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), **flags: Any) -> "Config":
    """The run's frozen settings: config files, then the flags; exits 2 with one line on bad input.

    --select/--ignore codes are validated the same way in every command: each must name a rule (of any
    kind), an alias or a concern.
    """
    from slimguard.core.config import ConfigError, load_config, validate_flag_codes

    try:
        config = load_config(hadolint_file=hadolint_config, config_file=config_file)
        sel, ign = parse_codes(select), parse_codes(ignore)
        validate_flag_codes(sel, "--select")
        validate_flag_codes(ign, "--ignore")
        return config.with_flags(select=sel, ignore=ign, **flags)
    except ConfigError as exc:
        click.echo(f"slimguard: error: {exc}", err=True)
        sys.exit(2)


def parse_build_args(values: tuple[str, ...]) -> dict[str, str]:
    """``KEY=VALUE`` pairs from --build-arg; exits 2 on a malformed one."""
    args: dict[str, str] = {}
    for v in values:
        key, sep, value = v.partition("=")
        if not sep or not key:
            click.echo(f"slimguard: error: --build-arg expects KEY=VALUE, got {v!r}", err=True)
            sys.exit(2)
        args[key] = value
    return args


def emit_and_exit(text: str, report: "Report", config: "Config", output: str | None) -> NoReturn:
    """Write *text* to --output or stdout, errors to stderr, then exit 2 (errors), 1 (findings) or 0."""
    if output:
        try:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            click.echo(f"slimguard: error: {output}: {exc.strerror}", err=True)
            sys.exit(2)
    else:
        sys.stdout.write(text)
    for err in report.errors:
        click.echo(f"slimguard: error: {err}", err=True)
    if report.errors:
        sys.exit(2)
    threshold = config.failure_threshold
    if config.no_fail or threshold is None:
        sys.exit(0)
    sys.exit(1 if any(f.severity >= threshold for f in report.findings) else 0)

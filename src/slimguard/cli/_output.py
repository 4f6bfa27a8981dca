"""What lint, check and audit share: writing the report and choosing the exit code."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Callable, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from slimguard.core.config import Config
    from slimguard.formatters import Report


F = TypeVar("F", bound=Callable[..., Any])
_THRESHOLDS = ["error", "warning", "info", "style", "none"]


def _stack(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(fn: F) -> F:
        for d in reversed(decorators):
            fn = d(fn)
        return fn
    return apply


def code_options(what: str = "ids, aliases or concerns") -> Callable[[F], F]:
    """--select and --ignore, the same in every command."""
    return _stack(
        click.option("--select", multiple=True, metavar="CODES", help=f"Only these rules ({what})."),
        click.option("--ignore", multiple=True, metavar="CODES", help=f"Skip these rules ({what})."),
    )


def report_options(*, hadolint_config: bool = True) -> Callable[[F], F]:
    """--format, --output, --failure-threshold, --config (and --hadolint-config) for lint, check and audit."""
    from slimguard.formatters import FORMATS

    options = [
        click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="slimguard's text, concise (path:line:col: CODE message), json, sarif, checkstyle, "
                          "gitlab, github, html (one self-contained page); or one of hadolint's shapes: "
                          "tty, gnu, codeclimate, gitlab_codeclimate, sonarqube, codacy, junit."),
        click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to a file."),
        click.option("--failure-threshold", "-t", type=click.Choice(_THRESHOLDS),
                     help="Lowest severity that makes the exit code 1 (default: info, as hadolint)."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False),
                     help="A .slimguard.toml or pyproject.toml."),
    ]
    if hadolint_config:
        options.append(click.option("--hadolint-config", type=click.Path(dir_okay=False),
                                    help="A .hadolint.yaml to honour."))
    return _stack(*options)


def baseline_options() -> Callable[[F], F]:
    """--baseline FILE and --write-baseline FILE for lint and check."""
    return _stack(
        click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Report only findings not recorded in this baseline file (see --write-baseline)."),
        click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Record the current findings in FILE (JSON), then report as with --baseline FILE."),
    )


def apply_baseline(findings: list, sources: dict[str, str], baseline_file: str | None,
                   write_baseline: str | None) -> tuple[list, dict[str, Any]]:
    """(findings left, summary entry): --write-baseline records *findings*; --baseline (or the file just
    written) removes the recorded ones. One stderr line says how many were suppressed; exits 2 on a bad file."""
    if not baseline_file and not write_baseline:
        return findings, {}
    from slimguard.core import baseline

    try:
        if write_baseline:
            n = baseline.write(write_baseline, findings, sources)
            click.echo(f"slimguard: wrote {n} finding(s) to the baseline {write_baseline}", err=True)
        path = write_baseline or baseline_file
        assert path is not None
        left, suppressed = baseline.Baseline.load(path).filter(findings, sources)
    except baseline.BaselineError as exc:
        click.echo(f"slimguard: error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"slimguard: the baseline {path} suppressed {suppressed} finding(s); {len(left)} new", err=True)
    return left, {"baseline": {"file": path, "suppressed": suppressed}}


def no_color_option() -> Callable[[F], F]:
    return click.option("--no-color", is_flag=True, help="No colours (NO_COLOR is honoured too).")


def write_fixed(path: str, display: str, text: str, rules: list[str]) -> bool:
    """Write a fixed file atomically and say so; False (with the error on stderr) when it cannot.

    Through a symlink the target is written, and a target outside the current directory is named.
    """
    from slimguard.core.files import atomic_write, outside

    try:
        written = atomic_write(path, text)
    except OSError as exc:
        click.echo(f"slimguard: error: {path}: cannot write ({exc.strerror})", err=True)
        return False
    via = f" (through the symlink, in {written}, outside {os.getcwd()})" if outside(written, os.getcwd()) else ""
    click.echo(f"{display}: fixed {', '.join(rules)}{via}")
    return True


def report_applied(applied: tuple) -> None:
    """One stderr line per applied fix: rule, line and what the fix did."""
    for f in applied:
        if f.fix is not None:
            click.echo(f"  {f.rule} line {f.line}: {f.fix.description}", err=True)


def expand_paths(paths: tuple[str, ...], discover: Callable[[str], list[str]],
                 nothing_found: str) -> tuple[list[str], list[str]]:
    """(files, errors): each directory replaced by what *discover* finds in it ('-' is stdin)."""
    files: list[str] = []
    errors: list[str] = []
    for p in paths:
        if p != "-" and os.path.isdir(p):
            found = discover(p)
            if not found:
                errors.append(f"{p}: {nothing_found} found in this directory")
            files.extend(found)
        else:
            files.append(p)
    return files, errors


def use_color(output: str | None, no_color: bool) -> bool:
    """Colour only for a terminal, never into a file, and never with NO_COLOR set."""
    if no_color or output or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def parse_codes(values: tuple[str, ...]) -> set[str]:
    """Rule ids, hadolint codes or concerns from repeatable, comma-separated --select/--ignore values."""
    return {c.strip().upper() for v in values for c in v.split(",") if c.strip()}


def load_settings(*, hadolint_config: str | None = None, config_file: str | None = None,
                  select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), cwd: str | None = None,
                  **flags: Any) -> "Config":
    """The run's frozen settings: config files, then the flags; exits 2 with one line on bad input.

    --select/--ignore codes are validated the same way in every command: each must name a rule (of any
    kind), an alias or a concern.
    """
    from slimguard.core.config import ConfigError, load_config, validate_flag_codes

    try:
        config = load_config(cwd=cwd, hadolint_file=hadolint_config, config_file=config_file)
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

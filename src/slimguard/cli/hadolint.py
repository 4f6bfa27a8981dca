"""`slimguard hadolint` (also `slimguard-hadolint`): hadolint's command line, flags, formats and exit codes.

A CI job that runs ``hadolint [flags] Dockerfile`` switches by changing the program name. The run is in
hadolint mode: every Dockerfile rule (also those outside the default set), every stage checked, findings
shown under their hadolint code where the rule has one (``Dockerfile:3 DL3002 warning: ...``).

Settings, lowest first: hadolint's ``HADOLINT_*`` environment variables, the config files (the first
hadolint YAML found, or ``-c``; then slimguard's own), then the flags. Lists (ignores, overrides,
registries, labels) add up; for single values the later layer wins.

Exit codes, as hadolint: 0 with ``--no-fail`` or when a ``codeclimate``/``codacy`` report is asked for;
otherwise 1 when a file fails to parse (DL1000), cannot be read, or has a finding at or above the failure
threshold (default ``info``; ``none`` and ``ignore`` are hadolint's lowest level, so any finding fails); else 0. Deliberately different: bad usage (an
unknown flag, format or threshold, a bad config file) prints one line and exits 2 (hadolint prints its usage
and exits 1).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

import click

LEVEL_FLAGS = ("error", "warning", "info", "style")
# hadolint rules whose default level is "ignore": silent until --error/--warning/--info/--style (or the
# config's override) raises them (hadolint 2.15.1: DL1001 inline pragmas, DL3057 no HEALTHCHECK)
IGNORED_BY_DEFAULT = frozenset({"DL1001", "DL3057"})
THRESHOLDS = ("error", "warning", "info", "style", "ignore", "none")
_TRUE = {"1", "true", "yes", "on", "y"}


class _OneLineErrors(click.Command):
    """Usage errors as one line on stderr, exit 2 (not click's usage block)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            prog = ctx.command_path or "slimguard hadolint"
            click.echo(f"{prog}: error: {exc.format_message()} (see --help)", err=True)
            sys.exit(2)


def _fail_usage(message: str) -> None:
    click.echo(f"slimguard hadolint: error: {message}", err=True)
    sys.exit(2)


def _codes(values: tuple[str, ...] | list[str]) -> list[str]:
    return [c.strip().upper() for v in values for c in str(v).split(",") if c.strip()]


def _env_list(name: str) -> list[str]:
    value = os.environ.get(name, "")
    return [v.strip() for v in value.replace(" ", ",").split(",") if v.strip()]


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def hadolint_config_file(cwd: Path | None = None) -> Path | None:
    """The hadolint config hadolint itself would read: the first of its search locations that exists."""
    home = Path.home()
    base = cwd or Path.cwd()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    candidates = [base / ".hadolint.yaml", base / ".hadolint.yml"]
    if xdg:
        candidates += [Path(xdg) / "hadolint.yaml", Path(xdg) / "hadolint.yml"]
    candidates += [home / ".config" / "hadolint.yaml", home / ".config" / "hadolint.yml",
                   home / ".hadolint" / "hadolint.yaml", home / ".hadolint" / "hadolint.yml",
                   home / "hadolint" / "config.yaml", home / "hadolint" / "config.yml",
                   home / ".hadolint.yaml", home / ".hadolint.yml"]
    return next((p for p in candidates if p.is_file()), None)


@dataclasses.dataclass
class _Settings:
    formats: list[str]
    outputs: list[str]
    no_color: bool
    verbose: bool
    config: Any  # slimguard.core.config.Config
    labels: dict[str, str]
    strict_labels: bool
    notes: list[str]


def _labels(values: list[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for v in values:
        name, sep, kind = v.partition(":")
        if not sep or not name or not kind:
            _fail_usage(f"--require-label expects LABEL:FORMAT (e.g. maintainer:text), got {v!r}")
        labels[name] = kind
    return labels


def _settings(config_path: str | None, formats: tuple[str, ...], outputs: tuple[str, ...], no_fail: bool,
              no_color: bool, verbose: bool, threshold: str | None, overrides: dict[str, tuple[str, ...]],
              ignore: tuple[str, ...], registries: tuple[str, ...], labels: tuple[str, ...], strict_labels: bool,
              disable_ignore_pragma: bool) -> _Settings:
    from slimguard.core.config import ConfigError, _load_yaml, load_config
    from slimguard.core.findings import Severity
    from slimguard.formatters import HADOLINT_FORMATS

    notes: list[str] = []
    path = Path(config_path) if config_path else hadolint_config_file()
    if config_path and not path.is_file():  # type: ignore[union-attr]
        _fail_usage(f"{config_path}: no such config file")
    try:
        config = load_config(hadolint_file=str(path) if path else None)
        data = _load_yaml(path) if path else None
    except ConfigError as exc:
        _fail_usage(str(exc))
    data = data if isinstance(data, dict) else {}

    # single values: flag, else config file, else environment
    fmts = list(formats)
    if not fmts:
        file_formats = data.get("formats") or ([data["format"]] if data.get("format") else [])
        fmts = [str(f) for f in (file_formats if isinstance(file_formats, list) else [file_formats])]
    if not fmts and os.environ.get("HADOLINT_FORMAT"):
        fmts = [os.environ["HADOLINT_FORMAT"].strip()]
    fmts = fmts or ["tty"]
    for f in fmts:
        if f not in HADOLINT_FORMATS:
            _fail_usage(f"unknown format {f!r} (choose from {', '.join(HADOLINT_FORMATS)})")
    if len(outputs) > len(fmts):
        _fail_usage("more --output paths than formats (each -o pairs with a -f)")

    changes: dict[str, Any] = {"hadolint_compat": True}
    try:
        if threshold is not None:
            changes["failure_threshold"] = _threshold(threshold, "--failure-threshold")
        elif "failure-threshold" in data:
            changes["failure_threshold"] = _threshold(str(data["failure-threshold"]), str(path))
        elif os.environ.get("HADOLINT_FAILURE_THRESHOLD"):
            changes["failure_threshold"] = _threshold(os.environ["HADOLINT_FAILURE_THRESHOLD"],
                                                      "HADOLINT_FAILURE_THRESHOLD")
    except ConfigError as exc:
        _fail_usage(str(exc))
    if no_fail or _env_flag("HADOLINT_NOFAIL"):
        changes["no_fail"] = True
    if disable_ignore_pragma or _env_flag("HADOLINT_DISABLE_IGNORE_PRAGMA"):
        changes["disable_ignore_pragma"] = True

    # lists: environment, config file (already in config), flags, all together
    severity = dict(config.severity)
    env_severity = {}
    for level in LEVEL_FLAGS:
        for code in _codes(_env_list(f"HADOLINT_OVERRIDE_{level.upper()}")):
            env_severity[code] = Severity.parse(level)
    severity = {**env_severity, **severity}
    for level in LEVEL_FLAGS:
        for code in _codes(overrides[level]):
            severity[code] = Severity.parse(level)
    changes["severity"] = severity
    silent = IGNORED_BY_DEFAULT - set(severity)
    changes["ignore"] = (config.ignore | frozenset(_codes(_env_list("HADOLINT_IGNORE"))) | frozenset(_codes(ignore))
                         | silent)
    regs = [*_env_list("HADOLINT_TRUSTED_REGISTRIES"), *registries]
    changes["trusted_registries"] = tuple(dict.fromkeys([*config.trusted_registries, *regs]))
    config = dataclasses.replace(config, **changes)

    label_map = _labels([*_env_list("HADOLINT_REQUIRE_LABELS"), *labels])
    strict = strict_labels or _env_flag("HADOLINT_STRICT_LABELS")
    config = _with_labels(config, label_map, strict, notes)

    known = {c for r in _dockerfile_rules() for c in r.codes}
    unknown = sorted(c for c in {*severity, *(changes["ignore"] - silent)} if c not in known)
    if unknown:
        notes.append(f"no slimguard rule answers to {', '.join(unknown)}; those overrides and ignores do nothing")
    no_color = no_color or bool(data.get("no-color")) or bool(os.environ.get("NO_COLOR"))
    verbose = verbose or bool(data.get("verbose")) or _env_flag("HADOLINT_VERBOSE")
    return _Settings(fmts, list(outputs), no_color, verbose, config, label_map, strict, notes)


def _threshold(value: str, where: str) -> Any:
    """hadolint's reading of a failure threshold: ``ignore`` and ``none`` are the lowest level, below
    ``style``, so every finding fails (hadolint 2.15.1, run); slimguard's own commands read them as "never"."""
    from slimguard.core.config import parse_threshold
    from slimguard.core.findings import Severity

    sev = parse_threshold(value, where)
    return Severity.STYLE if sev is None else sev


def _with_labels(config: Any, labels: dict[str, str], strict: bool, notes: list[str]) -> Any:
    """Hand --require-label/--strict-labels to the label settings of the config when it has them."""
    if not labels and not strict:
        return config
    names = {f.name for f in dataclasses.fields(config)}
    changes: dict[str, Any] = {}
    if labels:
        if "label_schema" in names:
            changes["label_schema"] = {**dict(config.label_schema or {}), **labels}
        else:
            notes.append("--require-label: this slimguard has no label-schema setting yet; ignored")
    if strict:
        if "strict_labels" in names:
            changes["strict_labels"] = True
        else:
            notes.append("--strict-labels: this slimguard has no strict-labels setting yet; ignored")
    return dataclasses.replace(config, **changes) if changes else config


def _dockerfile_rules() -> tuple:
    from slimguard.core.registry import rules_of

    return rules_of("dockerfile")


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from slimguard import __version__

    click.echo(f"slimguard {__version__} (hadolint-compatible command line)")
    ctx.exit(0)


@click.command("hadolint", cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("dockerfiles", nargs=-1, metavar="DOCKERFILE...")
@click.option("-v", "--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show the version.")
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False), metavar="FILENAME",
              help="Path to a hadolint config file (.hadolint.yaml).")
@click.option("--file-path-in-report", metavar="FILEPATHINREPORT",
              help="The file path the checkstyle, codeclimate, gitlab_codeclimate, sonarqube and junit "
                   "reports name.")
@click.option("-o", "--output", "outputs", multiple=True, metavar="OUTPUT",
              help="Write the report to a file; pairs with the -f at the same position (repeatable).")
@click.option("--no-fail", is_flag=True, help="Exit 0 even when rules are violated.")
@click.option("--no-color", is_flag=True, help="Don't colour the tty output (NO_COLOR is honoured too).")
@click.option("-V", "--verbose", is_flag=True, help="Print the settings used to stderr.")
@click.option("-f", "--format", "formats", multiple=True, metavar="ARG",
              help="tty (default), json, checkstyle, codeclimate, gitlab_codeclimate, gnu, codacy, sonarqube, "
                   "sarif or junit (repeatable).")
@click.option("--error", multiple=True, metavar="RULECODE", help="Make the rule RULECODE have the level error.")
@click.option("--warning", multiple=True, metavar="RULECODE", help="Make the rule RULECODE have the level warning.")
@click.option("--info", multiple=True, metavar="RULECODE", help="Make the rule RULECODE have the level info.")
@click.option("--style", multiple=True, metavar="RULECODE", help="Make the rule RULECODE have the level style.")
@click.option("--ignore", multiple=True, metavar="RULECODE", help="A rule to ignore (repeatable).")
@click.option("--trusted-registry", "registries", multiple=True, metavar="REGISTRY",
              help="A registry allowed in FROM (e.g. docker.io); enables DL3026.")
@click.option("--require-label", "labels", multiple=True, metavar="LABELSCHEMA",
              help="A label that must be present and match a format (e.g. maintainer:text).")
@click.option("--strict-labels", is_flag=True, help="Permit no labels other than the required ones.")
@click.option("--disable-ignore-pragma", is_flag=True, help="Disregard inline `# hadolint ignore=...` pragmas.")
@click.option("-t", "--failure-threshold", "threshold", metavar="THRESHOLD",
              help="Lowest level that fails: error, warning, info (default), style, ignore or none (as hadolint, "
                   "ignore and none fail on any finding).")
def command(dockerfiles, config_path, file_path_in_report, outputs, no_fail, no_color, verbose, formats, error,
            warning, info, style, ignore, registries, labels, strict_labels, disable_ignore_pragma,
            threshold) -> None:
    """Lint Dockerfiles with hadolint's command line ('-' reads stdin)."""
    from slimguard import __version__, api
    from slimguard.dockerfile.inputs import InputError, read_source
    from slimguard.formatters import Report, render_hadolint
    from slimguard.knowledge.facts import Resolver

    if threshold is not None and threshold.strip().lower() not in THRESHOLDS:
        _fail_usage(f"--failure-threshold: {threshold!r} is not one of {', '.join(THRESHOLDS)}")
    s = _settings(config_path, formats, outputs, no_fail, no_color, verbose, threshold,
                  {"error": error, "warning": warning, "info": info, "style": style}, ignore, registries, labels,
                  strict_labels, disable_ignore_pragma)
    config = s.config
    if s.verbose:
        used = ", ".join(config.sources) or "none"
        click.echo(f"slimguard hadolint: config files: {used}", err=True)
        threshold_label = config.failure_threshold.label if config.failure_threshold else "none"
        click.echo(f"slimguard hadolint: formats {', '.join(s.formats)}; failure threshold {threshold_label}; "
                   f"no-fail {config.no_fail}; ignored {', '.join(sorted(config.ignore)) or 'none'}; "
                   f"overrides {', '.join(f'{k}={v.label}' for k, v in sorted(config.severity.items())) or 'none'}; "
                   f"trusted registries {', '.join(config.trusted_registries) or 'none'}", err=True)
        for note in s.notes:
            click.echo(f"slimguard hadolint: note: {note}", err=True)
    if not dockerfiles:
        click.echo("Please provide a Dockerfile", err=True)
        sys.exit(1)

    paths = _expand(dockerfiles)
    resolver = Resolver(config.engine)
    findings: list = []
    lint_errors: list[str] = []
    read_errors: list[str] = []
    sources: dict[str, str] = {}
    files_seen: list[str] = []
    read: list = []
    for path in paths:
        try:
            read.append((path, read_source(path)))
        except InputError as exc:
            read_errors.append(str(exc))
    if len(read) > 1:
        from slimguard.dockerfile.lint import prepare

        prepare([source.text for _, source in read], config)  # cross-file batches (ShellCheck)
    for path, source in read:
        shown = "-" if path == "-" else source.display
        files_seen.append(shown)
        sources[shown] = source.text
        result = api.lint(source.text, path=shown, config=config, resolver=resolver)
        findings.extend(result.findings)
        lint_errors.extend(result.errors)
    report = Report(findings=tuple(findings), errors=tuple(lint_errors), sources=sources, files=tuple(files_seen),
                    tool_version=__version__, hadolint_codes=True, report_path=file_path_in_report)
    _write(report, s, render_hadolint)
    from slimguard.formatters._hadolint import parse_error

    for err in read_errors:
        click.echo(f"slimguard hadolint: error: {err}", err=True)
    internal = [e for e in lint_errors if parse_error(e) is None]
    for err in internal:
        click.echo(f"slimguard hadolint: error: {err}", err=True)
    sys.exit(exit_code(report, config, s.formats, failed_reads=bool(read_errors)))


def exit_code(report: Any, config: Any, formats: list[str], *, failed_reads: bool = False) -> int:
    """hadolint's exit code for *report*: see the module docstring."""
    if failed_reads:
        return 1  # hadolint stops on an unreadable file whatever --no-fail says
    if config.no_fail or any(f in ("codeclimate", "codacy") for f in formats):
        return 0
    if report.errors:  # parse errors (DL1000) and internal rule errors
        return 1
    threshold = config.failure_threshold
    if threshold is None:
        return 0
    return 1 if any(f.severity >= threshold for f in report.findings) else 0


def _expand(paths: tuple[str, ...]) -> list[str]:
    from slimguard.cli._output import expand_paths
    from slimguard.dockerfile.discover import discover

    files, errors = expand_paths(paths, discover, "no Dockerfile")
    for err in errors:
        click.echo(f"slimguard hadolint: error: {err}", err=True)
    if errors and not files:
        sys.exit(1)
    return files


def _write(report: Any, s: _Settings, render: Any) -> None:
    for i, fmt in enumerate(s.formats):
        out = s.outputs[i] if i < len(s.outputs) else None
        color = fmt == "tty" and not s.no_color and out is None
        text = render(fmt, report, color=color)
        if out is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            continue
        try:
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            click.echo(f"slimguard hadolint: error: {out}: {exc.strerror}", err=True)
            sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    """The `slimguard-hadolint` console script."""
    command.main(args=sys.argv[1:] if argv is None else argv, prog_name="slimguard-hadolint")


if __name__ == "__main__":  # pragma: no cover
    main()

"""`slimguard lint`: find root and bloat problems in Dockerfiles."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from slimguard.cli._output import (apply_baseline, baseline_options, code_options, emit_and_exit, expand_paths,
                                   load_settings, no_color_option, parse_build_args, report_options, use_color)


@click.command("lint")
@click.argument("paths", nargs=-1, metavar="[PATH ...|-]")
@click.option("--target", help="Stage whose result ships (default: the last stage).")
@click.option("--build-arg", "build_args", multiple=True, metavar="KEY=VALUE", help="Value for an ARG.")
@code_options("ids, hadolint codes or concerns")
@report_options()
@click.option("--hadolint-compat", is_flag=True, default=None,
              help="Check every stage like hadolint does, not only the target stage.")
@click.option("--engine", type=click.Choice(["auto", "never"]), default=None,
              help="Inspect base images in the local Docker engine when present (never pulls).")
@baseline_options()
@no_color_option()
def command(paths, target, build_args, select, ignore, fmt, output, failure_threshold, config_file,
            hadolint_config, hadolint_compat, engine, baseline_file, write_baseline, no_color) -> None:
    """Lint Dockerfiles (files, directories or '-' for stdin)."""
    from slimguard import __version__
    from slimguard.knowledge.facts import Resolver
    from slimguard.dockerfile.discover import discover
    from slimguard.formatters import Report, render
    from slimguard.dockerfile.inputs import InputError, read_source
    from slimguard import api

    config = load_settings(hadolint_config=hadolint_config, config_file=config_file, select=select, ignore=ignore,
                           failure_threshold=failure_threshold, hadolint_compat=hadolint_compat, engine=engine)
    args = parse_build_args(build_args)
    files_seen: list[str] = []
    findings: list = []
    sources: dict[str, str] = {}
    if not paths:
        paths = (".",)  # the current directory, as ruff does ('-' reads stdin)
    files, errors = expand_paths(paths, lambda p: discover(p, exclude=config.exclude), "no Dockerfile")
    resolver = Resolver(config.engine)
    read: list = []
    bad_inputs: set[str] = set()
    for path in files:
        try:
            read.append(read_source(path))
        except InputError as exc:
            errors.append(str(exc))
            bad_inputs.add(path)
    if len(read) > 1:
        from slimguard.dockerfile.lint import prepare

        prepare([source.text for source in read], config)  # cross-file batches (ShellCheck)
    per_dir: dict[str, object] = {}

    def settings_for(path: str):  # noqa: ANN202 - a Config
        """The settings nearest to the file (ruff's discovery), unless --config/--hadolint-config name them."""
        if config_file or hadolint_config or path == "-":
            return config
        from slimguard.core.config import find_config_dir

        where = find_config_dir(os.path.dirname(os.path.abspath(path)))
        if where is None or where == Path.cwd().resolve():
            return config
        key = str(where)
        if key not in per_dir:
            per_dir[key] = load_settings(select=select, ignore=ignore, cwd=key, failure_threshold=failure_threshold,
                                         hadolint_compat=hadolint_compat, engine=engine)
        return per_dir[key]

    for path, source in zip([f for f in files if f not in bad_inputs], read):
        files_seen.append(source.display)
        sources[source.display] = source.text
        result = api.lint(source.text, path=source.display, config=settings_for(path), target=target,
                          build_args=args, resolver=resolver)
        findings.extend(result.findings)
        errors.extend(result.errors)
        for note in result.notes:  # values too large to expand, facts from the local engine
            click.echo(f"slimguard: {note}", err=True)
    findings, summary = apply_baseline(findings, sources, baseline_file, write_baseline)
    report = Report(findings=tuple(findings), errors=tuple(errors), sources=sources, files=tuple(files_seen),
                    tool_version=__version__, hadolint_codes=config.hadolint_mode, summary=summary)
    text = render(fmt, report, color=use_color(output, no_color) and fmt in ("text", "tty"))
    emit_and_exit(text, report, config, output)

"""`slimguard lint`: find root and bloat problems in Dockerfiles."""

from __future__ import annotations

import sys

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
        if sys.stdin is None or sys.stdin.isatty():
            click.echo("slimguard: error: give a Dockerfile, a directory, or '-' for stdin", err=True)
            sys.exit(2)
        paths = ("-",)
    files, errors = expand_paths(paths, discover, "no Dockerfile")
    resolver = Resolver(config.engine)
    read: list = []
    for path in files:
        try:
            read.append(read_source(path))
        except InputError as exc:
            errors.append(str(exc))
    if len(read) > 1:
        from slimguard.dockerfile.lint import prepare

        prepare([source.text for source in read], config)  # cross-file batches (ShellCheck)
    for source in read:
        files_seen.append(source.display)
        sources[source.display] = source.text
        result = api.lint(source.text, path=source.display, config=config, target=target, build_args=args,
                          resolver=resolver)
        findings.extend(result.findings)
        errors.extend(result.errors)
    findings, summary = apply_baseline(findings, sources, baseline_file, write_baseline)
    report = Report(findings=tuple(findings), errors=tuple(errors), sources=sources, files=tuple(files_seen),
                    tool_version=__version__, hadolint_codes=config.hadolint_mode, summary=summary)
    text = render(fmt, report, color=use_color(output, no_color) and fmt in ("text", "tty"))
    emit_and_exit(text, report, config, output)

"""`slimguard check`: compose files, Kubernetes manifests and `docker run` commands."""

from __future__ import annotations

import os
import sys

import click

from slimguard.cli._output import (apply_baseline, baseline_options, code_options, emit_and_exit, expand_paths,
                                   load_settings, no_color_option, report_applied, report_options, use_color,
                                   write_fixed)


@click.command("check")
@click.argument("paths", nargs=-1, metavar="[PATH ...|-]")
@click.option("--docker-run", "docker_runs", multiple=True, metavar="'docker run ...'",
              help="Check a docker run (or podman run) command line; repeatable.")
@click.option("--kind", type=click.Choice(["compose", "kubernetes"]),
              help="What the files (or stdin) are, when the name and content do not tell.")
@code_options()
@report_options()
@click.option("--engine", type=click.Choice(["auto", "never"]), default=None,
              help="Read image users from the local Docker engine when the image is there (never pulls).")
@click.option("--fix", "do_fix", is_flag=True, help="Print the fixes as a unified diff (fixed command for --docker-run).")
@click.option("--write", is_flag=True, help="Apply the fixes to the files.")
@click.option("--unsafe", is_flag=True, help="Also apply fixes that change behaviour.")
@click.option("--uid", type=click.IntRange(1, 2**31 - 1), default=None, help="uid a fix uses when it must pick one.")
@click.option("--gid", type=click.IntRange(1, 2**31 - 1), default=None, help="gid a fix uses when it must pick one.")
@baseline_options()
@no_color_option()
def command(paths, docker_runs, kind, select, ignore, fmt, output, failure_threshold, config_file, hadolint_config,
            engine, do_fix, write, unsafe, uid, gid, baseline_file, write_baseline, no_color) -> None:
    """Check compose files, Kubernetes manifests (files, directories or '-' for stdin, e.g. from
    `helm template` or `kustomize build`) and `docker run` commands for root users, privileges and
    volume ownership."""
    from slimguard import __version__
    from slimguard.knowledge.facts import Resolver
    from slimguard.formatters import Report, render
    from slimguard.dockerfile.inputs import InputError, read_source

    from slimguard.runtime.discover import discover
    from slimguard.runtime.engine import check_text
    from slimguard.runtime.images import ImageResolver

    config = load_settings(hadolint_config=hadolint_config, config_file=config_file, select=select, ignore=ignore,
                           failure_threshold=failure_threshold, engine=engine, uid=uid, gid=gid)
    images = ImageResolver(Resolver(config.engine))

    files_seen: list[str] = []
    findings: list = []
    sources: dict[str, str] = {}
    inputs: list[tuple[str, str, str | None, str | None]] = []  # (display, text, kind, path on disk)
    if not paths and not docker_runs:
        if sys.stdin is None or sys.stdin.isatty():
            click.echo("slimguard: error: give a compose file, a manifest, a directory, '-' for stdin, or "
                       "--docker-run 'docker run ...'", err=True)
            sys.exit(2)
        paths = ("-",)
    files, errors = expand_paths(paths, discover, "no compose file or Kubernetes manifest")
    for path in files:
        try:
            source = read_source(path)
        except InputError as exc:
            errors.append(str(exc))
            continue
        inputs.append((source.display, source.text, kind, None if path == "-" else path))
    for i, cmd in enumerate(docker_runs, start=1):
        display = "<docker run>" if len(docker_runs) == 1 else f"<docker run {i}>"
        inputs.append((display, cmd, "docker-run", None))

    if do_fix or write:
        _fix(inputs, config, images, unsafe, write)
        return

    for display, text, k, path in inputs:
        files_seen.append(display)
        sources[display] = text
        result = check_text(text, display, k, config, images=images,
                            project_dir=os.path.dirname(os.path.abspath(path)) if path else None)
        findings.extend(result.findings)
        errors.extend(result.errors)
    findings, summary = apply_baseline(findings, sources, baseline_file, write_baseline)
    report = Report(findings=tuple(findings), errors=tuple(errors), sources=sources, files=tuple(files_seen),
                    tool_version=__version__, kind="check", fix_command="slimguard check --write", summary=summary)
    out = render(fmt, report, color=use_color(output, no_color) and fmt == "text")
    emit_and_exit(out, report, config, output)


def _fix(inputs, config, images, unsafe: bool, write: bool) -> None:
    from slimguard.runtime.engine import check_text
    from slimguard.runtime.fixing import FixError, fix_text
    from slimguard.cli.fix import unified_diff

    errors = 0
    for display, text, kind, path in inputs:
        project_dir = os.path.dirname(os.path.abspath(path)) if path else None
        first = check_text(text, display, kind, config, images=images, project_dir=project_dir)
        if first.errors:
            for e in first.errors:
                click.echo(f"slimguard: error: {e}", err=True)
            errors += 1
            continue
        doc_kind = first.kind or "yaml"

        def check(t: str, _d=display, _k=doc_kind, _p=project_dir):
            res = check_text(t, _d, _k, config, images=images, project_dir=_p)
            if res.errors:
                raise FixError(res.errors[0])
            return res.findings

        try:
            result = fix_text(text, check, unsafe=unsafe, kind=doc_kind)
        except FixError as exc:
            click.echo(f"slimguard: error: {display}: {exc}", err=True)
            errors += 1
            continue
        rules = sorted({f.rule for f in result.applied})
        if doc_kind == "docker-run":
            sys.stdout.write(result.text.strip() + "\n")
        elif result.text == text:
            pass
        elif write and path:
            if not write_fixed(path, display, result.text, rules):
                errors += 1
                continue
        elif write:
            click.echo("slimguard: error: --write needs a file, not stdin", err=True)
            errors += 1
            continue
        else:
            sys.stdout.write(unified_diff(display, text, result.text))
        report_applied(result.applied)
        left = [f for f in result.unfixed if f.fix is not None and not f.fix.safe and not unsafe]
        if left:
            click.echo(f"  {display}: {len(left)} more fix(es) change behaviour; add --unsafe to apply them",
                       err=True)
    if errors:
        sys.exit(2)

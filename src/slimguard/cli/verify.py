"""`slimguard verify`: build and run the original and the fixed Dockerfile; prove the fix.

Exit codes: 0 the fix is proven (the fixed image builds, starts as a non-root uid the
kernel reports, and the smoke result is unchanged), 1 it is not (a regression, or it could
not be shown), 2 bad input or no engine, 130 interrupted (after clean-up).
"""

from __future__ import annotations

import json
import os
import re
import sys

import click


def _fail(msg: str) -> None:
    click.echo(f"slimguard: error: {msg}", err=True)
    sys.exit(2)


def _dockerfile_of(path: str) -> str:
    if path != "-" and os.path.isdir(path):
        for name in ("Dockerfile", "Containerfile"):
            candidate = os.path.join(path, name)
            if os.path.isfile(candidate):
                return candidate
        _fail(f"{path}: no Dockerfile or Containerfile in this directory")
    return path


class _Terminated(KeyboardInterrupt):
    """SIGTERM/SIGHUP: unwind like Ctrl-C so every finally (and the clean-up) runs."""


def _on_signal(signum: int, _frame: object) -> None:
    raise _Terminated(f"signal {signum}")


@click.command("verify")
@click.argument("path", metavar="PATH")
@click.option("--context", "context_dir", metavar="DIR",
              help="Build context (default: the Dockerfile's directory; none for stdin).")
@click.option("--target", metavar="STAGE", help="Build and verify this stage (default: the last).")
@click.option("--smoke", metavar="CMD", help="Command run in both images; exit code and stdout must match. "
              "Shell syntax runs under /bin/sh -c, a plain command as argv. Default: the image's own "
              "ENTRYPOINT/CMD must start (still running after a few seconds, or exit 0).")
@click.option("--build-arg", "build_args", multiple=True, metavar="KEY=VALUE")
@click.option("--build-network", metavar="MODE", help="Network for RUN steps during the builds, e.g. host.")
@click.option("--unsafe", is_flag=True, help="Verify what `slimguard fix --unsafe` produces.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--timeout", type=click.FloatRange(1, 3600), default=60.0, show_default=True,
              help="Seconds the smoke command may run.")
@click.option("--memory", default="512m", show_default=True, help="Memory limit of every container.")
@click.option("--uid", type=click.IntRange(1, 2**31 - 1), default=None, help="uid of a created user (default 10001).")
@click.option("--gid", type=click.IntRange(1, 2**31 - 1), default=None, help="gid of a created group (default 10001).")
def command(path, context_dir, target, smoke, build_args, build_network, unsafe, fmt, timeout, memory,
            uid, gid) -> None:
    """Build the original and the fixed Dockerfile on the local engine (never pulling), run both
    locked down (no network, no capabilities, read-only) and compare: build, uid/gid as the kernel
    reports it, user in /etc/passwd, smoke exit code and stdout, size, packages, build tools."""
    from slimguard.knowledge.facts import Resolver
    from slimguard.core.fixes import FixError
    from slimguard.dockerfile.inputs import InputError, read_source
    from slimguard.dockerfile.context import LintOptions
    from slimguard.verify import Limits, Session, VerifyOptions, compute_fix, verify
    from slimguard.cli._output import load_settings, parse_build_args
    from slimguard.verify.context import ContextError
    from slimguard.verify.session import signals_handled

    args = parse_build_args(build_args)
    if smoke is not None and not smoke.strip():
        _fail("--smoke needs a command")
    if not re.fullmatch(r"[0-9]+[bkmgBKMG]?", memory):
        _fail(f"--memory expects a size such as 512m or 1g, got {memory!r}")
    path = _dockerfile_of(path)
    try:
        source = read_source(path)
    except InputError as exc:
        _fail(str(exc))
    if context_dir is None:
        context_dir = None if path == "-" else (os.path.dirname(os.path.abspath(path)))
    elif not os.path.isdir(context_dir):
        _fail(f"{context_dir}: the build context must be a directory")
    config = load_settings(uid=uid, gid=gid)
    options = LintOptions(target=target, build_args=args, uid=config.uid, gid=config.gid)
    resolver = Resolver(config.engine)
    try:
        fix = compute_fix(source.text, source.display, config, options, resolver, unsafe)
    except FixError as exc:
        _fail(str(exc))
    try:
        import docker

        client = docker.from_env(timeout=120)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure: no engine
        _fail(f"no Docker engine answers ({type(exc).__name__}: {exc}); verify needs a local engine")
    vopts = VerifyOptions(context=context_dir, target=target, smoke=smoke, build_args=args,
                          build_network=build_network, unsafe=unsafe, timeout=timeout,
                          limits=Limits(memory=memory))
    progress = (lambda msg: click.echo(f"slimguard verify: {msg}", err=True)) if fmt == "text" else None
    session = Session(client)
    try:
        with signals_handled(_on_signal, ("SIGTERM", "SIGHUP")):
            report = verify(client, source.display, source.text, fix.text, fix.fixes, vopts, progress, session)
    except KeyboardInterrupt:
        summary = session.report.summary() if session.report else "clean-up did not run"
        click.echo(f"slimguard verify: interrupted; {summary}", err=True)
        sys.exit(130)
    except ContextError as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - the engine failed mid-run (clean-up has run)
        summary = session.report.summary() if session.report else "clean-up did not run"
        _fail(f"verify could not finish ({type(exc).__name__}: {exc}); {summary}")
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo(_render(report), nl=False)
    sys.exit(report.exit_code)


def _render(report) -> str:  # noqa: ANN001
    from slimguard.verify.report import render_text

    return render_text(report)

"""`slimguard verify`: build and run the original and the fixed Dockerfile; prove the fix.

Exit codes: 0 the fix is proven (the original passes its own smoke test; the fixed image builds,
starts as a non-root uid the kernel reports, and passes the same check with the same result),
1 it is not (a regression, the original fails its own smoke test, or it could not be shown; with
--write: some fix was dropped), 2 bad input, an original that does not build, or no engine,
130 interrupted (after clean-up).
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from typing import Any, NoReturn

import click


def _fail(msg: str) -> NoReturn:
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


@dataclass
class Job:
    """One Dockerfile to verify (from `slimguard verify` or `slimguard fix --write --verify`)."""

    path: str  # as given ("-" for stdin)
    source: Any  # slimguard.dockerfile.inputs.Source
    options: Any  # VerifyOptions
    plan: Any = None  # FixPlan (None: the fixed text was given with --after)
    after_text: str | None = None
    fmt: str = "text"
    write: bool = False


def docker_client() -> Any:
    """A pinged engine client; exits 2 when none answers."""
    try:
        import docker

        client = docker.from_env(timeout=120)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure: no engine
        _fail(f"no Docker engine answers ({type(exc).__name__}: {exc}); verify needs a local engine")
    return client


def check_probe_image(client: Any, image: str) -> None:
    try:
        client.api.inspect_image(image)
    except Exception:  # noqa: BLE001 - not there
        _fail(f"--probe asks the server from a container of {image}, which is not on the engine (it is never "
              "pulled); load a busybox image or name another image with sh and wget with --probe-image")


def run_job(client: Any, job: Job) -> int:
    """Verify one Dockerfile, print the report, write with --write; returns the exit code."""
    from slimguard.core.files import atomic_write
    from slimguard.verify import Session, verify
    from slimguard.verify.context import ContextError
    from slimguard.verify.report import render_text
    from slimguard.verify.session import signals_handled

    source, opts = job.source, job.options
    after_text = job.after_text if job.after_text is not None else job.plan.outcome.text
    fixes = [] if job.plan is None else job.plan.outcome.fixes
    progress = (lambda msg: click.echo(f"slimguard verify: {msg}", err=True)) if job.fmt == "text" else None
    session = Session(client)
    try:
        with signals_handled(_on_signal, ("SIGTERM", "SIGHUP")):
            report = verify(client, source.display, source.text, after_text, fixes, opts, progress, session,
                            plan=job.plan)
    except KeyboardInterrupt:
        summary = session.report.summary() if session.report else "clean-up did not run"
        click.echo(f"slimguard verify: interrupted; {summary}", err=True)
        sys.exit(130)
    except ContextError as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - the engine failed mid-run (clean-up has run)
        summary = session.report.summary() if session.report else "clean-up did not run"
        _fail(f"verify could not finish ({type(exc).__name__}: {exc}); {summary}")
    if report.original_error is not None:
        click.echo(f"slimguard: error: {source.display}: the original Dockerfile does not build, so there is "
                   f"nothing to verify: {report.original_error}", err=True)
        return 2
    w = report.write
    if job.write and w is not None and w.text is not None and not w.problems and w.text != source.text:
        try:
            w.path = atomic_write(job.path, w.text)
        except OSError as exc:
            click.echo(f"slimguard: error: {job.path}: cannot write ({exc.strerror})", err=True)
            return 2
    if job.fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2))
    elif job.fmt == "html":
        from slimguard import __version__
        from slimguard.formatters.html_format import render_verify

        click.echo(render_verify(report, __version__), nl=False)
    else:
        click.echo(render_text(report), nl=False)
        if job.write and w is not None:
            dropped = sorted({f.split(" ", 1)[0] for f, _ in w.dropped})
            tail = f"; dropped {', '.join(dropped)} (not proven)" if dropped else ""
            if w.path is not None:
                click.echo(f"{source.display}: fixed {', '.join(w.rules)} (proven on the engine){tail}")
            else:
                click.echo(f"{source.display}: not changed{tail}")
    return report.exit_code


def verify_options(*, context: str | None, target: str | None, build_args: dict[str, str],
                   build_network: str | None = None, unsafe: bool = False, smoke: str | None = None,
                   timeout: float = 60.0, memory: str = "512m", probe: Any = None, probe_after: Any = None,
                   probe_body: str | None = None, probe_image: str | None = None, privileged_ports_open: bool = False,
                   hardened: bool = True, after_file: str | None = None, write: bool = False,
                   max_builds: int | None = None) -> Any:
    from slimguard.verify import Limits, VerifyOptions
    from slimguard.verify.engine import KUBERNETES_SYSCTLS, MAX_BUILDS
    from slimguard.verify.server import CLIENT_IMAGE

    return VerifyOptions(context=context, target=target, smoke=smoke, build_args=build_args,
                         build_network=build_network, unsafe=unsafe, timeout=timeout, limits=Limits(memory=memory),
                         probe=probe, probe_after=probe_after, probe_body=probe_body,
                         probe_image=probe_image or CLIENT_IMAGE,
                         after_sysctls={} if privileged_ports_open else dict(KUBERNETES_SYSCTLS),
                         hardened=hardened, after_file=after_file, write=write,
                         max_builds=max_builds or MAX_BUILDS)


@click.command("verify")
@click.argument("path", metavar="PATH")
@click.option("--after", "after_file", metavar="FILE", type=click.Path(dir_okay=False),
              help="Verify this fixed Dockerfile (e.g. a hand edit) against PATH instead of slimguard's fix.")
@click.option("--context", "context_dir", metavar="DIR",
              help="Build context (default: the Dockerfile's directory; none for stdin).")
@click.option("--target", metavar="STAGE", help="Build and verify this stage (default: the last).")
@click.option("--smoke", metavar="CMD", help="Command run in both images: it must exit 0 on the original, and "
              "the fixed image must give the same exit code and stdout. Shell syntax runs under /bin/sh -c, a plain "
              "command as argv. Default (without --probe): the image's own ENTRYPOINT/CMD must start (still "
              "running after 2 s, or exit 0).")
@click.option("--probe", "probe", metavar="URL", is_flag=False, flag_value="auto", default=None,
              help="Servers: start the image's own command and ask it over HTTP, e.g. http://:8080/health. "
              "Without a port, or `auto` (also a bare --probe after PATH): each image's first EXPOSEd port, "
              "path /. The fixed image must answer with the same status and body.")
@click.option("--probe-after", metavar="URL", help="The URL for the fixed image when it differs "
              "(a fix that moves the port: --probe http://:80/ --probe-after http://:8080/).")
@click.option("--probe-body", metavar="REGEX", help="Both response bodies must match REGEX (instead of being equal).")
@click.option("--probe-image", metavar="IMAGE", default=None,
              help="Local image with sh and wget that asks the server (default busybox:latest; never pulled).")
@click.option("--privileged-ports-open", is_flag=True,
              help="Run the fixed image with Docker's default net.ipv4.ip_unprivileged_port_start=0 instead of "
              "1024 (the default models Kubernetes: only root may bind ports below 1024).")
@click.option("--hardened/--no-hardened", default=True, show_default=True,
              help="Also run the fixed image under the restricted profile (--read-only --tmpfs /tmp "
              "--cap-drop ALL --security-opt no-new-privileges) and report the result (never the verdict).")
@click.option("--write", is_flag=True, help="Write only the fixes proven on the engine into PATH; each dropped "
              "fix is printed with its reason (the same as `slimguard fix --write --verify`).")
@click.option("--max-builds", type=click.IntRange(2, 100), default=None,
              help="At most this many image builds, the culprit search and --write included (default 12).")
@click.option("--build-arg", "build_args", multiple=True, metavar="KEY=VALUE")
@click.option("--build-network", metavar="MODE", help="Network for RUN steps during the builds, e.g. host.")
@click.option("--unsafe", is_flag=True, help="Verify what `slimguard fix --unsafe` produces.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
              help="text, json, or html (one self-contained page with the before/after table and a size chart).")
@click.option("--timeout", type=click.FloatRange(1, 3600), default=60.0, show_default=True,
              help="Seconds the smoke command may run, and the server may take to answer --probe.")
@click.option("--memory", default="512m", show_default=True, help="Memory limit of every container.")
@click.option("--uid", type=click.IntRange(1, 2**31 - 1), default=None, help="uid of a created user (default 10001).")
@click.option("--gid", type=click.IntRange(1, 2**31 - 1), default=None, help="gid of a created group (default 10001).")
def command(path, after_file, context_dir, target, smoke, probe, probe_after, probe_body, probe_image,
            privileged_ports_open, hardened, write, max_builds, build_args, build_network, unsafe, fmt, timeout,
            memory, uid, gid) -> None:
    """Build the original and the fixed Dockerfile on the local engine (never pulling) and prove the fix.

    \b
    1. The original must build (else exit 2) and pass its own smoke test
       (else: not proven, and nothing else is judged).
    2. Both run as people run containers: default capabilities, writable root
       file system, --network none, a memory limit; the fixed image with
       --sysctl net.ipv4.ip_unprivileged_port_start=1024 unless
       --privileged-ports-open. It must build, start as a non-root uid the
       kernel reports, and pass the same check (--smoke, --probe, or its own
       command starting) with the same result.
    3. The fixed image also runs under the restricted profile; that is
       reported as extra information only.
    4. When the fix regresses, each fix is tried alone on the original and
       the culprits are named. --write keeps only the proven fixes.
    """
    from slimguard.knowledge.facts import Resolver
    from slimguard.core.fixes import FixError
    from slimguard.dockerfile.inputs import InputError, read_source
    from slimguard.dockerfile.context import LintOptions
    from slimguard.verify import plan_fix
    from slimguard.cli._output import load_settings, parse_build_args
    from slimguard.verify.server import ProbeURLError, parse_probe_url

    args = parse_build_args(build_args)
    if smoke is not None and not smoke.strip():
        _fail("--smoke needs a command")
    if not re.fullmatch(r"[0-9]+[bkmgBKMG]?", memory):
        _fail(f"--memory expects a size such as 512m or 1g, got {memory!r}")
    try:
        probe_url = parse_probe_url(probe) if probe is not None else None
        probe_after_url = parse_probe_url(probe_after) if probe_after is not None else None
    except ProbeURLError as exc:
        _fail(str(exc))
    if probe_after_url is not None and probe_url is None:
        _fail("--probe-after needs --probe (the original's URL)")
    if (probe_body is not None or probe_image is not None) and probe_url is None:
        _fail("--probe-body and --probe-image need --probe")
    if probe_body is not None:
        try:
            re.compile(probe_body)
        except re.error as exc:
            _fail(f"--probe-body: not a regular expression ({exc})")
    if after_file is not None and write:
        _fail("--write writes slimguard's proven fixes; it cannot be combined with --after")
    if after_file is not None and unsafe:
        _fail("--unsafe chooses slimguard's fixes; it has no effect with --after")
    path = _dockerfile_of(path)
    if write and path == "-":
        _fail("--write needs a file, not stdin")
    try:
        source = read_source(path)
        after_source = read_source(after_file) if after_file is not None else None
    except InputError as exc:
        _fail(str(exc))
    if context_dir is None:
        context_dir = None if path == "-" else (os.path.dirname(os.path.abspath(path)))
    elif not os.path.isdir(context_dir):
        _fail(f"{context_dir}: the build context must be a directory")
    config = load_settings(uid=uid, gid=gid)
    options = LintOptions(target=target, build_args=args, uid=config.uid, gid=config.gid)
    plan = None
    if after_source is None:
        resolver = Resolver(config.engine)
        try:
            plan = plan_fix(source.text, source.display, config, options, resolver, unsafe)
        except FixError as exc:
            _fail(str(exc))
    client = docker_client()
    if probe_url is not None:
        check_probe_image(client, probe_image or "busybox:latest")
    vopts = verify_options(context=context_dir, target=target, build_args=args, build_network=build_network,
                           unsafe=unsafe, smoke=smoke, timeout=timeout, memory=memory, probe=probe_url,
                           probe_after=probe_after_url, probe_body=probe_body, probe_image=probe_image,
                           privileged_ports_open=privileged_ports_open, hardened=hardened,
                           after_file=after_source.display if after_source is not None else None, write=write,
                           max_builds=max_builds)
    job = Job(path, source, vopts, plan=plan, after_text=after_source.text if after_source is not None else None,
              fmt=fmt, write=write)
    sys.exit(run_job(client, job))

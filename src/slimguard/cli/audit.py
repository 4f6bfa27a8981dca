"""`slimguard audit IMAGE`: who a built image runs as, what it carries, where its bytes go."""

from __future__ import annotations

import sys
import time

import click

from slimguard.cli._output import code_options, emit_and_exit, load_settings, no_color_option, report_options, use_color

_PROGRESS_MIN_BYTES = 200_000_000  # show a progress bar only for images at least this large


class _Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal and the image is large."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int | None, label: str) -> None:
        if not self.enabled or (total is not None and total < _PROGRESS_MIN_BYTES):
            return
        now = time.monotonic()
        if now - self.last < 0.1:
            return
        self.last = now
        self.shown = True
        if total:
            frac = min(1.0, done / total)
            bar = "#" * int(frac * 30)
            text = f"\r[{bar:<30}] {frac * 100:5.1f}% {done / 1e6:8.0f}/{total / 1e6:.0f} MB {label:<16}"
        else:
            text = f"\r{done / 1e6:8.0f} MB read {label:<16}"
        sys.stderr.write(text)
        sys.stderr.flush()

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 79 + "\r")
            sys.stderr.flush()


@click.command("audit")
@click.argument("image", metavar="IMAGE")
@report_options(hadolint_config=False)
@code_options()
@click.option("--platform", help="os/arch[/variant] to pick from an image index (default: this machine's).")
@click.option("--deep", is_flag=True, help="registry: also download and read the layers (default: config only).")
@click.option("--engine", type=click.Choice(["auto", "never"]), default="auto", show_default=True,
              help="Use the local Docker engine to find images and guess the base (never pulls).")
@click.option("--max-ratio", type=float, default=None, metavar="N",
              help="Stop when a layer decompresses to more than N times its compressed size (default 200).")
@click.option("--no-dive", is_flag=True, help="Do not compute dive's efficiency figures.")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many largest files/directories to list.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when it is a TTY).")
@no_color_option()
def command(image, fmt, output, failure_threshold, select, ignore, config_file, platform, deep, engine, max_ratio,
            no_dive, top, progress, no_color) -> None:
    """Audit a built image.

    IMAGE is a local engine image (name or id; never pulled), docker-archive:PATH (a `docker save` tar),
    oci:PATH (an OCI image layout directory or tar) or registry:REF (distribution API v2). Without a
    prefix the kind is detected when that is unambiguous.
    """
    from slimguard import __version__
    from slimguard.image import AuditError, Limits, Meter, render_text_summary
    from slimguard import api
    from slimguard.formatters import Report, render

    config = load_settings(config_file=config_file, select=select, ignore=ignore,
                           failure_threshold=failure_threshold)
    limits = Limits()
    if max_ratio is not None:
        if max_ratio < 1:
            click.echo("slimguard: error: --max-ratio must be at least 1", err=True)
            sys.exit(2)
        limits.max_ratio = max_ratio
    show = progress if progress is not None else sys.stderr.isatty()
    bar = _Progress(bool(show))
    meter = Meter(callback=bar if show else None)
    errors: list[str] = []
    result = None
    try:
        result = api.audit(image, config=config, limits=limits, meter=meter, platform=platform, deep=deep,
                           engine=engine or config.engine, use_dive=not no_dive, top=top)
    except AuditError as exc:
        errors.append(str(exc))
    except KeyboardInterrupt:  # pragma: no cover
        bar.done()
        raise
    except MemoryError:  # pragma: no cover
        errors.append(f"{image}: out of memory")
    finally:
        bar.done()
    if result is None:
        report = Report(errors=tuple(errors), tool_version=__version__, kind="audit")
    else:
        report = Report(findings=tuple(result.findings), errors=(*errors, *result.errors), files=(result.reference,),
                        tool_version=__version__, kind="audit",
                        summary={"audit": result.summary, "notes": list(result.notes)})
    color = fmt == "text" and use_color(output, no_color)
    text = render(fmt, report, color=color)
    if fmt == "text" and result is not None:
        if not report.findings and not report.errors:
            text = f"No findings in {result.reference}.\n"
        text = render_text_summary(result.summary, color=color) + "\n" + text
    emit_and_exit(text, report, config, output)

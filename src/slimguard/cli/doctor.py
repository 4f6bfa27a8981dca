"""`slimguard doctor`: diagnose why a non-root container cannot use a host directory, and fix it."""

from __future__ import annotations

import json
import sys

import click


@click.group("doctor")
def command() -> None:
    """Diagnose run-time problems of non-root containers."""


@command.command("mount")
@click.argument("host_dir", metavar="HOSTDIR")
@click.option("--image", required=True, help="The image that will mount the directory (must be local; never pulled).")
@click.option("--target", default=None, metavar="PATH",
              help="Mount point in the container (default: the image's only VOLUME, else /data).")
@click.option("--runtime", type=click.Choice(["docker", "podman", "kubernetes"]), default="docker", show_default=True,
              help="Where it will run: decides the remedies.")
@click.option("--user", default=None, metavar="UID[:GID]", help="The --user the container will run with.")
@click.option("--probe/--no-probe", default=True, show_default=True,
              help="Confirm with a real container on the local engine (--network none, removed afterwards).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def mount(host_dir, image, target, runtime, user, probe, fmt) -> None:
    """Can IMAGE read and write HOSTDIR when it is bind-mounted? Predict, probe, and print the remedy.

    Exit 0 when it can write, 1 when it cannot (the remedies follow), 2 on bad input."""
    from slimguard.runtime.doctor import Doctor, DoctorError, docker_client, rank, render_text

    client = docker_client()
    try:
        d = Doctor(client).diagnose(host_dir, image, target=target, runtime=runtime, user=user,
                                    probe=probe and client is not None)
    except DoctorError as exc:
        click.echo(f"slimguard: error: {exc}", err=True)
        sys.exit(2)
    rank(d)
    if fmt == "json":
        click.echo(json.dumps(d.to_dict(), indent=2))
    else:
        click.echo(render_text(d), nl=False)
    if d.uid is None:
        sys.exit(2)
    sys.exit(0 if (d.can_write and d.exists) else 1)

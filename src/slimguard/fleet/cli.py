"""`slimguard fleet [FLEET_FILE]`: every repository and image of an organisation, incremental, on Dask."""

from __future__ import annotations

import json
import sys

import click


@click.command("fleet")
@click.argument("fleet_file", required=False, metavar="[FLEET_FILE]")
@click.option("--repo", "repos", multiple=True, metavar="PATH", help="A directory or git repository; repeatable.")
@click.option("--registry", "registries", multiple=True, metavar="HOST[:PORT]",
              help="A registry to enumerate (catalog + tags list); repeatable.")
@click.option("--include", "includes", multiple=True, metavar="PATTERN", help="--registry repositories to read.")
@click.option("--exclude", "excludes", multiple=True, metavar="PATTERN", help="--registry repositories to skip.")
@click.option("--newest", type=click.IntRange(1), default=None, help="Only the newest N tags of each repository.")
@click.option("--image", "images", multiple=True, metavar="REF", help="An image (registry:HOST/REPO:TAG); repeatable.")
@click.option("--deep", is_flag=True, default=None, help="Read image layers (default: config only).")
@click.option("--db", default=None, metavar="PATH|postgresql://…",
              help="Result store: a SQLite file (default ./slimguard-fleet.db) or a PostgreSQL URL.")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="An existing Dask scheduler (default: a LocalCluster sized to this machine).")
@click.option("--workers", type=click.IntRange(0), default=None,
              help="LocalCluster worker processes (default: one per core; 0: run in this process).")
@click.option("--batch", "batch_size", type=click.IntRange(1), default=8, show_default=True,
              help="Units per Dask task.")
@click.option("--since", default=None, metavar="RUN|previous",
              help="Also report what changed since that run (new findings, fixed ones, images that got bigger).")
@click.option("--top", type=click.IntRange(1, 10_000), default=25, show_default=True, help="Worst offenders shown.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the JSON report to a file (default: stdout).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Also write the report as one self-contained HTML page.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when it is a TTY).")
def command(fleet_file, repos, registries, includes, excludes, newest, images, deep, db, scheduler, workers,
            batch_size, since, top, output, html_file, progress) -> None:
    """Lint, check and audit a whole fleet: repositories (Dockerfiles, compose files, Kubernetes manifests),
    registries and image lists, from FLEET_FILE (YAML, see docs/fleet.md) and the flags.

    Results are stored by content (file bytes, manifest digest), slimguard version and settings: a re-run
    computes only what changed. The JSON report has totals (root, build tools, unknown users, reclaimable
    bytes), the worst offenders with their fixes, and the same per owner / namespace.
    """
    from slimguard.fleet import FleetError
    from slimguard.fleet.inputs import FleetSpec, RegistryInput, RepoInput, load_fleet_file
    from slimguard.fleet.progress import Progress
    from slimguard.fleet.report import build_report
    from slimguard.fleet.run import run_fleet
    from slimguard.fleet.store import open_store

    try:
        spec = load_fleet_file(fleet_file) if fleet_file else FleetSpec()
        flags = FleetSpec(tuple(RepoInput(p) for p in repos),
                          tuple(RegistryInput(r, tuple(includes), tuple(excludes), newest) for r in registries),
                          tuple(images), {"deep": True} if deep else {})
        spec = spec.merged(flags)
        if not (spec.repos or spec.registries or spec.images):
            click.echo("slimguard: error: nothing to do: give a fleet file, --repo, --registry or --image", err=True)
            sys.exit(2)
        with open_store(db) as store:
            bar = Progress(progress)
            try:
                outcome = run_fleet(spec, store, scheduler=scheduler, workers=workers or None,
                                    serial=workers == 0, batch_size=batch_size, progress=bar)
            except KeyboardInterrupt:  # pragma: no cover - run_fleet already keeps what finished
                sys.exit(130)
            since_id = None
            if since:
                since_id = store.previous_run(outcome.run_id) if since == "previous" else int(since)
                if since_id is None or store.run_info(since_id) is None:
                    raise FleetError(f"--since {since}: no such run in {store.url}")
            report = build_report(store, outcome.run_id, top=top, since=since_id)
            if html_file:
                from slimguard.fleet.html import render_html

                with open(html_file, "w", encoding="utf-8") as fh:
                    fh.write(render_html(report, store, outcome.run_id))
    except FleetError as exc:
        click.echo(f"slimguard: error: {exc}", err=True)
        sys.exit(2)
    except ValueError as exc:
        click.echo(f"slimguard: error: {exc}", err=True)
        sys.exit(2)
    for e in outcome.discovery_errors:
        click.echo(f"slimguard: warning: {e}", err=True)
    click.echo(f"fleet run {outcome.run_id}: {outcome.items} items, {outcome.units} units, "
               f"{len(outcome.computed)} computed, {outcome.reused} reused, {len(outcome.errors)} errors "
               f"({outcome.status}, {outcome.seconds:.1f}s)", err=True)
    text = json.dumps(report, indent=2, sort_keys=False) + "\n"
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    sys.exit(130 if outcome.status == "interrupted" else 0)

"""`slimguard fix`: apply the rules' fixes as minimal text edits."""

from __future__ import annotations

import difflib
import os
import sys

import click

from slimguard.cli._output import code_options, load_settings, parse_build_args, report_applied, write_fixed


def unified_diff(path: str, before: str, after: str) -> str:
    a = before.splitlines(keepends=True)
    b = after.splitlines(keepends=True)
    lines = list(difflib.unified_diff(a, b, fromfile=f"a/{path.lstrip('/')}", tofile=f"b/{path.lstrip('/')}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


@click.command("fix")
@click.argument("paths", nargs=-1, required=True, metavar="PATH ...")
@click.option("--write", is_flag=True, help="Apply the changes to the files.")
@click.option("--check", is_flag=True, help="Exit 1 when changes would be made; change nothing.")
@click.option("--unsafe", is_flag=True, help="Also apply fixes that change behaviour (slim base, ports, splits).")
@code_options()
@click.option("--target", help="Stage whose result ships (default: the last stage).")
@click.option("--build-arg", "build_args", multiple=True, metavar="KEY=VALUE")
@click.option("--uid", type=click.IntRange(1, 2**31 - 1), default=None, help="uid of a created user (default 10001).")
@click.option("--gid", type=click.IntRange(1, 2**31 - 1), default=None, help="gid of a created group (default 10001).")
@click.option("--engine", type=click.Choice(["auto", "never"]), default=None)
def command(paths, write, check, unsafe, select, ignore, target, build_args, uid, gid, engine) -> None:
    """Fix Dockerfiles: print a unified diff, or apply it with --write."""
    from slimguard.knowledge.facts import Resolver
    from slimguard.dockerfile.discover import discover
    from slimguard.core.fixes import FixError
    from slimguard.dockerfile.inputs import InputError, read_source
    from slimguard import api

    config = load_settings(select=select, ignore=ignore, engine=engine, uid=uid, gid=gid)
    args = parse_build_args(build_args)
    resolver = Resolver(config.engine)
    files: list[str] = []
    errors = 0
    for p in paths:
        if os.path.isdir(p):
            files.extend(discover(p))
        else:
            files.append(p)
    changed = 0
    for path in files:
        if path == "-" and write:
            click.echo("slimguard: error: --write needs a file, not stdin", err=True)
            errors += 1
            continue
        try:
            source = read_source(path)
        except InputError as exc:
            click.echo(f"slimguard: error: {exc}", err=True)
            errors += 1
            continue

        try:
            result = api.fix(source.text, path=source.display, unsafe=unsafe, config=config, target=target,
                             build_args=args, resolver=resolver)
        except FixError as exc:
            click.echo(f"slimguard: error: {exc}", err=True)
            errors += 1
            continue
        if result.text == source.text:
            continue
        changed += 1
        rules = sorted({f.rule for f in result.applied})
        if check:
            click.echo(f"{source.display}: would fix {', '.join(rules)}")
        elif write:
            if not write_fixed(path, source.display, result.text, rules):
                errors += 1
                continue
        else:
            sys.stdout.write(unified_diff(source.display, source.text, result.text))
        report_applied(result.applied)
    if errors:
        sys.exit(2)
    if check and changed:
        sys.exit(1)

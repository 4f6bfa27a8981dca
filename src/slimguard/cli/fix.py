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
@click.option("--verify", "verify_fixes", is_flag=True,
              help="With --write: build and run each file before and after on the local engine and write only "
              "the fixes proven there; each dropped fix is printed with its reason (as `slimguard verify --write`). "
              "Exit 1 when a fix was dropped.")
def command(paths, write, check, unsafe, select, ignore, target, build_args, uid, gid, engine,
            verify_fixes) -> None:
    """Fix Dockerfiles: print a unified diff, or apply it with --write."""
    from slimguard.knowledge.facts import Resolver
    from slimguard.dockerfile.discover import discover
    from slimguard.core.fixes import FixError
    from slimguard.dockerfile.inputs import InputError, read_source
    from slimguard import api

    if verify_fixes and (check or not write):
        click.echo("slimguard: error: --verify needs --write (and not --check); `slimguard verify PATH` only "
                   "reports", err=True)
        sys.exit(2)
    config = load_settings(select=select, ignore=ignore, engine=engine, uid=uid, gid=gid)
    args = parse_build_args(build_args)
    verifier = _Verifier(unsafe, target, args) if verify_fixes else None
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
        if verifier is not None:
            rc = verifier.run(path, source, config, resolver)
            changed += rc != 2
            errors += rc == 2
            verifier.worst = max(verifier.worst, rc)
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
    if verifier is not None and verifier.worst:
        sys.exit(verifier.worst)


class _Verifier:
    """`--write --verify`: hand each file with changes to `slimguard verify --write`."""

    def __init__(self, unsafe: bool, target: str | None, build_args: dict[str, str]) -> None:
        self.unsafe, self.target, self.build_args = unsafe, target, build_args
        self.client = None
        self.worst = 0

    def run(self, path: str, source, config, resolver) -> int:  # noqa: ANN001
        from slimguard.cli.verify import Job, docker_client, run_job, verify_options
        from slimguard.core.fixes import FixError
        from slimguard.dockerfile.context import LintOptions
        from slimguard.verify import plan_fix

        options = LintOptions(target=self.target, build_args=self.build_args, uid=config.uid, gid=config.gid)
        try:
            plan = plan_fix(source.text, source.display, config, options, resolver, self.unsafe)
        except FixError as exc:
            click.echo(f"slimguard: error: {exc}", err=True)
            return 2
        if self.client is None:
            self.client = docker_client()
        vopts = verify_options(context=os.path.dirname(os.path.abspath(path)), target=self.target,
                               build_args=self.build_args, unsafe=self.unsafe, write=True)
        return run_job(self.client, Job(path, source, vopts, plan=plan, write=True))

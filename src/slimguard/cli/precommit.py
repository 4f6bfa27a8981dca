"""The `slimguard-check` pre-commit hook: ``python -m slimguard.cli.precommit check [OPTIONS] FILE...``.

pre-commit hands a hook every staged YAML file; `slimguard check` rejects one that is neither a compose
file nor a Kubernetes manifest (exit 2). This entry keeps only the files `slimguard check DIR` would find
in a directory walk (a compose file name, or top-level ``apiVersion`` and ``kind`` without template
syntax), drops the rest, and runs `slimguard check` with the options and those files; with none left it
passes. pre-commit puts the file names after the hook's ``args``, so the trailing existing files are the
names (an option's value is never taken for one). See `.pre-commit-hooks.yaml`.
"""

from __future__ import annotations

import os
import sys


def _value_options(command) -> set[str]:
    """The option spellings of *command* that take a value (``--kind compose``, ``-t warning``)."""
    out: set[str] = set()
    for p in command.params:
        if getattr(p, "param_type_name", "") == "option" and not getattr(p, "is_flag", False):
            out.update(p.opts)
            out.update(p.secondary_opts)
    return out


def split_files(args: list[str], value_options: set[str]) -> tuple[list[str], list[str]]:
    """(options, file names): the file names are the trailing arguments that are existing files."""
    i = len(args)
    while i > 0:
        a = args[i - 1]
        if a.startswith("-") or not os.path.isfile(a) or (i >= 2 and args[i - 2] in value_options):
            break
        i -= 1
    return args[:i], args[i:]


def wanted(path: str) -> bool:
    from slimguard.runtime.compose import is_compose_name
    from slimguard.runtime.discover import looks_like_manifest

    name = os.path.basename(path)
    return is_compose_name(name) or (name.endswith((".yaml", ".yml")) and looks_like_manifest(path))


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "check":
        sys.stderr.write("usage: python -m slimguard.cli.precommit check [OPTIONS] FILE...\n")
        raise SystemExit(2)
    from slimguard.cli.check import command

    options, files = split_files(args[1:], _value_options(command))
    kept = [f for f in files if wanted(f)]
    if files and not kept:
        raise SystemExit(0)  # only other YAML files were staged: nothing to check
    command.main(args=[*options, *kept], prog_name="slimguard check")


if __name__ == "__main__":  # pragma: no cover
    main()

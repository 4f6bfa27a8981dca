"""Lint one Dockerfile: parse, build the model, run the Dockerfile rules through the core engine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from slimguard.core.config import Config
from slimguard.core.engine import run_rules, select_rules
from slimguard.core.findings import Finding
from slimguard.dockerfile.context import LintContext, LintOptions
from slimguard.dockerfile.pragmas import parse_pragmas
from slimguard.dockerfile.rules import all_rules
from slimguard.knowledge.facts import Resolver


@dataclass(frozen=True)
class FileResult:
    """The findings of one file, or the errors (one line each: path:line:col: message) that stopped it."""

    path: str
    findings: tuple[Finding, ...] = ()
    errors: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # path:line:col: note: ... (e.g. a value too large to expand, treated as unknown)


def lint_text(text: str, path: str, config: Config | None = None, options: LintOptions | None = None,
              resolver: Resolver | None = None) -> FileResult:
    """Lint Dockerfile *text* (shown as *path*) with *config* and *options*."""
    from slimguard.dockerfile.model import build_model
    from slimguard.dockerfile.syntax import parse

    config = config or Config()
    options = options or LintOptions.from_config(config)
    resolver = resolver or Resolver(config.engine)
    tree = parse(text)
    if tree.errors:
        return FileResult(path, errors=tuple(f"{path}:{e.line}:{e.column}: {e.message}" for e in tree.errors))

    def base_user(image: object) -> str | None:
        facts = resolver.resolve(image)
        return None if facts is None else facts.default_user

    model = build_model(tree, options.build_args, base_user=base_user)
    if options.target and model.stage(options.target) is None:
        names = ", ".join(s.label for s in model.stages)
        return FileResult(path, errors=(f"{path}: no stage named {options.target!r} (stages: {names})",))
    ctx = LintContext(path, tree, model, options, resolver)
    result = run_rules(all_rules(), ctx, path=path, select=config.select, ignore=config.ignore,
                       severity=config.severity, everything=config.hadolint_mode,
                       pragmas=None if config.disable_ignore_pragma else parse_pragmas(tree))
    return FileResult(path, result.findings, result.errors, tuple(f"{path}:{n}" for n in model.notes))


def prepare(texts: Iterable[str], config: Config | None = None) -> None:
    """Before linting many files one by one: let the selected rules that batch work across files (SG090
    runs ShellCheck on every file's RUN scripts in a few parallel processes) do it now, for all *texts*.
    Linting gives the same findings with or without this; it only saves time."""
    from slimguard.dockerfile.syntax import parse

    config = config or Config()
    rules = [r for r in select_rules(all_rules(), config.select, everything=config.hadolint_mode)
             if hasattr(r, "prepare") and not set(r.codes) & set(config.ignore)]
    if not rules:
        return
    trees = [t for t in (parse(text) for text in texts) if not t.errors]
    for rule in rules:
        rule.prepare(trees)

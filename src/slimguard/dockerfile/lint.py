"""Lint one Dockerfile: parse, build the model, run the Dockerfile rules through the core engine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from slimguard.core.config import Config
from slimguard.core.engine import run_rules, select_rules
from slimguard.core.findings import Finding
from slimguard.dockerfile.checks import (EXPERIMENTAL_CHECKS, buildkit_names, experimental_findings,
                                         raise_to_error, read_check_config)
from slimguard.dockerfile.context import LintContext, LintOptions
from slimguard.dockerfile.analysis.purpose import POLICY_CONCERNS

ONBUILD_REFUSED = "isn't allowed as an ONBUILD trigger"
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
    # a trigger Docker refuses (ONBUILD ONBUILD/FROM/MAINTAINER) is rule SG056's error finding, as hadolint's
    # DL3043; every other parse error stops the file
    fatal = [e for e in tree.errors if not e.message.endswith(ONBUILD_REFUSED)]
    if fatal:
        return FileResult(path, errors=tuple(f"{path}:{e.line}:{e.column}: {e.message}" for e in fatal))

    def base_user(image: object) -> str | None:
        facts = resolver.resolve(image)
        return None if facts is None else facts.default_user

    model = build_model(tree, options.build_args, base_user=base_user)
    if options.target and model.stage(options.target) is None:
        names = ", ".join(s.label for s in model.stages)
        return FileResult(path, errors=(f"{path}: no stage named {options.target!r} (stages: {names})",))
    ctx = LintContext(path, tree, model, options, resolver)
    # BuildKit's check configuration (# check= directive, BUILDKIT_DOCKERFILE_CHECK): see dockerfile/checks.py
    checks = read_check_config(tree, options.build_args)
    pragmas = None
    if not config.disable_ignore_pragma:
        pragmas = parse_pragmas(tree)
        checks.skip_pragmas(pragmas)
    result = run_rules(all_rules(), ctx, path=path, select=config.select, ignore=config.ignore,
                       severity=config.severity, everything=config.hadolint_mode, pragmas=pragmas)
    findings, errors = list(result.findings), list(result.errors)
    if not config.select:  # experimental=...: the experimental check runs although it is not in the default set
        for rule in all_rules():
            names = buildkit_names(rule) & EXPERIMENTAL_CHECKS
            if rule.default or not names or not any(checks.enables(n) for n in names):
                continue
            extra = run_rules((rule,), ctx, path=path, select={rule.id}, ignore=config.ignore,
                              severity=config.severity, pragmas=pragmas)
            for name in names:
                findings.extend(experimental_findings(extra.findings, checks, name))
            errors.extend(extra.errors)
            findings.sort(key=Finding.sort_key)
    if not config.hadolint_mode:
        findings = _by_purpose(findings, ctx, config)
    if checks.error:
        findings = raise_to_error(findings, all_rules(), config.severity)
    notes = [f"{path}:{n}" for n in model.notes]
    notes += [f"{path}: note: facts about {ref} come from the local engine (the knowledge base does not know it), "
              "so this file's findings can differ on another machine" for ref in sorted(ctx.engine_facts)]
    return FileResult(path, tuple(findings), tuple(errors), tuple(notes))


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


def _by_purpose(findings: list[Finding], ctx: LintContext, config: Config) -> list[Finding]:
    """Findings whose weight depends on what the image is for, as information in files that are not an
    application or service image (generated recipes, dev containers, test, builder and base-image recipes,
    tool and job images: see analysis/purpose.py). A severity the user set for a rule wins."""
    import dataclasses

    from slimguard.core.findings import Severity
    from slimguard.dockerfile.analysis.purpose import file_purpose

    if not any(f.concern in POLICY_CONCERNS | {"syntax", "latest-tag"} and f.severity > Severity.INFO
               for f in findings):
        return findings
    purpose = file_purpose(ctx.path, ctx.tree, ctx.target)
    shipped = _shipped_lines(ctx)
    by_id = {r.id: r for r in all_rules()}
    out = []
    for f in findings:
        rule = by_id.get(f.rule)
        pinned = any(c in config.severity for c in (*(rule.codes if rule else ()), *f.aliases))
        if f.severity > Severity.INFO and not pinned:
            # syntax findings only as warnings: an error (a build that fails) stays an error
            if f.concern in purpose.demotes and (f.concern != "syntax" or f.severity == Severity.WARNING):
                f = dataclasses.replace(f, severity=Severity.INFO,
                                        message=f"{f.message} (information only: {purpose.reason})")
            elif f.concern == "latest-tag" and "$" in _line_text(ctx, f.line):
                f = dataclasses.replace(f, severity=Severity.INFO, message=(
                    f"{f.message} (information only: the image comes from a build argument, whose default "
                    "this is; the builds that pass --build-arg pick their own)"))
            elif f.concern in ("pkg-hygiene", "fat-base") and shipped is not None and f.line not in shipped:
                f = dataclasses.replace(f, severity=Severity.INFO, message=(
                    f"{f.message} (information only: this stage does not ship; only what COPY --from takes "
                    "reaches the image, so caches and lists here cost build time, not image size)"))
        out.append(f)
    return sorted(out, key=Finding.sort_key)


def _line_text(ctx: LintContext, line: int) -> str:
    ins = next((i for i in ctx.tree.instructions if i.start_line <= line <= i.end_line), None)
    return ins.rest if ins is not None else ""


def _shipped_lines(ctx: LintContext) -> set[int] | None:
    """The lines of the stages the target is built FROM (its chain), or None when that is unknown."""
    target = ctx.target
    if target is None:
        return None
    lines: set[int] = set()
    for stage in target.chain():
        for step in stage.steps:
            ins = step.instruction
            lines.update(range(ins.start_line, ins.end_line + 1))
        lines.update(range(stage.from_instruction.start_line, stage.from_instruction.end_line + 1))
    return lines

"""Run the rules over one Dockerfile and apply configuration and pragmas."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Iterable, TypeVar

from slimguard.knowledge.facts import Resolver
from slimguard.core.config import Config
from slimguard.core.findings import Finding
from slimguard.dockerfile.rules import LintContext, LintOptions, Rule, all_rules
from slimguard.dockerfile.pragmas import parse_pragmas


R = TypeVar("R")


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each: path:line:col: message


def rule_matches(codes: set[str], rule: Any) -> bool:
    """Whether a rule (Dockerfile or run-time) is named by id, alias or concern in *codes*."""
    return bool(codes & {rule.id, *rule.aliases, rule.concern.upper()})


def finding_matches(codes: set[str], finding: Finding) -> bool:
    return bool(codes & {finding.rule, *finding.aliases, finding.concern.upper()})


def select(rules: Iterable[R], config: Config) -> list[R]:
    """The rules --select (or the config's select) keeps; all of them when nothing is selected."""
    return [r for r in rules if not config.select or rule_matches(config.select, r)]


def selected_rules(config: Config) -> list[Rule]:
    return select(all_rules(), config)


def _severity_for(config: Config, f: Finding):
    for code in (f.rule, *f.aliases, f.concern.upper()):
        if code in config.severity:
            return config.severity[code]
    return f.severity


def lint_text(text: str, path: str, config: Config | None = None, options: LintOptions | None = None,
              resolver: Resolver | None = None) -> FileResult:
    from slimguard.dockerfile.model import build_model
    from slimguard.dockerfile.syntax import parse

    config = config or Config()
    options = options or LintOptions(hadolint_compat=config.hadolint_compat,
                                     trusted_registries=tuple(config.trusted_registries),
                                     uid=config.uid, gid=config.gid)
    resolver = resolver or Resolver(config.engine)
    result = FileResult(path)
    tree = parse(text)
    if tree.errors:
        result.errors = [f"{path}:{e.line}:{e.column}: {e.message}" for e in tree.errors]
        return result

    def base_user(image: object) -> str | None:
        facts = resolver.resolve(image)
        return None if facts is None else facts.default_user

    model = build_model(tree, options.build_args, base_user=base_user)
    if options.target and model.stage(options.target) is None:
        names = ", ".join(s.label for s in model.stages)
        result.errors = [f"{path}: no stage named {options.target!r} (stages: {names})"]
        return result
    ctx = LintContext(path, tree, model, options, resolver)
    findings: list[Finding] = []
    for rule in selected_rules(config):
        findings.extend(rule.check(ctx))
    pragmas = None if config.disable_ignore_pragma else parse_pragmas(tree)
    kept: list[Finding] = []
    seen: set[tuple] = set()
    for f in findings:
        if config.ignore and finding_matches(config.ignore, f):
            continue
        if pragmas is not None and pragmas.ignored(f.line, f.codes + (f.concern.upper(),)):
            continue
        sev = _severity_for(config, f)
        if sev != f.severity:
            f = dataclasses.replace(f, severity=sev)
        key = (f.rule, f.line, f.column, f.message)
        if key in seen:
            continue
        seen.add(key)
        kept.append(f)
    kept.sort(key=Finding.sort_key)
    result.findings = kept
    return result

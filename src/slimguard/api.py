"""The library API under the command line: lint, fix, check and audit, each returning frozen results.

A ``str`` argument is the input itself (Dockerfile text, YAML, a ``docker run`` line); an
:class:`os.PathLike` (e.g. :class:`pathlib.Path`) is read from disk. Settings come from a
:class:`~slimguard.core.config.Config` (``load_config()`` reads the config files, as the CLI does).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from slimguard.core.config import Config
from slimguard.core.fixes import FixError, FixResult

if TYPE_CHECKING:
    from slimguard.dockerfile.lint import FileResult
    from slimguard.image.analyze import AuditResult
    from slimguard.knowledge.facts import Resolver
    from slimguard.runtime.engine import FileResult as CheckResult

Input = str | os.PathLike[str]


def _read(source: Input, path: str | None) -> tuple[str, str]:
    """(text, display path) of *source*; a path is read with the CLI's one-line errors (InputError)."""
    if isinstance(source, str):
        return source, path or "<string>"
    from slimguard.dockerfile.inputs import read_source

    src = read_source(os.fspath(source))
    return src.text, path or src.display


def lint(source: Input, *, path: str | None = None, config: Config | None = None, target: str | None = None,
         build_args: Mapping[str, str] | None = None, resolver: "Resolver | None" = None) -> "FileResult":
    """Lint a Dockerfile: its findings, or the parse errors that stopped it."""
    from slimguard.dockerfile.context import LintOptions
    from slimguard.dockerfile.lint import lint_text

    config = config or Config()
    text, display = _read(source, path)
    options = LintOptions.from_config(config, target=target, build_args=build_args)
    return lint_text(text, display, config, options, resolver)


def fix(source: Input, *, path: str | None = None, unsafe: bool = False, config: Config | None = None,
        target: str | None = None, build_args: Mapping[str, str] | None = None,
        resolver: "Resolver | None" = None) -> FixResult:
    """Fix a Dockerfile (safe fixes; unsafe ones too with *unsafe*); raises FixError on bad input."""
    from slimguard.dockerfile.context import LintOptions
    from slimguard.dockerfile.fix import fix_dockerfile
    from slimguard.dockerfile.lint import lint_text
    from slimguard.knowledge.facts import Resolver

    config = config or Config()
    text, display = _read(source, path)
    options = LintOptions(target=target, build_args=dict(build_args or {}), uid=config.uid, gid=config.gid)
    resolver = resolver or Resolver(config.engine)

    def find(current: str) -> list:
        res = lint_text(current, display, config, options, resolver)
        if res.errors:
            raise FixError(res.errors[0])
        return list(res.findings)

    return fix_dockerfile(text, find, unsafe=unsafe)


def check(source: Input, *, path: str | None = None, kind: str | None = None,
          config: Config | None = None) -> "CheckResult":
    """Check a compose file, Kubernetes manifests or (``kind="docker-run"``) a docker run command line."""
    from slimguard.runtime.engine import check_text

    config = config or Config()
    text, display = _read(source, path)
    project_dir = None if isinstance(source, str) else os.path.dirname(os.path.abspath(os.fspath(source)))
    return check_text(text, display, kind, config, project_dir=project_dir)


def audit(image: str, *, config: Config | None = None, deep: bool = False, platform: str | None = None,
          use_dive: bool = True, top: int = 10, **options: object) -> "AuditResult":
    """Audit a built image (engine name, ``docker-archive:``, ``oci:`` or ``registry:``; never pulls).

    The rule engine selects, ignores and re-levels the findings by *config*; they come sorted most
    severe first; *options* go to :func:`slimguard.image.audit` (limits, meter, engine).
    """
    from slimguard.image import audit as run_audit

    config = config or Config()
    result = run_audit(image, deep=deep, platform=platform, use_dive=use_dive, top=top, config=config,
                       engine=str(options.pop("engine", config.engine)), **options)  # type: ignore[arg-type]
    ordered = sorted(result.findings, key=lambda f: (-int(f.severity), f.rule))
    return dataclasses.replace(result, findings=tuple(ordered))


__all__ = ["FixError", "FixResult", "audit", "check", "fix", "lint"]

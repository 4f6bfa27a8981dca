"""Fix run-time inputs with the core fix loop: YAML is re-composed (a docker run re-parsed) every round.

Edits land at YAML node boundaries or docker run words; a fix must make its own finding disappear, so
fixing twice changes nothing.
"""

from __future__ import annotations

from typing import Callable

from slimguard.core.findings import Finding
from slimguard.core.fixes import FixError, FixResult, fix_text as _fix_text

__all__ = ["FixError", "FixResult", "fix_text", "validate_docker_run", "validate_yaml"]


def validate_docker_run(new: str, old: str) -> None:
    from slimguard.runtime.dockerrun import RunError, parse

    try:
        parse(new)
    except RunError as exc:
        raise FixError(f"a fix produced an invalid command: {exc}") from None


def validate_yaml(new: str, old: str) -> None:
    """Refuse a round that turns valid YAML into invalid YAML."""
    from slimguard.runtime.yamlnodes import YamlError, compose_all

    try:
        compose_all(new)
    except YamlError as exc:
        try:
            compose_all(old)
        except YamlError:
            return
        raise FixError(f"a fix produced invalid YAML at line {exc.line}: {exc.message}") from None


def fix_text(text: str, check: Callable[[str], list[Finding]], unsafe: bool = False, kind: str = "yaml") -> FixResult:
    """Apply the fixes *check* offers to *text* until stable (*kind* docker-run re-parses the command)."""
    validate = validate_docker_run if kind == "docker-run" else validate_yaml
    return _fix_text(text, check, unsafe=unsafe, validate=validate)

"""Load an input (compose file, Kubernetes manifests, docker run), run the rules, apply config and pragmas."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from slimguard.core.config import Config
from slimguard.core.engine import Pragmas, RunResult, run_rules
from slimguard.core.findings import Finding
from slimguard.runtime import compose, kubernetes
from slimguard.runtime.hostfs import HostFS
from slimguard.runtime.images import ImageResolver
from slimguard.runtime.model import Document
from slimguard.runtime.rules import CheckContext, CheckOptions, all_rules
from slimguard.runtime.yamlnodes import YamlError, compose_all

KINDS = ("compose", "kubernetes", "docker-run")


class LoadError(Exception):
    """Bad input: one line naming the path (and line:col when known)."""


@dataclass(frozen=True)
class FileResult:
    """The findings of one run-time input, or the errors (one line each) that stopped it."""

    path: str
    kind: str | None = None
    findings: tuple[Finding, ...] = ()
    errors: tuple[str, ...] = ()
    document: Document | None = None


def detect_kind(path: str, roots: list) -> str | None:
    """compose for compose file names or a top-level ``services:``; kubernetes for apiVersion+kind."""
    name = os.path.basename(path)
    if compose.is_compose_name(name):
        return "compose"
    if any(kubernetes.is_manifest(r) for r in roots):
        return "kubernetes"
    if any(compose.looks_like_compose(r) for r in roots):
        return "compose"
    return None


def load(text: str, path: str, kind: str | None = None, env: dict[str, str] | None = None,
         project_dir: str | None = None) -> Document:
    if kind == "docker-run":
        from slimguard.runtime.dockerrun import RunError, parse

        try:
            return parse(text, path)
        except RunError as exc:
            raise LoadError(f"{path}: {exc}") from None
    try:
        roots = compose_all(text)
    except YamlError as exc:
        where = f"{path}:{exc.line}:{exc.column}" if exc.line else path
        tmpl = _template_line(text)
        if tmpl and not exc.message.startswith("duplicate key"):
            raise LoadError(f"{path}:{tmpl}:1: a Helm/Go template ({{{{ ... }}}}), not YAML slimguard can check; "
                            "render it first (helm template ... | slimguard check -)") from None
        raise LoadError(f"{where}: {exc.message}") from None
    expr = _template_expression(roots)
    if expr:
        raise LoadError(f"{path}:{expr}: a Helm/Go template expression ({{{{ ... }}}}) where a value should be; "
                        "render the template first (helm template ... | slimguard check -)")
    kind = kind or detect_kind(path, roots)
    if kind is None:
        raise LoadError(f"{path}: neither a compose file (services:) nor a Kubernetes manifest (apiVersion, kind)")
    if kind == "compose":
        return compose.parse(path, text, roots, env=env, project_dir=project_dir)
    return kubernetes.parse(path, text, roots)


_TEMPLATE = re.compile(r"\{\{-?\s*[.$a-zA-Z(/]")


def _template_line(text: str) -> int:
    """The first line (1-based) holding a Go template action outside a comment, else 0."""
    for no, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        if stripped.startswith("#"):
            continue
        if _TEMPLATE.search(line):
            return no
    return 0


def _template_expression(roots: list) -> str:
    """``line:col`` of an unquoted ``{{ .Values.x }}``: YAML reads it as a flow mapping whose key is a
    flow mapping, which no compose file or manifest has; "" when there is none."""
    from slimguard.runtime.yamlnodes import MappingNode, walk

    for root in roots:
        if root is None:
            continue
        for n in walk(root):
            if isinstance(n, MappingNode) and n.flow_style:
                for k, _v in n.value:
                    if isinstance(k, MappingNode):
                        mark = n.start_mark
                        return f"{mark.line + 1}:{mark.column + 1}"
    return ""


# -- pragmas ----------------------------------------------------------------------------------

_PRAGMA = re.compile(r"#\s*slimguard:?\s+(?:(?P<scope>global)\s+)?ignore\s*=\s*(?P<codes>[A-Za-z0-9_,\s-]+)",
                     re.IGNORECASE)


def parse_pragmas(text: str) -> Pragmas:
    """``# slimguard: ignore=SGR004,root-user`` ends a line (that line) or stands alone (the next line
    with content); ``# slimguard: global ignore=...`` covers the file."""
    p = Pragmas()
    pending: set[str] = set()
    lines: dict[int, set[str]] = {}
    for no, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        m = _PRAGMA.search(line)
        if m and "#" in line:
            p.count += 1
            codes = {c.strip().upper() for c in m.group("codes").split(",") if c.strip()}
            if m.group("scope"):
                p.global_codes |= codes
                continue
            if stripped.startswith("#"):
                pending |= codes
                continue
            lines.setdefault(no, set()).update(codes)
        if not stripped or stripped.startswith("#"):
            continue
        if pending:
            lines.setdefault(no, set()).update(pending)
            pending = set()
    p.ranges = [(no, no, codes) for no, codes in sorted(lines.items())]
    return p


def check_document(doc: Document, config: Config | None = None, options: CheckOptions | None = None,
                   images: ImageResolver | None = None, host: HostFS | None = None) -> RunResult:
    """Run the run-time rules that apply to *doc* (its kind is the origin they must list)."""
    config = config or Config()
    options = options or CheckOptions(uid=config.uid, gid=config.gid)
    if images is None:
        from slimguard.knowledge.facts import Resolver

        images = ImageResolver(Resolver(config.engine))
    ctx = CheckContext(doc, options, images, host or HostFS())
    pragmas = None if config.disable_ignore_pragma or doc.kind == "docker-run" else parse_pragmas(doc.text)
    return run_rules(all_rules(), ctx, path=doc.path, select=config.select, ignore=config.ignore,
                     severity=config.severity, pragmas=pragmas, origin=doc.kind)


def check_text(text: str, path: str, kind: str | None = None, config: Config | None = None,
               options: CheckOptions | None = None, images: ImageResolver | None = None,
               host: HostFS | None = None, env: dict[str, str] | None = None,
               project_dir: str | None = None) -> FileResult:
    """Load *text* (shown as *path*) and check it; a load error is the result's only error."""
    try:
        doc = load(text, path, kind, env=env, project_dir=project_dir)
    except LoadError as exc:
        return FileResult(path, kind, errors=(str(exc),))
    except RecursionError:  # aliases or merge keys nested beyond what can be followed
        return FileResult(path, kind, errors=(f"{path}: nested too deep to check",))
    try:
        run = check_document(doc, config, options, images, host)
    except RecursionError:
        return FileResult(path, doc.kind, errors=(f"{path}: nested too deep to check",), document=doc)
    skipped = tuple(f"{path}:{p}" for p in doc.problems)
    return FileResult(path, doc.kind, run.findings, run.errors + skipped, doc)

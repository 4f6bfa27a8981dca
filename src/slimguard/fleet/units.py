"""Work units: the single-item checks (``api.lint``, ``api.check``, ``api.audit``) as pure functions.

A :class:`Unit` is everything one check needs (the file's text, or the image reference pinned by digest,
plus the settings), frozen and picklable, so a Dask worker anywhere can run it. :func:`run_unit` returns a
frozen :class:`UnitResult` whose fields are JSON values (``to_dict``/``from_dict`` round-trip exactly):
the findings, and the facts the fleet report adds up (root, build tools, unknown user, bytes).

The result depends only on the unit: the engine is never asked (``engine="never"``: a worker's local
Docker images must not change a content-keyed result), and compose files are checked without a project
directory (no host-filesystem lookups).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("dockerfile", "check", "image")
# SGA008 categories that count as "ships build tools" (downloaders, package managers and shells do not)
TOOL_CATEGORIES = frozenset({"compiler", "build-tool", "dev-headers", "scm"})
_REQUESTS = re.compile(r"^registry requests: (\d+)$")


class VersionMismatch(RuntimeError):
    """A worker runs another slimguard version than the one that made the unit."""


@dataclass(frozen=True)
class Settings:
    """What changes a result besides the input: hashed into every key."""

    deep: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()  # (code, level)
    uid: int | None = None
    gid: int | None = None
    hadolint_compat: bool = False
    trusted_registries: tuple[str, ...] = ()
    platform: str | None = None

    def config(self) -> Any:
        from slimguard.core.config import Config
        from slimguard.core.findings import Severity

        kw: dict[str, Any] = {"select": frozenset(self.select), "ignore": frozenset(self.ignore),
                              "severity": {k: Severity.parse(v) for k, v in self.severity},
                              "hadolint_compat": self.hadolint_compat,
                              "trusted_registries": tuple(self.trusted_registries), "engine": "never"}
        if self.uid is not None:
            kw["uid"] = self.uid
        if self.gid is not None:
            kw["gid"] = self.gid
        return Config(**kw)

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


def unit_key(kind: str, content_id: str, settings: Settings, version: str) -> str:
    """The store key: what is checked (content hash or manifest digest), how, and by which slimguard."""
    h = hashlib.sha256(f"{kind}\0{content_id}\0{settings.digest()}\0{version}".encode()).hexdigest()
    return f"{kind}:{h[:40]}"


@dataclass(frozen=True)
class Item:
    """One thing in the fleet: a file in a repository or an image tag. Many items may share a unit."""

    id: str  # display: repo-relative path (with the repository), or registry:host/repo:tag
    kind: str  # dockerfile, check, image
    owner: str  # repository owner or registry namespace
    content_id: str  # sha256 of the file bytes, or the manifest digest
    source: str = ""  # repository or registry it came from
    text: str | None = None  # the file's text (files only)
    ref: str | None = None  # registry:host/repo@digest (images only)


@dataclass(frozen=True)
class Unit:
    key: str
    kind: str
    subject: str  # the display path / reference the check is run with
    settings: Settings
    version: str
    text: str | None = None
    ref: str | None = None


def make_unit(item: Item, settings: Settings, version: str) -> Unit:
    return Unit(unit_key(item.kind, item.content_id, settings, version), item.kind,
                item.ref if item.kind == "image" else item.id, settings, version, text=item.text, ref=item.ref)


@dataclass(frozen=True)
class UnitResult:
    """One unit's outcome; ``error`` set means the check itself raised (not cached, retried next run)."""

    key: str
    kind: str
    subject: str
    version: str
    findings: tuple[dict, ...] = ()
    errors: tuple[str, ...] = ()  # what the check reported (parse errors, audit errors)
    error: str | None = None  # the unit raised
    root: bool = False
    build_tools: bool = False
    unknown_user: bool = False
    saving_bytes: int = 0  # from slim variants (fat-base findings that carry saving_bytes)
    hidden_bytes: int = 0  # bytes hidden by later layers (deep image audits)
    size_bytes: int | None = None  # images: compressed layer bytes
    requests: int = 0  # registry requests the unit made
    seconds: float = field(default=0.0, compare=False)  # wall time in the worker
    cpu_seconds: float = field(default=0.0, compare=False)  # CPU time of the worker process and children

    def to_dict(self) -> dict:
        d = asdict(self)
        d["findings"] = list(self.findings)
        d["errors"] = list(self.errors)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "UnitResult":
        d = dict(d)
        d["findings"] = tuple(d.get("findings") or ())
        d["errors"] = tuple(d.get("errors") or ())
        return cls(**d)


def _finding_rows(findings: Any, sources: dict[str, str]) -> tuple[dict, ...]:
    from slimguard.core.fingerprint import fingerprints

    findings = list(findings)
    fps = fingerprints(findings, sources)
    rows = []
    for f, fp in zip(findings, fps):
        d = f.to_dict()
        d.pop("file", None)  # the item's own id is the file: one stored result serves every copy
        d["fingerprint"] = fp.value()
        rows.append(json.loads(json.dumps(d, default=str)))  # plain JSON values only
    return tuple(rows)


def facts(findings: tuple[dict, ...]) -> dict[str, Any]:
    """root / build tools / unknown user / slim-variant saving, from the findings' concerns and details."""
    root = any(f["concern"] == "root-user" for f in findings)
    unknown = any(f["concern"] == "unknown-user" for f in findings)
    tools = any(f["concern"] == "build-tools" and (f.get("details") or {}).get("category", "compiler")
                in TOOL_CATEGORIES for f in findings)
    saving = sum(int((f.get("details") or {}).get("saving_bytes") or 0) for f in findings
                 if f["concern"] == "fat-base")
    return {"root": root, "unknown_user": unknown, "build_tools": tools, "saving_bytes": saving}


def run_unit(unit: Unit) -> UnitResult:
    """Run one unit. Never raises: an exception becomes the result's ``error``."""
    from slimguard import __version__

    start, cpu = time.perf_counter(), _cpu()
    try:
        if unit.version != __version__:
            raise VersionMismatch(f"this worker runs slimguard {__version__}, the unit was made by {unit.version}: "
                                  "refusing")
        result = _run(unit)
    except Exception as exc:  # noqa: BLE001 - one unit's failure is that unit's error, the run goes on
        return UnitResult(unit.key, unit.kind, unit.subject, unit.version,
                          error=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - start,
                          cpu_seconds=_cpu() - cpu)
    return UnitResult(**{**result, "seconds": time.perf_counter() - start, "cpu_seconds": _cpu() - cpu})


def _cpu() -> float:
    """CPU seconds of this process and its reaped children (ShellCheck, the forked layer scanner)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _run(unit: Unit) -> dict[str, Any]:
    from slimguard import api

    config = unit.settings.config()
    base = {"key": unit.key, "kind": unit.kind, "subject": unit.subject, "version": unit.version}
    if unit.kind == "dockerfile":
        r = api.lint(unit.text or "", path=unit.subject, config=config)
        rows = _finding_rows(r.findings, {unit.subject: unit.text or ""})
        return {**base, "findings": rows, "errors": tuple(r.errors), **facts(rows)}
    if unit.kind == "check":
        r = api.check(unit.text or "", path=unit.subject, config=config)
        rows = _finding_rows(r.findings, {unit.subject: unit.text or ""})
        return {**base, "findings": rows, "errors": tuple(r.errors), **facts(rows)}
    if unit.kind == "image":
        # an AuditError (unreachable, corrupt) raises: the unit's error, not cached, retried next run
        a = api.audit(unit.ref or unit.subject, config=config, deep=unit.settings.deep,
                      platform=unit.settings.platform, use_dive=False, top=5, engine="never")
        rows = _finding_rows(a.findings, {})
        size = a.summary.get("size") or {}
        requests = 0
        for note in a.notes:
            m = _REQUESTS.match(note)
            if m:
                requests = int(m.group(1))
        return {**base, "findings": rows, "errors": tuple(a.errors), **facts(rows),
                "hidden_bytes": int(size.get("hidden_bytes") or 0), "size_bytes": size.get("compressed_bytes"),
                "requests": requests}
    raise ValueError(f"unknown unit kind {unit.kind!r}")


def run_batch(units: list[Unit]) -> list[UnitResult]:
    """Several units in one task (fewer scheduler round trips for cheap units)."""
    return [run_unit(u) for u in units]


def worker_version() -> str:
    """What a worker answers when the driver asks which slimguard it runs."""
    from slimguard import __version__

    return __version__

"""From a :class:`~.inputs.FleetSpec` to :class:`~.units.Item` s.

Files are found the way ``lint`` (Dockerfiles) and ``check`` (compose files, Kubernetes manifests) find
them, read once here and keyed by the sha256 of their bytes. Registries are enumerated with the
distribution API (``/v2/_catalog``, ``/v2/<name>/tags/list``, both paginated), filtered by the include /
exclude patterns and the newest-N limit, and every tag is resolved to its manifest digest (one GET of the
manifest each): the digest is the unit's key, and the audit reads ``@digest``, so a tag moved during the
run cannot mix two images.
"""

from __future__ import annotations

import configparser
import fnmatch
import hashlib
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Iterator

from slimguard.fleet import FleetError
from slimguard.fleet.inputs import FleetSpec, RegistryInput, RepoInput
from slimguard.fleet.units import Item

_REMOTE_OWNER = re.compile(r"[:/]([^/:]+)/[^/]+?(?:\.git)?/?$")


@dataclass
class Discovery:
    items: list[Item] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: int = 0  # registry requests made while enumerating


def repo_owner(path: str) -> str:
    """The owner of a repository: from its git remote (``origin`` first), else its parent directory's name."""
    cfg_path = os.path.join(path, ".git", "config")
    if os.path.isfile(cfg_path):
        cp = configparser.ConfigParser(strict=False, interpolation=None)
        try:
            cp.read(cfg_path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            cp = configparser.ConfigParser()
        sections = sorted((s for s in cp.sections() if s.startswith("remote ")),
                          key=lambda s: s != 'remote "origin"')
        for s in sections:
            m = _REMOTE_OWNER.search(cp.get(s, "url", fallback=""))
            if m:
                return m.group(1)
    parent = os.path.basename(os.path.dirname(os.path.abspath(path)))
    return parent or "local"


def discover_files(repo: RepoInput, errors: list[str]) -> Iterator[Item]:
    from slimguard.dockerfile.discover import discover as find_dockerfiles
    from slimguard.dockerfile.inputs import InputError, read_source
    from slimguard.runtime.discover import discover as find_runtime

    if not os.path.isdir(repo.path):
        errors.append(f"{repo.path}: not a directory")
        return
    owner = repo.owner or repo_owner(repo.path)
    for kind, finder in (("dockerfile", find_dockerfiles), ("check", find_runtime)):
        for path in finder(repo.path):
            try:
                with open(path, "rb") as fh:
                    raw = fh.read()
                src = read_source(path)
            except (OSError, InputError) as exc:
                errors.append(str(exc))
                continue
            yield Item(src.display, kind, owner, "sha256:" + hashlib.sha256(raw).hexdigest(), repo.path,
                       text=src.text)


def _natural(tag: str) -> list:
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", tag) if t]


def newest_tags(tags: list[str], n: int | None) -> list[str]:
    """The newest *n* tags by version-aware order (``1.10`` after ``1.9``); ``latest`` counts as newest."""
    ordered = sorted(tags, key=lambda t: (t == "latest", _natural(t)))
    return ordered if n is None else ordered[-n:]


class _Registry:
    """The enumeration calls on one registry, on slimguard's own client (auth, loopback HTTP)."""

    def __init__(self, url: str) -> None:
        from slimguard.image.streams import Limits

        self.host = url.split("://", 1)[-1].rstrip("/")
        self.limits = Limits()
        self.count = 0
        self._lock = threading.Lock()

    def client(self, repo: str) -> Any:
        from slimguard.image.sources.distribution import RegistryClient

        return RegistryClient(self.host, repo, self.limits)

    def _json_pages(self, repo: str, path: str, key: str) -> list[str]:
        """A paginated list (``Link: <…>; rel="next"``), from a client on *repo* (``_catalog`` is one too)."""
        client = self.client(repo)
        out: list[str] = []
        nxt: str | None = path
        for _ in range(100_000):
            if nxt is None:
                break
            r = client.get(nxt, "application/json")
            with self._lock:
                self.count += 1
            try:
                body = r.json()
            except ValueError:
                raise FleetError(f"registry {self.host}: {repo}/{nxt}: not JSON") from None
            out.extend(str(x) for x in (body.get(key) or []))
            link = r.headers.get("Link", "")
            m = re.search(r"<([^>]+)>\s*;\s*rel=\"?next\"?", link)
            nxt = None
            if m:
                target = m.group(1)
                prefix = f"/v2/{repo}"
                nxt = target.split(prefix, 1)[1].lstrip("/") if prefix in target else None
        return out

    def catalog(self) -> list[str]:
        # RegistryClient GETs /v2/<repo>/<path>: "_catalog" as the repository makes /v2/_catalog/?n=…,
        # which the registry answers like /v2/_catalog
        return self._json_pages("_catalog", "?n=1000", "repositories")

    def tags(self, repo: str) -> list[str]:
        return self._json_pages(repo, "tags/list?n=1000", "tags")

    def digest(self, repo: str, reference: str) -> str:
        from slimguard.image.sources.registry import ACCEPT

        client = self.client(repo)
        r = client.get(f"manifests/{reference}", ACCEPT)
        with self._lock:
            self.count += 1
        body = r.content
        header = r.headers.get("Docker-Content-Digest")
        return header if header and header.startswith("sha256:") else "sha256:" + hashlib.sha256(body).hexdigest()


def _matches(name: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    if include and not any(fnmatch.fnmatchcase(name, p) for p in include):
        return False
    return not any(fnmatch.fnmatchcase(name, p) for p in exclude)


def _owner_of(host: str, repo: str) -> str:
    return repo.split("/", 1)[0] if "/" in repo else host


def discover_registry(reg: RegistryInput, errors: list[str], threads: int = 8) -> tuple[list[Item], int]:
    from slimguard.image import AuditError

    r = _Registry(reg.url)
    try:
        repos = [n for n in r.catalog() if _matches(n, reg.include, reg.exclude)]
    except AuditError as exc:
        errors.append(f"registry {r.host}: catalog: {exc}")
        return [], r.count

    def one_repo(name: str) -> list[tuple[str, str]]:
        try:
            return [(name, t) for t in newest_tags(r.tags(name), reg.newest)]
        except AuditError as exc:
            errors.append(f"registry {r.host}/{name}: tags: {exc}")
            return []

    def one_tag(pair: tuple[str, str]) -> Item | None:
        name, tag = pair
        try:
            d = r.digest(name, tag)
        except AuditError as exc:
            errors.append(f"registry:{r.host}/{name}:{tag}: {exc}")
            return None
        return Item(f"registry:{r.host}/{name}:{tag}", "image", _owner_of(r.host, name), d, r.host,
                    ref=f"registry:{r.host}/{name}@{d}")

    with ThreadPoolExecutor(threads) as pool:
        pairs = [p for lst in pool.map(one_repo, repos) for p in lst]
        items = [it for it in pool.map(one_tag, pairs) if it is not None]
    return items, r.count


def discover_images(refs: tuple[str, ...], errors: list[str]) -> tuple[list[Item], int]:
    from slimguard.image import AuditError
    from slimguard.image.sources.distribution import parse_reference

    items = []
    count = 0
    for spec in refs:
        ref = spec[len("registry:"):] if spec.startswith("registry:") else spec
        try:
            host, repo, reference = parse_reference(ref)
            if reference.startswith("sha256:"):
                d = reference
                shown = f"registry:{host}/{repo}@{d}"
            else:
                reg = _Registry(host)
                d = reg.digest(repo, reference)
                count += reg.count
                shown = f"registry:{host}/{repo}:{reference}"
        except AuditError as exc:
            errors.append(f"{spec}: {exc}")
            continue
        items.append(Item(shown, "image", _owner_of(host, repo), d, host, ref=f"registry:{host}/{repo}@{d}"))
    return items, count


def discover(spec: FleetSpec) -> Discovery:
    """Every item of the spec, in a stable order, without duplicates (the first occurrence wins)."""
    out = Discovery()
    seen: set[str] = set()

    def add(item: Item) -> None:
        if item.id not in seen:
            seen.add(item.id)
            out.items.append(item)

    for repo in spec.repos:
        for it in discover_files(repo, out.errors):
            add(it)
    for reg in spec.registries:
        items, n = discover_registry(reg, out.errors)
        out.requests += n
        for it in items:
            add(it)
    items, n = discover_images(spec.images, out.errors)
    out.requests += n
    for it in items:
        add(it)
    return out

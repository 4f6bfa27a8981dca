"""Typed access to slimguard's base-image knowledge base (``data/base_images.yaml``).

The YAML is read lazily, once. ruamel.yaml is pure Python here and needs about
0.2 s for this file, so the parsed data is cached as JSON. The cache file is
keyed by a hash of the YAML bytes and lives in ``$SLIMGUARD_CACHE_DIR``, else
``$XDG_CACHE_HOME/slimguard``, else ``~/.cache/slimguard``. A warm load reads
only that JSON and never imports ruamel. Regexes are compiled per family, on
first use. The schema is documented at the top of the YAML file and in
``docs/base-images.md``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "BaseImageInfo",
    "ShippedUser",
    "VariantSuggestion",
    "families",
    "lookup",
    "normalize_repository",
    "smaller_variant",
    "user_creation_commands",
]

DATA_FILE = Path(__file__).with_name("data") / "base_images.yaml"
_LOADER_VERSION = "1"  # bump to invalidate JSON caches when the loader changes

DISTROS = ("debian", "ubuntu", "alpine", "rhel", "busybox", "distroless", "wolfi", "scratch", "windows")
USER_CREATION_STYLES = ("debian", "alpine", "busybox", "rhel", "rhel-minimal", "none")
PACKAGE_MANAGERS = ("apt", "apk", "dnf", "microdnf", "yum", "none")
SIZE_MEASURES = ("uncompressed", "compressed", "stated")
_ROOT_NAMES = frozenset({"", "0", "root"})


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class ShippedUser:
    name: str
    uid: int
    gid: int
    home: str | None = None
    shell: str | None = None


@dataclass(frozen=True)
class BaseImageInfo:
    family: str
    repository: str  # normalised, e.g. "library/node"
    tag: str | None  # as given; None means latest
    distro: str
    user_creation: str
    has_shell: bool
    users: tuple[ShippedUser, ...]  # shipped by this tag; root first when the image has /etc/passwd
    default_user: str | None  # image config User as the image sets it; None = not set (root)
    runs_as_nonroot: bool
    carries_build_tools: bool  # compilers/toolchains (buildpack-deps based full tags, JDKs, build images)
    is_jdk: bool
    sources: tuple[str, ...]
    package_manager: str = "none"
    entrypoint_drops_privileges: bool = False  # starts as root, then gosu/su-exec to its own user
    needs_root: str | None = None  # why the image's own server must start as root (nginx, httpd), if it must
    nonroot_variant: "NonrootVariant | None" = None  # a drop-in twin that runs as non-root, if one exists
    deprecated: str | None = None
    notes: tuple[str, ...] = field(default=())

    def find_user(self, name_or_uid: str) -> ShippedUser | None:
        """Find a shipped account by name, or by uid when given digits ("1000")."""
        key = str(name_or_uid).strip()
        if key.isdigit():
            uid = int(key)
            return next((u for u in self.users if u.uid == uid), None)
        return next((u for u in self.users if u.name == key), None)


@dataclass(frozen=True)
class NonrootVariant:
    """A published twin of an image that runs as non-root (nginx -> nginxinc/nginx-unprivileged)."""

    image: str  # reference template; {tag} is the original tag
    ports: tuple[tuple[int, int], ...]  # (port of the original, port of the twin)
    config_paths: tuple[str, ...]  # the twin differs here: a Dockerfile that changes these needs hand work
    reason: str

    def reference(self, tag: str | None) -> str:
        """The twin's reference for the original *tag* (latest when None)."""
        return self.image.format(tag=tag or "latest")

    def port_for(self, port: int) -> int | None:
        """The twin's port for the original's *port*, if the twin moves it."""
        return next((new for old, new in self.ports if old == port), None)


def _needs_root(raw: Any, tag: str | None) -> str | None:
    """The ``needs_root`` reason when it applies to *tag* (``{reason, tags?}`` or a plain reason)."""
    if not raw:
        return None
    if isinstance(raw, str):
        return raw
    pattern = raw.get("tags")
    if pattern and not re.fullmatch(pattern, tag or "latest"):
        return None
    return str(raw["reason"])


def _nonroot_variant(raw: Any) -> NonrootVariant | None:
    if not raw:
        return None
    ports = tuple(sorted((int(old), int(new)) for old, new in raw.get("ports") or ()))
    return NonrootVariant(str(raw["image"]), ports, tuple(str(p) for p in raw.get("config_paths") or ()),
                          str(raw.get("reason", "")))


@dataclass(frozen=True)
class VariantSuggestion:
    tag: str
    image: str  # full reference to put in FROM, e.g. "node:12.16-slim"
    reason: str
    size_mb: float | None  # size of the suggested tag, if known
    saving_mb: float | None  # only when both sizes are known in the same measure
    confirmed: bool  # the suggested tag matches a tag spelling documented in the knowledge base
    multi_stage: bool = False  # only usable as a separate runtime stage (other image/toolchain)
    size_measure: str | None = None  # "uncompressed" | "compressed" | "stated"
    size_source: str | None = None


# --------------------------------------------------------------------------- loading


def _cache_dir() -> Path:
    explicit = os.environ.get("SLIMGUARD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "slimguard"


def _parse_yaml(raw: bytes) -> dict[str, Any]:
    from ruamel.yaml import YAML  # imported only on a cache miss (~50 ms import)

    data = YAML(typ="safe", pure=True).load(raw)
    if not isinstance(data, dict):
        raise ValueError(f"{DATA_FILE}: top level must be a mapping")
    return data


def load_raw(use_cache: bool = True) -> dict[str, Any]:
    """The parsed YAML as plain dicts/lists (JSON-compatible)."""
    raw = DATA_FILE.read_bytes()
    if not use_cache:
        return _parse_yaml(raw)
    digest = hashlib.sha256(raw + _LOADER_VERSION.encode()).hexdigest()[:24]
    cache_file = _cache_dir() / f"base_images-{digest}.json"
    try:
        with open(cache_file, encoding="utf-8") as fh:
            data = json.load(fh)
        if isinstance(data, dict):
            return data
    except (OSError, ValueError):
        pass
    data = _parse_yaml(raw)
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_file.parent, prefix=".base_images-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, separators=(",", ":"))
        os.replace(tmp, cache_file)
    except (OSError, TypeError, ValueError):
        pass  # read-only home, or a value JSON cannot hold: still works, only slower
    return data


# --------------------------------------------------------------------------- compiled model

_MACRO_REF = re.compile(r"(?<!\(\?P)<([A-Za-z_][A-Za-z0-9_]*)>")
_EXPLICIT_GROUP = re.compile(r"\(\?P<([A-Za-z_][A-Za-z0-9_]*)>")
_GLOB_CHARS = frozenset("*?[")


def expand_macros(pattern: str, macros: dict[str, str]) -> str:
    """Replace ``<name>`` by the macro regex. The first use is the named group ``name``."""
    seen = set(_EXPLICIT_GROUP.findall(pattern))

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise KeyError(f"unknown macro <{name}> in pattern {pattern!r}")
        body = macros[name]
        if name in seen:
            return f"(?:{body})"
        seen.add(name)
        return f"(?P<{name}>{body})"

    return _MACRO_REF.sub(repl, pattern)


def _is_glob(repo: str) -> bool:
    return any(c in _GLOB_CHARS for c in repo)


class _Selector:
    __slots__ = ("tags", "repositories")

    def __init__(self, spec: Any, macros: dict[str, str]) -> None:
        if isinstance(spec, str):
            spec = {"tags": spec}
        tags = spec.get("tags")
        self.tags = re.compile(expand_macros(tags, macros)) if tags is not None else None
        repos = spec.get("repositories")
        self.repositories = (
            tuple(r if _is_glob(r) else normalize_repository(r) for r in repos) if repos is not None else None
        )

    def repo_ok(self, repo: str) -> bool:
        if self.repositories is None:
            return True
        return any(fnmatch.fnmatchcase(repo, r) if _is_glob(r) else repo == r for r in self.repositories)

    def matches(self, repo: str, tag: str) -> bool:
        return self.repo_ok(repo) and (self.tags is None or self.tags.fullmatch(tag) is not None)


@dataclass(frozen=True)
class _Rule:
    tags: re.Pattern[str]
    selector: _Selector
    to: str | None
    image: str | None
    repository_sub: tuple[str, str] | None
    multi_stage: bool
    reason: str


class _Family:
    def __init__(self, name: str, raw: dict[str, Any], macros: dict[str, str], root_shell: dict[str, str]) -> None:
        self.name = name
        self.raw = raw
        self.macros = macros
        self.root_shell = root_shell

    @cached_property
    def users(self) -> list[tuple[_Selector | None, ShippedUser]]:
        out: list[tuple[_Selector | None, ShippedUser]] = []
        for u in self.raw.get("users") or []:
            sel = _Selector(u, self.macros) if ("tags" in u or "repositories" in u) else None
            out.append(
                (sel, ShippedUser(u["name"], int(u["uid"]), int(u["gid"]), u.get("home"), u.get("shell")))
            )
        return out

    @cached_property
    def overrides(self) -> list[tuple[_Selector, dict[str, Any]]]:
        return [(_Selector(o, self.macros), dict(o["set"])) for o in self.raw.get("overrides") or []]

    def _selectors(self, key: str) -> list[_Selector]:
        return [_Selector(s, self.macros) for s in self.raw.get(key) or []]

    @cached_property
    def build_tools(self) -> list[_Selector]:
        return self._selectors("build_tools")

    @cached_property
    def jdk(self) -> list[_Selector]:
        return self._selectors("jdk")

    @cached_property
    def variants(self) -> list[_Selector]:
        return self._selectors("variants")

    @cached_property
    def rules(self) -> list[_Rule]:
        rules = []
        for r in self.raw.get("runtime_variant") or []:
            sub = r.get("repository_sub")
            rules.append(
                _Rule(
                    tags=re.compile(expand_macros(r["tags"], self.macros)),
                    selector=_Selector({"repositories": r.get("repositories")}, self.macros),
                    to=r.get("to"),
                    image=r.get("image"),
                    repository_sub=(str(sub[0]), str(sub[1])) if sub else None,
                    multi_stage=bool(r.get("multi_stage", False)),
                    reason=str(r.get("reason") or ""),
                )
            )
        return rules

    def sizes(self, repo: str, tag: str) -> dict[str, tuple[float, str]]:
        """measure -> (mb, source) for this exact tag."""
        out: dict[str, tuple[float, str]] = {}
        for s in self.raw.get("sizes") or []:
            if tag not in [str(t) for t in s.get("tags", [])]:
                continue
            if "repository" in s and normalize_repository(s["repository"]) != repo:
                continue
            out.setdefault(s["measure"], (float(s["mb"]), str(s["source"])))
        return out


class _KnowledgeBase:
    def __init__(self, data: dict[str, Any]) -> None:
        macros = {str(k): str(v) for k, v in (data.get("macros") or {}).items()}
        root_shell = {str(k): str(v) for k, v in (data.get("root_shell") or {}).items()}
        self.families: dict[str, _Family] = {
            name: _Family(name, raw, macros, root_shell) for name, raw in (data.get("families") or {}).items()
        }
        self.exact: dict[str, str] = {}
        self.globs: list[tuple[str, str]] = []
        for name, fam in self.families.items():
            for repo in fam.raw.get("repositories") or []:
                if _is_glob(repo):
                    self.globs.append((repo, name))
                else:
                    self.exact.setdefault(normalize_repository(repo), name)

    def family_for(self, repo: str) -> _Family | None:
        name = self.exact.get(repo)
        if name is None:
            name = next((fam for pat, fam in self.globs if fnmatch.fnmatchcase(repo, pat)), None)
        return self.families[name] if name is not None else None


_lock = threading.Lock()
_kb: _KnowledgeBase | None = None


def _knowledge() -> _KnowledgeBase:
    global _kb
    if _kb is None:
        with _lock:
            if _kb is None:
                _kb = _KnowledgeBase(load_raw())
    return _kb


def _reset_for_tests() -> None:
    global _kb
    with _lock:
        _kb = None
    _lookup_cached.cache_clear()


# --------------------------------------------------------------------------- references

_HUB_PREFIXES = ("docker.io/", "index.docker.io/", "registry-1.docker.io/", "registry.hub.docker.com/")


def _split_reference(repository: str, tag: str | None) -> tuple[str, str, str | None]:
    """-> (repository as given without tag/digest, normalised repository, tag or None)."""
    given = repository.strip().lstrip("/")  # callers may join an empty registry: "/scratch"
    if "@" in given:
        given = given.split("@", 1)[0]
    colon, slash = given.rfind(":"), given.rfind("/")
    if colon > slash:
        given, embedded = given[:colon], given[colon + 1 :]
        if tag is None:
            tag = embedded
    if tag is not None:
        tag = tag.strip().split("@", 1)[0] or None
    norm = given.lower()
    for prefix in _HUB_PREFIXES:
        if norm.startswith(prefix):
            norm = norm[len(prefix) :]
            break
    if "/" not in norm:
        norm = "library/" + norm
    return given, norm, tag


def normalize_repository(repository: str) -> str:
    """Normalise like Docker: "node", "library/node" and "docker.io/library/node" -> "library/node"."""
    return _split_reference(repository, None)[1]


def _display(repo: str) -> str:
    return repo[len("library/") :] if repo.startswith("library/") else repo


# --------------------------------------------------------------------------- queries


def families() -> list[str]:
    """Family names in knowledge-base order."""
    return list(_knowledge().families)


def _resolve_user(spec: str | None, users: tuple[ShippedUser, ...]) -> bool:
    """True when the image config's User names a non-root account."""
    if spec is None:
        return False
    name = str(spec).split(":", 1)[0].strip()
    if name in _ROOT_NAMES:
        return False
    if name.isdigit():
        return int(name) != 0
    known = next((u for u in users if u.name == name), None)
    return known.uid != 0 if known is not None else True


@lru_cache(maxsize=512)
def _lookup_cached(norm: str, tag: str | None) -> BaseImageInfo | None:
    fam = _knowledge().family_for(norm)
    if fam is None:
        return None
    t = tag or "latest"
    raw = fam.raw
    attrs: dict[str, Any] = {
        "distro": raw["distro"],
        "user_creation": raw["user_creation"],
        "package_manager": raw.get("package_manager", "none"),
        "has_shell": bool(raw["has_shell"]),
        "has_passwd": bool(raw.get("has_passwd", True)),
        "default_user": raw.get("default_user"),
    }
    for sel, values in fam.overrides:
        if sel.matches(norm, t):
            attrs.update(values)

    users: list[ShippedUser] = []
    explicit = [u for sel, u in fam.users if sel is None or sel.matches(norm, t)]
    if attrs["has_passwd"] and not any(u.uid == 0 for u in explicit):
        users.append(ShippedUser("root", 0, 0, "/root", fam.root_shell.get(attrs["distro"])))
    users.extend(explicit)
    users_t = tuple(users)

    default_user = attrs["default_user"]
    default_user = None if default_user in (None, "") else str(default_user)
    is_jdk = any(s.matches(norm, t) for s in fam.jdk)
    return BaseImageInfo(
        family=fam.name,
        repository=norm,
        tag=tag,
        distro=str(attrs["distro"]),
        user_creation=str(attrs["user_creation"]),
        has_shell=bool(attrs["has_shell"]),
        users=users_t,
        default_user=default_user,
        runs_as_nonroot=_resolve_user(default_user, users_t),
        carries_build_tools=is_jdk or any(s.matches(norm, t) for s in fam.build_tools),
        is_jdk=is_jdk,
        sources=tuple(str(s) for s in raw.get("sources") or ()),
        package_manager=str(attrs["package_manager"]),
        entrypoint_drops_privileges=bool(raw.get("entrypoint_drops_privileges", False)),
        needs_root=_needs_root(raw.get("needs_root"), tag),
        nonroot_variant=_nonroot_variant(raw.get("nonroot_variant")),
        deprecated=raw.get("deprecated"),
        notes=tuple(str(n) for n in raw.get("notes") or ()),
    )


def lookup(repository: str, tag: str | None) -> BaseImageInfo | None:
    """Facts about ``repository:tag``; None when the family is unknown.

    ``repository`` may be "node", "library/node", "docker.io/library/node" (or
    carry ":tag" when ``tag`` is None). A tag of None means latest.
    """
    _, norm, tag = _split_reference(repository, tag)
    return _lookup_cached(norm, tag)


class _Blank(dict):  # str.format_map helper: unknown or unmatched groups -> ""
    def __missing__(self, key: str) -> str:
        return ""


def smaller_variant(repository: str, tag: str | None) -> VariantSuggestion | None:
    """The family's recommended smaller runtime tag for ``repository:tag``.

    None when the tag is already minimal, the family has no smaller variant
    in its own spelling, or the image is unknown.
    """
    given, norm, tag = _split_reference(repository, tag)
    kb = _knowledge()
    fam = kb.family_for(norm)
    if fam is None:
        return None
    t = tag or "latest"
    for rule in fam.rules:
        if not rule.selector.repo_ok(norm):
            continue
        m = rule.tags.fullmatch(t)
        if m is None:
            continue
        if rule.to is None:
            return None
        groups = _Blank({k: v or "" for k, v in m.groupdict().items()})
        groups["tag"] = t
        new_tag = rule.to.format_map(groups)
        if rule.image:
            target = normalize_repository(rule.image.format_map(groups))
            shown = _display(target)
        elif rule.repository_sub:
            pattern, replacement = rule.repository_sub
            if re.search(pattern, norm) is None:
                continue
            target = re.sub(pattern, replacement, norm)
            shown = _display(target)
        else:
            target, shown = norm, given
        if target == norm and new_tag == t:
            return None
        target_fam = kb.family_for(target)
        confirmed = target_fam is not None and any(v.matches(target, new_tag) for v in target_fam.variants)
        src_sizes = fam.sizes(norm, t)
        dst_sizes = target_fam.sizes(target, new_tag) if target_fam is not None else {}
        size_mb = saving_mb = None
        measure = source = None
        for meas in SIZE_MEASURES[:2]:  # never compute savings from "stated" prose
            if meas in src_sizes and meas in dst_sizes:
                size_mb, source = dst_sizes[meas]
                saving_mb = round(src_sizes[meas][0] - size_mb, 1)
                measure = meas
                source = f"{src_sizes[meas][1]}; {source}" if src_sizes[meas][1] != source else source
                break
        else:
            for meas in SIZE_MEASURES:
                if meas in dst_sizes:
                    size_mb, source = dst_sizes[meas]
                    measure = meas
                    break
        groups["target"] = f"{shown}:{new_tag}"
        return VariantSuggestion(
            tag=new_tag,
            image=f"{shown}:{new_tag}",
            reason=rule.reason.format_map(groups),
            size_mb=size_mb,
            saving_mb=saving_mb,
            confirmed=confirmed,
            multi_stage=rule.multi_stage,
            size_measure=measure,
            size_source=source,
        )
    return None


_NAME_RE = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


def user_creation_commands(info: BaseImageInfo, name: str, uid: int, gid: int) -> list[str]:
    """Shell commands that create a system group and user in the base image's own syntax.

    Join them with `` && `` for one RUN instruction. Returns [] when the image
    has no way to add users (distroless, scratch, ubi-micro, chainguard :latest).
    In that case use a numeric ``USER uid:gid``. Raises ValueError when the
    name, uid or gid is invalid or already taken by an account the image ships.
    """
    if not _NAME_RE.fullmatch(name):
        raise ValueError(f"invalid user name {name!r}")
    if uid <= 0 or gid <= 0:
        raise ValueError("uid and gid must be positive (0 is root)")
    for u in info.users:
        if u.name == name:
            raise ValueError(f"{info.repository}:{info.tag or 'latest'} already ships user {name!r} (uid {u.uid}); use it")
        if u.uid == uid:
            raise ValueError(f"uid {uid} is taken by {u.name!r} in {info.repository}:{info.tag or 'latest'}")
        if u.gid == gid:
            raise ValueError(f"gid {gid} is taken by {u.name!r}'s group in {info.repository}:{info.tag or 'latest'}")
    style = info.user_creation
    if style == "debian":
        return [
            f"groupadd --system --gid {gid} {name}",
            f"useradd --system --uid {uid} --gid {name} --no-create-home --home-dir /nonexistent"
            f" --shell /usr/sbin/nologin {name}",
        ]
    if style in ("alpine", "busybox"):
        return [
            f"addgroup -S -g {gid} {name}",
            f"adduser -S -D -H -u {uid} -G {name} -s /sbin/nologin {name}",
        ]
    if style in ("rhel", "rhel-minimal"):
        cmds = [
            f"groupadd --system --gid {gid} {name}",
            f"useradd --system --uid {uid} --gid {name} --no-create-home --home-dir /nonexistent"
            f" --shell /sbin/nologin {name}",
        ]
        if style == "rhel-minimal":
            pm = info.package_manager if info.package_manager in ("microdnf", "dnf", "yum") else "microdnf"
            cmds = [f"{pm} install -y shadow-utils", *cmds, f"{pm} clean all"]
        return cmds
    if style == "none":
        return []
    raise ValueError(f"unknown user_creation style {style!r}")

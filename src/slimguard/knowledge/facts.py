"""Facts about base images: from the local engine when the image is there, else the knowledge base.

The engine is only ever asked about images it already has; nothing is pulled.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slimguard.analysis.packages import is_build_tool
from slimguard.analysis.users import parse_group as read_group
from slimguard.analysis.users import parse_passwd as read_passwd


@dataclass(frozen=True)
class ImageFacts:
    """What is known about one base image, from the local engine or the knowledge base."""

    reference: str
    source: str  # "engine" or "knowledge"
    default_user: str | None  # "" means root, None unknown
    users: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (uid, gid)
    groups: dict[str, int] = field(default_factory=dict)
    has_shell: bool | None = None
    distro: str | None = None
    user_creation: str | None = None  # debian, alpine, busybox, rhel, rhel-minimal, none
    packages: frozenset[str] | None = None
    carries_build_tools: bool | None = None
    is_jdk: bool | None = None
    size_mb: float | None = None
    image_id: str | None = None

    @property
    def build_tool_packages(self) -> list[str]:
        if self.packages is None:
            return []
        return sorted(p for p in self.packages if is_build_tool(p))


def parse_passwd(text: str) -> dict[str, tuple[int, int]]:
    """user -> (uid, gid) from /etc/passwd text (a later duplicate wins)."""
    return {e.name: (e.uid, e.gid) for e in read_passwd(text)}


def parse_group(text: str) -> dict[str, int]:
    """group -> gid from /etc/group text (a later duplicate wins)."""
    return {g.name: g.gid for g in read_group(text)}


def parse_dpkg_status(text: str) -> set[str]:
    pkgs: set[str] = set()
    name = None
    installed = False
    for line in text.splitlines() + [""]:
        if not line.strip():
            if name and installed:
                pkgs.add(name)
            name, installed = None, False
        elif line.startswith("Package:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("Status:"):
            installed = line.rstrip().endswith(" installed")
    return pkgs


def parse_apk_installed(text: str) -> set[str]:
    return {line[2:].strip() for line in text.splitlines() if line.startswith("P:")}


def facts_from_knowledge(ref: Any) -> ImageFacts | None:
    try:
        from slimguard.knowledge.bases import lookup
    except ImportError:  # pragma: no cover
        return None
    info = lookup(f"{ref.registry}/{ref.repository}", ref.effective_tag)
    if info is None:
        return None
    users = {u.name: (u.uid, u.gid) for u in info.users}
    groups = {u.name: u.gid for u in info.users}
    return ImageFacts(
        reference=str(ref),
        source="knowledge",
        default_user=info.default_user or "",
        users=users,
        groups=groups,
        has_shell=info.has_shell,
        distro=info.distro,
        user_creation=info.user_creation,
        carries_build_tools=info.carries_build_tools,
        is_jdk=info.is_jdk,
    )


class Resolver:
    """Looks base images up, caching answers for the life of the resolver."""

    def __init__(self, engine: str = "auto") -> None:
        self.engine = engine  # "auto" (use it when a socket answers), "never"
        self._cache: dict[str, ImageFacts | None] = {}
        self._client: Any = None
        self._client_failed = False

    def resolve(self, ref: Any) -> ImageFacts | None:
        key = str(ref)
        if key in self._cache:
            return self._cache[key]
        # The knowledge base first: an image it knows gets the same facts on every machine, whatever the
        # local engine holds (deterministic lint). The engine answers only for images it does not know (a
        # local base such as FROM myimage); ImageFacts.source says which.
        facts = facts_from_knowledge(ref)
        if facts is None and self.engine != "never":
            facts = self._from_engine(ref)
        self._cache[key] = facts
        return facts

    # -- engine ------------------------------------------------------------
    def _docker(self) -> Any:
        if self._client is not None or self._client_failed:
            return self._client
        host = os.environ.get("DOCKER_HOST", "")
        if not host and not os.path.exists("/var/run/docker.sock"):
            self._client_failed = True
            return None
        try:
            import docker

            client = docker.from_env(timeout=10)
            client.ping()
            self._client = client
        except Exception:
            self._client_failed = True
        return self._client

    def _from_engine(self, ref: Any) -> ImageFacts | None:
        client = self._docker()
        if client is None:
            return None
        try:
            import docker.errors

            name = ref.familiar_name + (f":{ref.tag}" if ref.tag else "") + (f"@{ref.digest}" if ref.digest else "")
            if not ref.tag and not ref.digest:
                name += ":latest"
            try:
                image = client.images.get(name)
            except docker.errors.ImageNotFound:
                return None
            cached = _read_cache(image.id)
            if cached is not None:
                return cached
            facts = _inspect(client, image, str(ref))
            _write_cache(image.id, facts)
            return facts
        except Exception:
            return None


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "slimguard" / "image-facts"


def _read_cache(image_id: str) -> ImageFacts | None:
    path = _cache_dir() / (image_id.replace(":", "_") + ".json")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    try:
        data["users"] = {k: tuple(v) for k, v in data["users"].items()}
        if data.get("packages") is not None:
            data["packages"] = frozenset(data["packages"])
        return ImageFacts(**data)
    except (TypeError, KeyError):
        return None


def _write_cache(image_id: str, facts: ImageFacts) -> None:
    path = _cache_dir() / (image_id.replace(":", "_") + ".json")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = dict(facts.__dict__)
        data["packages"] = sorted(facts.packages) if facts.packages is not None else None
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, path)
    except OSError:
        pass


_LIMIT = 32 * 1024 * 1024


def _read_file(container: Any, path: str) -> str | None:
    """Read one small regular file out of a (not started) container."""
    try:
        stream, stat = container.get_archive(path)
    except Exception:
        return None
    if stat.get("size", 0) > _LIMIT:
        return None
    buf = io.BytesIO()
    for chunk in stream:
        buf.write(chunk)
        if buf.tell() > _LIMIT + 1024 * 1024:
            return None
    buf.seek(0)
    try:
        with tarfile.open(fileobj=buf) as tar:
            for member in tar:
                if member.isfile() and member.size <= _LIMIT:
                    fh = tar.extractfile(member)
                    if fh is not None:
                        return fh.read().decode("utf-8", "replace")
                if member.issym() or member.islnk():
                    return ""
    except tarfile.TarError:
        return None
    return None


def _inspect(client: Any, image: Any, reference: str) -> ImageFacts:
    config = image.attrs.get("Config") or {}
    user = config.get("User") or ""
    container = client.containers.create(image.id, entrypoint=["/.slimguard-inspect"], command=[],
                                         network_disabled=True, labels={"org.slimguard.inspect": "1"})
    try:
        passwd = _read_file(container, "/etc/passwd")
        group = _read_file(container, "/etc/group")
        os_release = _read_file(container, "/etc/os-release") or _read_file(container, "/usr/lib/os-release")
        dpkg = _read_file(container, "/var/lib/dpkg/status")
        apk = _read_file(container, "/lib/apk/db/installed")
        has_shell = _read_file(container, "/bin/sh") is not None
    finally:
        try:
            container.remove(force=True)
        except Exception:
            pass
    distro = None
    if os_release:
        for line in os_release.splitlines():
            if line.startswith("ID="):
                distro = line[3:].strip().strip('"')
    packages: set[str] | None = None
    if dpkg is not None:
        packages = parse_dpkg_status(dpkg)
    elif apk is not None:
        packages = parse_apk_installed(apk)
    creation = None
    if not has_shell:
        creation = "none"
    elif distro in ("debian", "ubuntu"):
        creation = "debian"
    elif distro == "alpine":
        creation = "alpine"
    elif distro in ("rhel", "centos", "fedora", "rocky", "almalinux", "ol", "amzn"):
        creation = "rhel"
    elif packages is None and has_shell:
        creation = "busybox"
    build_tools = None
    if packages is not None:
        build_tools = any(is_build_tool(p) for p in packages)
    is_jdk = None
    if packages is not None:
        is_jdk = any(p.startswith("default-jdk") or "-jdk" in p for p in packages)
    return ImageFacts(
        reference=reference,
        source="engine",
        default_user=user,
        users=parse_passwd(passwd or ""),
        groups=parse_group(group or ""),
        has_shell=has_shell,
        distro=distro,
        user_creation=creation,
        packages=frozenset(packages) if packages is not None else None,
        carries_build_tools=build_tools,
        is_jdk=is_jdk,
        size_mb=round((image.attrs.get("Size") or 0) / 1e6, 1),
        image_id=image.id,
    )

"""Image manifests and indexes (OCI and Docker distribution): media types, checked digests, the choice
of one platform's manifest, and the config and layers a manifest names."""

from __future__ import annotations

import json
import platform as _platform
import re
from typing import Any

from slimguard.image.errors import AuditError, CorruptError

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def load_json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CorruptError(f"{what}: not valid JSON ({exc})") from None


def blob_path(digest: Any, what: str) -> str:
    """The path of a blob in an OCI layout, for a checked digest."""
    if not isinstance(digest, str) or not DIGEST.match(digest):
        raise CorruptError(f"{what}: unsupported or malformed digest {str(digest)[:80]!r}")
    return "blobs/sha256/" + digest[7:]


def host_platform() -> str:
    machine = _platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm",
            "i686": "386", "i386": "386", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}.get(machine, machine)
    return f"linux/{arch}"


def platform_of(desc: dict) -> str | None:
    p = desc.get("platform")
    if not isinstance(p, dict):
        return None
    s = f"{p.get('os', '')}/{p.get('architecture', '')}"
    if p.get("variant"):
        s += "/" + str(p["variant"])
    return s


def _platform_matches(want: str, have: str | None) -> bool:
    if have is None:
        return False
    w, h = want.split("/"), have.split("/")
    if w[:2] != h[:2]:
        return False
    return len(w) < 3 or (len(h) >= 3 and w[2] == h[2]) or (len(h) < 3 and w[2] in ("v8", "v7"))


def choose_manifest(index: dict, platform: str | None, what: str, ref_name: str | None = None) -> dict:
    """Pick one descriptor from an image index."""
    manifests = index.get("manifests")
    if not isinstance(manifests, list) or not manifests:
        raise CorruptError(f"{what}: image index without manifests")
    cands = [m for m in manifests if isinstance(m, dict)]
    if ref_name is not None:
        named = [m for m in cands if (m.get("annotations") or {}).get("org.opencontainers.image.ref.name") == ref_name]
        if not named:
            raise AuditError(f"{what}: no image named {ref_name!r} in the index")
        cands = named
    # attestation manifests (buildx) are not images
    cands = [m for m in cands if (m.get("annotations") or {}).get("vnd.docker.reference.type") != "attestation-manifest"
             and platform_of(m) != "unknown/unknown"] or cands
    if len(cands) == 1 and (platform is None or platform_of(cands[0]) is None):
        return cands[0]  # the only image, or a nested index whose entries carry the platforms
    want = platform or host_platform()
    matching = [m for m in cands if _platform_matches(want, platform_of(m))]
    if matching:
        return matching[0]
    if platform is None and all(platform_of(m) is None for m in cands):
        return cands[0]
    have = ", ".join(sorted({platform_of(m) or "?" for m in cands}))
    raise AuditError(f"{what}: no manifest for platform {want} (the index has: {have}); use --platform")


def manifest_layers(manifest: dict, what: str) -> tuple[Any, list[dict]]:
    """-> (config digest, not yet checked; layer descriptors) of an image manifest."""
    config = manifest.get("config")
    layers = manifest.get("layers")
    if not isinstance(config, dict) or not isinstance(layers, list):
        raise CorruptError(f"{what}: not an image manifest (no config or layers)")
    return config.get("digest"), [d for d in layers if isinstance(d, dict)]


def check_config(config: Any, what: str) -> dict:
    if not isinstance(config, dict):
        raise CorruptError(f"{what}: the image config is not a JSON object")
    return config

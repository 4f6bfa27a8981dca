"""``slimguard audit``: read a built image (engine, docker-archive, OCI layout, registry) and report
who it runs as, what it carries and where its bytes go. See docs/audit.md.

Public entry points: :func:`open_image` (a source spec to :class:`~.sources.ImageData`) and
:func:`audit` (a spec to an :class:`~.analyze.AuditResult`).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, Callable

from slimguard.image.errors import AuditError, CorruptError, LimitError
from slimguard.image.sources import ImageData, Meter, docker_client, engine_image, open_archive, open_engine
from slimguard.image.streams import GZIP_BACKEND, Limits

if TYPE_CHECKING:
    from slimguard.image.analyze import AuditResult

__all__ = ["AuditError", "CorruptError", "LimitError", "AuditResult", "ImageData", "Limits", "Meter", "audit",
           "open_image", "render_text_summary", "GZIP_BACKEND", "PREFIXES"]

def _analysis() -> Any:
    """The analysis module, imported on first use: audit() opens the image first, so a layer-scanning
    worker already runs while checks, packages, the knowledge base and the rules are imported. As
    before, the package's ``analyze`` attribute is the function (importing the submodule would bind the
    module there)."""
    import importlib

    mod = importlib.import_module(".analyze", __name__)
    g = globals()
    g["analyze"] = mod.analyze
    g["AuditResult"] = mod.AuditResult
    return mod


def __getattr__(name: str) -> Any:
    if name in ("AuditResult", "analyze"):
        return getattr(_analysis(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def render_text_summary(summary: dict, color: bool = False) -> str:
    return _analysis().render_text_summary(summary, color)


PREFIXES = ("docker-archive:", "oci:", "registry:", "docker:", "docker-daemon:", "engine:", "oci-archive:")
_REF = re.compile(r"^[a-z0-9][a-z0-9._/:@-]*$", re.I)


def _looks_like_path(spec: str) -> bool:
    return (spec in ("-", ".") or spec.startswith((".", "/", "~"))
            or spec.endswith((".tar", ".tar.gz", ".tgz", ".oci", ".tar.zst")))


def _has_registry_host(ref: str) -> bool:
    first = ref.split("/", 1)[0]
    return "/" in ref and ("." in first or ":" in first or first == "localhost")


def open_image(spec: str, *, limits: Limits | None = None, meter: Meter | None = None, platform: str | None = None,
               deep: bool = False, engine: str = "auto",
               client_factory: Callable[[], Any] = docker_client) -> tuple[ImageData, Any]:
    """-> (image data, docker client or None). Raises AuditError for bad input."""
    limits = limits or Limits()
    if spec.startswith("docker-archive:"):
        return open_archive(spec[len("docker-archive:"):], "docker-archive", limits, meter, platform), None
    if spec.startswith(("oci:", "oci-archive:")):
        return open_archive(spec.split(":", 1)[1], "oci", limits, meter, platform), None
    if spec.startswith("registry:"):
        from slimguard.image.registry import open_registry

        return open_registry(spec[len("registry:"):], limits=limits, meter=meter, platform=platform, deep=deep), None
    if spec.startswith(("docker:", "docker-daemon:", "engine:")):
        name = spec.split(":", 1)[1]
        client = client_factory()
        image = engine_image(client, name)
        if image is None:
            raise AuditError(f"{name}: no such image in the local engine (slimguard never pulls)")
        return open_engine(client, image, name, limits, meter), client
    exists = spec == "-" or os.path.exists(spec) or (":" in spec and os.path.exists(spec.rsplit(":", 1)[0])
                                                     and not _REF.match(spec))
    if exists and (_looks_like_path(spec) or not _REF.match(spec) or engine == "never"):
        return open_archive(spec, "auto", limits, meter, platform), None
    client = None
    image = None
    if engine != "never":
        try:
            client = client_factory()
        except AuditError:
            client = None
        if client is not None:
            image = engine_image(client, spec)
    if image is not None and exists:
        raise AuditError(f"{spec!r} is both a path and an image in the engine; say docker-archive:{spec}, "
                         f"oci:{spec} or docker:{spec}")
    if exists:
        return open_archive(spec, "auto", limits, meter, platform), None
    if image is not None:
        return open_engine(client, image, spec, limits, meter), client
    if _has_registry_host(spec):
        from slimguard.image.registry import open_registry

        return open_registry(spec, limits=limits, meter=meter, platform=platform, deep=deep), client
    if client is None and engine != "never":
        raise AuditError(f"{spec}: not a file or directory, and no Docker engine answers to look it up")
    raise AuditError(f"{spec}: no such file, directory or local image (slimguard never pulls; "
                     f"use registry:REF to read it from a registry)")


def audit(spec: str, *, limits: Limits | None = None, meter: Meter | None = None, platform: str | None = None,
          deep: bool = False, engine: str = "auto", use_dive: bool = True, top: int = 10) -> AuditResult:
    data, client = open_image(spec, limits=limits, meter=meter, platform=platform, deep=deep, engine=engine)
    try:
        analyze = _analysis().analyze

        if client is None and engine != "never":
            try:
                from slimguard.image.sources import docker_client as _dc

                client = _dc() if os.environ.get("DOCKER_HOST") or os.path.exists("/var/run/docker.sock") else None
            except AuditError:
                client = None
        return analyze(data, client=client, use_dive=use_dive, top=top)
    finally:
        if data.close is not None:
            data.close()

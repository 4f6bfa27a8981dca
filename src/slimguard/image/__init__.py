"""``slimguard audit``: read a built image (engine, docker-archive, OCI layout, registry) and report
who it runs as, what it carries and where its bytes go. See docs/audit.md.

Public entry points: :func:`open_image` (a source spec to :class:`~.sources.ImageData`) and
:func:`audit` (a spec to an :class:`~.analyze.AuditResult`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable

from slimguard.image.errors import AuditError, CorruptError, LimitError
from slimguard.image.sources import ImageData, Meter, docker_client, open_source
from slimguard.image.sources.base import registered_prefixes
from slimguard.image.streams import GZIP_BACKEND, Limits

if TYPE_CHECKING:
    from slimguard.core.config import Config
    from slimguard.image.analyze import AuditResult

__all__ = ["AuditError", "CorruptError", "LimitError", "AuditResult", "ImageData", "Limits", "Meter", "audit",
           "open_image", "prefixes", "render_text_summary", "GZIP_BACKEND"]

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


def open_image(spec: str, *, limits: Limits | None = None, meter: Meter | None = None, platform: str | None = None,
               deep: bool = False, engine: str = "auto",
               client_factory: Callable[[], Any] = docker_client) -> tuple[ImageData, Any]:
    """-> (image data, docker client or None): the image source registered for the spec's prefix
    (``docker-archive:``, ``oci:``, ``registry:``, ``docker:`` …; none: detected). Raises AuditError."""
    return open_source(spec, limits=limits, meter=meter, platform=platform, deep=deep, engine=engine,
                       client_factory=client_factory)


def prefixes() -> tuple[str, ...]:
    """The spec prefixes the registered image sources read."""
    return registered_prefixes()


def audit(spec: str, *, limits: Limits | None = None, meter: Meter | None = None, platform: str | None = None,
          deep: bool = False, engine: str = "auto", use_dive: bool = True, top: int = 10,
          config: "Config | None" = None) -> AuditResult:
    """Open and analyze the image; *config* selects, ignores and re-levels the image rules' findings."""
    data, client = open_image(spec, limits=limits, meter=meter, platform=platform, deep=deep, engine=engine)
    try:
        analyze = _analysis().analyze

        if client is None and engine != "never":
            try:
                from slimguard.image.sources import docker_client as _dc

                client = _dc() if os.environ.get("DOCKER_HOST") or os.path.exists("/var/run/docker.sock") else None
            except AuditError:
                client = None
        return analyze(data, client=client, use_dive=use_dive, top=top, settings=config)
    finally:
        if data.close is not None:
            data.close()

"""``docker:NAME`` (also ``docker-daemon:`` and ``engine:``): an image in the local Docker engine, read
from its ``docker save`` export stream. Never pulls."""

from __future__ import annotations

from typing import Any

from slimguard.image.errors import AuditError
from slimguard.image.sources.archive import from_stream
from slimguard.image.sources.base import ImageData, ImageSource, Meter, register
from slimguard.image.streams import ChunkSource, Limits


def docker_client() -> Any:
    try:
        import docker
    except ImportError:  # pragma: no cover
        raise AuditError("the docker Python package is needed to read images from the engine") from None
    try:
        client = docker.from_env(timeout=600)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure: no engine
        raise AuditError(f"no Docker engine answers ({type(exc).__name__}); give docker-archive:PATH or oci:PATH") from None
    return client


def engine_image(client: Any, name: str) -> Any | None:
    """The engine's image ``name``, or None when it has none."""
    import docker.errors

    try:
        return client.images.get(name)
    except docker.errors.ImageNotFound:
        return None
    except docker.errors.APIError as exc:
        if getattr(exc, "status_code", None) in (400, 404):
            return None
        raise AuditError(f"engine: {exc}") from None


def open_engine(client: Any, image: Any, reference: str, limits: Limits, meter: Meter | None) -> ImageData:
    attrs = image.attrs or {}
    total = attrs.get("Size")
    if meter is not None:
        meter.total = total
    try:
        stream = image.save(chunk_size=1 << 20, named=False)
    except Exception as exc:  # noqa: BLE001
        raise AuditError(f"engine: cannot export {reference}: {exc}") from None
    src = ChunkSource(stream, on_close=getattr(stream, "close", None))
    data = from_stream(src, reference, "engine", limits, meter, total=total)
    data.source = "engine"
    data.engine_id = image.id
    data.repo_tags = list(image.tags or [])
    data.diff_ids = list((attrs.get("RootFS") or {}).get("Layers") or [])
    return data


@register
class EngineSource(ImageSource):
    kind = "engine"
    prefixes = ("docker:", "docker-daemon:", "engine:")

    def open(self) -> ImageData:
        client = (self.options.client_factory or docker_client)()
        image = engine_image(client, self.target)
        if image is None:
            raise AuditError(f"{self.target}: no such image in the local engine (slimguard never pulls)")
        self.client = client
        return open_engine(client, image, self.target, self.options.limits, self.options.meter)

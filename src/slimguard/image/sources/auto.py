"""A spec without prefix: a path (an archive, kind "auto"), else an image in the local engine, else, when
it names a registry host, a registry reference. A name that is both a path and an engine image must be
given with a prefix."""

from __future__ import annotations

import os
import re

from slimguard.image.errors import AuditError
from slimguard.image.sources.archive import open_archive
from slimguard.image.sources.base import ImageData, ImageSource, register
from slimguard.image.sources.engine import docker_client, engine_image, open_engine
from slimguard.image.sources.registry import open_registry

_REF = re.compile(r"^[a-z0-9][a-z0-9._/:@-]*$", re.I)


def _looks_like_path(spec: str) -> bool:
    return (spec in ("-", ".") or spec.startswith((".", "/", "~"))
            or spec.endswith((".tar", ".tar.gz", ".tgz", ".oci", ".tar.zst")))


def _has_registry_host(ref: str) -> bool:
    first = ref.split("/", 1)[0]
    return "/" in ref and ("." in first or ":" in first or first == "localhost")


@register
class AutoSource(ImageSource):
    """Claims the empty prefix, so it reads every spec no other source's prefix selects."""

    kind = "auto"
    prefixes = ("",)

    def open(self) -> ImageData:
        spec, o = self.target, self.options
        exists = spec == "-" or os.path.exists(spec) or (":" in spec and os.path.exists(spec.rsplit(":", 1)[0])
                                                         and not _REF.match(spec))
        if exists and (_looks_like_path(spec) or not _REF.match(spec) or o.engine == "never"):
            return open_archive(spec, "auto", o.limits, o.meter, o.platform)
        client = None
        image = None
        if o.engine != "never":
            try:
                client = (o.client_factory or docker_client)()
            except AuditError:
                client = None
            if client is not None:
                image = engine_image(client, spec)
        if image is not None and exists:
            raise AuditError(f"{spec!r} is both a path and an image in the engine; say docker-archive:{spec}, "
                             f"oci:{spec} or docker:{spec}")
        if exists:
            return open_archive(spec, "auto", o.limits, o.meter, o.platform)
        self.client = client
        if image is not None:
            return open_engine(client, image, spec, o.limits, o.meter)
        if _has_registry_host(spec):
            return open_registry(spec, limits=o.limits, meter=o.meter, platform=o.platform, deep=o.deep)
        if client is None and o.engine != "never":
            raise AuditError(f"{spec}: not a file or directory, and no Docker engine answers to look it up")
        raise AuditError(f"{spec}: no such file, directory or local image (slimguard never pulls; "
                         f"use registry:REF to read it from a registry)")

"""``docker-archive:PATH`` and ``oci:PATH`` (also ``oci-archive:PATH``): a ``docker save`` archive or an
OCI layout, as a directory, a tar file, a pipe or ``-`` (standard input).

A directory or an uncompressed tar file on disk is read with random access: the manifest first, then
only the chosen image's layers, in order. Anything else (standard input, a pipe, a compressed tar) is
read forward-only, see :mod:`.streamed`. Without a prefix (kind "auto") the content decides: a
``manifest.json`` makes a docker save archive, else ``index.json`` an OCI layout.
``PATH:NAME`` picks the image with that ref name from an OCI index. Nothing is written to disk.
"""

from __future__ import annotations

import os
import stat
import sys

from slimguard.image.errors import AuditError
from slimguard.image.sources import docker_save, oci_layout
from slimguard.image.sources.base import ImageData, ImageSource, Meter, register
from slimguard.image.sources.bundles import Bundle, DirBundle, TarBundle
from slimguard.image.sources.streamed import walk
from slimguard.image.streams import Limits, ReaderSource, Source, compression_of


def from_bundle(bundle: Bundle, kind: str, reference: str, limits: Limits, meter: Meter | None,
                platform: str | None = None, ref_name: str | None = None) -> ImageData:
    if kind == "docker-archive" or (kind == "auto" and bundle.exists("manifest.json")):
        return docker_save.from_bundle(bundle, reference, limits, meter)
    return oci_layout.from_bundle(bundle, reference, limits, meter, platform, ref_name)


def from_stream(src: Source, reference: str, source_kind: str, limits: Limits, meter: Meter | None,
                platform: str | None = None, total: int | None = None) -> ImageData:
    """Read a whole docker-save or OCI tar from a forward-only stream."""
    arch = walk(src, reference, limits, meter)
    if "manifest.json" in arch.jsons and source_kind != "oci":
        return docker_save.from_streamed(arch, reference, source_kind, total)
    if "index.json" in arch.jsons:
        return oci_layout.from_streamed(arch, reference, source_kind, platform, total)
    raise AuditError(f"{reference}: {oci_layout.NEITHER}")


def open_archive(path: str, kind: str, limits: Limits, meter: Meter | None, platform: str | None) -> ImageData:
    """``docker-archive:PATH``, ``oci:PATH`` or a path given without prefix (kind "auto")."""
    stream_kind = kind if kind != "auto" else "docker-archive"
    ref_name = None
    if path == "-":
        return from_stream(ReaderSource(sys.stdin.buffer), "-", stream_kind, limits, meter, platform)
    if not os.path.exists(path) and ":" in path:
        base, _, ref = path.rpartition(":")
        if os.path.exists(base):
            path, ref_name = base, ref
    if not os.path.exists(path):
        raise AuditError(f"{path}: no such file or directory")
    if os.path.isdir(path):
        return from_bundle(DirBundle(path), kind, path, limits, meter, platform, ref_name)
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        return from_stream(ReaderSource(open(path, "rb")), path, stream_kind, limits, meter, platform)
    with open(path, "rb") as fh:
        head = fh.read(512)
    if compression_of(head) != "none":
        return from_stream(ReaderSource(open(path, "rb")), path, stream_kind, limits, meter, platform,
                           total=st.st_size)
    bundle = TarBundle(path, limits)
    try:
        return from_bundle(bundle, kind, path, limits, meter, platform, ref_name)
    except BaseException:
        bundle.close()
        raise


class ArchiveSource(ImageSource):
    """An archive whose kind says which format to read (see :func:`from_bundle` and :func:`from_stream`)."""

    def open(self) -> ImageData:
        o = self.options
        return open_archive(self.target, self.kind, o.limits, o.meter, o.platform)


@register
class DockerArchiveSource(ArchiveSource):
    kind = "docker-archive"
    prefixes = ("docker-archive:",)


@register
class OciSource(ArchiveSource):
    kind = "oci"
    prefixes = ("oci:", "oci-archive:")

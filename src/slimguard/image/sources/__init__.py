"""Where images come from. One module per kind of source, each an :class:`ImageSource` registered under
its spec prefixes; :func:`open_source` reads a spec with the source its prefix selects.

* :mod:`.engine` - ``docker:NAME``: the local Docker engine's export stream;
* :mod:`.archive` - ``docker-archive:PATH``, ``oci:PATH``: ``docker save`` archives and OCI layouts
  (formats in :mod:`.docker_save` and :mod:`.oci_layout`);
* :mod:`.registry` - ``registry:REF``: the distribution API (client in :mod:`.distribution`);
* :mod:`.auto` - a spec without prefix: a path, an engine image or a registry reference.

Every source yields an :class:`ImageData`: the image config, the layer descriptors and an iterator of
:class:`~slimguard.image.layers.LayerScan` in manifest order (base first). Names taken from manifests
are checked: a digest must be ``sha256:<64 hex>``, a path may not leave the archive.
"""

from slimguard.image.sources.archive import DockerArchiveSource, OciSource, from_bundle, from_stream, open_archive
from slimguard.image.sources.auto import AutoSource
from slimguard.image.sources.base import ImageData, ImageSource, Meter, OpenOptions, open_source, register, source_for
from slimguard.image.sources.bundles import Bundle, DirBundle, TarBundle
from slimguard.image.sources.engine import EngineSource, docker_client, engine_image, open_engine
from slimguard.image.sources.feed import LayerFeed, Metered
from slimguard.image.sources.manifests import (DOCKER_LIST, DOCKER_MANIFEST, INDEX_TYPES, OCI_INDEX, OCI_MANIFEST,
                                               choose_manifest, host_platform)
from slimguard.image.sources.registry import RegistrySource, open_registry
from slimguard.image.sources.streamed import MemberSource

__all__ = ["AutoSource", "Bundle", "DOCKER_LIST", "DOCKER_MANIFEST", "DirBundle", "DockerArchiveSource", "EngineSource",
           "INDEX_TYPES", "ImageData", "ImageSource", "LayerFeed", "MemberSource", "Meter", "Metered", "OCI_INDEX",
           "OCI_MANIFEST", "OciSource", "OpenOptions", "RegistrySource", "TarBundle", "choose_manifest",
           "docker_client", "engine_image", "from_bundle", "from_stream", "host_platform", "open_archive",
           "open_engine", "open_registry", "open_source", "register", "source_for"]

"""What every image source yields (:class:`ImageData`), the :class:`ImageSource` interface, and the
registry that maps a spec's scheme prefix to its source (:func:`register`, :func:`open_source`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Iterator, NamedTuple, TypeVar

from slimguard.image.errors import AuditError
from slimguard.image.layers import LayerScan
from slimguard.image.streams import Limits


@dataclass
class ImageData:
    """An opened image: its config and layer descriptors, and its layers as a lazy stream of scans."""

    reference: str  # the display name
    source: str  # engine, docker-archive, oci, registry
    config: dict
    config_digest: str | None = None
    descriptors: list = field(default_factory=list)  # layer descriptors: mediaType, digest, size
    repo_tags: list = field(default_factory=list)
    layers: Iterator[LayerScan] | None = None  # in manifest order, base first; None: config only (registry without --deep)
    total_bytes: int | None = None  # for the progress bar
    engine_id: str | None = None
    diff_ids: list = field(default_factory=list)
    platform: str | None = None
    notes: list = field(default_factory=list)
    close: Callable[[], None] | None = None


class Meter:
    """Counts bytes read from sources, for the progress bar."""

    def __init__(self, total: int | None = None, callback: Callable[[int, int | None, str], None] | None = None):
        self.total = total
        self.done = 0
        self.label = ""
        self.callback = callback

    def add(self, n: int) -> None:
        self.done += n
        if self.callback is not None:
            self.callback(self.done, self.total, self.label)


class OpenOptions(NamedTuple):
    """How to read: safety limits, progress, wanted platform, ``--deep``, ``--engine`` and the engine client."""

    limits: Limits
    meter: Meter | None = None
    platform: str | None = None
    deep: bool = False
    engine: str = "auto"  # "never": do not ask the local engine about a spec without prefix
    client_factory: Callable[[], Any] | None = None  # None: the engine's docker_client


class ImageSource(ABC):
    """One kind of image source; an instance reads the image one spec names.

    Subclasses set :attr:`kind` and :attr:`prefixes` and are made known with :func:`register`."""

    kind: ClassVar[str]  # short name, as in ImageData.source
    prefixes: ClassVar[tuple[str, ...]]  # the spec prefixes that select this source, e.g. "oci:"

    def __init__(self, target: str, options: OpenOptions) -> None:
        self.target = target  # the spec without its prefix
        self.options = options
        self.client: Any = None  # the Docker engine client used, if any, handed on to the analysis

    @abstractmethod
    def open(self) -> ImageData:
        """Read the manifest and config now; the layers are scanned as ``ImageData.layers`` is iterated.
        Raises AuditError for bad input."""


_S = TypeVar("_S", bound=type[ImageSource])
_BY_PREFIX: dict[str, type[ImageSource]] = {}


def register(cls: _S) -> _S:
    """Class decorator: select ``cls`` for specs starting with one of its prefixes."""
    for prefix in cls.prefixes:
        if prefix in _BY_PREFIX:
            raise ValueError(f"image source prefix {prefix!r} is taken by {_BY_PREFIX[prefix].__name__}")
        _BY_PREFIX[prefix] = cls
    return cls


def registered_prefixes() -> tuple[str, ...]:
    """Every registered prefix but the empty one (the source that detects a spec's kind)."""
    return tuple(sorted(p for p in _BY_PREFIX if p))


def source_for(spec: str) -> tuple[type[ImageSource], str]:
    """-> (the source class of the longest registered prefix of ``spec``, the rest of the spec)."""
    for prefix in sorted(_BY_PREFIX, key=len, reverse=True):
        if spec.startswith(prefix):
            return _BY_PREFIX[prefix], spec[len(prefix):]
    raise AuditError(f"{spec}: no image source reads this")


def open_source(spec: str, *, limits: Limits | None = None, meter: Meter | None = None, platform: str | None = None,
                deep: bool = False, engine: str = "auto",
                client_factory: Callable[[], Any] | None = None) -> tuple[ImageData, Any]:
    """-> (image data, Docker client or None) for ``spec``. Raises AuditError for bad input."""
    cls, target = source_for(spec)
    source = cls(target, OpenOptions(limits or Limits(), meter, platform, deep, engine, client_factory))
    return source.open(), source.client

"""Parse and normalise container image references the way Docker does.

The rules follow Docker's reference normalisation (``ParseNormalizedNamed``
followed by ``TagNameOnly``):

* a reference without a ``/`` is an official Docker Hub image:
  ``node`` -> ``docker.io/library/node``;
* otherwise the first path component is a registry when it is ``localhost``,
  contains a ``.`` or a ``:`` (``example.com``, ``host:5000``, ``[::1]:5000``)
  or contains an uppercase letter; anything else is a Docker Hub namespace;
* ``index.docker.io`` is an alias of ``docker.io``;
* repository paths must be lowercase; tags match ``[\\w][\\w.-]{0,127}``;
  digests are ``algorithm:hex`` with sha256/sha384/sha512 lengths enforced;
* a reference with neither tag nor digest implies ``:latest``.

``scratch`` (exactly that word) is the empty base image and is not
normalised at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "DEFAULT_REGISTRY",
    "ImageRef",
    "ImageRefError",
    "parse_image_ref",
    "try_parse_image_ref",
]

DEFAULT_REGISTRY = "docker.io"
_LEGACY_REGISTRY = "index.docker.io"
_OFFICIAL_PREFIX = "library/"
_DEFAULT_TAG = "latest"
_SCRATCH = "scratch"
_MAX_PATH_LENGTH = 255

# Grammar pieces (ASCII only; everything is matched with ``fullmatch``).
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|-+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_REMOTE_NAME = rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_IPV6 = r"\[[a-fA-F0-9:]+\]"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|{_IPV6})"
_DOMAIN_AND_PORT = rf"{_HOST}(?::[0-9]+)?"
_NAME = rf"(?:{_DOMAIN_AND_PORT}/)?{_REMOTE_NAME}"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}"

_REFERENCE_RE = re.compile(rf"({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?")
_NAME_SPLIT_RE = re.compile(rf"(?:({_DOMAIN_AND_PORT})/)?({_REMOTE_NAME})")
_TAG_RE = re.compile(_TAG)
_IDENTIFIER_RE = re.compile(r"[a-f0-9]{64}")

# Digest algorithms Docker registers, with their hex lengths.
_DIGEST_HEX_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
_LOOSE_DIGEST_RE = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")
_LOWER_HEX_RE = re.compile(r"[a-f0-9]+")


class ImageRefError(ValueError):
    """Raised for a string that is not a valid image reference."""


@dataclass(frozen=True)
class ImageRef:
    """A parsed, normalised image reference."""

    original: str
    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def is_scratch(self) -> bool:
        """True for the special empty base image ``scratch``."""
        return self.registry == "" and self.repository == _SCRATCH

    @property
    def implied_latest(self) -> bool:
        """True when neither tag nor digest was written (Docker uses ``latest``)."""
        return self.tag is None and self.digest is None and not self.is_scratch

    @property
    def effective_tag(self) -> str | None:
        """The tag as written, ``"latest"`` when implied, None for digest-only refs."""
        if self.tag is not None:
            return self.tag
        return _DEFAULT_TAG if self.implied_latest else None

    @property
    def name(self) -> str:
        """Fully qualified repository name, e.g. ``docker.io/library/node``."""
        if not self.registry:
            return self.repository
        return f"{self.registry}/{self.repository}"

    @property
    def familiar_name(self) -> str:
        """Short name as shown by the Docker CLI, e.g. ``node`` or ``bitnami/nginx``."""
        if self.registry != DEFAULT_REGISTRY:
            return self.name
        path = self.repository
        if path.startswith(_OFFICIAL_PREFIX):
            rest = path[len(_OFFICIAL_PREFIX) :]
            if "/" not in rest:
                return rest
        return path

    @property
    def family(self) -> str:
        """Last path component: ``node``, ``static``, ``nginx``."""
        return self.repository.rsplit("/", 1)[-1]

    def __str__(self) -> str:
        if self.is_scratch:
            return _SCRATCH
        text = self.name
        tag = self.effective_tag
        if tag is not None:
            text += f":{tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def _split_registry(text: str) -> tuple[str, str]:
    """Split ``text`` into (registry, remainder) using Docker's heuristics."""
    first, sep, rest = text.partition("/")
    if not sep:
        return DEFAULT_REGISTRY, _OFFICIAL_PREFIX + text
    if first == "localhost":
        registry, remainder = first, rest
    elif first == _LEGACY_REGISTRY:
        registry, remainder = DEFAULT_REGISTRY, rest
    elif "." in first or ":" in first or first.lower() != first:
        registry, remainder = first, rest
    else:
        registry, remainder = DEFAULT_REGISTRY, text
    if registry == DEFAULT_REGISTRY and "/" not in remainder:
        remainder = _OFFICIAL_PREFIX + remainder
    return registry, remainder


def _check_digest(digest: str) -> None:
    algorithm, _, encoded = digest.partition(":")
    expected = _DIGEST_HEX_LENGTHS.get(algorithm)
    if expected is None:
        if _LOOSE_DIGEST_RE.fullmatch(digest) is None:
            raise ImageRefError("invalid digest: invalid checksum digest format")
        raise ImageRefError(
            f"invalid digest: unsupported digest algorithm {algorithm!r} "
            f"(supported: {', '.join(sorted(_DIGEST_HEX_LENGTHS))})"
        )
    if len(encoded) != expected:
        raise ImageRefError(
            f"invalid digest: {algorithm} needs {expected} hex characters, got {len(encoded)}"
        )
    if _LOWER_HEX_RE.fullmatch(encoded) is None:
        raise ImageRefError("invalid digest: hex must be lowercase")


def _describe_failure(text: str) -> str:
    """Best-effort explanation of why ``text`` does not match the grammar."""
    if any(ch.isspace() for ch in text):
        return "contains whitespace"
    if "//" in text:
        return "contains an empty path component ('//')"
    name, at, digest = text.partition("@")
    if at and not digest:
        return "digest after '@' is empty"
    if at and re.fullmatch(_DIGEST, digest) is None:
        return f"invalid digest {digest!r} (expected algorithm:hex)"
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        tag = name[colon + 1 :]
        if not tag:
            return "tag after ':' is empty"
        if _TAG_RE.fullmatch(tag) is None:
            if len(tag) > 128:
                return f"tag is {len(tag)} characters long (at most 128 allowed)"
            return f"invalid tag {tag!r} (allowed: [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})"
    if name.startswith("/") or name.endswith("/"):
        return "leading or trailing '/'"
    return "invalid characters or separators in the repository name"


def parse_image_ref(text: str) -> ImageRef:
    """Parse and normalise ``text``; raise :class:`ImageRefError` when invalid."""
    if not isinstance(text, str):
        raise ImageRefError(f"image reference must be a string, not {type(text).__name__}")
    if text == "":
        raise ImageRefError("invalid reference format: empty image reference")
    if "$" in text:
        raise ImageRefError(
            f"invalid reference format: {text!r} contains an unexpanded variable"
        )
    if text == _SCRATCH:
        return ImageRef(original=text, registry="", repository=_SCRATCH)
    if _IDENTIFIER_RE.fullmatch(text):
        raise ImageRefError(
            f"invalid repository name ({text}), cannot specify 64-byte hexadecimal strings"
        )

    registry, remainder = _split_registry(text)
    remote = remainder.split(":", 1)[0]
    if remote.lower() != remote:
        raise ImageRefError(
            f"invalid reference format: repository name ({remote}) must be lowercase"
        )

    candidate = f"{registry}/{remainder}"
    match = _REFERENCE_RE.fullmatch(candidate)
    if match is None:
        lowered = candidate.lower()
        if lowered != candidate and _REFERENCE_RE.fullmatch(lowered) is not None:
            raise ImageRefError(
                f"invalid reference format: {text!r}: repository name must be lowercase"
            )
        raise ImageRefError(
            f"invalid reference format: {text!r}: {_describe_failure(text)}"
        )

    full_name, tag, digest = match.group(1), match.group(2), match.group(3)
    split = _NAME_SPLIT_RE.fullmatch(full_name)
    assert split is not None  # the same grammar matched above
    domain, path = split.group(1) or "", split.group(2)
    if len(path) > _MAX_PATH_LENGTH:
        raise ImageRefError(
            f"invalid reference format: {text!r}: repository name must not be more than "
            f"{_MAX_PATH_LENGTH} characters"
        )
    if digest is not None:
        try:
            _check_digest(digest)
        except ImageRefError as exc:
            raise ImageRefError(f"invalid reference format: {text!r}: {exc}") from None
    return ImageRef(original=text, registry=domain, repository=path, tag=tag, digest=digest)


def try_parse_image_ref(text: str) -> ImageRef | None:
    """Like :func:`parse_image_ref` but return None for anything invalid.

    References still containing unexpanded variables (``${BASE}``) are
    invalid, so callers get None for them as well.
    """
    try:
        return parse_image_ref(text)
    except ImageRefError:
        return None

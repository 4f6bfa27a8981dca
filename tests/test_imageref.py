"""Tests for slimguard.knowledge.imageref (Docker-compatible image reference parsing)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slimguard.knowledge.imageref import ImageRef, ImageRefError, parse_image_ref, try_parse_image_ref

D256 = "sha256:" + "0123456789abcdef" * 4
D512 = "sha512:" + "0123456789abcdef" * 8
D384 = "sha384:" + "0123456789abcdef" * 6

# input -> (registry, repository, tag, digest, str(ref), familiar_name)
VALID: list[tuple[str, tuple[str, str, str | None, str | None, str, str]]] = [
    # Docker Hub defaults
    ("node", ("docker.io", "library/node", None, None, "docker.io/library/node:latest", "node")),
    ("node:12.16", ("docker.io", "library/node", "12.16", None, "docker.io/library/node:12.16", "node")),
    ("library/node:20", ("docker.io", "library/node", "20", None, "docker.io/library/node:20", "node")),
    ("docker.io/node", ("docker.io", "library/node", None, None, "docker.io/library/node:latest", "node")),
    ("docker.io/library/node", ("docker.io", "library/node", None, None, "docker.io/library/node:latest", "node")),
    ("index.docker.io/node:1", ("docker.io", "library/node", "1", None, "docker.io/library/node:1", "node")),
    ("index.docker.io/a/b", ("docker.io", "a/b", None, None, "docker.io/a/b:latest", "a/b")),
    ("bitnami/nginx:1.25", ("docker.io", "bitnami/nginx", "1.25", None, "docker.io/bitnami/nginx:1.25", "bitnami/nginx")),
    ("docker.io/library/a/b", ("docker.io", "library/a/b", None, None, "docker.io/library/a/b:latest", "library/a/b")),
    ("a/b/c/d", ("docker.io", "a/b/c/d", None, None, "docker.io/a/b/c/d:latest", "a/b/c/d")),
    # single components that look like hosts are still Docker Hub names
    ("localhost", ("docker.io", "library/localhost", None, None, "docker.io/library/localhost:latest", "localhost")),
    ("localhost:5000", ("docker.io", "library/localhost", "5000", None, "docker.io/library/localhost:5000", "localhost")),
    ("example.com", ("docker.io", "library/example.com", None, None, "docker.io/library/example.com:latest", "example.com")),
    # registries
    ("gcr.io/distroless/static:nonroot", ("gcr.io", "distroless/static", "nonroot", None, "gcr.io/distroless/static:nonroot", "gcr.io/distroless/static")),
    ("ghcr.io/owner/app", ("ghcr.io", "owner/app", None, None, "ghcr.io/owner/app:latest", "ghcr.io/owner/app")),
    ("localhost/app", ("localhost", "app", None, None, "localhost/app:latest", "localhost/app")),
    ("localhost:5000/app:dev", ("localhost:5000", "app", "dev", None, "localhost:5000/app:dev", "localhost:5000/app")),
    ("registry:5000/team/app", ("registry:5000", "team/app", None, None, "registry:5000/team/app:latest", "registry:5000/team/app")),
    ("127.0.0.1:5000/x/y:t", ("127.0.0.1:5000", "x/y", "t", None, "127.0.0.1:5000/x/y:t", "127.0.0.1:5000/x/y")),
    ("10.0.0.1/app", ("10.0.0.1", "app", None, None, "10.0.0.1/app:latest", "10.0.0.1/app")),
    ("[::1]:5000/app", ("[::1]:5000", "app", None, None, "[::1]:5000/app:latest", "[::1]:5000/app")),
    ("[2001:db8::1]/app:v1", ("[2001:db8::1]", "app", "v1", None, "[2001:db8::1]/app:v1", "[2001:db8::1]/app")),
    ("Registry.Example.COM/app", ("Registry.Example.COM", "app", None, None, "Registry.Example.COM/app:latest", "Registry.Example.COM/app")),
    ("Foo/bar", ("Foo", "bar", None, None, "Foo/bar:latest", "Foo/bar")),  # uppercase first part = host
    ("xn--bcher-kva.ch/a", ("xn--bcher-kva.ch", "a", None, None, "xn--bcher-kva.ch/a:latest", "xn--bcher-kva.ch/a")),
    ("docker.io.example.com/a", ("docker.io.example.com", "a", None, None, "docker.io.example.com/a:latest", "docker.io.example.com/a")),
    # separators
    ("foo__bar", ("docker.io", "library/foo__bar", None, None, "docker.io/library/foo__bar:latest", "foo__bar")),
    ("foo---bar/a.b_c", ("docker.io", "foo---bar/a.b_c", None, None, "docker.io/foo---bar/a.b_c:latest", "foo---bar/a.b_c")),
    # tags
    ("node:Latest_1.0-RC", ("docker.io", "library/node", "Latest_1.0-RC", None, "docker.io/library/node:Latest_1.0-RC", "node")),
    ("node:_x", ("docker.io", "library/node", "_x", None, "docker.io/library/node:_x", "node")),
    ("node:" + "t" * 128, ("docker.io", "library/node", "t" * 128, None, "docker.io/library/node:" + "t" * 128, "node")),
    # digests
    ("node@" + D256, ("docker.io", "library/node", None, D256, "docker.io/library/node@" + D256, "node")),
    ("node:20@" + D256, ("docker.io", "library/node", "20", D256, "docker.io/library/node:20@" + D256, "node")),
    ("ghcr.io/a/b@" + D512, ("ghcr.io", "a/b", None, D512, "ghcr.io/a/b@" + D512, "ghcr.io/a/b")),
    ("a@" + D384, ("docker.io", "library/a", None, D384, "docker.io/library/a@" + D384, "a")),
    ("localhost:5000/a:b@" + D256, ("localhost:5000", "a", "b", D256, "localhost:5000/a:b@" + D256, "localhost:5000/a")),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_valid(text: str, expected: tuple[str, str, str | None, str | None, str, str]) -> None:
    ref = parse_image_ref(text)
    registry, repository, tag, digest, full, familiar = expected
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)
    assert str(ref) == full
    assert ref.familiar_name == familiar
    assert ref.name == f"{registry}/{repository}"
    assert ref.original == text
    assert not ref.is_scratch
    assert try_parse_image_ref(text) == ref


INVALID: list[tuple[str, str]] = [
    ("", "empty"),
    ("Node", "lowercase"),
    ("foo/Bar", "lowercase"),
    ("docker.io/Foo", "lowercase"),
    ("gcr.io/Distroless/static", "lowercase"),
    ("node@SHA256:" + "a" * 64, "lowercase"),
    ("foo//bar", "//"),
    ("node:", "tag after ':' is empty"),
    ("node@", "empty"),
    ("gcr.io/x:", "tag after ':' is empty"),
    ("node:" + "t" * 129, "at most 128"),
    ("node:.tag", "invalid tag"),
    ("node:-tag", "invalid tag"),
    ("node:ta g", "whitespace"),
    (" node", "whitespace"),
    ("node ", "whitespace"),
    ("node\n", "whitespace"),
    ("node:a:b", "invalid"),
    ("node@sha256:abc", "invalid digest"),
    ("node@sha256:" + "a" * 63, "64 hex"),
    ("node@sha256:" + "a" * 65, "64 hex"),
    ("node@sha256:" + "A" * 64, "lowercase"),
    ("node@sha256:" + "g" * 64, "invalid digest"),
    ("node@sha512:" + "a" * 64, "128 hex"),
    ("node@md5:" + "a" * 32, "unsupported digest algorithm"),
    ("node@" + "a" * 64, "invalid digest"),
    ("a" * 64, "64-byte hexadecimal"),
    ("-node", "invalid"),
    ("node-", "invalid"),
    ("foo.-bar", "invalid"),
    ("foo___bar", "invalid"),
    ("/node", "leading or trailing '/'"),
    ("node/", "leading or trailing '/'"),
    ("host:/app", "invalid"),
    ("-ex.com/app", "invalid"),
    ("[zz]:5000/app", "invalid"),
    ("a/" + "b" * 254, "255 characters"),
    ("${BASE}", "unexpanded variable"),
    ("$BASE:1.0", "unexpanded variable"),
    ("node:${TAG}", "unexpanded variable"),
    ("α/b", "invalid"),
]


@pytest.mark.parametrize(("text", "fragment"), INVALID)
def test_invalid(text: str, fragment: str) -> None:
    with pytest.raises(ImageRefError) as info:
        parse_image_ref(text)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)
    assert try_parse_image_ref(text) is None


def test_longest_repository_name() -> None:
    ref = parse_image_ref("a/" + "b" * 253)
    assert len(ref.repository) == 255


@pytest.mark.parametrize(
    ("text", "effective", "implied"),
    [
        ("node", "latest", True),
        ("node:latest", "latest", False),
        ("node:20", "20", False),
        ("node@" + D256, None, False),
        ("node:20@" + D256, "20", False),
        ("scratch", None, False),
    ],
)
def test_effective_tag(text: str, effective: str | None, implied: bool) -> None:
    ref = parse_image_ref(text)
    assert ref.effective_tag == effective
    assert ref.implied_latest is implied


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("node", "node"),
        ("gcr.io/distroless/static:nonroot", "static"),
        ("bitnami/nginx", "nginx"),
        ("localhost:5000/a/b/c@" + D256, "c"),
    ],
)
def test_family(text: str, family: str) -> None:
    assert parse_image_ref(text).family == family


def test_scratch_is_not_normalised() -> None:
    ref = parse_image_ref("scratch")
    assert ref.is_scratch
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == ("", "scratch", None, None)
    assert str(ref) == ref.name == ref.familiar_name == ref.family == "scratch"
    assert ref.effective_tag is None and not ref.implied_latest
    # only the bare word is special; anything else is an ordinary Hub image
    for text in ("scratch:latest", "library/scratch", "docker.io/library/scratch"):
        other = parse_image_ref(text)
        assert not other.is_scratch
        assert other.name == "docker.io/library/scratch"
    with pytest.raises(ImageRefError):
        parse_image_ref("Scratch")


def test_refs_are_frozen_and_hashable() -> None:
    ref = parse_image_ref("node:20")
    with pytest.raises(AttributeError):
        ref.tag = "21"  # type: ignore[misc]
    assert {ref, parse_image_ref("node:20")} == {ref}
    assert ref == ImageRef("node:20", "docker.io", "library/node", "20", None)
    # equal normalisation, different spelling
    assert str(parse_image_ref("index.docker.io/library/node:20")) == str(ref)


def test_error_for_non_string() -> None:
    with pytest.raises(ImageRefError):
        parse_image_ref(None)  # type: ignore[arg-type]


_COMPONENT = st.from_regex(r"[a-z0-9]+(?:[._-][a-z0-9]+){0,2}", fullmatch=True)
_TAG = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(
    host=st.sampled_from(["", "docker.io/", "gcr.io/", "localhost:5000/", "[::1]:5000/", "10.1.2.3/"]),
    parts=st.lists(_COMPONENT, min_size=1, max_size=3),
    tag=st.none() | _TAG,
    digest=st.none() | st.just(D256),
)
def test_round_trip(host: str, parts: list[str], tag: str | None, digest: str | None) -> None:
    text = host + "/".join(parts) + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
    if text == "scratch":
        return
    ref = parse_image_ref(text)
    assert ref.tag == tag and ref.digest == digest
    again = parse_image_ref(str(ref))
    assert (again.registry, again.repository, again.digest) == (ref.registry, ref.repository, ref.digest)
    assert again.effective_tag == ref.effective_tag
    first = ref.familiar_name.split("/")[0]
    if "/" in ref.familiar_name and ("." in first or ":" in first or first == "localhost"):
        return  # Docker's familiar form is ambiguous here too ("docker.io/a.b/c" -> "a.b/c")
    assert parse_image_ref(ref.familiar_name).name == ref.name


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_never_raises_other_errors(text: str) -> None:
    try:
        parse_image_ref(text)
    except ImageRefError:
        pass

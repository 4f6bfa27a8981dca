"""Guess the base image and the smaller variant of it.

With a Docker engine: the local image whose layer list (``RootFS.Layers``, the uncompressed diff ids)
is the longest prefix of ours is the base, exactly. Without one: ``/etc/os-release`` (and the
toolchain packages) give a best guess. The smaller variant comes from slimguard's knowledge base;
the saving is exact when the engine has both images, else the knowledge base's estimate.
"""

from __future__ import annotations

from typing import Any


def _split(tag: str) -> tuple[str, str | None]:
    name, _, t = tag.rpartition(":")
    if not name or "/" in t:
        return tag, None
    return name, t


def _knowledge():
    try:
        from slimguard.knowledge import bases as knowledge
    except ImportError:  # pragma: no cover
        return None
    return knowledge


def _pick_tag(tags: list[str]) -> tuple[str, Any]:
    """Prefer a tag the knowledge base has a smaller variant for, then a known one, then the first."""
    kn = _knowledge()
    tags = sorted(t for t in tags if t and "<none>" not in t)
    best = (tags[0] if tags else "", None)
    if kn is None:
        return best
    known = None
    for t in tags:
        repo, tag = _split(t)
        try:
            v = kn.smaller_variant(repo, tag)
        except Exception:  # noqa: BLE001 - knowledge errors must not break an audit
            v = None
        if v is not None:
            return t, v
        if known is None:
            try:
                if kn.lookup(repo, tag) is not None:
                    known = t
            except Exception:  # noqa: BLE001
                pass
    return (known or best[0]), None


def _engine_match(client: Any, diff_ids: list[str]) -> list[tuple[list[str], int, str]]:
    """Local tagged images whose layers are a prefix of ours: (tags, matched layers, id), longest first."""
    found = []
    try:
        summaries = client.api.images()
    except Exception:  # noqa: BLE001
        return []
    for s in summaries:
        tags = [t for t in (s.get("RepoTags") or []) if t and "<none>" not in t]
        if not tags:
            continue
        try:
            info = client.api.inspect_image(s["Id"])
        except Exception:  # noqa: BLE001
            continue
        layers = (info.get("RootFS") or {}).get("Layers") or []
        n = len(layers)
        if not n or n > len(diff_ids) or diff_ids[:n] != layers:
            continue
        found.append((tags, n, s["Id"]))
    found.sort(key=lambda t: (-t[1], t[2]))
    return found


def _known(tag: str) -> bool:
    kn = _knowledge()
    if kn is None:
        return False
    repo, t = _split(tag)
    try:
        return kn.lookup(repo, t) is not None
    except Exception:  # noqa: BLE001
        return False


def guess_base(config: dict, overlay: Any, packages: list, client: Any, own_tags: list[str],
               total_layers: int) -> dict | None:
    kn = _knowledge()
    diff_ids = list(((config.get("rootfs") or {}).get("diff_ids")) or [])
    result: dict = {}
    if client is not None and diff_ids:
        for tags, n, image_id in _engine_match(client, diff_ids):
            if n == len(diff_ids) and not any(_known(t) for t in tags):
                continue  # the image itself, under a name the knowledge base does not know: look further down
            tag, variant = _pick_tag(tags)
            how = ("the image itself" if n == len(diff_ids) else
                   f"local image {tag} matches the first {n} of {len(diff_ids)} layers")
            result = {"guess": tag, "how": how, "layers": n, "image_id": image_id}
            if variant is not None:
                _add_variant(result, tag, variant, client)
            return result
    if own_tags:
        tag, variant = _pick_tag(own_tags)
        if variant is not None:
            result = {"guess": tag, "how": "the image's own tag"}
            _add_variant(result, tag, variant, client)
            return result
    if overlay is None:
        return None
    osr = overlay.get("/etc/os-release") or overlay.get("/usr/lib/os-release")
    fields: dict[str, str] = {}
    if osr is not None and osr.data:
        for line in osr.data.decode("utf-8", "replace").splitlines():
            k, sep, v = line.partition("=")
            if sep:
                fields[k.strip()] = v.strip().strip('"')
    distro = fields.get("ID")
    if not distro:
        return None
    names = {p.name for p in packages}
    if distro == "debian":
        code = fields.get("VERSION_CODENAME") or "stable"
        toolchain = {"gcc", "make", "git"} <= names or ({"gcc", "make"} <= names)
        guess = f"buildpack-deps:{code}" if toolchain else f"debian:{code}"
    elif distro == "alpine":
        ver = ".".join(fields.get("VERSION_ID", "").split(".")[:2]) or "latest"
        guess = f"alpine:{ver}"
    elif distro == "ubuntu":
        guess = f"ubuntu:{fields.get('VERSION_ID', 'latest')}"
    else:
        guess = f"{distro}:{fields.get('VERSION_ID', 'latest')}"
    result = {"guess": guess, "how": "guessed from /etc/os-release" + (" and the toolchain packages" if
                                                                         guess.startswith("buildpack") else "")}
    if kn is not None:
        repo, tag = _split(guess)
        try:
            variant = kn.smaller_variant(repo, tag)
        except Exception:  # noqa: BLE001
            variant = None
        if variant is not None:
            _add_variant(result, guess, variant, client)
    return result


def _add_variant(result: dict, tag: str, variant: Any, client: Any) -> None:
    result["smaller_variant"] = variant.image
    result["reason"] = variant.reason
    saving = None
    source = None
    if client is not None:
        try:
            a = client.api.inspect_image(tag)
            b = client.api.inspect_image(variant.image)
            if a.get("Size") and b.get("Size"):
                saving = int(a["Size"]) - int(b["Size"])
                source = f"measured: local images {tag} and {variant.image}"
        except Exception:  # noqa: BLE001
            pass
    if saving is None and variant.saving_mb is not None:
        saving = int(variant.saving_mb * 1_000_000)
        source = f"knowledge base, {variant.size_measure or 'estimated'} sizes"
    result["saving_bytes"] = saving
    result["saving_source"] = source

"""Who an image runs as: from the local engine, a Dockerfile in the same repository, or the knowledge base.

Order for an image reference: the local Docker engine (what would really run; never pulled), then a
Dockerfile in the same repository whose directory or file name matches the image's last path
component (``ghcr.io/acme/api:1.2`` -> ``api/Dockerfile``, ``Dockerfile.api``, ``api.Dockerfile``,
or the repository's top-level Dockerfile when the repository directory is named ``api``), then
slimguard's knowledge base of official images. A compose service with ``build:`` uses its Dockerfile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slimguard.analysis.users import UserSpec

if TYPE_CHECKING:
    from slimguard.dockerfile.analysis.accounts import Accounts


@dataclass(frozen=True)
class ImageUser:
    image: str
    user: str  # the image's USER ("" when unset: root)
    source: str  # engine, knowledge, "Dockerfile <path>", stub
    users: dict[str, tuple[int, int]] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    uid: int | None = None
    gid: int | None = None
    has_shell: bool | None = None

    @property
    def spec(self) -> UserSpec:
        return UserSpec.parse(self.user)

    @property
    def name(self) -> str:
        return self.spec.user

    @property
    def is_numeric(self) -> bool:
        return self.spec.is_numeric

    @property
    def is_root(self) -> bool:
        """Root by USER or by its uid; a name whose uid is not known counts as not root."""
        return bool(self.spec.is_root(self.uid))

    def describe(self) -> str:
        where = self.source if self.source.startswith("Dockerfile") else f"{self.source}"
        shown = f"USER {self.user}" if self.user else "no USER (root)"
        return f"{self.image} has {shown} ({where})"


def _ids(user: str, users: dict[str, tuple[int, int]], groups: dict[str, int]) -> tuple[int | None, int | None]:
    """The uid and gid of USER *user* given the image's accounts (None where not known)."""
    spec = UserSpec.parse(user)
    uid: int | None = None
    gid: int | None = None
    if spec.uid is not None:
        uid = spec.uid
        acct = next((ids for ids in users.values() if ids[0] == uid), None)
        gid = acct[1] if acct else uid if not users else None
    elif spec.is_root():
        uid, gid = 0, 0
    elif spec.user in users:
        uid, gid = users[spec.user]
    if spec.group:
        gid = spec.gid if spec.numeric_group else groups.get(spec.group, gid if spec.group == spec.user else None)
    return uid, gid


def image_user_from_facts(image: str, facts: Any) -> ImageUser | None:
    if facts is None or facts.default_user is None:
        return None
    user = facts.default_user or ""
    uid, gid = _ids(user, dict(facts.users), dict(facts.groups))
    return ImageUser(image, user, facts.source, dict(facts.users), dict(facts.groups), uid, gid, facts.has_shell)


def repository_root(path: str) -> str:
    d = os.path.dirname(os.path.abspath(path))
    probe = d
    for _ in range(12):
        if os.path.exists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    return d


class ImageResolver:
    """Caches answers; ``stubs`` (image -> dict) replace every other source (tests, case files)."""

    def __init__(self, resolver: Any = None, stubs: dict[str, dict] | None = None) -> None:
        self.resolver = resolver
        self.stubs = stubs
        self._cache: dict[tuple, ImageUser | None] = {}
        self._dockerfiles: dict[str, list[str]] = {}

    # -- public ---------------------------------------------------------------------------
    def for_image(self, image: str, near: str | None = None) -> ImageUser | None:
        key = ("image", image, near and repository_root(near))
        if key not in self._cache:
            self._cache[key] = self._lookup(image, near)
        return self._cache[key]

    def for_build(self, dockerfile: str, target: str | None, image: str) -> ImageUser | None:
        key = ("build", dockerfile, target)
        if key not in self._cache:
            self._cache[key] = self.from_dockerfile(dockerfile, target, image)
        return self._cache[key]

    # -- sources --------------------------------------------------------------------------
    def _lookup(self, image: str, near: str | None) -> ImageUser | None:
        if self.stubs is not None:
            return self._stub(image)
        from slimguard.knowledge.imageref import try_parse_image_ref

        ref = try_parse_image_ref(image)
        if ref is None or ref.is_scratch:
            return None
        facts = self.resolver.resolve(ref) if self.resolver is not None else None
        if facts is not None and facts.source == "engine":
            return image_user_from_facts(image, facts)
        if near and near not in ("-", "<stdin>", "<docker run>"):
            df = self._dockerfile_for(ref, near)
            if df is not None:
                found = self.from_dockerfile(df, None, image)
                if found is not None:
                    return found
        return image_user_from_facts(image, facts)

    def _stub(self, image: str) -> ImageUser | None:
        assert self.stubs is not None
        spec = self.stubs.get(image)
        if spec is None:
            return None
        users = {k: (int(v[0]), int(v[1])) for k, v in (spec.get("users") or {}).items()}
        groups = {k: int(v) for k, v in (spec.get("groups") or {}).items()}
        for name, (_, gid) in users.items():
            groups.setdefault(name, gid)
        user = str(spec.get("user") or "")
        uid, gid = _ids(user, users, groups)
        return ImageUser(image, user, spec.get("source", "stub"), users, groups, uid, gid, spec.get("has_shell"))

    def _dockerfile_for(self, ref: Any, near: str) -> str | None:
        from slimguard.dockerfile.discover import discover

        root = repository_root(near)
        if root not in self._dockerfiles:
            found: list[str] = []
            try:
                found = discover(root)[:500]
            except OSError:
                pass
            self._dockerfiles[root] = found
        family = ref.family
        matches = []
        for path in self._dockerfiles[root]:
            name = os.path.basename(path)
            parent = os.path.basename(os.path.dirname(path))
            stem_ok = name in (f"Dockerfile.{family}", f"{family}.Dockerfile", f"Containerfile.{family}")
            dir_ok = name in ("Dockerfile", "Containerfile") and (
                parent == family or (os.path.dirname(path) == root and os.path.basename(root) == family))
            if stem_ok or dir_ok:
                matches.append(path)
        return matches[0] if len(matches) == 1 else None

    def from_dockerfile(self, path: str, target: str | None, image: str) -> ImageUser | None:
        from slimguard.knowledge.facts import Resolver
        from slimguard.dockerfile.inputs import InputError, read_source
        from slimguard.dockerfile.analysis.accounts import chain_accounts, resolve_ids
        from slimguard.dockerfile.model import build_model
        from slimguard.dockerfile.syntax import parse

        try:
            source = read_source(path)
        except InputError:
            return None
        tree = parse(source.text)
        if tree.errors:
            return None
        resolver = self.resolver or Resolver("never")

        def base_user(ref: object) -> str | None:
            facts = resolver.resolve(ref)
            return None if facts is None else facts.default_user

        model = build_model(tree, {}, base_user=base_user)
        stage = model.target(target)
        if stage is None:
            return None
        user_ref = stage.user
        if user_ref.is_root is None:
            return None
        text = user_ref.text
        if text:
            uid, gid, acc = resolve_ids(resolver, stage, text, None)
        else:
            uid, gid, acc = 0, 0, chain_accounts(resolver, stage)
        return ImageUser(image, text, f"Dockerfile {path}", _account_ids(acc), {}, uid, gid, None)


def _account_ids(acc: "Accounts | None") -> dict[str, tuple[int, int]]:
    """name -> (uid, gid) of the accounts whose uid is known (the gid defaults to the uid)."""
    users: dict[str, tuple[int, int]] = {}
    if acc is not None:
        for name, a in acc.users.items():
            if a.uid is not None:
                g = acc.group_gid(a.gid)
                users[name] = (a.uid, g if g is not None else a.uid)
    return users

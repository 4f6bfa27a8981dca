"""What a run-time rule is, and the context it checks: one parsed compose file, manifest or docker run."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, Iterable

from slimguard.analysis.users import UserSpec
from slimguard.core.config import DEFAULT_GID, DEFAULT_UID
from slimguard.core.findings import CONCERNS, Applicability, Edit, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.runtime.hostfs import HostFS
from slimguard.runtime.images import ImageResolver, ImageUser
from slimguard.runtime.model import Container, Document, Val, Workload
from slimguard.runtime.yamlnodes import Loc, Patcher, TextIndex

__all__ = ["CheckContext", "CheckOptions", "RuleDocs", "RunUser", "RuntimeRule", "concern"]


def concern(preferred: str, fallback: str) -> str:
    """*preferred* once slimguard.core.findings.CONCERNS lists it, else *fallback* (an existing concern)."""
    return preferred if preferred in CONCERNS else fallback


class RuntimeRule(Rule):
    """A run-time rule: checks a compose file, Kubernetes manifest or docker run (see ``origins``)."""

    kind: ClassVar[str] = "runtime"
    origins: ClassVar[tuple[str, ...]] = ("kubernetes", "compose", "docker-run")
    example_lang: ClassVar[str] = "yaml"

    def check(self, ctx: "CheckContext") -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class CheckOptions:
    """The uid:gid a run-time fix uses when it must pick one."""

    uid: int = DEFAULT_UID
    gid: int = DEFAULT_GID


@dataclass(frozen=True)
class RunUser:
    """Who the container's process runs as, and how slimguard knows."""

    uid: int | None
    gid: int | None
    root: bool | None  # True, False, None (not known)
    source: str  # e.g. "runAsUser: 1000", "user: node", "image USER node", "image without USER"
    name: str | None = None  # a user name as written (needs the image's /etc/passwd)
    host_user: bool = False  # "$(id -u)" / "${UID}": the host user who starts it

    def describe(self) -> str:
        if self.uid is not None and self.root is False:
            return f"uid {self.uid}"
        if self.root:
            return "root"
        return self.name or "an unknown user"


_HOST_EXPR = re.compile(r"\$\(\s*id\s+-u\s*\)|\$\{?UID\}?|\$\{?USER_ID\}?|\$\(\s*id\s+-g\s*\)|\$\{?GID\}?")


class CheckContext:
    def __init__(self, doc: Document, options: CheckOptions, images: ImageResolver, host: HostFS) -> None:
        self.doc = doc
        self.options = options
        self.images = images
        self.host = host
        self.index = TextIndex(doc.text)
        self.patcher = Patcher(doc.text, doc.roots) if doc.kind != "docker-run" else None
        self._image_users: dict[int, ImageUser | None] = {}

    @property
    def kind(self) -> str:
        return self.doc.kind

    def workloads(self) -> list[Workload]:
        return self.doc.workloads

    def containers(self) -> list[Container]:
        return self.doc.containers()

    # -- findings ---------------------------------------------------------------------------
    def finding(self, rule: RuntimeRule, loc: Loc, message: str, *, fix: Fix | None = None,
                severity: Severity | None = None, details: dict[str, Any] | None = None) -> Finding:
        line, col, end_line, end_col = self.index.span(loc)
        return Finding(
            rule=rule.id, concern=rule.concern, severity=severity or rule.severity, message=message,
            file=self.doc.path, line=line, column=col, end_line=end_line, end_column=end_col,
            aliases=rule.aliases, title=rule.title, fix=fix, origin=self.doc.kind,
            details=details or {},
        )

    @staticmethod
    def fix(description: str, edits: tuple[Edit, ...] | None, safe: bool = True) -> Fix | None:
        if not edits:
            return None
        return Fix(description, tuple(edits), Applicability.of(safe))

    # -- images and users -------------------------------------------------------------------
    def image_user(self, c: Container) -> ImageUser | None:
        key = id(c)
        if key in self._image_users:
            return self._image_users[key]
        found: ImageUser | None = None
        if c.build and c.workload.project_dir:
            import os

            context = c.build.get("context", ".")
            rel = os.path.normpath(os.path.join(context, c.build.get("dockerfile", "Dockerfile")))
            dockerfile = os.path.join(c.workload.project_dir, rel)
            label = str(c.image.value) if c.image is not None and c.image.value else f"the image built from {rel}"
            if self.images.stubs is not None and f"build:{context}" in self.images.stubs:
                found = self.images.for_image(f"build:{context}")
            else:
                found = self.images.for_build(dockerfile, c.build.get("target"), label)
        if found is None and c.image is not None and c.image.value and "$" not in str(c.image.value):
            found = self.images.for_image(str(c.image.value), self.doc.path)
        self._image_users[key] = found
        return found

    def run_user(self, c: Container) -> RunUser:
        """The user the container's process runs as (Kubernetes precedence and images applied)."""
        iu = self.image_user(c)
        if c.origin == "kubernetes":
            if c.run_as_user is not None and isinstance(c.run_as_user.value, int):
                uid = c.run_as_user.value
                gid = c.run_as_group.value if c.run_as_group is not None else None
                if gid is None and iu is not None:
                    acct = next((ids for ids in iu.users.values() if ids[0] == uid), None)
                    gid = acct[1] if acct else None
                return RunUser(uid, gid, uid == 0, f"runAsUser: {uid}")
            return self._image_run_user(iu, c)
        if c.user is not None and c.user.value is not None:
            return self._user_spec(c, str(c.user.value), c.user.raw or str(c.user.value), iu)
        return self._image_run_user(iu, c)

    def _image_run_user(self, iu: ImageUser | None, c: Container) -> RunUser:
        if iu is None:
            image = c.image.value if c.image is not None else c.name
            return RunUser(None, None, None, f"image {image} (not known to slimguard)")
        if not iu.user:
            where = f", {iu.source}" if iu.source.startswith("Dockerfile") else ""
            return RunUser(0, 0, True, f"{iu.image} without USER (root{where})")
        gid = iu.gid
        if c.origin == "kubernetes" and c.run_as_group is not None and isinstance(c.run_as_group.value, int):
            gid = c.run_as_group.value
        return RunUser(iu.uid, gid, iu.is_root, f"{iu.image} USER {iu.user}", name=iu.name)

    def _user_spec(self, c: Container, text: str, raw: str, iu: ImageUser | None) -> RunUser:
        where = "--user" if c.origin == "docker-run" else "user:"
        spec = UserSpec.parse(text)
        raw_user = UserSpec.parse(raw).user
        if "$" in raw_user or "`" in raw_user:
            if _HOST_EXPR.search(raw_user) or c.origin == "docker-run":
                hu, hg = self.host.current_user()
                uid = spec.uid if spec.uid is not None else (hu if c.origin == "docker-run" else None)
                gid = spec.gid if spec.gid is not None else (hg if c.origin == "docker-run" else None)
                return RunUser(uid, gid, False, f"{where} {raw} (the host user)", host_user=True)
        if spec.is_root():
            if not text:
                return self._image_run_user(iu, c)
            return RunUser(0, 0, True, f"{where} {raw}")
        if spec.uid is not None:
            uid, gid = spec.uid, spec.gid
            if gid is None and iu is not None:
                if spec.group:
                    gid = iu.groups.get(spec.group)
                else:
                    acct = next((ids for ids in iu.users.values() if ids[0] == uid), None)
                    gid = acct[1] if acct else uid
            elif gid is None and not spec.group:
                gid = uid  # no image to look the uid up in
            return RunUser(uid, gid, False, f"{where} {raw}")
        uid = gid = None
        if iu is not None and spec.user in iu.users:
            uid, gid = iu.users[spec.user]
        if spec.group:
            gid = spec.gid if spec.numeric_group else (iu.groups.get(spec.group) if iu is not None else None)
        return RunUser(uid, gid, False, f"{where} {raw}", name=spec.user)

    def suggested_ids(self, c: Container) -> tuple[int, int]:
        """A non-root uid:gid for a fix: the image's own non-root user when it has one, else the config's."""
        iu = self.image_user(c)
        if iu is not None:
            if iu.uid not in (None, 0) and iu.gid is not None:
                return iu.uid, iu.gid  # type: ignore[return-value]
            candidates = sorted((ids for n, ids in iu.users.items() if 1000 <= ids[0] < 65534), key=lambda t: t[0])
            if candidates:
                return candidates[0]
        return self.options.uid, self.options.gid

    # -- edits --------------------------------------------------------------------------------
    def set_in(self, node: Any, path: list[str], value: Any) -> tuple[Edit, ...] | None:
        if self.patcher is None or node is None:
            return None
        return self.patcher.set_path(node, path, value)

    def append_in(self, node: Any, path: list[str], item: Any) -> tuple[Edit, ...] | None:
        if self.patcher is None or node is None:
            return None
        return self.patcher.append_item(node, path, item)

    def replace(self, val: Val | None, value: Any) -> tuple[Edit, ...] | None:
        if self.patcher is None or val is None or val.entry is None or val.entry.inherited:
            return None
        return self.patcher.replace_value(val.entry.value, value)

    def run_insert(self, text: str) -> tuple[Edit, ...] | None:
        if self.doc.kind != "docker-run":
            return None
        from slimguard.runtime.dockerrun import insert_flag

        return insert_flag(self.doc, text)

    def run_remove(self, val: Val) -> tuple[Edit, ...] | None:
        if self.doc.kind != "docker-run":
            return None
        from slimguard.runtime.dockerrun import remove_flag

        return remove_flag(self.doc, val)

    def run_replace(self, val: Val, text: str) -> tuple[Edit, ...] | None:
        if self.doc.kind != "docker-run":
            return None
        from slimguard.runtime.dockerrun import replace_flag

        return replace_flag(self.doc, val, text)

    def quote(self, text: str) -> str:
        """A word for a shell command line."""
        import shlex

        return shlex.quote(text)


def pod_label(w: Workload) -> str:
    return f"{w.kind} {w.name!r}"


def pod_level_loc(w: Workload) -> Loc:
    """Where pod-level findings point: the pod securityContext, else the pod spec's key."""
    from slimguard.runtime.yamlnodes import key_loc

    if w.pod_security is not None:
        return key_loc(w.pod_security)
    if w.pod_spec_entry is not None:
        return key_loc(w.pod_spec_entry)
    return w.loc

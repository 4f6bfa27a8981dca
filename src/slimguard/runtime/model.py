"""The common run-time model: what a compose service, a Kubernetes pod's container or a `docker run`
would run, and with which privileges.

Every value remembers where it was written (a :class:`Val` with the YAML nodes, or the span of a
`docker run` flag), so findings point at it and fixes can edit it. Kubernetes precedence is
resolved here: a container's ``securityContext`` wins over the pod's for the fields both have
(``runAsUser``, ``runAsGroup``, ``runAsNonRoot``, ``seccompProfile``, ``seLinuxOptions``); the rest
are container-only (``allowPrivilegeEscalation``, ``privileged``, ``capabilities``,
``readOnlyRootFilesystem``) or pod-only (``fsGroup``, ``fsGroupChangePolicy``,
``supplementalGroups``, ``sysctls``, host namespaces).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slimguard.runtime.yamlnodes import Entry, Loc

ORIGINS = ("kubernetes", "compose", "docker-run")


@dataclass
class Val:
    """A setting's value and where it is written."""

    value: Any
    loc: Loc
    entry: Entry | None = None  # YAML: the key/value pair
    level: str = ""  # kubernetes: "pod" or "container"
    token: int | None = None  # docker run: index of the first argument of the flag
    ntokens: int = 1  # docker run: how many arguments the flag takes (1 for --flag=value)
    raw: str | None = None  # compose: the text before ${VAR} interpolation
    node: Any = None  # YAML: the scalar node of a list item

    @property
    def inherited(self) -> bool:
        return self.entry is not None and self.entry.inherited


@dataclass
class Port:
    container: int | None
    host: int | None = None
    protocol: str = "tcp"
    loc: Loc | None = None
    text: str = ""


@dataclass
class Mount:
    """A bind mount, named volume, tmpfs or Kubernetes volume mount."""

    kind: str  # bind, volume, tmpfs, k8s
    target: str
    source: str | None = None
    read_only: bool = False
    options: dict[str, str] = field(default_factory=dict)  # tmpfs: uid, gid, mode, size
    syntax: str = "short"  # short (-v, "src:dst"), long (--mount, type: bind), tmpfs (--tmpfs, tmpfs:)
    create_host_path: bool = True  # short bind syntax creates a missing source as root:root 0755
    loc: Loc | None = None
    val: Val | None = None  # the entry as written, for edits
    volume: "Volume | None" = None  # kubernetes: the pod volume it mounts
    node: Any = None  # YAML node of the entry


@dataclass
class Volume:
    """A Kubernetes pod volume (or a StatefulSet volumeClaimTemplate)."""

    name: str
    type: str  # persistentVolumeClaim, emptyDir, hostPath, configMap, ...
    loc: Loc
    path: str | None = None  # hostPath.path
    read_only: bool = False


@dataclass
class Container:
    workload: "Workload"
    name: str
    role: str  # container, initContainer, ephemeralContainer, service, run
    loc: Loc
    node: Any = None  # YAML mapping of the container / service
    image: Val | None = None
    build: dict[str, str] | None = None  # compose: {"context": dir, "dockerfile": path}
    # kubernetes securityContext, effective (container over pod)
    run_as_user: Val | None = None
    run_as_group: Val | None = None
    run_as_non_root: Val | None = None
    seccomp: Val | None = None  # type string
    allow_privilege_escalation: Val | None = None
    privileged: Val | None = None
    read_only_root_fs: Val | None = None
    cap_add: list[Val] = field(default_factory=list)
    cap_drop: list[Val] = field(default_factory=list)
    security_context: Entry | None = None  # the container's own securityContext entry
    # compose / docker run
    user: Val | None = None
    security_opt: list[Val] = field(default_factory=list)
    network_mode: Val | None = None
    pid_mode: Val | None = None
    ipc_mode: Val | None = None
    userns_mode: Val | None = None
    uts_mode: Val | None = None
    sysctls: dict[str, Val] = field(default_factory=dict)
    ports: list[Port] = field(default_factory=list)
    mounts: list[Mount] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return self.workload.origin

    @property
    def label(self) -> str:
        w = self.workload
        if w.origin == "kubernetes":
            return f"{self.role} {self.name!r} of {w.kind} {w.name!r}"
        if w.origin == "compose":
            return f"service {self.name!r}"
        return "the container"

    @property
    def host_network(self) -> bool:
        w = self.workload
        if w.origin == "kubernetes":
            return bool(w.host_network and w.host_network.value is True)
        return bool(self.network_mode and self.network_mode.value == "host")

    def sysctl(self, name: str) -> str | None:
        v = self.sysctls.get(name) or self.workload.sysctls.get(name)
        return None if v is None else str(v.value)


@dataclass
class Workload:
    origin: str  # kubernetes, compose, docker-run
    kind: str  # Deployment, CronJob, Pod ..., service, run
    name: str
    path: str
    loc: Loc
    node: Any = None  # kubernetes: the object; compose: the service mapping
    doc_index: int = 0
    runtime: str = "docker"  # docker-run: docker or podman
    parsed: Any = None  # docker-run: the parsed command (flags, image position)
    # kubernetes pod level
    pod_spec: Any = None  # MappingNode of the PodSpec
    pod_spec_entry: Entry | None = None  # the `spec:` entry holding it
    pod_security: Entry | None = None  # the pod's securityContext entry
    pod_run_as_user: Val | None = None
    pod_run_as_group: Val | None = None
    pod_run_as_non_root: Val | None = None
    pod_seccomp: Val | None = None
    fs_group: Val | None = None
    fs_group_change_policy: Val | None = None
    host_network: Val | None = None
    host_pid: Val | None = None
    host_ipc: Val | None = None
    host_users: Val | None = None
    sysctls: dict[str, Val] = field(default_factory=dict)
    volumes: dict[str, Volume] = field(default_factory=dict)
    containers: list[Container] = field(default_factory=list)
    # compose project
    project_dir: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def user_namespaced(self) -> bool:
        return bool(self.host_users is not None and self.host_users.value is False)


@dataclass
class Document:
    """One parsed input: the text and the workloads found in it."""

    path: str
    text: str
    kind: str  # kubernetes, compose, docker-run
    workloads: list[Workload] = field(default_factory=list)
    roots: list[Any] = field(default_factory=list)  # YAML documents
    tokens: list[Any] = field(default_factory=list)  # docker run: the argument tokens
    notes: list[str] = field(default_factory=list)  # things the parser skipped, for --verbose
    # parts that could not be checked (a field of the wrong type): "line:col: what", one line each; the
    # rest is checked, and these make the check fail (exit 2) rather than pass unseen
    problems: list[str] = field(default_factory=list)

    def containers(self) -> list[Container]:
        return [c for w in self.workloads for c in w.containers]

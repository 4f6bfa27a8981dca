"""Kubernetes manifests -> the common model.

Workloads: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob,
PodTemplate, and ``List`` (or any ``*List``) of them; any number of YAML documents. Other kinds
(Service, ConfigMap, ...) are skipped.
"""

from __future__ import annotations

from typing import Any

from slimguard.runtime import yamlnodes as y
from slimguard.runtime.model import Container, Document, Mount, Port, Val, Volume, Workload
from slimguard.runtime.yamlnodes import Loc

POD_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}
WORKLOAD_KINDS = tuple(POD_PATHS)
ROLES = (("initContainers", "initContainer"), ("containers", "container"),
         ("ephemeralContainers", "ephemeralContainer"))
# Volume types whose ownership the kubelet manages with fsGroup.
OWNERSHIP_MANAGED = {"persistentVolumeClaim", "ephemeral", "awsElasticBlockStore", "gcePersistentDisk",
                     "azureDisk", "cinder", "iscsi", "rbd", "fc", "csi", "portworxVolume", "vsphereVolume",
                     "flexVolume", "volumeClaimTemplate"}


def is_manifest(root: Any) -> bool:
    return y.is_map(root) and y.get(root, "kind") is not None and y.get(root, "apiVersion") is not None


def _val(entry: y.Entry | None, convert, level: str = "") -> Val | None:
    if entry is None or y.is_null(entry.value):
        return None
    return Val(convert(entry.value), y.key_loc(entry), entry, level)


def parse(path: str, text: str, roots: list[Any]) -> Document:
    doc = Document(path, text, "kubernetes", roots=roots)
    for index, root in enumerate(roots):
        _visit(doc, root, index)
    return doc


def _visit(doc: Document, obj: Any, index: int) -> None:
    if not y.is_map(obj):
        return
    kind = y.as_str(y.value(obj, "kind")) or ""
    if kind == "List" or (kind.endswith("List") and y.get(obj, "items") is not None):
        for item in y.items(y.value(obj, "items")):
            _visit(doc, item, index)
        return
    path = POD_PATHS.get(kind)
    if path is None:
        return
    node = obj
    entry = None
    for key in path:
        entry = y.get(node, key)
        if entry is None or not y.is_map(entry.value):
            if entry is not None and not y.is_null(entry.value):
                _problem(doc, entry, f"{kind} {key} is {_what(entry.value)}, not a mapping: not checked")
            else:
                doc.notes.append(f"{kind} without {'.'.join(path)}")
            return
        node = entry.value
    meta = y.value(obj, "metadata")
    name = y.as_str(y.value(meta, "name")) or y.as_str(y.value(meta, "generateName")) or "<unnamed>"
    kind_entry = y.get(obj, "kind")
    assert kind_entry is not None
    w = Workload("kubernetes", kind, name, doc.path, y.key_loc(kind_entry), node=obj, doc_index=index,
                 pod_spec=node, pod_spec_entry=entry)
    _pod(w, node)
    if kind == "StatefulSet":
        for tmpl in y.items(y.value(y.value(obj, "spec"), "volumeClaimTemplates")):
            tname = y.as_str(y.value(y.value(tmpl, "metadata"), "name"))
            if tname:
                w.volumes[tname] = Volume(tname, "volumeClaimTemplate", y.loc(tmpl))
    for key, role in ROLES:
        ce = y.get(node, key)
        if ce is not None and not y.is_null(ce.value) and not y.is_seq(ce.value):
            _problem(doc, ce, f"{kind} {name!r}: {key} is {_what(ce.value)}, not a list of containers: "
                     "not checked")
            continue
        for c in y.items(y.value(node, key)):
            if y.is_map(c):
                w.containers.append(_container(w, c, role))
            elif not y.is_null(c):
                doc.problems.append(f"{_at(c)}: {kind} {name!r}: an item of {key} is {_what(c)}, "
                                    "not a container: not checked")
    doc.workloads.append(w)


def _what(node: Any) -> str:
    if y.is_map(node):
        return "a mapping"
    if y.is_seq(node):
        return "a list"
    v = y.scalar(node)
    return f"the value {str(v)[:40]!r}"


def _at(node: Any) -> str:
    mark = getattr(node, "start_mark", None)
    return f"{mark.line + 1}:{mark.column + 1}" if mark is not None else "1:1"


def _problem(doc: Document, entry: y.Entry, text: str) -> None:
    doc.problems.append(f"{_at(entry.key)}: {text}")


def _pod(w: Workload, spec: Any) -> None:
    for attr, key in (("host_network", "hostNetwork"), ("host_pid", "hostPID"), ("host_ipc", "hostIPC"),
                      ("host_users", "hostUsers")):
        setattr(w, attr, _val(y.get(spec, key), y.as_bool, "pod"))
    sc = y.get(spec, "securityContext")
    w.pod_security = sc
    if sc is not None and y.is_map(sc.value):
        s = sc.value
        w.pod_run_as_user = _val(y.get(s, "runAsUser"), y.as_int, "pod")
        w.pod_run_as_group = _val(y.get(s, "runAsGroup"), y.as_int, "pod")
        w.pod_run_as_non_root = _val(y.get(s, "runAsNonRoot"), y.as_bool, "pod")
        w.fs_group = _val(y.get(s, "fsGroup"), y.as_int, "pod")
        w.fs_group_change_policy = _val(y.get(s, "fsGroupChangePolicy"), y.as_str, "pod")
        prof = y.get(s, "seccompProfile")
        if prof is not None and y.is_map(prof.value):
            t = y.get(prof.value, "type")
            w.pod_seccomp = Val(y.as_str(t.value) if t else None, y.key_loc(t or prof), t or prof, "pod")
        for item in y.items(y.value(s, "sysctls")):
            n = y.as_str(y.value(item, "name"))
            if n:
                w.sysctls[n] = Val(y.as_str(y.value(item, "value")), y.loc(item), None, "pod")
    for v in y.items(y.value(spec, "volumes")):
        if not y.is_map(v):
            continue
        name = y.as_str(y.value(v, "name")) or ""
        vtype = next((e.name for e in y.entries(v) if e.name != "name"), "unknown")
        path = y.as_str(y.value(y.value(v, "hostPath"), "path")) if vtype == "hostPath" else None
        ro = False
        if vtype == "persistentVolumeClaim":
            ro = bool(y.as_bool(y.value(y.value(v, vtype), "readOnly")))
        w.volumes[name] = Volume(name, vtype, y.loc(v), path, ro)


def _container(w: Workload, node: Any, role: str) -> Container:
    name = y.as_str(y.value(node, "name")) or "<unnamed>"
    name_entry = y.get(node, "name")
    loc = y.key_loc(name_entry) if name_entry is not None else y.loc(node)
    c = Container(w, name, role, loc, node=node)
    c.image = _val(y.get(node, "image"), y.as_str)
    sc_entry = y.get(node, "securityContext")
    sc = sc_entry.value if sc_entry is not None and y.is_map(sc_entry.value) else None
    c.security_context = sc_entry
    c.run_as_user = _val(y.get(sc, "runAsUser"), y.as_int, "container") or w.pod_run_as_user
    c.run_as_group = _val(y.get(sc, "runAsGroup"), y.as_int, "container") or w.pod_run_as_group
    c.run_as_non_root = _val(y.get(sc, "runAsNonRoot"), y.as_bool, "container") or w.pod_run_as_non_root
    c.allow_privilege_escalation = _val(y.get(sc, "allowPrivilegeEscalation"), y.as_bool, "container")
    c.privileged = _val(y.get(sc, "privileged"), y.as_bool, "container")
    c.read_only_root_fs = _val(y.get(sc, "readOnlyRootFilesystem"), y.as_bool, "container")
    prof = y.get(sc, "seccompProfile")
    if prof is not None and y.is_map(prof.value):
        t = y.get(prof.value, "type")
        c.seccomp = Val(y.as_str(t.value) if t else None, y.key_loc(t or prof), t or prof, "container")
    else:
        c.seccomp = w.pod_seccomp
    caps = y.value(sc, "capabilities")
    for key, target in (("add", c.cap_add), ("drop", c.cap_drop)):
        for item in y.items(y.value(caps, key)):
            s = y.as_str(item)
            if s is not None:
                target.append(Val(s, y.loc(item), None, "container", node=item))
    for p in y.items(y.value(node, "ports")):
        cp = y.as_int(y.value(p, "containerPort"))
        hp = y.as_int(y.value(p, "hostPort"))
        proto = y.as_str(y.value(p, "protocol")) or "TCP"
        e = y.get(p, "containerPort")
        c.ports.append(Port(cp, hp, proto.lower(), y.key_loc(e) if e else y.loc(p)))
    for m in y.items(y.value(node, "volumeMounts")):
        vname = y.as_str(y.value(m, "name")) or ""
        target = y.as_str(y.value(m, "mountPath")) or ""
        ro = bool(y.as_bool(y.value(m, "readOnly")))
        c.mounts.append(Mount("k8s", target, vname, ro, loc=y.loc(m), volume=w.volumes.get(vname), node=m))
    return c


def pod_name(w: Workload) -> str:
    return w.name


def container_loc(c: Container) -> Loc:
    return c.loc

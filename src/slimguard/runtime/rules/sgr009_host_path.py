"""SGR009: a Kubernetes pod mounts a hostPath volume."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.runtime.rules.base import CheckContext, RuleDocs, RuntimeRule, concern


class HostPath(RuntimeRule):
    id = "SGR009"
    title = "hostPath volume"
    severity = Severity.WARNING
    concern = concern("host-access", "volume-ownership")
    fixable = "none"
    origins = ("kubernetes",)
    docs = RuleDocs(
        what="Reports every `hostPath` volume of a pod, naming the containers that mount it and whether read-write.",
        why=(
            "A hostPath volume exposes a node directory: written read-write by a root container, it can plant "
            "files the node executes; for a non-root container it is usually not writable at all, because "
            "`fsGroup` does not apply to hostPath (the kubelet manages ownership only for volume types such "
            "as persistentVolumeClaim). Baseline and restricted Pod Security forbid hostPath."
        ),
        example=(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: app\n"
            "      image: registry.example/web:1.4\n      volumeMounts:\n        - {name: data, mountPath: /data}\n"
            "  volumes:\n    - name: data\n      hostPath: {path: /srv/web}\n"
        ),
        instead=(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  securityContext:\n"
            "    runAsUser: 10001\n    fsGroup: 10001\n    fsGroupChangePolicy: OnRootMismatch\n"
            "  containers:\n    - name: app\n      image: registry.example/web:1.4\n      volumeMounts:\n"
            "        - {name: data, mountPath: /data}\n  volumes:\n    - name: data\n"
            "      persistentVolumeClaim: {claimName: web-data}\n"
        ),
        fix_safety="No fix: choosing a PersistentVolumeClaim or an emptyDir is a storage decision.",
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for w in ctx.workloads():
            for v in w.volumes.values():
                if v.type != "hostPath":
                    continue
                users = []
                for c in w.containers:
                    for m in c.mounts:
                        if m.source == v.name:
                            users.append(f"{c.name} at {m.target}" + (" read-only" if m.read_only else " read-write"))
                used = f" (mounted by {', '.join(users)})" if users else ""
                yield ctx.finding(self, v.loc, f"{w.kind} {w.name!r} mounts node directory {v.path or '?'} as "
                                  f"hostPath volume {v.name!r}{used}: it exposes the node's files, fsGroup does not "
                                  "apply to it, and Pod Security baseline forbids it; use a PersistentVolumeClaim "
                                  "(with fsGroup) or an emptyDir")


RULE = HostPath

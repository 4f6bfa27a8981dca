"""SGR012: a non-root pod writes to volumes without fsGroup (or without fsGroupChangePolicy)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.runtime.kubernetes import OWNERSHIP_MANAGED
from slimguard.runtime.rules.base import CheckContext, RuleDocs, RuntimeRule, pod_level_loc


class FsGroup(RuntimeRule):
    id = "SGR012"
    title = "Non-root pod writes to a volume without fsGroup"
    severity = Severity.WARNING
    concern = "volume-ownership"
    fixable = "safe"
    origins = ("kubernetes",)
    docs = RuleDocs(
        what=(
            "For pods with a container that runs as non-root (a non-zero runAsUser, runAsNonRoot, or a non-root "
            "image USER) and mounts read-write a volume whose ownership the kubelet manages "
            "(persistentVolumeClaim, a StatefulSet volumeClaimTemplate, ephemeral, csi, ...), requires "
            "`fsGroup` in the pod securityContext. When fsGroup is set, recommends "
            "`fsGroupChangePolicy: OnRootMismatch` (info)."
        ),
        why=(
            "A fresh volume's root directory usually belongs to root (0:0 0755): a non-root process cannot "
            "create files in it. With fsGroup the kubelet gives the volume that group, sets the setgid bit and "
            "adds group read/write, and the pod's processes get the group as a supplementary group. The default "
            "policy `Always` re-chowns the whole volume at every mount, which is slow on big volumes "
            "(kubernetes#69699); `OnRootMismatch` skips it when the root already matches. emptyDir is "
            "world-writable and needs no fsGroup; hostPath is not managed at all (SGR009)."
        ),
        example=(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n"
            "      securityContext:\n        runAsUser: 10001\n      containers:\n        - name: db\n"
            "          image: registry.example/db:3\n          volumeMounts:\n"
            "            - {name: data, mountPath: /var/lib/db}\n  volumeClaimTemplates:\n"
            "    - metadata: {name: data}\n      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n"
        ),
        instead=(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n"
            "      securityContext:\n        runAsUser: 10001\n        fsGroup: 10001\n"
            "        fsGroupChangePolicy: OnRootMismatch\n      containers:\n        - name: db\n"
            "          image: registry.example/db:3\n          volumeMounts:\n"
            "            - {name: data, mountPath: /var/lib/db}\n  volumeClaimTemplates:\n"
            "    - metadata: {name: data}\n      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n"
        ),
        fix_safety=(
            "Safe: adds `fsGroup` (the pod's runAsGroup, else the container user's gid, else its uid, else the "
            "configured gid) and `fsGroupChangePolicy: OnRootMismatch`. The kubelet then changes the volume's "
            "group and adds group write permission once; files keep their owner. Volumes shared with other "
            "workloads under another group should be checked first."
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for w in ctx.workloads():
            writers: list[tuple[str, str, str]] = []
            gid = None
            for c in w.containers:
                ru = ctx.run_user(c)
                non_root = ru.root is False or (c.run_as_non_root is not None and c.run_as_non_root.value is True)
                if not non_root:
                    continue
                for m in c.mounts:
                    v = m.volume
                    if v is None or m.read_only or v.read_only or v.type not in OWNERSHIP_MANAGED:
                        continue
                    writers.append((c.name, v.name, m.target))
                    if gid is None:
                        if w.pod_run_as_group is not None and w.pod_run_as_group.value:
                            gid = w.pod_run_as_group.value
                        elif ru.root is False:
                            gid = ru.gid or ru.uid
                        else:  # runAsNonRoot on a root image: the uid SGR003 will pick
                            gid = ctx.suggested_ids(c)[1]
            if not writers:
                continue
            if w.fs_group is None:
                gid = gid if isinstance(gid, int) and gid > 0 else ctx.options.gid
                edits = ctx.patcher.set_fields(w.pod_spec, ["securityContext"],
                                               {"fsGroup": gid, "fsGroupChangePolicy": "OnRootMismatch"}) if ctx.patcher else None
                what = ", ".join(f"{c} writes {v!r} at {t}" for c, v, t in writers)
                yield ctx.finding(self, pod_level_loc(w), f"{w.kind} {w.name!r} runs as non-root and writes to volumes "
                                  f"({what}) but sets no fsGroup: a new volume is root-owned and the writes fail; "
                                  f"set fsGroup: {gid} and fsGroupChangePolicy: OnRootMismatch",
                                  fix=ctx.fix(f"add fsGroup: {gid} and fsGroupChangePolicy: OnRootMismatch", edits))
            elif w.fs_group_change_policy is None:
                edits = ctx.set_in(w.pod_spec, ["securityContext", "fsGroupChangePolicy"], "OnRootMismatch")
                yield ctx.finding(self, w.fs_group.loc, f"{w.kind} {w.name!r} sets fsGroup without fsGroupChangePolicy: "
                                  "the kubelet re-chowns every file of the volume at each mount (slow for big "
                                  "volumes); OnRootMismatch does it only when the volume root does not match",
                                  severity=Severity.INFO,
                                  fix=ctx.fix("add fsGroupChangePolicy: OnRootMismatch", edits))


RULE = FsGroup

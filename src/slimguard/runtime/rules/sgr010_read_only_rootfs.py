"""SGR010: the container's root filesystem is writable."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.runtime.yamlnodes import merge_edits
from slimguard.runtime.rules.base import CheckContext, RuleDocs, RuntimeRule, concern


class ReadOnlyRootFS(RuntimeRule):
    id = "SGR010"
    title = "Writable root filesystem"
    severity = Severity.INFO
    concern = concern("read-only-rootfs", "privilege-escalation")
    fixable = "unsafe"
    docs = RuleDocs(
        what=(
            "Kubernetes: `readOnlyRootFilesystem: true` in each container's securityContext. Compose: "
            "`read_only: true`. docker run: `--read-only`."
        ),
        why=(
            "An attacker who takes over the process cannot replace binaries or drop tools into the image's "
            "directories, and the application's real writes become explicit (volumes, tmpfs). Combined with a "
            "non-root user it also catches writes to paths the user should not own."
        ),
        example="services:\n  web:\n    image: registry.example/web:1.4\n    user: \"10001:10001\"\n",
        instead=(
            "services:\n  web:\n    image: registry.example/web:1.4\n    user: \"10001:10001\"\n"
            "    read_only: true\n    tmpfs:\n      - /tmp:uid=10001,gid=10001,mode=0700\n"
        ),
        fix_safety=(
            "Unsafe: the application may write outside its volumes (/tmp, caches, pid files) and fail. Compose "
            "and docker run also get a tmpfs at /tmp: with `uid=,gid=,mode=0700` for the container's known "
            "non-root user, else a plain `/tmp` (Docker creates tmpfs mounts 1777, tested). Kubernetes needs an "
            "`emptyDir` for such paths, which the fix does not add."
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for c in ctx.containers():
            v = c.read_only_root_fs
            if v is not None and v.value is True:
                continue
            if c.origin == "kubernetes":
                edits = ctx.replace(v, True) if v is not None else None
                if edits is None:
                    edits = ctx.set_in(c.node, ["securityContext", "readOnlyRootFilesystem"], True)
                yield ctx.finding(self, v.loc if v is not None else c.loc,
                                  f"{c.label} has a writable root filesystem; set readOnlyRootFilesystem: true and "
                                  "mount an emptyDir where it must write", fix=ctx.fix("make the root filesystem "
                                                                                       "read-only", edits, safe=False))
                continue
            tmp = self._tmpfs(ctx, c)
            has_tmp = any(m.kind == "tmpfs" and m.target.rstrip("/") == "/tmp" for m in c.mounts)
            if ctx.kind == "docker-run":
                text = "--read-only" + ("" if has_tmp else f" --tmpfs {tmp}")
                edits = ctx.run_replace(v, text) if v is not None else ctx.run_insert(text)
            else:
                parts = []
                first = ctx.replace(v, True) if v is not None else ctx.set_in(c.node, ["read_only"], True)
                if first is None and v is not None and v.inherited:
                    first = ctx.set_in(c.node, ["read_only"], True)
                parts.append(first)
                if not has_tmp:
                    parts.append(ctx.append_in(c.node, ["tmpfs"], tmp))
                edits = None if any(p is None for p in parts) else merge_edits([e for p in parts for e in p])
            flag = "--read-only" if ctx.kind == "docker-run" else "read_only: true"
            yield ctx.finding(self, v.loc if v is not None else c.loc,
                              f"{c.label} has a writable root filesystem; add {flag} and a tmpfs for the paths it "
                              "writes", fix=ctx.fix(f"add {flag} and a tmpfs at /tmp", edits, safe=False))

    @staticmethod
    def _tmpfs(ctx: CheckContext, c) -> str:
        ru = ctx.run_user(c)
        if ru.root is False and ru.uid is not None and ru.gid is not None and not ru.host_user:
            return f"/tmp:uid={ru.uid},gid={ru.gid},mode=0700"
        return "/tmp"


RULE = ReadOnlyRootFS

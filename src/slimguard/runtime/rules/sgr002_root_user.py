"""SGR002: the container runs as root (runAsUser: 0, user: root, or no user and a root image)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.runtime.rules._common import user_text
from slimguard.runtime.rules.base import CheckContext, RuleDocs, RuntimeRule


class RootUser(RuntimeRule):
    id = "SGR002"
    title = "Container runs as root"
    severity = Severity.WARNING
    concern = "root-user"
    fixable = "unsafe"
    docs = RuleDocs(
        what=(
            "Kubernetes: reports `runAsUser: 0` in a pod or container securityContext. Compose and docker run: "
            "reports `user: root` / `user: \"0\"` / `--user 0`, and a service or command without `user` whose "
            "image runs as root (no USER, as `node`, `debian`, `busybox` or `openjdk` images; known from the "
            "local engine, a Dockerfile in the repository or slimguard's knowledge base). When the image "
            "cannot be resolved it says so at info level."
        ),
        why=(
            "Docker does not remap user ids by default: uid 0 in the container is uid 0 on the host. A process "
            "that escapes, or a bind-mounted host directory, is then handled with root's rights. The restricted "
            "Pod Security profile forbids `runAsUser: 0`."
        ),
        example=(
            "services:\n  web:\n    image: node:12.16-slim\n    command: node server.js\n"
        ),
        instead=(
            "services:\n  web:\n    image: node:12.16-slim\n    user: \"1000:1000\"   # the image's node user\n"
            "    command: node server.js\n"
        ),
        fix_safety=(
            "Unsafe: sets `user` / `--user` / `runAsUser` to a non-root uid:gid, the image's own non-root user "
            "when it has one (node: 1000:1000), else the configured uid/gid (10001). The application must "
            "then be able to run without root: files it writes must belong to that user and ports below 1024 "
            "need Docker's default sysctl (see SGR014)."
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        if ctx.kind == "kubernetes":
            yield from self._kubernetes(ctx)
            return
        for c in ctx.containers():
            ru = ctx.run_user(c)
            uid, gid = ctx.suggested_ids(c)
            spec = user_text(uid, gid)
            if c.user is not None and ru.root:
                if ctx.kind == "docker-run":
                    edits = ctx.run_replace(c.user, f"--user {spec}")
                else:
                    edits = ctx.replace(c.user, spec) if c.user.entry is not None else None
                    if edits is None and c.user.entry is not None and c.user.entry.inherited:
                        edits = ctx.set_in(c.node, ["user"], spec)
                fix = ctx.fix(f"run as {spec}", edits, safe=False)
                yield ctx.finding(self, c.user.loc, f"{c.label} runs as root ({ru.source}); run it as a non-root "
                                  f"user, e.g. {spec}", fix=fix)
                continue
            if c.user is not None:
                continue
            if ru.root:
                edits = (ctx.run_insert(f"--user {spec}") if ctx.kind == "docker-run"
                         else ctx.set_in(c.node, ["user"], spec))
                how = "--user" if ctx.kind == "docker-run" else "user:"
                fix = ctx.fix(f"add {how} {spec}", edits, safe=False)
                yield ctx.finding(self, c.loc, f"{c.label} runs as root: {ru.source} and no {how} is set; "
                                  f"add {how} \"{spec}\"", fix=fix)
            elif ru.root is None:
                how = "--user" if ctx.kind == "docker-run" else "user:"
                yield ctx.finding(self, c.loc, f"{c.label} uses {ru.source}, so slimguard cannot tell whether it runs as "
                                  f"root; set {how} explicitly (a numeric uid:gid) or let slimguard inspect it "
                                  "(--engine auto with the image present locally)", severity=Severity.INFO)

    def _kubernetes(self, ctx: CheckContext) -> Iterator[Finding]:
        for w in ctx.workloads():
            if w.pod_run_as_user is not None and w.pod_run_as_user.value == 0:
                first = w.containers[0] if w.containers else None
                uid, _ = ctx.suggested_ids(first) if first is not None else (ctx.options.uid, ctx.options.gid)
                fix = ctx.fix(f"set the pod's runAsUser to {uid}", ctx.replace(w.pod_run_as_user, uid), safe=False)
                refused = [c for c in w.containers if _refused(c, "pod")]
                if refused:
                    names = ", ".join(c.name for c in refused)
                    yield ctx.finding(self, w.pod_run_as_user.loc, f"{w.kind} {w.name!r} sets runAsUser: 0 for the "
                                      f"pod and runAsNonRoot: true for {names}: the kubelet refuses to start "
                                      "them (\"container's runAsUser breaks non-root policy\")", fix=fix,
                                      severity=Severity.ERROR)
                else:
                    yield ctx.finding(self, w.pod_run_as_user.loc, f"{w.kind} {w.name!r} sets runAsUser: 0 for the "
                                      "pod: its containers run as root; the restricted Pod Security profile "
                                      "forbids it", fix=fix)
            for c in w.containers:
                v = c.run_as_user
                if v is None or v.level != "container" or v.value != 0:
                    continue
                uid, _ = ctx.suggested_ids(c)
                fix = ctx.fix(f"set runAsUser to {uid}", ctx.replace(v, uid), safe=False)
                if _refused(c, "container"):
                    where = "its own" if c.run_as_non_root.level == "container" else "the pod's"
                    yield ctx.finding(self, v.loc, f"{c.label} sets runAsUser: 0 under {where} runAsNonRoot: "
                                      "true: the kubelet refuses to start it (\"container's runAsUser breaks "
                                      "non-root policy\")", fix=fix, severity=Severity.ERROR)
                    continue
                yield ctx.finding(self, v.loc, f"{c.label} sets runAsUser: 0 and runs as root; the restricted Pod "
                                  "Security profile forbids it", fix=fix)


def _refused(c, level: str) -> bool:
    """Whether the kubelet refuses *c*: runAsNonRoot true (its own or the pod's) and a runAsUser of 0 set
    at *level* (and not overridden in the container)."""
    rn, ru = c.run_as_non_root, c.run_as_user
    return (rn is not None and rn.value is True and ru is not None and ru.value == 0
            and getattr(ru, "level", None) == level)


RULE = RootUser

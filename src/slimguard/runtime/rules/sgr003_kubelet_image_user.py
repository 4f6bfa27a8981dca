"""SGR003: runAsNonRoot with an image the kubelet cannot verify (USER is a name) or that runs as root."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.runtime.rules.base import CheckContext, RuleDocs, RuntimeRule


class KubeletImageUser(RuntimeRule):
    id = "SGR003"
    title = "runAsNonRoot with an image whose USER the kubelet refuses"
    severity = Severity.ERROR
    concern = "numeric-user"
    fixable = "safe"
    origins = ("kubernetes",)
    docs = RuleDocs(
        what=(
            "For every container with `runAsNonRoot: true` (its own or the pod's) and no `runAsUser`, reads "
            "the image's USER — from the local engine, a Dockerfile in the same repository, or slimguard's "
            "knowledge base — and predicts the kubelet's check (`verifyRunAsNonRoot`): a user *name* (`USER "
            "node`, `USER nonroot:nonroot`) is refused with \"container has runAsNonRoot and image has "
            "non-numeric user (node), cannot verify user is non-root\" (`USER root` too: "
            "it is a name); no USER or `USER 0` is refused with \"container has runAsNonRoot and image will run as root\"."
        ),
        why=(
            "The pod is admitted, scheduled, and then every start fails with CreateContainerConfigError. The "
            "kubelet cannot read /etc/passwd inside the image, so a name is never accepted, even when the "
            "user's uid is 1000. Known from harbor-operator#82, kuard#43, statsd_exporter#406."
        ),
        example=(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  securityContext:\n"
            "    runAsNonRoot: true\n  containers:\n    - name: app\n      image: node:12.16-slim   # USER node\n"
        ),
        instead=(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  securityContext:\n"
            "    runAsNonRoot: true\n  containers:\n    - name: app\n      image: node:12.16-slim\n"
            "      securityContext:\n        runAsUser: 1000   # node's uid; or USER 1000:1000 in the Dockerfile\n"
        ),
        fix_safety=(
            "When the image's user is a name whose uid slimguard knows (node -> 1000), the fix adds "
            "`runAsUser: <that uid>` to the container: the process runs as the same user as before, and the "
            "kubelet can now verify it — safe. When the image runs as root, the fix adds `runAsUser` with the "
            "image's non-root user or the configured uid (10001): unsafe, because the application then loses "
            "root."
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for w in ctx.workloads():
            if w.user_namespaced:
                continue
            for c in w.containers:
                if c.run_as_non_root is None or c.run_as_non_root.value is not True or c.run_as_user is not None:
                    continue
                iu = ctx.image_user(c)
                if iu is None:
                    continue
                name = iu.name
                pod = f"(pod: {w.name!r}, container: {c.name})".replace("'", '"')
                origin = iu.source if iu.source.startswith("Dockerfile") else f"{iu.source}"
                if name == "" or (name.isdigit() and int(name) == 0):
                    uid, _ = ctx.suggested_ids(c)
                    fix = ctx.fix(f"run {c.name} as uid {uid}",
                                  ctx.set_in(c.node, ["securityContext", "runAsUser"], uid), safe=False)
                    shown = "has no USER" if name == "" else f"has USER {iu.user}"
                    yield ctx.finding(self, c.loc, f"the kubelet will refuse {c.label}: \"container has runAsNonRoot "
                                      f"and image will run as root {pod}\" — {iu.image} {shown} ({origin}); set "
                                      f"runAsUser to a non-root uid or add USER <uid>:<gid> to the image", fix=fix,
                                      details={"kubelet": "image will run as root", "image": iu.image})
                elif not name.isdigit():
                    fix = None
                    if iu.uid is not None and iu.uid != 0:
                        fix = ctx.fix(f"add runAsUser: {iu.uid} ({name}'s uid) to {c.name}",
                                      ctx.set_in(c.node, ["securityContext", "runAsUser"], iu.uid), safe=True)
                    elif iu.uid == 0:
                        uid, _ = ctx.suggested_ids(c)
                        fix = ctx.fix(f"run {c.name} as uid {uid}",
                                      ctx.set_in(c.node, ["securityContext", "runAsUser"], uid), safe=False)
                    uid_hint = f" ({name} is uid {iu.uid})" if iu.uid is not None else ""
                    yield ctx.finding(self, c.loc, f"the kubelet will refuse {c.label}: \"container has runAsNonRoot "
                                      f"and image has non-numeric user ({name}), cannot verify user is non-root "
                                      f"{pod}\" — {iu.image} has USER {iu.user} ({origin}){uid_hint}; set runAsUser "
                                      "or use a numeric USER uid:gid in the image", fix=fix,
                                      details={"kubelet": "non-numeric user", "image": iu.image, "user": iu.user})


RULE = KubeletImageUser

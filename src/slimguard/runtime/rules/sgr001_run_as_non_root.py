"""SGR001: a pod does not require its containers to run as non-root (runAsNonRoot)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.runtime.rules._common import kubelet_verifies_non_root
from slimguard.runtime.rules.base import CheckContext, RuleDocs, RuntimeRule, pod_level_loc


class RunAsNonRoot(RuntimeRule):
    id = "SGR001"
    title = "runAsNonRoot is not true for every container"
    severity = Severity.WARNING
    concern = "root-user"
    fixable = "unsafe"
    origins = ("kubernetes",)
    docs = RuleDocs(
        what=(
            "Checks that every container, init container and ephemeral container of a pod has "
            "`runAsNonRoot: true`, set once in the pod's `securityContext` or in each container's, and that "
            "no level sets it to `false`. Pods with their own user namespace (`hostUsers: false`) are exempt, "
            "as in Pod Security Admission."
        ),
        why=(
            "The Pod Security \"restricted\" profile requires it (\"pod or container ... must set "
            "securityContext.runAsNonRoot=true\"). With it, the kubelet refuses to start a container that "
            "would run as uid 0 instead of running it as root on the node; without it, an image without "
            "`USER` runs as root, and root in the container is root on the host's kernel."
        ),
        example=(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
            "      containers:\n        - name: app\n          image: registry.example/web:1.4\n"
        ),
        instead=(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
            "      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n"
            "      containers:\n        - name: app\n          image: registry.example/web:1.4\n"
        ),
        fix_safety=(
            "Adds `runAsNonRoot: true` to the pod's securityContext (or to the containers that lack it when "
            "others set it), or turns an explicit `false` into `true`. Safe only when the kubelet can prove "
            "every affected container is non-root (a non-zero `runAsUser`, or a numeric non-zero image USER "
            "that slimguard could read); otherwise unsafe: an image that runs as root, or whose USER is a "
            "name, would then be refused with CreateContainerConfigError (see SGR003)."
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for w in ctx.workloads():
            if w.origin != "kubernetes" or not w.containers or w.user_namespaced:
                continue
            pod_val = w.pod_run_as_non_root
            if pod_val is not None and pod_val.value is False:
                safe = all(kubelet_verifies_non_root(ctx, c) for c in w.containers)
                fix = ctx.fix("set the pod's runAsNonRoot to true", ctx.replace(pod_val, True), safe=safe)
                yield ctx.finding(self, pod_val.loc, f"{w.kind} {w.name!r} sets runAsNonRoot: false in the pod "
                                  "securityContext; the restricted Pod Security profile forbids it, and root "
                                  "containers start unchecked", fix=fix)
            for c in w.containers:
                own = c.run_as_non_root if c.run_as_non_root is not None and c.run_as_non_root.level == "container" else None
                if own is not None and own.value is False:
                    fix = ctx.fix(f"set runAsNonRoot to true in {c.name}", ctx.replace(own, True),
                                  safe=kubelet_verifies_non_root(ctx, c))
                    yield ctx.finding(self, own.loc, f"{c.label} sets runAsNonRoot: false; the restricted Pod "
                                      "Security profile forbids it", fix=fix)
            missing = [c for c in w.containers if c.run_as_non_root is None]
            if not missing:
                continue
            if len(missing) == len(w.containers) and pod_val is None:
                safe = all(kubelet_verifies_non_root(ctx, c) for c in w.containers)
                fix = ctx.fix("add runAsNonRoot: true to the pod securityContext",
                              ctx.set_in(w.pod_spec, ["securityContext", "runAsNonRoot"], True), safe=safe)
                names = ", ".join(c.name for c in w.containers)
                yield ctx.finding(self, pod_level_loc(w), f"{w.kind} {w.name!r} does not set runAsNonRoot: true "
                                  f"(containers: {names}); the restricted Pod Security profile requires it, and "
                                  "the kubelet then refuses to run a container as root", fix=fix)
                continue
            for c in missing:
                fix = ctx.fix(f"add runAsNonRoot: true to {c.name}'s securityContext",
                              ctx.set_in(c.node, ["securityContext", "runAsNonRoot"], True),
                              safe=kubelet_verifies_non_root(ctx, c))
                yield ctx.finding(self, c.loc, f"{c.label} does not set runAsNonRoot: true and the pod does not "
                                  "either; the restricted Pod Security profile requires it in every container",
                                  fix=fix)


RULE = RunAsNonRoot

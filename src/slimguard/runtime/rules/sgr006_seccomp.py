"""SGR006: no seccomp profile (Kubernetes), or seccomp/AppArmor/SELinux confinement turned off."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.runtime import yamlnodes as y
from slimguard.runtime.rules.base import CheckContext, RuleDocs, RuntimeRule, concern, pod_level_loc

_UNCONFINED = re.compile(r"^(seccomp|apparmor)[:=]unconfined$|^label[:=]disable$|^systempaths[:=]unconfined$",
                         re.IGNORECASE)
_GOOD = ("RuntimeDefault", "Localhost")


class Seccomp(RuntimeRule):
    id = "SGR006"
    title = "No seccomp profile, or confinement turned off"
    severity = Severity.WARNING
    concern = concern("seccomp", "privilege-escalation")
    fixable = "safe"
    docs = RuleDocs(
        what=(
            "Kubernetes: every container must run with `seccompProfile.type` `RuntimeDefault` or `Localhost`, "
            "set in the pod's securityContext or in each container's; `Unconfined` is reported where it is "
            "written. Compose and docker run: `seccomp:unconfined`, `apparmor:unconfined`, `label:disable` and "
            "`systempaths=unconfined` in `security_opt` are reported."
        ),
        why=(
            "Kubernetes runs containers without seccomp unless a profile is set, while Docker applies its "
            "default profile (about 44 blocked system calls, among them the ones used by many kernel exploits). "
            "The restricted Pod Security profile requires RuntimeDefault or Localhost. Turning confinement off "
            "in compose removes that layer."
        ),
        example=(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: app\n"
            "      image: registry.example/web:1.4\n"
        ),
        instead=(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  securityContext:\n"
            "    seccompProfile:\n      type: RuntimeDefault\n  containers:\n    - name: app\n"
            "      image: registry.example/web:1.4\n"
        ),
        fix_safety=(
            "Adding `seccompProfile: {type: RuntimeDefault}` is safe: it is the profile Docker applies to every "
            "container by default, so images are built and tested under it. Changing an explicit `Unconfined` "
            "or removing `seccomp:unconfined` from compose is unsafe: someone chose it, perhaps for a system "
            "call the default profile blocks."
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        if ctx.kind == "kubernetes":
            yield from self._kubernetes(ctx)
            return
        for c in ctx.containers():
            for v in c.security_opt:
                if not _UNCONFINED.match(str(v.value).strip()):
                    continue
                if ctx.kind == "docker-run":
                    edits = ctx.run_remove(v)
                else:
                    seq = y.value(c.node, "security_opt")
                    edits = ctx.patcher.remove_item(seq, v.node) if ctx.patcher and y.is_seq(seq) and v.node is not None else None
                yield ctx.finding(self, v.loc, f"{c.label} turns confinement off ({v.value}): the container runs "
                                  "without the runtime's default seccomp/AppArmor/SELinux protection",
                                  fix=ctx.fix(f"remove {v.value}", edits, safe=False))

    def _kubernetes(self, ctx: CheckContext) -> Iterator[Finding]:
        for w in ctx.workloads():
            if not w.containers:
                continue
            pod = w.pod_seccomp
            if pod is not None and pod.value not in _GOOD:
                edits = ctx.replace(pod if pod.entry is not None and pod.entry.key.value == "type" else None,
                                    "RuntimeDefault")
                yield ctx.finding(self, pod.loc, f"{w.kind} {w.name!r} sets seccompProfile type {pod.value} for the "
                                  "pod; the restricted Pod Security profile requires RuntimeDefault or Localhost",
                                  fix=ctx.fix("use RuntimeDefault for the pod", edits, safe=False))
            missing = []
            for c in w.containers:
                s = c.seccomp
                if s is None:
                    missing.append(c)
                elif s.level == "container" and s.value not in _GOOD:
                    edits = ctx.replace(s if s.entry is not None and s.entry.key.value == "type" else None,
                                        "RuntimeDefault")
                    yield ctx.finding(self, s.loc, f"{c.label} sets seccompProfile type {s.value}; the restricted "
                                      "Pod Security profile requires RuntimeDefault or Localhost",
                                      fix=ctx.fix(f"use RuntimeDefault in {c.name}", edits, safe=False))
            if not missing:
                continue
            if len(missing) == len(w.containers) and pod is None:
                edits = ctx.set_in(w.pod_spec, ["securityContext", "seccompProfile"], {"type": "RuntimeDefault"})
                yield ctx.finding(self, pod_level_loc(w), f"{w.kind} {w.name!r} sets no seccompProfile: Kubernetes runs "
                                  "its containers unconfined (no seccomp filter); set type RuntimeDefault in the "
                                  "pod securityContext",
                                  fix=ctx.fix("add seccompProfile RuntimeDefault to the pod", edits))
                continue
            for c in missing:
                edits = ctx.set_in(c.node, ["securityContext", "seccompProfile"], {"type": "RuntimeDefault"})
                yield ctx.finding(self, c.loc, f"{c.label} has no seccompProfile (neither its own nor the pod's): it "
                                  "runs unconfined", fix=ctx.fix(f"add seccompProfile RuntimeDefault to {c.name}", edits))


RULE = Seccomp

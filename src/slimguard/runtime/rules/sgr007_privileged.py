"""SGR007: a privileged container."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.runtime.rules.base import CheckContext, RuleDocs, RuntimeRule


class Privileged(RuntimeRule):
    id = "SGR007"
    title = "Privileged container"
    severity = Severity.ERROR
    concern = "privilege-escalation"
    fixable = "unsafe"
    docs = RuleDocs(
        what="Reports `privileged: true` (Kubernetes securityContext, compose) and `docker run --privileged`.",
        why=(
            "A privileged container gets every capability, all host devices, no seccomp or AppArmor profile and "
            "writable /sys: root in it is root on the host with one `mount` away. Even a non-root user is "
            "one setuid binary away from that. Baseline and restricted Pod Security forbid it; userns-remap "
            "refuses it."
        ),
        example="services:\n  agent:\n    image: registry.example/agent:2\n    privileged: true\n",
        instead=(
            "services:\n  agent:\n    image: registry.example/agent:2\n    cap_drop: [ALL]\n"
            "    cap_add: [NET_ADMIN]      # only what it needs\n    devices: [/dev/net/tun]\n"
        ),
        fix_safety=(
            "Unsafe: sets `privileged: false` (removes `--privileged`). Whatever needed the devices or "
            "capabilities stops working; add back only the specific capability or device."
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for c in ctx.containers():
            v = c.privileged
            if v is None or v.value is not True:
                continue
            if ctx.kind == "docker-run":
                edits = ctx.run_remove(v)
            else:
                edits = ctx.replace(v, False)
                if edits is None and v.inherited:
                    edits = ctx.set_in(c.node, ["securityContext", "privileged"] if c.origin == "kubernetes"
                                       else ["privileged"], False)
            yield ctx.finding(self, v.loc, f"{c.label} is privileged: all capabilities, all host devices and no "
                              "seccomp/AppArmor confinement — root in it controls the host",
                              fix=ctx.fix("turn privileged off", edits, safe=False))


RULE = Privileged

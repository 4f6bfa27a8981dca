"""SGR014: a non-root process is to bind a port below 1024 where the kernel will not let it."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.runtime.rules.base import CheckContext, RuleDocs, RuntimeRule

SYSCTL = "net.ipv4.ip_unprivileged_port_start"


class PrivilegedPort(RuntimeRule):
    id = "SGR014"
    title = "Non-root user and a port below 1024 where binding it fails"
    severity = Severity.ERROR
    concern = "privileged-port"
    fixable = "safe"
    docs = RuleDocs(
        what=(
            "For a container that runs as a known non-root user and declares a container port below 1024 "
            "(`containerPort`, compose `ports`/`expose`, `-p`/`--expose`): error with host networking "
            "(`hostNetwork`, `network_mode: host`, `--network host`), where the host's "
            f"`{SYSCTL}` (1024 by default) applies; error for `podman run`, which keeps 1024 in the container "
            "unless `--sysctl` lowers it; info for Kubernetes pods with their own network namespace, where it "
            "depends on the runtime (containerd 2 sets 0, CRI-O and containerd 1.x keep 1024). Docker (20.10 "
            "and later) sets the sysctl to 0 in every container with its own network namespace, so compose "
            "services and docker run on bridge/none networks are fine and not reported."
        ),
        why=(
            "The application starts and dies with \"bind: permission denied\". Adding NET_BIND_SERVICE does not "
            "help a non-root user under Docker (no ambient capabilities) nor under allowPrivilegeEscalation: "
            "false (file capabilities are ignored); what works is the namespaced sysctl, or a port of 1024 "
            "and above behind a port mapping or a Service."
        ),
        example=(
            "services:\n  web:\n    image: registry.example/web:1.4\n    user: \"10001:10001\"\n"
            "    network_mode: host\n    expose: [\"80\"]\n"
        ),
        instead=(
            "services:\n  web:\n    image: registry.example/web:1.4   # listening on 8080\n"
            "    user: \"10001:10001\"\n    ports: [\"80:8080\"]\n"
        ),
        fix_safety=(
            f"Kubernetes (own network namespace) and podman: safe — adds the namespaced sysctl `{SYSCTL}` = 0 "
            "(a safe sysctl since Kubernetes 1.22, allowed by Pod Security baseline) to the pod securityContext "
            "or `--sysctl` to the podman command; it affects only the pod's network namespace. No fix with host "
            "networking: the sysctl cannot be set there; move the application to a port ≥ 1024."
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        seen_pods: set[int] = set()
        for c in ctx.containers():
            low = [p for p in c.ports if p.container is not None and 0 < p.container < 1024]
            if not low:
                continue
            ru = ctx.run_user(c)
            if ru.root is not False:
                continue
            port = low[0]
            start = c.sysctl(SYSCTL)
            if start is not None and start.strip().isdigit() and int(start) <= port.container and not c.host_network:
                continue
            who = f"{ru.describe()} ({ru.source})"
            if c.host_network:
                net = {"kubernetes": "hostNetwork: true", "compose": "network_mode: host"}.get(c.origin, "--network host")
                yield ctx.finding(self, port.loc or c.loc, f"{c.label} runs as {who} with {net} and port {port.container}: "
                                  f"the host's {SYSCTL} (1024 by default) applies, so binding fails with "
                                  "\"permission denied\"; listen on a port ≥ 1024 (the sysctl cannot be set "
                                  "per container with host networking)")
                continue
            if c.origin == "docker-run" and c.workload.runtime == "podman":
                edits = ctx.run_insert(f"--sysctl {SYSCTL}=0")
                yield ctx.finding(self, port.loc or c.loc, f"podman keeps {SYSCTL} at 1024 in the container: {who} "
                                  f"cannot bind port {port.container}; add --sysctl {SYSCTL}=0 or listen on a "
                                  "port ≥ 1024", fix=ctx.fix(f"add --sysctl {SYSCTL}=0", edits))
                continue
            if c.origin == "kubernetes":
                w = c.workload
                if id(w) in seen_pods:
                    continue
                seen_pods.add(id(w))
                edits = None
                if ctx.patcher is not None and w.pod_spec is not None:
                    edits = ctx.append_in(w.pod_spec, ["securityContext", "sysctls"], {"name": SYSCTL, "value": "0"})
                yield ctx.finding(self, port.loc or c.loc, f"{c.label} runs as {who} and listens on port "
                                  f"{port.container}: that works only where the runtime lowers {SYSCTL} "
                                  "(containerd 2 does; CRI-O and containerd 1.x keep 1024); set the safe sysctl "
                                  f"{SYSCTL}=0 in the pod securityContext or listen on a port ≥ 1024",
                                  severity=Severity.INFO, fix=ctx.fix(f"add sysctl {SYSCTL}=0 to the pod", edits))


RULE = PrivilegedPort

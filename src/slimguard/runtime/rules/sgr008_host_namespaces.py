"""SGR008: the container shares a host namespace (network, PID, IPC, user, UTS)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.runtime.rules.base import CheckContext, RuleDocs, RuntimeRule, concern


class HostNamespaces(RuntimeRule):
    id = "SGR008"
    title = "Host namespace shared"
    severity = Severity.WARNING
    concern = concern("host-access", "privilege-escalation")
    fixable = "unsafe"
    docs = RuleDocs(
        what=(
            "Kubernetes: `hostNetwork`, `hostPID` or `hostIPC: true`. Compose: `network_mode: host`, "
            "`pid: host`, `ipc: host`, `userns_mode: host`, `uts: host`. docker run: `--network host` "
            "(`--net`), `--pid host`, `--ipc host`, `--userns host`, `--uts host`."
        ),
        why=(
            "A shared PID namespace lets the container see and signal host processes (and read their "
            "environment through /proc when it runs as the same uid); a shared network namespace exposes host "
            "services bound to localhost and bypasses network policies; `--userns host` switches off "
            "userns-remap for the container. Baseline and restricted Pod Security forbid the Kubernetes fields. "
            "With host networking, a non-root process also cannot bind ports below 1024 (see SGR014)."
        ),
        example=(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: probe}\nspec:\n  hostNetwork: true\n  hostPID: true\n"
            "  containers:\n    - name: probe\n      image: registry.example/probe:1\n"
        ),
        instead=(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: probe}\nspec:\n  containers:\n    - name: probe\n"
            "      image: registry.example/probe:1\n      ports:\n        - containerPort: 8080\n"
        ),
        fix_safety=(
            "Unsafe, Kubernetes only: sets the field to `false`. The pod then gets its own network/PID/IPC "
            "namespace; anything that relied on the host's (node monitoring, host ports) breaks. Compose and "
            "docker run are not rewritten: choose the network yourself."
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        if ctx.kind == "kubernetes":
            for w in ctx.workloads():
                for label, v in (("hostNetwork", w.host_network), ("hostPID", w.host_pid), ("hostIPC", w.host_ipc)):
                    if v is None or v.value is not True:
                        continue
                    yield ctx.finding(self, v.loc, f"{w.kind} {w.name!r} sets {label}: true: its containers share "
                                      f"the node's {_what(label)}; Pod Security baseline forbids it",
                                      fix=ctx.fix(f"set {label}: false", ctx.replace(v, False), safe=False))
            return
        for c in ctx.containers():
            for label, v in (("network", c.network_mode), ("pid", c.pid_mode), ("ipc", c.ipc_mode),
                             ("userns", c.userns_mode), ("uts", c.uts_mode)):
                if v is None or str(v.value).strip().lower() != "host":
                    continue
                key = {"network": "network_mode", "userns": "userns_mode"}.get(label, label)
                shown = f"--{label} host" if ctx.kind == "docker-run" else f"{key}: host"
                yield ctx.finding(self, v.loc, f"{c.label} uses {shown}: it shares the host's {_what(label)}")


def _what(label: str) -> str:
    return {
        "hostNetwork": "network namespace (host services on localhost, no network policy)",
        "network": "network namespace (host services on localhost, no isolation)",
        "hostPID": "process namespace (it can see and signal host processes)",
        "pid": "process namespace (it can see and signal host processes)",
        "hostIPC": "IPC namespace (shared memory of host processes)",
        "ipc": "IPC namespace (shared memory of host processes)",
        "userns": "user namespace (userns-remap is off for it: uid 0 is host root)",
        "uts": "UTS namespace (it can change the host name)",
    }[label]


RULE = HostNamespaces

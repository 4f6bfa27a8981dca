"""SGR005: capabilities are not dropped (drop ALL), or more than NET_BIND_SERVICE is added."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.runtime.rules._common import cap_name, drops_all, runs_non_root
from slimguard.runtime.rules.base import CheckContext, RuleDocs, RuntimeRule, concern


class Capabilities(RuntimeRule):
    id = "SGR005"
    title = "Capabilities not dropped, or added beyond NET_BIND_SERVICE"
    severity = Severity.WARNING
    concern = concern("capabilities", "privilege-escalation")
    fixable = "safe"
    docs = RuleDocs(
        what=(
            "Kubernetes: `securityContext.capabilities.drop` must contain `ALL` and `add` may only contain "
            "`NET_BIND_SERVICE` (the restricted profile's rule). Compose and docker run: `cap_drop` / "
            "`--cap-drop` must contain `ALL`, and `cap_add` / `--cap-add` other than NET_BIND_SERVICE is "
            "reported. Adding NET_BIND_SERVICE for a non-root user under Docker is reported at info level: "
            "Docker puts added capabilities in the bounding set only, never in the ambient set, so a non-root "
            "process does not get it (moby#8460, moby#38664; Podman does set ambient capabilities)."
        ),
        why=(
            "A non-root process under Docker has no effective capabilities, but the bounding set still holds "
            "Docker's defaults (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW, ...), which setuid or file-capability "
            "binaries pick up. Root in a container keeps all of them. Dropping ALL leaves CapBnd 0 (tested)."
        ),
        example=(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: app\n"
            "      image: registry.example/web:1.4\n      securityContext:\n        runAsUser: 10001\n"
            "        capabilities:\n          add: [NET_ADMIN]\n"
        ),
        instead=(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: app\n"
            "      image: registry.example/web:1.4\n      securityContext:\n        runAsUser: 10001\n"
            "        capabilities:\n          drop: [ALL]\n"
        ),
        fix_safety=(
            "Adds `ALL` to the drop list (`cap_drop: [ALL]`, `--cap-drop ALL`). Safe when the container is "
            "known to run as non-root: it has no effective capabilities anyway, and only setuid/file-capability "
            "binaries lose them (a binary with file capabilities then fails at exec with EPERM, e.g. an image "
            "that `setcap`s its server; frankenphp#777). Unsafe for root or unknown users: root loses CHOWN, "
            "SETUID, DAC_OVERRIDE ... which entrypoints that chown and drop privileges need. Added capabilities "
            "are never removed by the fix."
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for c in ctx.containers():
            non_root = runs_non_root(ctx, c)
            if not drops_all(c):
                if c.origin == "kubernetes":
                    edits = ctx.append_in(c.node, ["securityContext", "capabilities", "drop"], "ALL")
                    where = "capabilities.drop"
                elif c.origin == "compose":
                    edits = ctx.append_in(c.node, ["cap_drop"], "ALL")
                    where = "cap_drop"
                else:
                    edits = ctx.run_insert("--cap-drop ALL")
                    where = "--cap-drop"
                loc = c.cap_drop[0].loc if c.cap_drop else c.loc
                who = "" if non_root else " (it may run as root, so the application could need some of them)"
                yield ctx.finding(self, loc, f"{c.label} does not drop all capabilities ({where} without ALL): the "
                                  "bounding set keeps the runtime's defaults for setuid and file-capability "
                                  f"binaries{who}; drop ALL and add back only what is needed",
                                  fix=ctx.fix("drop all capabilities", edits, safe=non_root))
            for v in c.cap_add:
                name = cap_name(str(v.value))
                if name != "NET_BIND_SERVICE":
                    yield ctx.finding(self, v.loc, f"{c.label} adds capability {name}; "
                                      + ("the restricted Pod Security profile allows only NET_BIND_SERVICE"
                                         if c.origin == "kubernetes" else
                                         "only NET_BIND_SERVICE is harmless; check that the application needs it"))
                elif c.origin != "kubernetes" and non_root and c.workload.runtime != "podman":
                    yield ctx.finding(self, v.loc, f"{c.label} adds NET_BIND_SERVICE for a non-root user, which "
                                      "Docker puts only in the bounding set, not the ambient set: the process does "
                                      "not get it. Docker ≥ 20.10 already lets any user bind ports below 1024 on "
                                      "bridge and none networks (net.ipv4.ip_unprivileged_port_start=0)",
                                      severity=Severity.INFO)


RULE = Capabilities

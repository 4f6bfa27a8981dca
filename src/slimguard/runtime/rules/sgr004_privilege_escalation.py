"""SGR004: privilege escalation is not blocked (allowPrivilegeEscalation / no-new-privileges)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.runtime.rules._common import cap_name, no_new_privileges
from slimguard.runtime.rules.base import CheckContext, RuleDocs, RuntimeRule


class PrivilegeEscalation(RuntimeRule):
    id = "SGR004"
    title = "Privilege escalation is not blocked"
    severity = Severity.WARNING
    concern = "privilege-escalation"
    fixable = "safe"
    docs = RuleDocs(
        what=(
            "Kubernetes: every container (init and ephemeral containers too) must set "
            "`allowPrivilegeEscalation: false` explicitly — unset counts as allowed. Compose and docker run: "
            "`security_opt` / `--security-opt` must contain `no-new-privileges` (or `no-new-privileges:true`); "
            "`no-new-privileges:false` is reported where it is written."
        ),
        why=(
            "Both set the kernel's no_new_privs bit: setuid-root binaries and file capabilities no longer raise "
            "privileges. Dropping capabilities alone does not stop this: a setuid-root `id` in an image with "
            "USER 1000 reports euid=0 even with `--cap-drop ALL`, and uid 1000 only with no-new-privileges "
            "(tested). The restricted Pod Security profile requires `allowPrivilegeEscalation: false`."
        ),
        example=(
            "services:\n  web:\n    image: registry.example/web:1.4\n    user: \"10001:10001\"\n"
        ),
        instead=(
            "services:\n  web:\n    image: registry.example/web:1.4\n    user: \"10001:10001\"\n"
            "    security_opt:\n      - no-new-privileges:true\n"
        ),
        fix_safety=(
            "Safe for applications that do not rely on setuid binaries (sudo, su, ping without capabilities) or "
            "file capabilities (`setcap cap_net_bind_service`): those stop working, which is the point. "
            "gosu/su-exec started as root are not affected. Not offered when the container is privileged or "
            "adds SYS_ADMIN: Kubernetes rejects allowPrivilegeEscalation: false together with those."
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for c in ctx.containers():
            if c.origin == "kubernetes":
                v = c.allow_privilege_escalation
                if v is not None and v.value is False:
                    continue
                blocked = (c.privileged is not None and c.privileged.value is True) or any(
                    cap_name(str(a.value)) == "SYS_ADMIN" for a in c.cap_add)
                fix = None
                if not blocked:
                    edits = ctx.replace(v, False) if v is not None else None
                    if edits is None:
                        edits = ctx.set_in(c.node, ["securityContext", "allowPrivilegeEscalation"], False)
                    fix = ctx.fix(f"set allowPrivilegeEscalation: false in {c.name}", edits)
                what = "sets allowPrivilegeEscalation: true" if v is not None else "does not set allowPrivilegeEscalation: false"
                tail = ("; it is privileged or adds SYS_ADMIN, which Kubernetes does not allow together with "
                        "allowPrivilegeEscalation: false — remove those first" if blocked else "")
                yield ctx.finding(self, v.loc if v is not None else c.loc,
                                  f"{c.label} {what}: setuid binaries and file capabilities can still raise "
                                  f"privileges; the restricted Pod Security profile requires it in every "
                                  f"container{tail}", fix=fix)
                continue
            on, off = no_new_privileges(c)
            if on:
                continue
            flag = "--security-opt" if ctx.kind == "docker-run" else "security_opt"
            if off is not None:
                if ctx.kind == "docker-run":
                    edits = ctx.run_replace(off, "--security-opt no-new-privileges")
                else:
                    edits = ctx.patcher.replace_value(off.node, "no-new-privileges:true") if ctx.patcher and off.node is not None else None
                yield ctx.finding(self, off.loc, f"{c.label} turns no-new-privileges off: setuid binaries and file "
                                  "capabilities can raise privileges; use no-new-privileges:true",
                                  fix=ctx.fix("turn no-new-privileges on", edits))
                continue
            if ctx.kind == "docker-run":
                edits = ctx.run_insert("--security-opt no-new-privileges")
            else:
                edits = ctx.append_in(c.node, ["security_opt"], "no-new-privileges:true")
            yield ctx.finding(self, c.loc, f"{c.label} has no {flag} no-new-privileges: setuid-root binaries and file "
                              "capabilities in the image can still gain privileges (dropping capabilities does "
                              "not stop a setuid binary from getting euid 0)",
                              fix=ctx.fix("add no-new-privileges", edits))


RULE = PrivilegeEscalation

"""SGA005: a non-root image exposes a port below 1024 (lint's SG005)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import RuleDocs
from slimguard.image.rules.base import ImageContext, ImageRule


class PrivilegedPort(ImageRule):
    id = "SGA005"
    title = "Non-root image exposes a privileged port"
    severity = Severity.WARNING
    concern = "privileged-port"
    aliases = ("SG005",)
    docs = RuleDocs(
        what=(
            "Reports the ports below 1024 in the image config's `ExposedPorts` (any protocol) when the config "
            "`User` resolves to a non-root uid. Images that run as root are left to SGA002; a `User` that "
            "cannot be resolved is not reported."
        ),
        why=(
            "Binding a port below 1024 needs root or CAP_NET_BIND_SERVICE, unless the kernel's "
            "`net.ipv4.ip_unprivileged_port_start` is lowered. Docker 20.10 and later set it to 0 inside a "
            "container's own network namespace, so the image works with `docker run` on the default bridge, but "
            "not with `--network host`; Kubernetes (CRI-O, containerd before 2.0, any hostNetwork pod) and "
            "Podman keep 1024 by default, so the application fails to start with EACCES."
        ),
        example="FROM nginx:1.27\nUSER 101:101\nEXPOSE 80\n",
        instead="FROM nginxinc/nginx-unprivileged:1.27\nUSER 101:101\nEXPOSE 8080\n",
        fix_safety=(
            "No automatic fix: the port the application listens on is in its configuration, not in the image "
            "config. Make it listen on a port >= 1024, EXPOSE that one and map it (`-p 80:8080`, a Service "
            "`targetPort`); clients that connect to the container directly must use the new port."
        ),
    )

    def check(self, ctx: ImageContext) -> Iterator[Finding]:
        u = ctx.user
        if u.uid is None or u.uid == 0:
            return
        low = []
        for p in ctx.run_config.get("ExposedPorts") or {}:
            num = str(p).split("/", 1)[0]
            if num.isdigit() and 0 < int(num) < 1024:
                low.append(str(p))
        if low:
            yield ctx.finding(
                self, f"the image runs as uid {u.uid} but exposes privileged port(s) {', '.join(sorted(low))}: "
                f"binding below 1024 needs root or CAP_NET_BIND_SERVICE (Kubernetes does not lower "
                f"ip_unprivileged_port_start); listen on a port >= 1024", ports=sorted(low))


RULE = PrivilegedPort

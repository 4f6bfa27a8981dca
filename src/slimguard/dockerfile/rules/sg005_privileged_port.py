"""SG005: a non-root image that exposes a privileged port (< 1024)."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.dockerfile.model import parse_port
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext

# a literal EXPOSE word: port or range, optional protocol
_LITERAL = re.compile(r"^(\d+)(?:-(\d+))?(/[A-Za-z]+)?$")


def unprivileged(port: int) -> int:
    """The port to use instead: 80 -> 8080, 443 -> 8443, any other port below 1024 -> port + 8000."""
    return port + 8000 if 0 < port < 1024 else port


def _publish(start: int, end: int) -> str:
    if start == end:
        return f"-p {start}:{unprivileged(start)}"
    return f"-p {start}-{end}:{unprivileged(start)}-{unprivileged(end)}"


class PrivilegedPort(Rule):
    id = "SG005"
    title = "Non-root image exposes a privileged port"
    severity = Severity.WARNING
    concern = "privileged-port"
    fixable = "unsafe"
    aliases = ()
    docs = RuleDocs(
        what=(
            "Finds EXPOSE of a port below 1024 (single ports, ranges, any protocol, and ports that come "
            "from ARG or ENV such as `EXPOSE ${PORT}`) in the stage that ships, when that stage runs as a "
            "non-root user (a USER instruction, a USER inherited from an earlier stage, or a base image "
            "known to run as non-root). Images that run as root are left to SG001; a USER that cannot be "
            "resolved is not reported. EXPOSE inside ONBUILD is not checked: the child image's user decides."
        ),
        why=(
            "Binding a port below 1024 needs root or CAP_NET_BIND_SERVICE, unless the kernel's "
            "`net.ipv4.ip_unprivileged_port_start` is lowered. Docker 20.10 and later set it to 0 inside a "
            "container's own network namespace, so the image works with `docker run` on the default bridge, "
            "but not with `--network host`; Kubernetes (CRI-O, containerd before 2.0, any hostNetwork pod) "
            "and Podman keep 1024 by default, so the application fails to start with EACCES (permission "
            "denied). `--cap-add NET_BIND_SERVICE` does not help a non-root user under Docker, which never "
            "puts it in the ambient set. Listening on a high port and mapping it works everywhere."
        ),
        example="FROM nginxinc/nginx-unprivileged:1.27\nEXPOSE 80\n",
        instead=(
            "FROM nginxinc/nginx-unprivileged:1.27\nEXPOSE 8080\n"
            "# docker run -p 80:8080 …   (Kubernetes: containerPort 8080, Service port 80)\n"
        ),
        fix_safety=(
            "Unsafe (only with --unsafe): rewrites the port in EXPOSE (443 -> 8443, 80 -> 8080, any other "
            "port below 1024 -> port + 8000, ranges end to end, the protocol kept). EXPOSE is documentation, "
            "so the application must also be configured to listen on the new port, and whoever runs the "
            "image must publish it (`docker run -p 443:8443`, a Kubernetes Service with targetPort 8443). "
            "Ports that come from a variable, ranges that cross 1024 and ports whose replacement is already "
            "exposed are reported but not rewritten."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        stage = ctx.target
        if stage is None or stage.user.is_root is not False:
            return
        user = stage.user.text
        exposed = {p for s in stage.chain() for spec, _ in s.exposed for p in spec.ports}
        for step in stage.all_steps():
            ins = step.instruction
            if ins.name != "EXPOSE":
                continue
            words = ins.words()
            expanded = step.expanded if len(step.expanded) == len(words) else tuple(w.text for w in words)
            for word, value in zip(words, expanded):
                literal = _LITERAL.match(word.text)
                specs = [parse_port(part) for part in value.split()]
                for spec in specs:
                    if spec.start is None or spec.end is None or not (0 < spec.start < 1024):
                        continue
                    start, end = spec.start, spec.end
                    shown = word.text if literal else f"{spec.text} (from {word.text})"
                    if end >= 1024:
                        advice = ("keep the whole range at 1024 or above and map the low ports with "
                                  f"`{_publish(start, 1023)}`")
                    elif start == end:
                        advice = (f"listen on {unprivileged(start)} instead and publish it with "
                                  f"`{_publish(start, end)}`")
                    else:
                        advice = (f"listen on {unprivileged(start)}-{unprivileged(end)} instead and publish "
                                  f"them with `{_publish(start, end)}`")
                    publish = _publish(start, min(end, 1023))
                    msg = (
                        f"EXPOSE {shown} while the image runs as {user}: binding a port below 1024 needs "
                        "root. Docker 20.10+ allows it inside the container's own network namespace, but not "
                        "with --network host, and Kubernetes and Podman do not by default, so the application "
                        f"fails to start with EACCES (permission denied); {advice}"
                    )
                    fix = None
                    if literal and end < 1024:
                        new_ports = set(range(unprivileged(start), unprivileged(end) + 1))
                        if not new_ports & exposed:
                            new = str(unprivileged(start)) + (
                                f"-{unprivileged(end)}" if literal.group(2) else "") + (literal.group(3) or "")
                            fix = Fix(
                                f"EXPOSE {new} instead of {word.text}: also change the application's listen port "
                                f"to {unprivileged(start)} and publish it with `{publish}` "
                                f"(Kubernetes: targetPort {unprivileged(start)})",
                                (Edit(word.span.start.offset, word.span.end.offset, new),),
                                applicability=Applicability.UNSAFE,
                            )
                    yield ctx.finding(self, word.span, msg, fix=fix)


RULE = PrivilegedPort

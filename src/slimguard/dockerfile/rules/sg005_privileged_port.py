"""SG005: a non-root image that exposes a privileged port (< 1024)."""

from __future__ import annotations

import dataclasses

import re
from typing import Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.ports import PortPlan, port_plan
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.model import parse_port

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
            "resolved is not reported. EXPOSE inside ONBUILD is not checked: the child image's user decides. "
            "For each port it also finds every other place the Dockerfile sets that port: port arguments of "
            "CMD and ENTRYPOINT (`--port 80`, `--port=80`, `-p 80`, `--bind 0.0.0.0:80`, `-b :80`, "
            "`--listen :80`, `0.0.0.0:80`, `PORT=80 cmd`, `-Dserver.port=80`, `python3 -m http.server 80`, "
            "`manage.py runserver 0.0.0.0:80`, also inside `sh -c`), port variables in ENV and ARG "
            "(`PORT`, `HTTP_PORT`, `SERVER_PORT`, `APP_PORT`, other `*_PORT` names that do not name a remote "
            "service) and listen addresses (`ASPNETCORE_URLS=http://+:80`), and HEALTHCHECK URLs of the "
            "container itself (`http://localhost:80/`, `http://127.0.0.1/`)."
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
        example=(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends python3 \\\n"
            "    && rm -rf /var/lib/apt/lists/* && useradd --uid 10001 app\n"
            "USER 10001:10001\nEXPOSE 80\n"
            "HEALTHCHECK CMD python3 -c \"import urllib.request as u; u.urlopen('http://localhost:80/')\"\n"
            "CMD [\"python3\", \"-m\", \"http.server\", \"80\"]\n"
        ),
        instead=(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends python3 \\\n"
            "    && rm -rf /var/lib/apt/lists/* && useradd --uid 10001 app\n"
            "USER 10001:10001\nEXPOSE 8080\n"
            "HEALTHCHECK CMD python3 -c \"import urllib.request as u; u.urlopen('http://localhost:8080/')\"\n"
            "CMD [\"python3\", \"-m\", \"http.server\", \"8080\"]\n"
            "# docker run -p 80:8080 …   (Kubernetes: containerPort 8080, Service port 80)\n"
        ),
        fix_safety=(
            "Unsafe (only with --unsafe): it changes the port the container listens on, so whoever runs the "
            "image must publish the new one (`docker run -p 80:8080`, a Kubernetes Service with targetPort "
            "8080), and clients inside the container network must use it. The fix renumbers the port "
            "(80 -> 8080, 443 -> 8443, any other port below 1024 -> port + 8000, ranges end to end, the "
            "protocol kept) everywhere the Dockerfile sets it, in one step: every EXPOSE of it, the CMD and "
            "ENTRYPOINT arguments listed above, the ENV or ARG value a `$PORT` in EXPOSE or a shell-form "
            "command gets its value from (also a global ARG, also the default of `${PORT:-80}`), port "
            "variables and listen addresses in ENV and ARG, and HEALTHCHECK URLs of the container itself "
            "(`http://localhost/` gets `:8080`). It is offered only when one of these places decides the "
            "listen port (a CMD or ENTRYPOINT argument, or a port variable in ENV that the command can read) "
            "and nothing else mentions the port. Otherwise nothing is edited and the finding carries "
            "display-only advice (listen on 8080 inside the container, publish `-p 80:8080`): when the "
            "Dockerfile does not show where the port is set (the application's code or its base image's "
            "config decides), when a RUN, LABEL, ONBUILD trigger, COPY heredoc or a variable slimguard does "
            "not recognise also mentions it, when a config file is copied in from the build context or "
            "another stage (nginx.conf, *.yaml, *.toml, ...), when the command runs a script "
            "(docker-entrypoint.sh, `sh start.sh`) or a config-driven server such as nginx, when a port "
            "variable at a port position is not set in the Dockerfile, comes from --build-arg or is built "
            "from several parts, when the command cannot be read (command substitution, a non-POSIX SHELL), "
            "when the place to edit is shared with a stage that does not ship, when the new port is already "
            "in use, and for ranges that cross 1024."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        """One finding per EXPOSE line: its first privileged port, naming the others (the fix loop renumbers
        them one round after another)."""
        exposes = [i for i in ctx.tree.instructions if i.name == "EXPOSE"]
        groups: dict[int, list[Finding]] = {}
        for f in self._port_findings(ctx):
            ins = next((i for i in exposes if i.start_line <= f.line <= i.end_line), None)
            groups.setdefault(ins.start_line if ins is not None else -f.line, []).append(f)
        for found in groups.values():
            first = found[0]
            if len(found) > 1:
                others = ", ".join(_port_word(f.message) for f in found[1:])
                first = dataclasses.replace(first, message=f"{first.message} (this EXPOSE also names {others})")
            yield first

    def _port_findings(self, ctx: LintContext) -> Iterator[Finding]:
        stage = ctx.target
        if stage is None or stage.user.is_root is not False:
            return
        user = stage.user.text
        if any(ins.name == "RUN" and "cap_net_bind_service" in ins.rest.lower() for ins in ctx.tree.instructions):
            return  # setcap cap_net_bind_service on the server binary lets a non-root user bind low ports
        plans: dict[tuple[int, int], PortPlan] = {}
        reported: set[tuple[int, int]] = set()  # 53/tcp and 53/udp are one problem
        for step in stage.all_steps():
            ins = step.instruction
            if ins.name != "EXPOSE":
                continue
            words = ins.words()
            expanded = step.expanded if len(step.expanded) == len(words) else tuple(w.text for w in words)
            for word, value in zip(words, expanded):
                literal = _LITERAL.match(word.text)
                for spec in (parse_port(part) for part in value.split()):
                    if spec.start is None or spec.end is None or not (0 < spec.start < 1024):
                        continue
                    start, end = spec.start, spec.end
                    if (start, end) in reported:
                        continue
                    reported.add((start, end))
                    shown = word.text if literal else f"{spec.text} (from {word.text})"
                    msg = (
                        f"EXPOSE {shown} while the image runs as {user}: binding a port below 1024 needs "
                        "root. Docker 20.10+ allows it inside the container's own network namespace, but not "
                        "with --network host, and Kubernetes and Podman do not by default, so the application "
                        "fails to start with EACCES (permission denied); "
                    )
                    if end >= 1024:
                        advice = ("keep the whole range at 1024 or above and map the low ports with "
                                  f"`{_publish(start, 1023)}`")
                        yield ctx.finding(self, word.span, msg + advice,
                                          fix=Fix(advice, (), Applicability.DISPLAY_ONLY))
                        continue
                    if (start, end) not in plans:
                        plans[(start, end)] = port_plan(ctx, stage, range(start, end + 1), unprivileged)
                    plan = plans[(start, end)]
                    listen = _listen(start, end)
                    if plan.followable:
                        fix = Fix(
                            f"renumber {_ports(start, end)} to {_ports(unprivileged(start), unprivileged(end))} "
                            f"everywhere the Dockerfile sets {_it(start, end)}: {plan.describe()}; publish "
                            f"{_it(start, end)} with `{_publish(start, end)}` "
                            f"(Kubernetes: targetPort {unprivileged(start)})",
                            plan.edits(unprivileged),
                            applicability=Applicability.UNSAFE,
                        )
                        yield ctx.finding(self, word.span, msg + f"{listen} instead and publish "
                                          f"{_it(start, end)} with `{_publish(start, end)}`", fix=fix)
                        continue
                    reason = plan.blockers[0] if plan.blockers else _NO_LISTEN_SITE
                    advice = (f"make the application {listen} inside the container and publish "
                              f"{_it(start, end)} with "
                              f"`{_publish(start, end)}` (Kubernetes: containerPort {unprivileged(start)}, "
                              f"Service port {start})")
                    yield ctx.finding(self, word.span, f"{msg}{advice}; not renumbered automatically: {reason}",
                                      fix=Fix(advice, (), Applicability.DISPLAY_ONLY))


def _port_word(message: str) -> str:
    """The port as the message names it (``EXPOSE 443 while ...`` -> ``443``)."""
    return message.removeprefix("EXPOSE ").split(" while ", 1)[0]


def _ports(start: int, end: int) -> str:
    return f"port {start}" if start == end else f"ports {start}-{end}"


def _it(start: int, end: int) -> str:
    return "it" if start == end else "them"


def _listen(start: int, end: int) -> str:
    if start == end:
        return f"listen on {unprivileged(start)}"
    return f"listen on {unprivileged(start)}-{unprivileged(end)}"


_NO_LISTEN_SITE = (
    "the Dockerfile does not show where the application's port is set (no port argument or listen address "
    "in CMD or ENTRYPOINT, no PORT variable in ENV), so renumbering EXPOSE alone would leave the application "
    "on the old port"
)


RULE = PrivilegedPort

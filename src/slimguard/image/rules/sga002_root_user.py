"""SGA002: the image runs as root (lint's SG001)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import RuleDocs
from slimguard.image.rules.base import ImageContext, ImageRule


class RootUser(ImageRule):
    id = "SGA002"
    title = "Container runs as root"
    severity = Severity.WARNING
    concern = "root-user"
    aliases = ("SG001",)
    docs = RuleDocs(
        what=(
            "Reads the image config's `User` and resolves it against the image's own /etc/passwd. Reports an "
            "empty `User` (the runtime default is root), `0`, `root`, `0:*` or `root:*`, and a name whose uid in "
            "/etc/passwd is 0 (root under another name, e.g. `toor`). A `User` that does not resolve is left "
            "to SGA003."
        ),
        why=(
            "Docker runs containers as uid 0 unless told otherwise, and without user namespaces that uid 0 is "
            "root on the host: a process that breaks out, or a bind-mounted host directory, is fully exposed. "
            "Most official images (node, openjdk, python, debian) do not set a USER."
        ),
        example="FROM node:20-slim\nCOPY . /app\nCMD [\"node\", \"/app/server.js\"]\n",
        instead=(
            "FROM node:20-slim\nRUN useradd --uid 10001 --user-group --no-create-home app\n"
            "COPY --chown=10001:10001 . /app\nUSER 10001:10001\nCMD [\"node\", \"/app/server.js\"]\n"
        ),
        fix_safety=(
            "No automatic fix: the image is built. Add a non-root user and `USER uid:gid` to the Dockerfile "
            "(`slimguard fix` does that for lint's SG001) and rebuild; files the process writes must belong to "
            "that user. Until then, `docker run --user` or Kubernetes `runAsUser` can override the user."
        ),
    )

    def check(self, ctx: ImageContext) -> Iterator[Finding]:
        u = ctx.user
        if u.problems or u.uid != 0:
            return
        spec = u.spec
        if not spec:
            why = "no User in the image config: the container runs as root (uid 0)"
        elif u.user.isdigit() or u.user == "root":
            why = f"config User {spec!r} is root (uid 0)"
        else:
            why = f"config User {spec!r} resolves to uid 0 in /etc/passwd: it is root under another name"
        yield ctx.finding(self, why + "; add a non-root user and set USER uid:gid", user=spec, uid=0)


RULE = RootUser

"""SGA004: the config User is a name, not a numeric uid (lint's SG003)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import RuleDocs
from slimguard.image.rules.base import ImageContext, ImageRule


class NumericUser(ImageRule):
    id = "SGA004"
    title = "Config User is a name, not a numeric uid"
    severity = Severity.INFO
    concern = "numeric-user"
    aliases = ("SG003",)
    docs = RuleDocs(
        what=(
            "Reports an image config `User` whose user part is a name (`app`, `node`, `app:app`) that resolves "
            "in the image's /etc/passwd to a non-root uid; the message names the numeric `uid:gid` to use "
            "instead. Root is left to SGA002, names that do not resolve to SGA003."
        ),
        why=(
            "The kubelet enforces `runAsNonRoot: true` by reading the image's user. It cannot look a name up in "
            "the image's /etc/passwd, so it refuses to start the pod: `container has runAsNonRoot and image has "
            "non-numeric user (app), cannot verify user is non-root` (CreateContainerConfigError), unless every "
            "manifest also sets runAsUser. A numeric USER passes the check as it is, and it does not depend on "
            "/etc/passwd at run time."
        ),
        example="FROM node:20-slim\nCOPY --chown=node:node . /app\nUSER node\nCMD [\"node\", \"/app/server.js\"]\n",
        instead=(
            "FROM node:20-slim\nCOPY --chown=1000:1000 . /app\nUSER 1000:1000\nCMD [\"node\", \"/app/server.js\"]\n"
        ),
        fix_safety=(
            "No automatic fix: the image is built. Write `USER uid:gid` with the uid and gid the message names "
            "(`slimguard fix` does that for lint's SG003) and rebuild; the process runs as the same account."
        ),
    )

    def check(self, ctx: ImageContext) -> Iterator[Finding]:
        u = ctx.user
        if u.problems or u.uid is None or u.uid == 0 or u.user.isdigit():
            return
        target = f"{u.uid}:{u.gid}" if u.gid is not None else str(u.uid)
        yield ctx.finding(self, f"config User {u.spec!r} is a name; use USER {target} so Kubernetes runAsNonRoot "
                          f"can verify the uid without /etc/passwd", user=u.spec, uid=u.uid, gid=u.gid)


RULE = NumericUser

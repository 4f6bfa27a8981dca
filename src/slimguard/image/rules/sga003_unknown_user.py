"""SGA003: the config User names a user or group the image does not have (lint's SG002)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import RuleDocs
from slimguard.image.rules.base import ImageContext, ImageRule


class UnknownUser(ImageRule):
    id = "SGA003"
    title = "Config User names a user or group the image does not have"
    severity = Severity.ERROR
    concern = "unknown-user"
    aliases = ("SG002",)
    docs = RuleDocs(
        what=(
            "Resolves the image config's `User` against the image's own /etc/passwd and /etc/group and "
            "reports a user or group name that is not there, or an image that has no /etc/passwd (or "
            "/etc/group) at all to look a name up in. Numeric ids need no lookup and are not reported; when "
            "only the config was read (a registry image without `--deep`), names are not checked."
        ),
        why=(
            "Docker resolves a USER name in the container's own /etc/passwd when the container starts. If the "
            "name is missing, the container cannot start at all: `unable to find user app: no matching entries "
            "in passwd file` (or `unable to find group ... in group file`). The image builds fine when no RUN "
            "follows the USER line, so the mistake only shows when the image is deployed."
        ),
        example=(
            "FROM debian:bookworm-slim AS build\nRUN useradd --uid 10001 app\n\n"
            "FROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/server /server\nUSER app\n"
            "ENTRYPOINT [\"/server\"]\n"
        ),
        instead=(
            "FROM debian:bookworm-slim AS build\nRUN useradd --uid 10001 app\n\n"
            "FROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/server /server\nUSER 10001:10001\n"
            "ENTRYPOINT [\"/server\"]\n"
        ),
        fix_safety=(
            "No automatic fix: the image is built. Create the user in the stage that ships, or use numeric "
            "`USER uid:gid`, and rebuild; `docker run --user uid:gid` starts the existing image meanwhile."
        ),
    )

    def check(self, ctx: ImageContext) -> Iterator[Finding]:
        u = ctx.user
        if u.problems:
            yield ctx.finding(self, f"config User {u.spec!r}: {'; '.join(u.problems)}: the container cannot start "
                              f"(docker run fails with \"unable to find user\")", user=u.spec)


RULE = UnknownUser

"""SGR013: a bind mount whose host directory the container user cannot write (or that does not exist)."""

from __future__ import annotations

import os
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.runtime.hostfs import access
from slimguard.runtime.rules.base import CheckContext, RuleDocs, RuntimeRule


class BindMountOwner(RuntimeRule):
    id = "SGR013"
    title = "Bind mount not writable by the container user"
    severity = Severity.WARNING
    concern = "volume-ownership"
    fixable = "none"
    origins = ("compose", "docker-run")
    docs = RuleDocs(
        what=(
            "For each bind mount (`./data:/data`, `type: bind`, `-v /srv/x:/x`, `--mount type=bind`) of a "
            "container whose user is known and not root, looks at the host directory on this machine: its "
            "owner and mode decide whether the user can write to it (or read it, for `:ro` mounts). A missing "
            "directory is reported too: `-v` and the compose short syntax create it as root:root 0755 (so a "
            "non-root user cannot write to it), while `--mount` and the long syntax refuse to start "
            "(\"bind source path does not exist\")."
        ),
        why=(
            "Without user namespaces the container's uid is the host's uid: uid 1000 in the container can "
            "write only where host uid 1000 (or its group, or everyone) may. This is the classic \"Permission "
            "denied\" after adding USER to an image (docker/compose#13612, moby#7198). The remedies differ per "
            "runtime; `slimguard doctor mount DIR --image IMAGE` probes the directory with the real image and "
            "prints the one that fits."
        ),
        example=(
            "services:\n  web:\n    image: node:12.16-slim\n    user: \"1000:1000\"\n    volumes:\n"
            "      - ./data:/home/node/data     # ./data missing, or owned by root\n"
        ),
        instead=(
            "# mkdir -p data && chown 1000:1000 data   (or run as the owner of ./data:)\nservices:\n  web:\n"
            "    image: node:12.16-slim\n    user: \"${UID}:${GID}\"     # export UID GID first\n    volumes:\n"
            "      - ./data:/home/node/data\n"
        ),
        fix_safety="No fix: the remedy is on the host (ownership) or a choice of user; see `slimguard doctor mount`.",
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for c in ctx.containers():
            binds = [m for m in c.mounts if m.kind == "bind" and m.source]
            if not binds:
                continue
            ru = ctx.run_user(c)
            if ru.root is not False or ru.uid is None:
                continue
            gid = ru.gid if ru.gid is not None else ru.uid
            base = c.workload.project_dir or os.getcwd()
            image = c.image.value if c.image is not None else c.name
            for m in binds:
                src = str(m.source)
                path = ctx.host.home() + src[1:] if src.startswith("~") else src
                if not os.path.isabs(path):
                    path = os.path.normpath(os.path.join(base, path))
                doctor = f"slimguard doctor mount {src} --image {image}"
                st = ctx.host.stat(path)
                if st is None:
                    if m.syntax == "short" or m.create_host_path:
                        yield ctx.finding(self, m.loc or c.loc, f"bind mount {src} of {c.label} does not exist on this "
                                          f"host: Docker will create it as root:root 0755 and {ru.describe()} "
                                          f"({ru.source}) cannot write to it; create it first owned by the user: "
                                          f"mkdir -p {src} && chown {ru.uid}:{gid} {src} (see `{doctor}`)")
                    else:
                        yield ctx.finding(self, m.loc or c.loc, f"bind mount {src} of {c.label} does not exist on this "
                                          "host: the long syntax / --mount refuses to start (\"bind source path does "
                                          f"not exist\"); create it owned by {ru.uid}:{gid} first",
                                          severity=Severity.ERROR)
                    continue
                can_read, can_write = access(st, ru.uid, gid)
                if m.read_only:
                    if not can_read:
                        yield ctx.finding(self, m.loc or c.loc, f"{ru.describe()} ({ru.source}) cannot read bind mount "
                                          f"{src} of {c.label}: on this host it is {st.describe()} (owner:group "
                                          f"mode); see `{doctor}`")
                    continue
                if not can_write:
                    yield ctx.finding(self, m.loc or c.loc, f"{ru.describe()} ({ru.source}) cannot write to bind mount "
                                      f"{src} of {c.label}: on this host it is {st.describe()} (owner:group mode). "
                                      f"Mark it :ro if the container only reads it; otherwise run as its owner or "
                                      f"give it to {ru.uid}:{gid} — `{doctor}` probes and picks the remedy")


RULE = BindMountOwner

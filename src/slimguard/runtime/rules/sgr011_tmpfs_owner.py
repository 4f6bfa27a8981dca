"""SGR011: a tmpfs mount the container's non-root user cannot write to."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.runtime.hostfs import HostStat, access
from slimguard.runtime.rules.base import CheckContext, RuleDocs, RuntimeRule


def _mode(text: str | None) -> int | None:
    if text is None:
        return 0o1777
    t = text.strip().lower().removeprefix("0o")
    try:
        return int(t, 8)
    except ValueError:
        return None


def _id(text: str | None) -> int | None:
    if text is None:
        return 0
    return int(text) if text.strip().isdigit() else None


class TmpfsOwner(RuntimeRule):
    id = "SGR011"
    title = "tmpfs not writable by the container user"
    severity = Severity.WARNING
    concern = "volume-ownership"
    fixable = "safe"
    origins = ("compose", "docker-run")
    docs = RuleDocs(
        what=(
            "For a container that runs as a known non-root uid, computes the owner and mode of each tmpfs "
            "mount (`tmpfs:` / `--tmpfs` options `uid=`, `gid=`, `mode=`; long syntax `type: tmpfs` / "
            "`--mount type=tmpfs,tmpfs-mode=`) and reports those the user cannot write to. Without options "
            "Docker creates tmpfs mounts root-owned with mode 1777, writable by everyone (tested on Docker "
            "20.10); `mode=0755` or `mode=0700` without a matching `uid=` locks the user out."
        ),
        why=(
            "The usual companion of `read_only: true` is a tmpfs for the paths the application writes. A "
            "restrictive mode without the user's uid makes every write fail with Permission denied at run time."
        ),
        example=(
            "services:\n  web:\n    image: registry.example/web:1.4\n    user: \"10001:10001\"\n    read_only: true\n"
            "    tmpfs:\n      - /run/app:mode=0700\n"
        ),
        instead=(
            "services:\n  web:\n    image: registry.example/web:1.4\n    user: \"10001:10001\"\n    read_only: true\n"
            "    tmpfs:\n      - /run/app:uid=10001,gid=10001,mode=0700\n"
        ),
        fix_safety=(
            "Safe: sets `uid=` and `gid=` of the short-syntax tmpfs to the container's user, keeping the other "
            "options; the directory is empty at every start, so nothing else can depend on its old owner. "
            "Long syntax (`type: tmpfs`, `--mount`) has no uid option and is only reported."
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for c in ctx.containers():
            ru = ctx.run_user(c)
            if ru.root is not False or ru.uid is None:
                continue
            gid = ru.gid if ru.gid is not None else ru.uid
            for m in c.mounts:
                if m.kind != "tmpfs":
                    continue
                mode = _mode(m.options.get("mode"))
                uid_o, gid_o = _id(m.options.get("uid")), _id(m.options.get("gid"))
                if mode is None or uid_o is None or gid_o is None:
                    continue
                _, writable = access(HostStat(m.target, uid_o, gid_o, mode & 0o7777, True), ru.uid, gid)
                if writable or m.read_only:
                    continue
                fix = None
                if m.syntax == "tmpfs" and m.val is not None:
                    opts = dict(m.options)
                    opts["uid"], opts["gid"] = str(ru.uid), str(gid)
                    order = [k for k in m.options] + [k for k in ("uid", "gid") if k not in m.options]
                    text = m.target + ":" + ",".join(k if opts[k] == "true" and k not in ("uid", "gid") else
                                                     f"{k}={opts[k]}" for k in order)
                    if ctx.kind == "docker-run":
                        edits = ctx.run_replace(m.val, f"--tmpfs {text}")
                    else:
                        edits = ctx.patcher.replace_text(m.val.node, text) if ctx.patcher and m.val.node is not None else None
                    fix = ctx.fix(f"give tmpfs {m.target} to uid {ru.uid}", edits)
                yield ctx.finding(self, m.loc or c.loc, f"tmpfs {m.target} of {c.label} is created {uid_o}:{gid_o} "
                                  f"mode {mode:04o}: {ru.describe()} ({ru.source}) cannot write to it; add "
                                  f"uid={ru.uid},gid={gid} to its options", fix=fix)


RULE = TmpfsOwner

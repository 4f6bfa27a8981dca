"""SG008: chmod that adds setuid/setgid bits or makes paths world-writable."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.dockerfile.shell import ChmodOp, FileWrite, decode_mode
from slimguard.dockerfile.analysis.accounts import expand_known
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Step

# Runtime-provided file systems: a chmod at build time does not survive into the container.
_RUNTIME_PREFIXES = ("/dev/", "/proc/", "/sys/")


def _norm(path: str, workdir: str) -> str:
    if not path.startswith("/"):
        path = posixpath.join(workdir or "/", path)
    return posixpath.normpath(path)


def _bits(setuid: bool, setgid: bool, world_writable: bool) -> list[str]:
    out = []
    if setuid:
        out.append("setuid")
    if setgid:
        out.append("setgid")
    if world_writable:
        out.append("world-writable")
    return out


class SetuidWorldWritable(Rule):
    id = "SG008"
    title = "setuid/setgid bit or world-writable path"
    severity = Severity.WARNING
    concern = "privilege-escalation"
    fixable = "none"
    aliases = ()
    docs = RuleDocs(
        what=(
            "Finds, in the stage that ships (its FROM chain and ONBUILD triggers included): `chmod` in RUN "
            "that sets the setuid or setgid bit (u+s, g+s, +s, 4755, 2755, 6755) or makes a path writable "
            "for everyone (777, 666, o+w, a+w, a=rwx), and COPY/ADD `--chmod=` with those bits. Not "
            "reported: world-writable modes together with the sticky bit (1777, +t, the /tmp convention), "
            "setgid on a directory the Dockerfile itself creates (mkdir, WORKDIR, VOLUME) when not "
            "recursive (new files inherit the group, a common pattern for group-shared directories), "
            "paths under /dev, /proc and /sys (provided by the runtime), and modes that clear the bits "
            "(u-s, a-s)."
        ),
        why=(
            "A setuid-root binary runs as root whoever starts it, so a non-root USER is one bug away from "
            "root; Docker keeps the default capabilities in the bounding set, so only "
            "`--security-opt no-new-privileges` (Kubernetes `allowPrivilegeEscalation: false`) neutralises "
            "it. A world-writable path lets any process in the container, whatever its uid, replace code "
            "or configuration the application trusts; without the sticky bit, users can also delete or "
            "swap each other's files."
        ),
        example=(
            "FROM debian:bookworm-slim\n"
            "COPY app /app\n"
            "RUN chmod -R 777 /app && chmod u+s /app/bin/helper\n"
            "USER 10001\n"
        ),
        instead=(
            "FROM debian:bookworm-slim\n"
            "COPY --chown=10001:10001 --chmod=0755 app /app\n"
            "RUN mkdir -p /app/data && chown 10001:10001 /app/data && chmod 0750 /app/data\n"
            "USER 10001\n"
        ),
        fix_safety=(
            "No automatic fix: the right owner and mode depend on who must write where. Give the "
            "directories the application writes to its own uid (COPY --chown, chown) with 0755/0750, use "
            "1777 only for scratch directories like /tmp, and replace setuid helpers by doing the "
            "privileged work at build time or granting a single file capability."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        target = ctx.target
        if target is None:
            return
        steps = target.all_steps()
        created = self._created_dirs(steps)
        for step in steps:
            ins = step.instruction
            where = " in an ONBUILD trigger (it runs in every image built FROM this one)" if step.in_onbuild else ""
            copy = ins.trigger if step.in_onbuild and ins.trigger is not None else ins
            if copy.name in ("COPY", "ADD"):
                flag = copy.flag("chmod")
                if flag is not None and flag.value:
                    setuid, setgid, sticky, ww, _ = decode_mode(flag.value)
                    bits = _bits(setuid, setgid, ww and not sticky)
                    if bits:
                        yield ctx.finding(
                            self, flag.span,
                            f"{copy.name} --chmod={flag.value}{where} makes the copied files "
                            f"{' and '.join(bits)}: " + _advice(setuid or setgid, ww and not sticky),
                        )
            if step.run is None:
                continue
            for op in step.run.script.of_type(ChmodOp):
                # a path the build computes (mktemp -d, a shell variable) cannot be known: say nothing of it
                known = [p for p in op.paths if "$" not in p and "`" not in p
                         or expand_known(p.replace('"', ""), step.env) is not None]
                if op.paths and not known:
                    continue
                paths = [p for p in known if not _norm(p, step.workdir).startswith(_RUNTIME_PREFIXES)]
                if op.paths and not paths:
                    continue
                ww = op.world_writable and not op.sticky
                setgid = op.setgid
                if setgid and not op.setuid and not op.recursive and paths and all(
                        p.endswith("/") or _norm(p, step.workdir) in created for p in paths):
                    setgid = False  # group inheritance on a directory this Dockerfile creates
                bits = _bits(op.setuid, setgid, ww)
                if not bits:
                    continue
                target_text = " ".join(paths) if paths else "its operands"
                rec = " (and everything below it)" if op.recursive else ""
                yield ctx.finding(
                    self, step.run.span_of(op.command.start, op.command.end),
                    f"chmod {op.mode}{where} makes {target_text}{rec} {' and '.join(bits)}: "
                    + _advice(op.setuid or setgid, ww),
                    aliases=(),
                )

    @staticmethod
    def _created_dirs(steps: list["Step"]) -> set[str]:
        dirs: set[str] = set()
        for step in steps:
            name = step.instruction.name
            if name == "WORKDIR" and step.expanded:
                dirs.add(posixpath.normpath(step.expanded[0]))
            elif name == "VOLUME":
                dirs.update(posixpath.normpath(_norm(v, step.workdir)) for v in step.expanded)
            if step.run is not None:
                for op in step.run.script.of_type(FileWrite):
                    if op.via == "mkdir":
                        dirs.add(_norm(op.path, step.workdir))
        return dirs


def _advice(special: bool, world_writable: bool) -> str:
    parts = []
    if special:
        parts.append("a setuid/setgid binary runs with its owner's or group's rights whoever starts it, so a "
                     "non-root USER can get them back (only no-new-privileges stops it); do the privileged "
                     "work at build time instead")
    if world_writable:
        parts.append("any process in the container can then change these files; chown them to the "
                     "application's uid and use 0755/0750 (1777 only for /tmp-like scratch directories)")
    return "; ".join(parts)


RULE = SetuidWorldWritable

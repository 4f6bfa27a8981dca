"""The before/after comparison, the verdict and its text and JSON renderings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slimguard.verify.build import BuildResult
from slimguard.verify.facts import ImageContents, as_dict as contents_dict
from slimguard.verify.probe import ProcStatus
from slimguard.verify.run import RunResult
from slimguard.verify.session import CleanupReport


@dataclass
class Side:
    """One image: the original ("before") or the fixed Dockerfile ("after")."""

    name: str
    dockerfile: str
    build: BuildResult | None = None
    size: int | None = None  # bytes, `docker image inspect` Size
    config_user: str | None = None  # the image config's User ("" = root)
    probe: RunResult | None = None
    status: ProcStatus | None = None
    probe_method: str | None = None
    contents: ImageContents | None = None
    smoke: RunResult | None = None

    @property
    def built(self) -> bool:
        return self.build is not None and self.build.ok

    @property
    def started(self) -> bool:
        return self.probe is not None and self.probe.started and self.probe.exit_code == 0

    @property
    def uid(self) -> int | None:
        return self.status.uid if self.status is not None and self.status.ok else None

    @property
    def gid(self) -> int | None:
        return self.status.gid if self.status is not None and self.status.ok else None

    @property
    def user_exists(self) -> bool | None:
        if self.contents is None or self.config_user is None:
            return None
        return self.contents.user_exists(self.config_user)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "build": self.build.as_dict() if self.build else None,
            "image_size": self.size,
            "config_user": self.config_user,
            "started": self.started if self.built else None,
            "uid": self.uid, "gid": self.gid,
            "user_name": (self.contents.user_name(self.uid) if self.contents and self.uid is not None else None),
            "user_exists": self.user_exists,
            "groups": list(self.status.groups) if self.status else None,
            "no_new_privs": self.status.no_new_privs if self.status else None,
            "cap_eff": self.status.cap_eff if self.status else None,
            "probe_method": self.probe_method,
            "probe_error": (self.probe.error or (None if self.started else self.probe.stderr.strip() or None))
            if self.probe else None,
            "smoke": self.smoke.as_dict() if self.smoke else None,
        }
        if self.contents is not None:
            d.update(contents_dict(self.contents))
        else:
            d.update({"package_db": None, "packages": None, "build_tools": None, "dev_packages": None})
        return d


@dataclass
class Report:
    path: str
    run_id: str
    unsafe: bool
    smoke_command: str | None  # None: the image's own ENTRYPOINT/CMD for a few seconds
    fixes: list[str]  # "SG001 line 1: ..."
    before: Side
    after: Side
    same_dockerfile: bool = False
    problems: list[str] = field(default_factory=list)  # each one fails the proof (exit 1)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cleanup: CleanupReport | None = None
    interrupted: bool = False

    @property
    def proven(self) -> bool:
        return not self.problems and not self.interrupted

    @property
    def exit_code(self) -> int:
        return 0 if self.proven else 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "run_id": self.run_id, "unsafe": self.unsafe, "smoke": self.smoke_command,
            "fixes": self.fixes, "same_dockerfile": self.same_dockerfile,
            "fixed_dockerfile": self.after.dockerfile,
            "before": self.before.as_dict(), "after": self.after.as_dict(),
            "verdict": "interrupted" if self.interrupted else ("proven" if self.proven else "not proven"),
            "problems": self.problems, "notes": self.notes,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "cleanup": self.cleanup.as_dict() if self.cleanup else None,
            "exit_code": self.exit_code,
        }


# -- verdict -----------------------------------------------------------------

def smoke_passes(run: RunResult | None, default_command: bool) -> bool:
    if run is None or not run.started:
        return False
    if run.timed_out:
        return default_command  # a service still running after the start window is fine
    return run.exit_code == 0


def judge(report: Report) -> None:
    """Fill report.problems / report.notes."""
    b, a = report.before, report.after
    problems, notes = report.problems, report.notes
    default_cmd = report.smoke_command is None
    if not a.built:
        msg = "the fixed Dockerfile does not build"
        if a.build is not None and a.build.error:
            msg += f": {a.build.error}"
        problems.append(msg + ("" if b.built else " (the original does not build either)"))
        return
    if not b.built:
        notes.append("the original Dockerfile does not build; the fixed one does")
    if not a.started:
        err = a.probe.error if a.probe and a.probe.error else (a.probe.stderr.strip() if a.probe else "")
        if a.probe is not None and a.probe_method == "cat" and (a.probe.started or "executable file not found" in err):
            problems.append(f"could not read the fixed container's uid ({a.probe_method}: "
                            f"{err or 'exit ' + str(a.probe.exit_code)})")
        else:
            problems.append(f"the fixed image does not start{': ' + err if err else ''}")
    elif a.uid is None:
        problems.append("could not read the fixed container's uid from /proc/1/status")
    elif a.uid == 0:
        problems.append("the fixed image runs as root (uid 0)")
    elif a.gid == 0:
        notes.append("the fixed image runs with gid 0 (root group): give USER a group, uid:gid")
    if a.user_exists is False:
        notes.append(f"the fixed image's user {a.config_user!r} has no /etc/passwd entry")
    # the smoke test (or the image's own command)
    what = "the smoke command" if not default_cmd else "the image's own command"
    a_ok = smoke_passes(a.smoke, default_cmd)
    b_ok = b.built and smoke_passes(b.smoke, default_cmd)
    if a.smoke is None:
        return
    if not a.smoke.started:
        err = a.smoke.error or ""
        if default_cmd and "no command specified" in err.lower():
            notes.append("the image has no ENTRYPOINT or CMD: nothing to start (give --smoke)")
        elif a.started:
            problems.append(f"{what} cannot run in the fixed image{': ' + err if err else ''}")
        return
    if b_ok:
        if not a_ok:
            problems.append(f"{what} passes on the original ({b.smoke.state}) but not on the fixed image "
                            f"({a.smoke.state})")
        elif not default_cmd and (a.smoke.exit_code != b.smoke.exit_code
                                  or a.smoke.stdout_sha256 != b.smoke.stdout_sha256):
            problems.append(f"{what} prints something else on the fixed image (stdout differs)")
    elif a_ok:
        if b.built:
            notes.append(f"{what} fails on the original ({b.smoke.state if b.smoke else 'not run'}) "
                         "and passes on the fixed image")
    else:
        same = (b.built and b.smoke is not None and b.smoke.state == a.smoke.state
                and (default_cmd or b.smoke.stdout_sha256 == a.smoke.stdout_sha256))
        if same:
            notes.append(f"{what} fails the same way on both images ({a.smoke.state})")
        else:
            problems.append(f"{what} fails on the fixed image ({a.smoke.state})")


# -- text --------------------------------------------------------------------

def _mb(n: int | None) -> str:
    return "-" if n is None else f"{n / 1e6:.1f} MB"


def _first_line(text: str, width: int = 34) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return "(empty)"
    first = lines[0].strip()
    if len(first) > width:
        first = first[: width - 1] + "…"
    return first + (f" (+{len(lines) - 1} lines)" if len(lines) > 1 else "")


def short_error(msg: str | None, width: int = 60) -> str:
    """The informative tail of an engine error (runc wraps it in several layers)."""
    if not msg:
        return ""
    for marker in ("unable to start container process: ", "runc create failed: "):
        if marker in msg:
            msg = msg.split(marker, 1)[1]
            break
    msg = msg.removesuffix(": unknown").strip()
    return msg if len(msg) <= width else msg[: width - 1] + "…"


def _cells(s: Side, other: Side | None, default_cmd: bool) -> list[str]:
    if s.build is None:
        return ["not built"] + [""] * 8
    if not s.build.ok:
        err = (s.build.error or "failed").splitlines()[0]
        return [f"FAILED: {err[:60]}"] + ["-"] * 8
    cached = f", {s.build.cached_steps}/{s.build.steps} cached" if s.build.cached_steps else ""
    cells = [f"ok ({s.build.seconds:.1f} s{cached})"]
    if s.uid is not None:
        name = s.contents.user_name(s.uid) if s.contents else None
        label = f"{s.uid}:{s.gid}" + (f" ({name})" if name else "")
        cells.append(label + (" ROOT" if s.uid == 0 else ""))
    elif s.probe is not None and not s.started:
        cells.append("did not start" + (f": {short_error(s.probe.error)}" if s.probe.error else ""))
    else:
        cells.append("unknown")
    user = s.config_user or "(none: root)"
    exists = s.user_exists
    cells.append(f"{user} " + {True: "(in /etc/passwd)", False: "(NOT in /etc/passwd)", None: "(no /etc/passwd)"}[exists])
    if s.smoke is None:
        cells += ["-", "-"]
    else:
        state = s.smoke.state
        if s.smoke.error and not s.smoke.started:
            state += f": {short_error(s.smoke.error)}"
        cells.append(state)
        if not s.smoke.started:
            cells.append("-")
        elif default_cmd:
            cells.append("(not compared)")
        elif other is not None and other.smoke is not None and other.smoke.started \
                and other.smoke.stdout_sha256 == s.smoke.stdout_sha256 and s.name == "after":
            cells.append("same as before")
        else:
            cells.append(_first_line(s.smoke.stdout))
    cells.append(_mb(s.size))
    c = s.contents
    if c is None:
        cells += ["-", "-"]
    else:
        cells.append(f"{c.package_count} ({c.package_db})" if c.package_db else "no package db")
        tools = c.build_tools
        cells.append("unknown" if tools is None else (", ".join(tools) if tools else "none"))
    return cells


ROWS = ["build", "uid:gid (kernel)", "USER", "smoke", "smoke stdout", "image size", "packages", "build tools"]


def render_text(r: Report) -> str:
    out: list[str] = []
    head = f"slimguard verify {r.path}"
    if r.unsafe:
        head += " --unsafe"
    out.append(head)
    if r.fixes:
        out.append("fixes applied:")
        out.extend(f"  {f}" for f in r.fixes)
    else:
        out.append("no fixes to apply: the Dockerfile is verified as it is")
    smoke = r.smoke_command if r.smoke_command is not None else "the image's own ENTRYPOINT/CMD (start check)"
    out.append(f"smoke: {smoke}")
    out.append("")
    default_cmd = r.smoke_command is None
    before = _cells(r.before, None, default_cmd)
    after = before if r.same_dockerfile else _cells(r.after, r.before, default_cmd)
    # uid:gid etc. start at row 1; build at row 0
    w0 = max(len(x) for x in ROWS)
    w1 = max(len("before"), *(len(x) for x in before))
    lines = [f"{'':{w0}}  {'before':{w1}}  after"]
    for i, row in enumerate(ROWS):
        b, a = before[i] if i < len(before) else "", after[i] if i < len(after) else ""
        lines.append(f"{row:{w0}}  {b:{w1}}  {a}".rstrip())
    if r.before.size and r.after.size and r.before.built and r.after.built and not r.same_dockerfile:
        delta = r.after.size - r.before.size
        lines.append(f"{'size change':{w0}}  {'':{w1}}  {delta / 1e6:+.1f} MB ({delta / r.before.size * 100:+.1f} %)")
    out.extend(lines)
    out.append("")
    sides = (r.before,) if r.same_dockerfile else (r.before, r.after)
    for side in sides:
        if side.build is not None and not side.build.ok and side.build.log_tail:
            out.append(f"{side.name}: build log (last lines)")
            out.extend(f"  | {line}" for line in side.build.log_tail[-12:])
            out.append("")
    for n in r.notes:
        out.append(f"note: {n}")
    if r.interrupted:
        out.append("verdict: interrupted")
    elif r.proven:
        a = r.after
        extra = ""
        if a.uid is not None:
            extra = f": the fixed image builds, runs as uid {a.uid} (gid {a.gid})"
            extra += ", and the smoke output is unchanged" if not default_cmd else ""
        out.append(f"verdict: proven{extra}")
    else:
        out.append("verdict: NOT proven")
        out.extend(f"  - {p}" for p in r.problems)
    if r.cleanup is not None:
        out.append(f"cleanup (label org.slimguard.verify={r.run_id}): {r.cleanup.summary()}")
    return "\n".join(out) + "\n"

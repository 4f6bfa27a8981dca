"""The before/after comparison, the verdict and its text and JSON renderings.

The verdict, in order: the original must build (else the command line exits 2) and pass its own
smoke test (else: "the original fails its own smoke test", not proven); then every *regression* of
the fixed image against the original fails the proof (it does not build or start, it runs as root
where the original did not, the smoke check or the server probe gives another result), and so
does a fixed image that still runs as root. The hardened run (restricted profile) is reported, but
never decides the verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from slimguard.verify.build import BuildResult
from slimguard.verify.facts import ImageContents, as_dict as contents_dict
from slimguard.verify.probe import ProcStatus
from slimguard.verify.run import DEFAULT, Profile, RunResult
from slimguard.verify.server import HttpResult, last_line
from slimguard.verify.session import CleanupReport


@dataclass
class Side:
    """One image: the original ("before"), the fixed Dockerfile ("after"), or one fix alone."""

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
    profile: Profile = DEFAULT  # how its smoke check and server probe ran
    exposed: int | None = None  # its first EXPOSEd TCP port
    serve: HttpResult | None = None  # --probe

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
            "http": self.serve.as_dict() if self.serve else None,
            "exposed_port": self.exposed,
            "profile": self.profile.as_dict(),
        }
        if self.contents is not None:
            d.update(contents_dict(self.contents))
        else:
            d.update({"package_db": None, "packages": None, "build_tools": None, "dev_packages": None})
        return d


@dataclass(frozen=True)
class CheckSpec:
    """What "it works" means for this run."""

    smoke: str | None = None  # --smoke CMD: exits 0, and the same exit code and stdout after the fix
    probe: bool = False  # --probe: the server answers, with the same status and body
    probe_body: str | None = None  # --probe-body: both bodies match this regex (instead of equal bodies)
    start_wait: float = 2.0  # neither: the image's own command still runs after this long, or exits 0

    @property
    def start_check(self) -> bool:
        return self.smoke is None and not self.probe

    def describe(self) -> str:
        parts = []
        if self.probe:
            body = f"a body matching {self.probe_body!r}" if self.probe_body else "the same body"
            parts.append(f"the server answers the HTTP probe (same status, {body})")
        if self.smoke is not None:
            parts.append(f"`{self.smoke}` exits 0 with the same stdout")
        if not parts:
            parts.append(f"the image's own ENTRYPOINT/CMD starts and still runs after {self.start_wait:g} s, "
                         "or exits 0")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        kind = "+".join(k for k, on in (("probe", self.probe), ("smoke", self.smoke is not None)) if on) or "start"
        return {"kind": kind, "smoke": self.smoke, "probe": self.probe, "probe_body": self.probe_body,
                "start_wait": self.start_wait, "description": self.describe()}


@dataclass
class Hardened:
    """The fixed image once more under the restricted profile: information, not the verdict."""

    profile: Profile
    smoke: RunResult | None = None
    serve: HttpResult | None = None
    ok: bool | None = None
    reason: str | None = None

    def summary(self) -> str:
        flags = " ".join(f for f in self.profile.flags() if not f.startswith("--sysctl"))
        if self.ok:
            return f"also runs under the restricted profile ({flags})"
        return f"does not run under the restricted profile ({flags}): {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"profile": self.profile.as_dict(), "ok": self.ok, "reason": self.reason,
                "summary": self.summary() if self.ok is not None else None,
                "smoke": self.smoke.as_dict() if self.smoke else None,
                "http": self.serve.as_dict() if self.serve else None}


@dataclass
class Single:
    """One fix (one rule's edits) applied alone to the original."""

    rule: str
    fixes: list[str]
    dockerfile: str
    side: Side | None
    problems: list[str]
    status: str  # "proven" | "regresses" | "no change" | "not tested"

    def as_dict(self) -> dict[str, Any]:
        built = self.side.build.ok if self.side is not None and self.side.build is not None else None
        return {"rule": self.rule, "fixes": self.fixes, "status": self.status, "problems": self.problems,
                "built": built, "dockerfile": self.dockerfile}


@dataclass
class WritePlan:
    """``--write``: the fixes proven on the engine (written) and the ones dropped, each with its reason."""

    rules: list[str] = field(default_factory=list)
    text: str | None = None  # None: nothing to write
    applied: list[str] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (fix, reason)
    side: Side | None = None  # the image the written text was proven with
    path: str | None = None  # set by the caller once written
    problems: list[str] = field(default_factory=list)  # regressions of the written text (none, by construction)
    still_root: bool = False  # the written text runs as root (the user fix was dropped, or there is none)

    @property
    def proven(self) -> bool:
        return self.text is not None and not self.problems and not self.still_root


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
    check: CheckSpec = field(default_factory=CheckSpec)
    after_file: str | None = None  # --after FILE
    rules: list[str] = field(default_factory=list)  # rules of the computed fix, in order
    max_builds: int = 12
    builds: int = 0
    probe_urls: dict[str, str] | None = None
    probe_image: str | None = None
    original_error: str | None = None  # the original does not build: nothing to compare
    baseline_reason: str | None = None  # the original fails its own smoke test
    regressions: list[str] = field(default_factory=list)
    singles: list[Single] = field(default_factory=list)
    extra: list[Side] = field(default_factory=list)  # combinations built for --write
    hardened: Hardened | None = None
    write: WritePlan | None = None

    @property
    def proven(self) -> bool:
        return not self.problems and not self.interrupted

    @property
    def baseline_ok(self) -> bool | None:
        if self.original_error is not None:
            return None
        return self.baseline_reason is None

    @property
    def culprits(self) -> list[Single]:
        return [s for s in self.singles if s.status == "regresses"]

    @property
    def exit_code(self) -> int:
        if self.original_error is not None:
            return 2
        if self.write is not None:
            return 0 if self.write.proven and not self.write.dropped and not self.interrupted else 1
        return 0 if self.proven else 1

    def as_dict(self) -> dict[str, Any]:
        w = self.write
        return {
            "path": self.path, "run_id": self.run_id, "unsafe": self.unsafe, "smoke": self.smoke_command,
            "fixes": self.fixes, "same_dockerfile": self.same_dockerfile,
            "fixed_dockerfile": self.after.dockerfile, "after_file": self.after_file,
            "before": self.before.as_dict(), "after": self.after.as_dict(),
            "verdict": "interrupted" if self.interrupted else ("proven" if self.proven else "not proven"),
            "problems": self.problems, "notes": self.notes,
            "check": self.check.as_dict(),
            "baseline": {"ok": self.baseline_ok, "reason": self.baseline_reason,
                         "build_error": self.original_error},
            "regressions": self.regressions,
            "hardened": self.hardened.as_dict() if self.hardened else None,
            "probe": None if self.probe_urls is None else {
                "url_before": self.probe_urls["before"], "url_after": self.probe_urls["after"],
                "body_regex": self.check.probe_body, "client_image": self.probe_image,
                "before": self.before.serve.as_dict() if self.before.serve else None,
                "after": self.after.serve.as_dict() if self.after.serve else None},
            "culprits": [{"rule": s.rule, "fixes": s.fixes, "reason": s.problems[0] if s.problems else None}
                         for s in self.culprits],
            "singles": [s.as_dict() for s in self.singles],
            "applied": list(w.applied) if w is not None else None,
            "dropped": [{"fix": f, "rule": f.split(" ", 1)[0], "reason": why} for f, why in w.dropped]
            if w is not None else None,
            "written": w.path if w is not None else None,
            "write": None if w is None else {"rules": w.rules, "proven": w.proven, "problems": w.problems,
                                             "still_root": w.still_root, "dockerfile": w.text, "path": w.path},
            "builds": self.builds,
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


_CAUSE = re.compile(r"permission denied|operation not permitted|read-only file system|EACCES|EPERM|EROFS",
                    re.IGNORECASE)


def _last_output(run: RunResult) -> str:
    """The line that says why: the first one naming a permission problem, else the last line."""
    lines = [line.strip() for line in (run.stderr + "\n" + run.stdout).splitlines() if line.strip()]
    cause = next((line for line in lines if _CAUSE.search(line)), None)
    line = cause or last_line(run.stderr) or last_line(run.stdout)
    return line if len(line) <= 160 else line[:159] + "…"


def _why(run: RunResult) -> str:
    """A failed run in a few words: its state and its last line of output."""
    line = _last_output(run)
    return run.state + (f": {line}" if line else "")


def _what(spec: CheckSpec) -> str:
    return "the smoke command" if spec.smoke is not None else "the image's own command"


def baseline_failure(before: Side, spec: CheckSpec) -> str | None:
    """Why the original fails its own smoke test (None: it passes)."""
    if before.probe is not None and not before.probe.started and before.probe.error:
        return f"its container does not start: {short_error(before.probe.error, 200)}"
    reasons = []
    if spec.probe:
        s = before.serve
        if s is None or not s.answered:
            reasons.append(s.error if s is not None and s.error else "the server was not probed")
    if spec.smoke is not None or not spec.probe:
        run, what = before.smoke, _what(spec)
        if run is None:
            reasons.append(f"{what} did not run")
        elif not run.started:
            err = run.error or ""
            if spec.smoke is None and "no command specified" in err.lower():
                reasons.append("the image has no ENTRYPOINT or CMD, so there is nothing to start "
                               "(give --smoke CMD or --probe URL)")
            else:
                reasons.append(f"{what} cannot run: {short_error(err, 200)}")
        elif run.timed_out and spec.smoke is not None:
            reasons.append(f"{what} is still running when the time is up ({run.seconds:.0f} s)")
        elif not run.timed_out and run.exit_code != 0:
            within = f" within {spec.start_wait:g} s" if spec.smoke is None else ""
            line = _last_output(run)
            reasons.append(f"{what} exits {run.exit_code}{within}" + (f": {line}" if line else ""))
    return "; ".join(reasons) if reasons else None


def check_problems(before: Side, smoke: RunResult | None, serve: HttpResult | None, spec: CheckSpec,
                   where: str) -> list[str]:
    """How the smoke check or server probe of one run (*where*: "on the fixed image") differs from the
    original's (which passed)."""
    out: list[str] = []
    if spec.probe:
        b = before.serve
        b_state = f"{b.state} on port {b.port}" if b is not None else "?"
        if serve is None:
            out.append(f"the server was not probed {where}")
        elif not serve.answered:
            out.append(f"the server answers on the original ({b_state}) but not {where}: {serve.error}")
        elif b is not None and serve.status != b.status:
            out.append(f"the server answers {b.state} on the original but {serve.state} {where}")
        elif spec.probe_body:
            if not re.search(spec.probe_body, serve.body):
                out.append(f"the response body {where} does not match --probe-body {spec.probe_body!r}")
        elif b is not None and serve.body_sha256 != b.body_sha256:
            out.append(f"the server answers {where} with another body than on the original")
    if spec.smoke is not None or not spec.probe:
        what, b_run = _what(spec), before.smoke
        default_cmd = spec.smoke is None
        if smoke is None:
            out.append(f"{what} did not run {where}")
        elif not smoke.started:
            out.append(f"{what} cannot run {where}: {short_error(smoke.error, 200)}")
        elif not smoke_passes(smoke, default_cmd):
            if smoke.timed_out:
                out.append(f"{what} passes on the original ({b_run.state if b_run else '?'}) but is still running "
                           f"{where} when the time is up")
            else:
                out.append(f"{what} passes on the original ({b_run.state if b_run else '?'}) but not {where} "
                           f"({_why(smoke)})")
        elif not default_cmd and b_run is not None and (smoke.exit_code != b_run.exit_code
                                                        or smoke.stdout_sha256 != b_run.stdout_sha256):
            out.append(f"{what} prints something else {where} (stdout differs)")
    return out


def regressions(before: Side, after: Side | None, spec: CheckSpec) -> list[str]:
    """What the fix breaks that worked on the original (which passed its own smoke test)."""
    if after is None:
        return ["it was not built"]
    if not after.built:
        msg = "the fixed Dockerfile does not build"
        if after.build is not None and after.build.error:
            msg += f": {' '.join(after.build.error.split())}"
        return [msg]
    out: list[str] = []
    if not after.started:
        err = after.probe.error if after.probe and after.probe.error else (after.probe.stderr.strip() if after.probe else "")
        if after.probe is not None and after.probe_method == "cat" and (after.probe.started
                                                                         or "executable file not found" in err):
            out.append(f"could not read the fixed container's uid ({after.probe_method}: "
                       f"{err or 'exit ' + str(after.probe.exit_code)})")
        else:
            out.append(f"the fixed image does not start{': ' + err if err else ''}")
            return out
    elif after.uid is None:
        out.append("could not read the fixed container's uid from /proc/1/status")
    elif after.uid == 0 and before.uid not in (None, 0):
        out.append(f"the fixed image runs as root (uid 0), the original as uid {before.uid}")
    out += check_problems(before, after.smoke, after.serve, spec, "on the fixed image")
    return out


def judge(report: Report) -> None:
    """Fill report.problems / report.notes (and the hardened and write results)."""
    b, a = report.before, report.after
    problems, notes = report.problems, report.notes
    spec = report.check
    if report.original_error is not None:
        problems.append(f"the original Dockerfile does not build: {report.original_error}")
        return
    if report.baseline_reason is not None:
        problems.append(f"the original fails its own smoke test: {report.baseline_reason}")
        notes.append("nothing can be proven against an original that does not pass its own smoke test: "
                     "fix the original (or the smoke test: --smoke, --probe) first")
        return
    problems.extend(report.regressions)
    if a.started and a.uid == 0 and not any("runs as root" in p for p in problems):
        problems.append("the fixed image runs as root (uid 0)")
    elif a.started and a.uid is not None and a.gid == 0:
        notes.append("the fixed image runs with gid 0 (root group): give USER a group, uid:gid")
    if a.user_exists is False:
        notes.append(f"the fixed image's user {a.config_user!r} has no /etc/passwd entry")
    h = report.hardened
    if h is not None and a.built:
        found = check_problems(b, h.smoke, h.serve, spec, "under the restricted profile")
        h.ok, h.reason = not found, (found[0] if found else None)
    if report.regressions and report.rules and report.after_file is None:
        if not report.culprits and report.singles and all(s.status in ("proven", "no change") for s in report.singles):
            notes.append("no fix regresses on its own: they break it only together")
    elif report.regressions and report.after_file is not None:
        notes.append("the fixed Dockerfile was given with --after: no culprit search")
    w = report.write
    if w is not None and w.text is not None and w.side is not None:
        w.problems = regressions(b, w.side, spec)
        w.still_root = bool(w.side.started and w.side.uid == 0)


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


def _cells(s: Side, other: Side | None, spec: CheckSpec) -> dict[str, str]:
    default_cmd = spec.smoke is None
    if s.build is None:
        return {"build": "not built"}
    if not s.build.ok:
        err = (s.build.error or "failed").splitlines()[0]
        return {"build": f"FAILED: {err[:60]}"}
    cached = f", {s.build.cached_steps}/{s.build.steps} cached" if s.build.cached_steps else ""
    cells = {"build": f"ok ({s.build.seconds:.1f} s{cached})"}
    if s.uid is not None:
        name = s.contents.user_name(s.uid) if s.contents else None
        label = f"{s.uid}:{s.gid}" + (f" ({name})" if name else "")
        cells["uid:gid (kernel)"] = label + (" ROOT" if s.uid == 0 else "")
    elif s.probe is not None and not s.started:
        cells["uid:gid (kernel)"] = "did not start" + (f": {short_error(s.probe.error)}" if s.probe.error else "")
    elif s.probe is not None:
        cells["uid:gid (kernel)"] = "unknown"
    user = s.config_user or "(none: root)"
    exists = s.user_exists
    cells["USER"] = f"{user} " + {True: "(in /etc/passwd)", False: "(NOT in /etc/passwd)",
                                  None: "(no /etc/passwd)"}[exists]
    if spec.probe:
        if s.serve is None:
            cells["http probe"] = "-"
        elif s.serve.answered:
            cells["http probe"] = f"{s.serve.state} (port {s.serve.port}, {s.serve.seconds:.1f} s)"
        else:
            cells["http probe"] = f"no answer (port {s.serve.port})"
    if s.smoke is not None:
        state = s.smoke.state
        if s.smoke.error and not s.smoke.started:
            state += f": {short_error(s.smoke.error)}"
        cells["smoke"] = state
        if not s.smoke.started:
            cells["smoke stdout"] = "-"
        elif default_cmd:
            cells["smoke stdout"] = "(not compared)"
        elif other is not None and other.smoke is not None and other.smoke.started \
                and other.smoke.stdout_sha256 == s.smoke.stdout_sha256:
            cells["smoke stdout"] = "same as before"
        else:
            cells["smoke stdout"] = _first_line(s.smoke.stdout)
    cells["image size"] = _mb(s.size)
    c = s.contents
    if c is not None:
        cells["packages"] = f"{c.package_count} ({c.package_db})" if c.package_db else "no package db"
        tools = c.build_tools
        cells["build tools"] = "unknown" if tools is None else (", ".join(tools) if tools else "none")
    return cells


ROWS = ["build", "uid:gid (kernel)", "USER", "http probe", "smoke", "smoke stdout", "image size", "packages",
        "build tools"]


def _profile_line(r: Report) -> str:
    text = ("runs: as `docker run` does by default (default capabilities, writable root file system), "
            "with --network none")
    sysctls = [f"--sysctl {k}={v}" for k, v in r.after.profile.sysctls]
    if sysctls:
        text += f"; the fixed image also with {' '.join(sysctls)}"
        if any(k == "net.ipv4.ip_unprivileged_port_start" for k, _ in r.after.profile.sysctls):
            text += (" (Kubernetes semantics: only root may bind ports below 1024; "
                     "--privileged-ports-open turns this off)")
    return text


def render_text(r: Report) -> str:
    out: list[str] = []
    head = f"slimguard verify {r.path}"
    if r.unsafe:
        head += " --unsafe"
    out.append(head)
    if r.after_file is not None:
        out.append(f"fixed Dockerfile: {r.after_file} (given with --after)")
    elif r.fixes:
        out.append("fixes applied:")
        out.extend(f"  {f}" for f in r.fixes)
    else:
        out.append("no fixes to apply: the Dockerfile is verified as it is")
    out.append(f"check: {r.check.describe()}")
    if r.probe_urls is not None:
        out.append(f"probe: {r.probe_urls['before']} on the original, {r.probe_urls['after']} on the fixed image "
                   f"(asked from a {r.probe_image} container in the server's network namespace)")
    out.append(_profile_line(r))
    out.append("")
    before = _cells(r.before, None, r.check)
    after = _cells(r.after, r.before, r.check)
    rows = [row for row in ROWS if row in before or row in after]
    w0 = max(len(x) for x in rows)
    w1 = max(len("before"), *(len(x) for x in before.values()))
    lines = [f"{'':{w0}}  {'before':{w1}}  after"]
    for row in rows:
        lines.append(f"{row:{w0}}  {before.get(row, '-'):{w1}}  {after.get(row, '-')}".rstrip())
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
    if r.baseline_reason is not None:
        out.append(f"baseline: the original fails its own smoke test: {r.baseline_reason}")
        out.append("  stopped: the fixed image is not judged")
    elif r.original_error is None:
        out.append("baseline: the original passes its own smoke test")
    if r.hardened is not None and r.hardened.ok is not None and r.baseline_reason is None:
        out.append(f"hardened (extra information, not the verdict): the fixed image {r.hardened.summary()}")
    if r.singles:
        out.append("each fix alone on the original:")
        for s in r.singles:
            label = {"regresses": "culprit", "proven": "proven", "no change": "no change alone",
                     "not tested": "not tested"}[s.status]
            fixes = "; ".join(s.fixes) or s.rule
            out.append(f"  {label}: {fixes}" + (f" — {s.problems[0]}" if s.problems else ""))
    w = r.write
    if w is not None:
        if w.applied:
            out.append("applied (proven on the engine):")
            out.extend(f"  {f}" for f in w.applied)
        if w.dropped:
            out.append("dropped (not proven):")
            out.extend(f"  {f}: {why}" for f, why in w.dropped)
        if w.still_root and w.text is not None:
            out.append("note: the written Dockerfile still runs as root (uid 0)")
    for n in r.notes:
        out.append(f"note: {n}")
    label = "verdict (all fixes together)" if w is not None and w.dropped else "verdict"
    if r.interrupted:
        out.append("verdict: interrupted")
    elif r.proven:
        a = r.after
        extra = ""
        if a.uid is not None:
            extra = f": the fixed image builds, runs as uid {a.uid} (gid {a.gid})"
            if r.check.probe:
                extra += ", and the server answers as before"
            if r.check.smoke is not None:
                extra += ", and the smoke output is unchanged"
            elif not r.check.probe:
                extra += ", and its own command starts as before"
        out.append(f"{label}: proven{extra}")
    else:
        out.append(f"{label}: NOT proven")
        out.extend(f"  - {p}" for p in r.problems)
    if r.cleanup is not None:
        out.append(f"cleanup (label org.slimguard.verify={r.run_id}): {r.cleanup.summary()}")
    return "\n".join(out) + "\n"

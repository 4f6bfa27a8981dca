"""`slimguard verify`'s engine: build, run, compare, find the culprit, choose what to write.

1. The original is built. If it does not build, nothing can be compared (``Report.original_error``;
   the command line exits 2).
2. Both images run their checks the way people run containers (:data:`run.DEFAULT`, ``--network
   none``); the fixed image also with the after sysctls (``ip_unprivileged_port_start=1024``) and once
   more under the restricted profile (the *hardened* run, information only). The fixed image builds
   and runs while the original's checks run; the verdict still looks at the original first: when it
   fails its own smoke test, nothing is proven.
3. When the fix regresses, each fix (a rule's edits, made by the library's fix loop with only that
   rule selected) is applied alone to the original and checked the same way: the ones that regress
   alone are the culprits.
4. With ``write``, the fixes proven alone are combined and checked once more (then one at a time, if
   the combination regresses); the result is what gets written. The number of builds is bounded.
"""

from __future__ import annotations

import shlex
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from slimguard.verify.build import build_image
from slimguard.verify.context import DOCKERFILE, Context
from slimguard.verify.facts import FILES, read_contents
from slimguard.verify.probe import PROBE_DIR, PROBE_PATH, parse_status, probe_archive, probe_binary
from slimguard.verify.report import CheckSpec, Hardened, Report, Side, Single, WritePlan, judge
from slimguard.verify.report import baseline_failure, regressions
from slimguard.verify.run import DEFAULT, RESTRICTED, UNPRIVILEGED_PORT_SYSCTL, Limits, Profile, RunResult
from slimguard.verify.run import run_container
from slimguard.verify.server import CLIENT_IMAGE, HttpResult, ProbeURL, check_server, first_exposed
from slimguard.verify.session import Interrupted, Session

# shell syntax in a --smoke command: run it with /bin/sh -c (quotes alone are split by shlex)
_SHELL_CHARS = set("|&;<>()$`*?[]#~\n")
KUBERNETES_SYSCTLS = {UNPRIVILEGED_PORT_SYSCTL: "1024"}
MAX_BUILDS = 12


@dataclass
class VerifyOptions:
    context: str | None = None  # build context directory (None: empty context)
    target: str | None = None
    smoke: str | None = None
    build_args: dict[str, str] = field(default_factory=dict)
    build_network: str | None = None
    unsafe: bool = False
    timeout: float = 60.0  # smoke command; the wait for the server's answer
    start_wait: float = 2.0  # the image's own command, without --smoke
    probe_timeout: float = 20.0  # the uid probe
    limits: Limits = field(default_factory=Limits)
    probe: ProbeURL | None = None  # --probe: the original's URL (and the fixed image's, without probe_after)
    probe_after: ProbeURL | None = None
    probe_body: str | None = None  # a regex both bodies must match (instead of equal bodies)
    probe_image: str = CLIENT_IMAGE
    after_sysctls: dict[str, str] = field(default_factory=lambda: dict(KUBERNETES_SYSCTLS))
    hardened: bool = True
    after_file: str | None = None  # --after FILE: the fixed Dockerfile was given, not computed
    write: bool = False  # choose the fixes that are proven (the caller writes the text)
    max_builds: int = MAX_BUILDS


@dataclass
class FixOutcome:
    text: str
    fixes: list[str]  # "SG001 line 1: ..."
    rules: list[str] = field(default_factory=list)  # the rules whose fixes were applied, first applied first


@dataclass
class FixPlan:
    """The computed fix and a way to compute it with only some rules (None: the fix was given)."""

    outcome: FixOutcome
    fix_with: Callable[[tuple[str, ...]], FixOutcome] | None = None


def _outcome(result: Any) -> FixOutcome:
    applied = [f for f in result.applied if f.fix is not None]
    fixes = [f"{f.rule} line {f.line}: {f.fix.description}" for f in applied]
    return FixOutcome(result.text, fixes, list(dict.fromkeys(f.rule for f in applied)))


def compute_fix(text: str, display: str, config: Any, lint_options: Any, resolver: Any,
                unsafe: bool) -> FixOutcome:
    """What `slimguard fix [--unsafe]` makes of *text* (raises FixError on bad input)."""
    from slimguard import api

    # the first round reports a parse error or an unknown --target before anything is built
    result = api.fix(text, path=display, unsafe=unsafe, config=config, target=lint_options.target,
                     build_args=lint_options.build_args, resolver=resolver)
    return _outcome(result)


def plan_fix(text: str, display: str, config: Any, lint_options: Any, resolver: Any, unsafe: bool) -> FixPlan:
    """:func:`compute_fix`, plus the same fix loop restricted to some rules (``select``)."""
    from slimguard import api

    outcome = compute_fix(text, display, config, lint_options, resolver, unsafe)
    memo: dict[tuple[str, ...], FixOutcome] = {tuple(outcome.rules): outcome}

    def fix_with(rules: tuple[str, ...]) -> FixOutcome:
        key = tuple(r for r in outcome.rules if r in rules)
        if not key:
            return FixOutcome(text, [], [])
        if key not in memo:
            only = config.with_flags(select=set(key))
            memo[key] = _outcome(api.fix(text, path=display, unsafe=unsafe, config=only,
                                         target=lint_options.target, build_args=lint_options.build_args,
                                         resolver=resolver))
        return memo[key]

    return FixPlan(outcome, fix_with)


def smoke_argv(command: str) -> tuple[list[str], list[str]]:
    """(entrypoint, cmd) for a smoke command: a plain command runs as argv (no shell needed,
    works in distroless); one with shell syntax runs under /bin/sh -c."""
    if set(command) & _SHELL_CHARS:
        return ["/bin/sh", "-c", command], []
    argv = shlex.split(command)
    return argv[:1], argv[1:]


def verify(client: Any, path: str, before_text: str, after_text: str, fixes: list[str],
           options: VerifyOptions, progress: Callable[[str], None] | None = None,
           session: Session | None = None, plan: FixPlan | None = None) -> Report:
    """Build and run the original and the fixed Dockerfile; returns the judged report (clean-up done).

    *plan* (from :func:`plan_fix`) enables the culprit search and ``options.write``; without it the
    fixed text is taken as given.
    """
    say = progress or (lambda _msg: None)
    t_start = time.monotonic()
    same = before_text == after_text
    spec = CheckSpec(smoke=options.smoke, probe=options.probe is not None, probe_body=options.probe_body,
                     start_wait=options.start_wait)
    after_profile = DEFAULT.with_sysctls(options.after_sysctls)
    before = Side("before", before_text, profile=DEFAULT)
    after = Side("after", after_text, profile=after_profile)
    session = session or Session(client)
    report = Report(path=path, run_id=session.run_id, unsafe=options.unsafe, smoke_command=options.smoke,
                    fixes=fixes, before=before, after=after, same_dockerfile=same, check=spec,
                    after_file=options.after_file, rules=list(plan.outcome.rules) if plan else [],
                    max_builds=options.max_builds)
    if options.probe is not None:
        report.probe_urls = {"before": options.probe.describe(),
                             "after": (options.probe_after or options.probe).describe()}
        report.probe_image = options.probe_image
    timings = report.timings
    try:
        with session:
            t = time.monotonic()
            ctx = Context(options.context)
            timings["context"] = time.monotonic() - t
            v = _Verifier(client, session, options, ctx, spec, say, report)
            try:
                v.run(plan)
                timings["probe_setup"] = v.probe_setup
            except BaseException:
                session.abort()  # kill running containers so the workers return now
                raise
            finally:
                ctx.close()
                v.shutdown()
            t = time.monotonic()
        timings["cleanup"] = time.monotonic() - t
    except (KeyboardInterrupt, Interrupted):
        report.interrupted = True
        raise
    finally:
        report.cleanup = session.report
        timings["total"] = time.monotonic() - t_start
    judge(report)
    return report


class _Verifier:
    """Builds and runs the sides of one report; images run while the next one builds."""

    def __init__(self, client: Any, session: Session, options: VerifyOptions, ctx: Context, spec: CheckSpec,
                 say: Callable[[str], None], report: Report) -> None:
        self.client, self.session, self.options, self.ctx = client, session, options, ctx
        self.spec, self.say, self.report = spec, say, report
        self.pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="slimguard-verify")
        self.jobs: dict[int, list[tuple[str, Future[Any]]]] = {}
        self.volume: str | None = None
        self.binary: bytes | None = None
        self.ready = threading.Event()
        self.setup_lock = threading.Lock()
        self.probe_setup = 0.0
        self.method = "probe"
        self.built_texts: dict[str, Side] = {}
        if options.smoke is not None:
            ep, cmd = smoke_argv(options.smoke)
            self.smoke_kw: dict[str, Any] = {"entrypoint": ep, "command": cmd, "timeout": options.timeout}
        else:
            self.smoke_kw = {"timeout": options.start_wait}

    # -- the whole run ---------------------------------------------------------
    def run(self, plan: FixPlan | None) -> None:
        r, opts = self.report, self.options
        before, after = r.before, r.after
        if not self.build(before):
            r.original_error = _build_error(before)
            return
        self.start(before)
        if r.same_dockerfile:
            self._share(after, before)
        else:
            self.build(after)
        if after.built:
            self.start(after, hardened=opts.hardened)
        t = time.monotonic()
        self.finish(before)
        self.finish(after)
        r.timings["run_wait"] = time.monotonic() - t
        r.baseline_reason = baseline_failure(before, self.spec)
        if r.baseline_reason is not None:
            return  # the original fails its own smoke test: stop
        r.regressions = regressions(before, after, self.spec)
        if r.regressions and plan is not None and plan.fix_with is not None and r.rules:
            self.culprit_search(plan)
        if opts.write:
            self.choose(plan)

    # -- culprits ----------------------------------------------------------------
    def culprit_search(self, plan: FixPlan) -> None:
        r = self.report
        assert plan.fix_with is not None
        if len(r.rules) == 1:
            # the only fix is the whole fix: no build needed to name it
            r.singles.append(Single(r.rules[0], list(r.fixes), r.after.dockerfile, r.after, list(r.regressions),
                                    "regresses"))
            return
        pending: list[tuple[str, FixOutcome, Side]] = []
        for rule in r.rules:
            outcome = plan.fix_with((rule,))
            if outcome.text == r.before.dockerfile:
                r.singles.append(Single(rule, outcome.fixes or _fixes_of(r.fixes, rule), outcome.text, None, [],
                                        "no change"))
                continue
            if outcome.text == r.after.dockerfile:
                r.singles.append(Single(rule, outcome.fixes, outcome.text, r.after, list(r.regressions),
                                        "regresses"))
                continue
            if r.builds >= r.max_builds:
                r.singles.append(Single(rule, outcome.fixes, outcome.text, None, [], "not tested"))
                continue
            side = Side(f"{rule} alone", outcome.text, profile=r.after.profile)
            if self.build(side):
                self.start(side)
            pending.append((rule, outcome, side))
        for rule, outcome, side in pending:
            self.finish(side)
            problems = regressions(r.before, side, self.spec)
            r.singles.append(Single(rule, outcome.fixes, outcome.text, side, problems,
                                    "regresses" if problems else "proven"))
        order = {rule: i for i, rule in enumerate(r.rules)}
        r.singles.sort(key=lambda s: order.get(s.rule, 0))

    # -- what to write ------------------------------------------------------------
    def choose(self, plan: FixPlan | None) -> None:
        r = self.report
        w = r.write = WritePlan()
        if r.original_error is not None or r.baseline_reason is not None:
            w.dropped = [(f, "the original fails its own smoke test, so no fix can be proven") for f in r.fixes]
            return
        if not r.fixes:
            return
        if not r.regressions:
            w.rules, w.text, w.applied, w.side = list(r.rules), r.after.dockerfile, list(r.fixes), r.after
            return
        if plan is None or plan.fix_with is None:
            w.dropped = [(f, r.regressions[0]) for f in r.fixes]
            return
        singles = {s.rule: s for s in r.singles}
        kept = [rule for rule in r.rules if rule in singles and singles[rule].status == "proven"]
        reasons: dict[str, str] = {}
        for rule in r.rules:
            s = singles.get(rule)
            if s is None or s.status == "not tested":
                reasons[rule] = f"not tested alone (at most {r.max_builds} builds)"
            elif s.status == "no change":
                reasons[rule] = "changes nothing on its own (it needs another fix), so it is not proven alone"
            elif s.status == "regresses":
                reasons[rule] = s.problems[0] if s.problems else "regresses"
        chosen: list[str] = []
        final: Side | None = None
        if len(kept) == 1:
            chosen, final = kept, singles[kept[0]].side
        elif kept:
            together = self.candidate("the proven fixes together", plan.fix_with(tuple(kept)).text)
            if together is not None and not regressions(r.before, together, self.spec):
                chosen, final = kept, together
            else:
                # they regress together: add them one at a time, in the order they were applied
                chosen, final = [kept[0]], singles[kept[0]].side
                for rule in kept[1:]:
                    trial = self.candidate(" + ".join(chosen + [rule]), plan.fix_with(tuple(chosen + [rule])).text)
                    if trial is None:
                        reasons[rule] = (f"proven alone; not tested together with {', '.join(chosen)} "
                                         f"(at most {r.max_builds} builds)")
                        continue
                    problems = regressions(r.before, trial, self.spec)
                    if problems:
                        reasons[rule] = f"proven alone, but not together with {', '.join(chosen)}: {problems[0]}"
                    else:
                        chosen, final = chosen + [rule], trial
        outcome = plan.fix_with(tuple(chosen)) if chosen else FixOutcome(r.before.dockerfile, [], [])
        w.rules, w.applied, w.side = chosen, list(outcome.fixes), final
        w.text = outcome.text if chosen else None
        for f in r.fixes:
            rule = f.split(" ", 1)[0]
            if rule not in chosen:
                w.dropped.append((f, reasons.get(rule, "not proven")))

    def candidate(self, name: str, text: str) -> Side | None:
        """Build and check one more fixed text (None: the build limit is reached)."""
        r = self.report
        for side in (r.after, *(s.side for s in r.singles if s.side is not None), *r.extra):
            if side.dockerfile == text and side.built:
                return side
        if r.builds >= r.max_builds:
            return None
        side = Side(name, text, profile=r.after.profile)
        if self.build(side):
            self.start(side)
            self.finish(side)
        r.extra.append(side)
        return side

    # -- building and running ------------------------------------------------------
    def build(self, side: Side) -> bool:
        r, opts = self.report, self.options
        self.say(f"building {side.name} ...")
        r.builds += 1
        fileobj = self.ctx.with_dockerfile(side.dockerfile)
        try:
            side.build = build_image(self.session, fileobj, DOCKERFILE, target=opts.target,
                                     build_args=opts.build_args, network_mode=opts.build_network)
        finally:
            fileobj.close()
        r.timings[f"build_{side.name}"] = side.build.seconds
        if side.build.ok:
            info = self.client.api.inspect_image(side.build.image_id)
            self._inspected(side, info)
        return side.build.ok

    def _inspected(self, side: Side, info: dict[str, Any]) -> None:
        config = info.get("Config") or {}
        side.size = info.get("Size")
        side.config_user = config.get("User") or ""
        side.exposed = first_exposed(config, side.dockerfile, self.options.target, self.options.build_args)

    def _share(self, side: Side, built: Side) -> None:
        """The fixed text is the original: same image, its own runs (with the after profile)."""
        side.build, side.size, side.config_user, side.exposed = built.build, built.size, built.config_user, \
            built.exposed

    def _probe_url(self, side: Side) -> ProbeURL | None:
        opts = self.options
        if opts.probe is None:
            return None
        return opts.probe if side.name == "before" else (opts.probe_after or opts.probe)

    def start(self, side: Side, hardened: bool = False) -> None:
        """Submit the uid probe and the checks of one built image."""
        image = side.build.image_id  # type: ignore[union-attr]
        jobs = self.jobs.setdefault(id(side), [])
        self.say(f"running {side.name} ...")
        first, kw = self._probe_kw()
        jobs.append(("probe", self.pool.submit(self._probe, image, kw, first)))
        self._submit_checks(jobs, side, image, side.profile, "")
        if hardened:
            h = self.report.hardened = Hardened(RESTRICTED.with_sysctls(dict(side.profile.sysctls)))
            self._submit_checks(jobs, side, image, h.profile, "hardened_")

    def _submit_checks(self, jobs: list[tuple[str, Future[Any]]], side: Side, image: str, profile: Profile,
                       prefix: str) -> None:
        opts = self.options
        url = self._probe_url(side)
        if url is not None:
            port = url.port if url.port is not None else side.exposed
            jobs.append((prefix + "serve", self.pool.submit(
                check_server, self.session, image, port, url.path, profile=profile, limits=opts.limits,
                timeout=opts.timeout, client_image=opts.probe_image)))
        if opts.smoke is not None or url is None:
            jobs.append((prefix + "smoke", self.pool.submit(
                run_container, self.session, image, limits=opts.limits, profile=profile, **self.smoke_kw)))

    def finish(self, side: Side) -> None:
        for kind, fut in self.jobs.pop(id(side), []):
            res = fut.result()
            if kind == "probe":
                side.probe, side.probe_method = res, self.method
                side.status = parse_status(res.stdout) if res.started else None
                side.contents = read_contents(res.files)
            elif kind == "smoke":
                side.smoke = res
            elif kind == "serve":
                side.serve = res
            elif kind == "hardened_smoke":
                self.report.hardened.smoke = res  # type: ignore[union-attr]
            elif kind == "hardened_serve":
                self.report.hardened.serve = res  # type: ignore[union-attr]

    # -- the uid probe ---------------------------------------------------------------
    def _probe_kw(self) -> tuple[bool, dict[str, Any]]:
        with self.setup_lock:
            first = self.volume is None and self.method == "probe"
            if first:
                t = time.monotonic()
                try:
                    arch = str(self.client.info().get("Architecture") or "")
                except Exception:  # noqa: BLE001
                    arch = ""
                self.binary = probe_binary(arch)
                if self.binary is None:
                    self.method = "cat"
                    first = False
                else:
                    name = f"slimguard-verify-{self.session.run_id}"
                    self.client.api.create_volume(name=name, labels=dict(self.session.labels))
                    self.session.add_volume(name)
                    self.volume = name
                self.probe_setup = time.monotonic() - t
        if self.method == "cat":
            return False, {"entrypoint": ["cat", "/proc/1/status"]}
        binary, ready = self.binary, self.ready

        def populate(api: Any, cid: str) -> None:
            try:
                api.put_archive(cid, PROBE_DIR, probe_archive(binary))  # type: ignore[arg-type]
            finally:
                ready.set()

        def wait(_api: Any, _cid: str) -> None:
            if not ready.wait(timeout=self.options.probe_timeout):
                raise RuntimeError("the probe volume was not ready in time")

        return first, {"entrypoint": [PROBE_PATH], "prepare": populate if first else wait,
                       "volumes": {self.volume: {"bind": PROBE_DIR, "mode": "rw" if first else "ro"}}}

    def _probe(self, image: str, kw: dict[str, Any], first: bool) -> RunResult:
        try:
            return run_container(self.session, image, limits=self.options.limits, profile=RESTRICTED,
                                 timeout=self.options.probe_timeout, read_files=FILES, **kw)
        finally:
            if first:
                self.ready.set()  # e.g. the container could not be created: do not keep the others waiting

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _fixes_of(fixes: list[str], rule: str) -> list[str]:
    return [f for f in fixes if f.split(" ", 1)[0] == rule]


def _build_error(side: Side) -> str:
    b = side.build
    err = " ".join(((b.error if b else None) or "the build failed").split())
    tail = [line.strip() for line in (b.log_tail if b else []) if line.strip()]
    tail = [line for line in tail if not line.startswith(("Step ", "--->", "Removing intermediate container"))]
    last = tail[-1] if tail else ""
    if last and last not in err:
        err += f" (last output: {last})"
    return err


__all__ = ["FixOutcome", "FixPlan", "HttpResult", "VerifyOptions", "compute_fix", "plan_fix", "smoke_argv",
           "verify"]

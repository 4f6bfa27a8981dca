"""`slimguard verify`'s engine: fix, build both, run both, compare, clean up."""

from __future__ import annotations

import shlex
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from slimguard.verify import context as ctxmod
from slimguard.verify.build import build_image
from slimguard.verify.facts import FILES, read_contents
from slimguard.verify.probe import PROBE_DIR, PROBE_PATH, parse_status, probe_archive, probe_binary
from slimguard.verify.report import Report, Side, judge
from slimguard.verify.run import Limits, RunResult, run_container
from slimguard.verify.session import Interrupted, Session

# shell syntax in a --smoke command: run it with /bin/sh -c (quotes alone are split by shlex)
_SHELL_CHARS = set("|&;<>()$`*?[]#~\n")


@dataclass
class VerifyOptions:
    context: str | None = None  # build context directory (None: empty context)
    target: str | None = None
    smoke: str | None = None
    build_args: dict[str, str] = field(default_factory=dict)
    build_network: str | None = None
    unsafe: bool = False
    timeout: float = 60.0  # smoke command
    start_wait: float = 2.0  # the image's own command, without --smoke
    probe_timeout: float = 20.0
    limits: Limits = field(default_factory=Limits)


@dataclass
class FixOutcome:
    text: str
    fixes: list[str]


def compute_fix(text: str, display: str, config: Any, lint_options: Any, resolver: Any,
                unsafe: bool) -> FixOutcome:
    """What `slimguard fix [--unsafe]` makes of *text* (raises FixError on bad input)."""
    from slimguard import api

    # the first round reports a parse error or an unknown --target before anything is built
    result = api.fix(text, path=display, unsafe=unsafe, config=config, target=lint_options.target,
                     build_args=lint_options.build_args, resolver=resolver)
    fixes = [f"{f.rule} line {f.line}: {f.fix.description}" for f in result.applied if f.fix is not None]
    return FixOutcome(result.text, fixes)


def smoke_argv(command: str) -> tuple[list[str], list[str]]:
    """(entrypoint, cmd) for a smoke command: a plain command runs as argv (no shell needed,
    works in distroless); one with shell syntax runs under /bin/sh -c."""
    if set(command) & _SHELL_CHARS:
        return ["/bin/sh", "-c", command], []
    argv = shlex.split(command)
    return argv[:1], argv[1:]


def verify(client: Any, path: str, before_text: str, after_text: str, fixes: list[str],
           options: VerifyOptions, progress: Callable[[str], None] | None = None,
           session: Session | None = None) -> Report:
    """Build and run both Dockerfiles; returns the judged report (cleanup done)."""
    say = progress or (lambda _msg: None)
    t_start = time.monotonic()
    same = before_text == after_text
    before = Side("before", before_text)
    after = before if same else Side("after", after_text)
    session = session or Session(client)
    report = Report(path=path, run_id=session.run_id, unsafe=options.unsafe, smoke_command=options.smoke,
                    fixes=fixes, before=before, after=after, same_dockerfile=same)
    timings = report.timings
    try:
        with session:
            t = time.monotonic()
            files = {ctxmod.BEFORE: before_text}
            if not same:
                files[ctxmod.AFTER] = after_text
            context = ctxmod.pack(options.context, files)
            timings["context"] = time.monotonic() - t
            runner = _Runner(client, session, options)
            try:
                for side, name in ((before, ctxmod.BEFORE), (after, ctxmod.AFTER)):
                    if side.build is not None:
                        continue
                    say(f"building {side.name} ...")
                    side.build = build_image(session, context, name, target=options.target,
                                             build_args=options.build_args, network_mode=options.build_network)
                    timings[f"build_{side.name}"] = side.build.seconds
                    if side.build.ok:
                        info = client.api.inspect_image(side.build.image_id)
                        side.size = info.get("Size")
                        side.config_user = (info.get("Config") or {}).get("User") or ""
                        # run this image while the next one builds
                        say(f"running {side.name} ...")
                        runner.start(side)
                t = time.monotonic()
                runner.finish()
                timings["run_wait"] = time.monotonic() - t
                timings["probe_setup"] = runner.probe_setup
            except BaseException:
                session.abort()  # kill running containers so the workers return now
                raise
            finally:
                context.close()
                runner.shutdown()
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


class _Runner:
    """Runs each built image (probe + smoke, concurrently) as soon as its build is done.

    The probe volume is created with the first image to run; the first probe container mounts
    it read-write and receives the probe with ``put_archive`` before it starts (allowed on a
    read-only root file system because the target is a volume); every other probe container
    mounts it read-only and starts once the probe is in place.
    """

    def __init__(self, client: Any, session: Session, options: VerifyOptions) -> None:
        self.client, self.session, self.options = client, session, options
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="slimguard-verify")
        self.jobs: list[tuple[Side, str, Future[RunResult]]] = []
        self.volume: str | None = None
        self.binary: bytes | None = None
        self.ready = threading.Event()
        self.probe_setup = 0.0
        self.method = "probe"
        if options.smoke is not None:
            ep, cmd = smoke_argv(options.smoke)
            self.smoke_kw: dict[str, Any] = {"entrypoint": ep, "command": cmd, "timeout": options.timeout}
        else:
            self.smoke_kw = {"timeout": options.start_wait}

    def _probe_kw(self) -> dict[str, Any]:
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
            else:
                name = f"slimguard-verify-{self.session.run_id}"
                self.client.api.create_volume(name=name, labels=dict(self.session.labels))
                self.session.add_volume(name)
                self.volume = name
            self.probe_setup = time.monotonic() - t
        if self.method == "cat":
            return {"entrypoint": ["cat", "/proc/1/status"]}
        binary, ready = self.binary, self.ready

        def populate(api: Any, cid: str) -> None:
            try:
                api.put_archive(cid, PROBE_DIR, probe_archive(binary))  # type: ignore[arg-type]
            finally:
                ready.set()

        def wait(_api: Any, _cid: str) -> None:
            if not ready.wait(timeout=self.options.probe_timeout):
                raise RuntimeError("the probe volume was not ready in time")

        return {"entrypoint": [PROBE_PATH], "prepare": populate if first else wait,
                "volumes": {self.volume: {"bind": PROBE_DIR, "mode": "rw" if first else "ro"}}}

    def _probe(self, image: str, kw: dict[str, Any], first: bool) -> RunResult:
        try:
            return run_container(self.session, image, limits=self.options.limits,
                                 timeout=self.options.probe_timeout, read_files=FILES, **kw)
        finally:
            if first:
                self.ready.set()  # e.g. the container could not be created: do not keep the others waiting

    def start(self, side: Side) -> None:
        image = side.build.image_id  # type: ignore[union-attr]
        lim = self.options.limits
        first = self.volume is None and self.method == "probe"
        self.jobs.append((side, "probe", self.pool.submit(self._probe, image, self._probe_kw(), first)))
        self.jobs.append((side, "smoke", self.pool.submit(
            run_container, self.session, image, limits=lim, **self.smoke_kw)))

    def finish(self) -> None:
        for side, kind, fut in self.jobs:
            res = fut.result()
            if kind == "probe":
                side.probe, side.probe_method = res, self.method
                side.status = parse_status(res.stdout) if res.started else None
                side.contents = read_contents(res.files)
            else:
                side.smoke = res

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

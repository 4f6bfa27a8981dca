"""Build one Dockerfile of the packed context on the local engine, never pulling.

The engine's classic builder is used through the API (``POST /build`` with ``pull=0``,
``rm``/``forcerm`` so no intermediate container survives, even a failed step). The final
image gets the run's label (the builder adds it as a last ``LABEL`` step). Intermediate
images cannot be labelled, so the JSON stream is parsed: each ``Step n/m`` ends with
`` ---> <id>``; an id counts as ours only when the step committed it (not ``Using cache``,
not the image a ``FROM`` names) and, for steps that ran a container, only after
``Removing intermediate container`` (so a RUN that prints `` ---> abc...`` cannot fool it).
Ids are handed to the session as soon as they are seen, so an interrupted build leaves
nothing behind either.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import IO, Any, Callable

from slimguard.verify.session import Session

_STEP = re.compile(r"^Step \d+/\d+ : (\S+)")
_ID = re.compile(r"^ ---> ([0-9a-f]{12,64})$")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # the builder colours a step's stderr red
LOG_TAIL = 40


@dataclass
class BuildResult:
    ok: bool
    image_id: str | None = None  # full id of the final image
    seconds: float = 0.0
    error: str | None = None
    log_tail: list[str] = field(default_factory=list)
    steps: int = 0
    cached_steps: int = 0
    created: list[str] = field(default_factory=list)  # short ids of images this build committed

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "image_id": self.image_id, "seconds": round(self.seconds, 3),
                "error": self.error, "steps": self.steps, "cached_steps": self.cached_steps,
                "log_tail": self.log_tail if not self.ok else []}


class _StreamParser:
    def __init__(self, session: Session, result: BuildResult, on_line: Callable[[str], None] | None) -> None:
        self.session = session
        self.result = result
        self.on_line = on_line
        self.pending = ""
        self.keyword: str | None = None
        self.cached = False
        self.ran_container = False
        self.container_removed = False
        self.container: str | None = None
        self.tail: list[str] = []

    def feed(self, text: str) -> None:
        self.pending += text
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            self.line(line)

    def flush(self) -> None:
        if self.pending:
            self.line(self.pending)
            self.pending = ""

    def line(self, line: str) -> None:
        line = _ANSI.sub("", line.rstrip("\r"))
        self.tail.append(line)
        if len(self.tail) > LOG_TAIL:
            del self.tail[0]
        if self.on_line is not None:
            self.on_line(line)
        m = _STEP.match(line)
        if m:
            self.result.steps += 1
            self.keyword = m.group(1).upper()
            self.cached = self.ran_container = self.container_removed = False
            return
        if self.keyword is None:
            return
        if line == " ---> Using cache":
            self.cached = True
            self.result.cached_steps += 1
            return
        if line.startswith(" ---> Running in "):
            self.ran_container = True
            self.container = line.rsplit(" ", 1)[-1]
            self.session.add_build_container(self.container)
            return
        if "Removing intermediate container " in line:  # may follow output without a newline
            self.container_removed = True
            if self.container:
                self.session.forget_container(self.container)
                self.container = None
            return
        m = _ID.match(line)
        if m and self.keyword != "FROM" and not self.cached and (not self.ran_container or self.container_removed):
            short = m.group(1)[:12]
            self.result.created.append(short)
            self.session.add_image(short)
            self.keyword = None  # the step is over


def build_image(session: Session, context: IO[bytes], dockerfile: str, *, target: str | None = None,
                build_args: dict[str, str] | None = None, network_mode: str | None = None,
                on_line: Callable[[str], None] | None = None) -> BuildResult:
    """Build *dockerfile* (a name inside the packed *context*)."""
    session.check()
    result = BuildResult(ok=False)
    parser = _StreamParser(session, result, on_line)
    t0 = time.monotonic()
    context.seek(0)
    stream = None
    error: str | None = None
    final_id: str | None = None
    try:
        stream = session.client.api.build(
            fileobj=context, custom_context=True, dockerfile=dockerfile, pull=False, rm=True, forcerm=True,
            decode=True, labels=dict(session.labels), target=target or None, buildargs=dict(build_args or {}),
            network_mode=network_mode or None, timeout=None,
        )
        for event in stream:
            if "stream" in event:
                parser.feed(str(event["stream"]))
            if "error" in event:
                detail = event.get("errorDetail") or {}
                error = str(detail.get("message") or event["error"]).strip()
            aux = event.get("aux")
            if isinstance(aux, dict) and aux.get("ID"):
                final_id = str(aux["ID"])
    except Exception as exc:  # noqa: BLE001 - an API error is a failed build
        error = getattr(exc, "explanation", None) or str(exc)
    finally:
        if stream is not None and hasattr(stream, "close"):
            stream.close()  # an interrupted build: drop the connection so the daemon cancels it
        parser.flush()
        result.seconds = time.monotonic() - t0
    result.log_tail = parser.tail
    if error is None and final_id is not None:
        result.ok = True
        result.image_id = final_id
        session.add_image(final_id.removeprefix("sha256:")[:12])
    else:
        result.error = error or "the build produced no image"
    return result

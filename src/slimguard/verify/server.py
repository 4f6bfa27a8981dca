"""``--probe URL``: start the image as a server and ask it over HTTP, without any network.

The image under test runs detached with ``--network none`` (its own ENTRYPOINT/CMD, its own
USER). A *client* container then joins that container's network namespace
(``network_mode="container:<id>"``), so it reaches the server on 127.0.0.1 while nothing can
leave the namespace, and the image under test needs no tool at all (distroless works). The
client is a small shell loop around busybox ``wget -S`` in a local image (``busybox:latest`` by
default; it is never pulled): it retries until the server answers with any HTTP status line,
then prints the response headers (stderr) and the body (stdout). Meanwhile the host watches
the server: when it exits before answering, the wait ends at once and the server's last
output line is the reason.

URLs name only a port and a path; the host is always 127.0.0.1 inside the container:
``http://:8080/health``, ``:8080``, ``8080``, ``/health`` or ``auto`` (the image's first
EXPOSEd port, path ``/``).
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from typing import Any

from slimguard.verify.run import DEFAULT, Limits, Profile, RunResult, container_output, create_container
from slimguard.verify.session import Interrupted, Session

CLIENT_IMAGE = "busybox:latest"
BODY_LIMIT = 16 * 1024  # bytes of the body kept in the report (the digest covers all of it)
_MARK = "slimguard-probe:"
_POLL = 0.2

# $1 url, $2 attempts. Failed attempts leave one "slimguard-probe: no answer: ..." line each; an
# answer is "slimguard-probe: answer" followed by wget's -S header lines (stderr) and the body (stdout).
# No wget -T: it crashes Debian's static busybox build; the host bounds the wait instead.
_CLIENT_SCRIPT = r"""
i=0
while :; do
  rm -f /tmp/.sgp-body
  wget -q -S -O /tmp/.sgp-body "$1" 2>/tmp/.sgp-err
  if grep -q '^ *HTTP/' /tmp/.sgp-err; then
    echo "slimguard-probe: answer" >&2
    cat /tmp/.sgp-err >&2
    cat /tmp/.sgp-body 2>/dev/null
    exit 0
  fi
  echo "slimguard-probe: no answer: $(tail -n 1 /tmp/.sgp-err)" >&2
  i=$((i+1))
  if [ "$i" -ge "$2" ]; then exit 3; fi
  sleep 0.2
done
"""

_URL = re.compile(r"^(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?(?P<host>\[[^\]]*\]|[^/:\s]*)"
                  r"(?::(?P<port>[^/\s]*))?(?P<path>/\S*)?$")
_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "[::1]", "0.0.0.0"}
_STATUS = re.compile(r"^\s*(HTTP/\d(?:\.\d)?)\s+(\d{3})\b(.*)$")


class ProbeURLError(ValueError):
    pass


@dataclass(frozen=True)
class ProbeURL:
    """Where to ask: a port (None: the image's first EXPOSEd port) and a path."""

    text: str
    port: int | None = None
    path: str = "/"

    def url(self, port: int) -> str:
        return f"http://127.0.0.1:{port}{self.path}"

    def describe(self) -> str:
        return f"http://:{self.port if self.port is not None else '<first EXPOSEd port>'}{self.path}"


def parse_probe_url(text: str) -> ProbeURL:
    """``auto``, ``http://:8080/path``, ``http://localhost:8080``, ``:8080/path``, ``8080``, ``/path``."""
    t = text.strip()
    if t.lower() in ("", "auto"):
        return ProbeURL("auto")
    m = _URL.match(t)
    if not m:
        raise ProbeURLError(f"--probe: cannot read {text!r}; give http://:PORT/PATH or auto")
    scheme, host, port, path = m.group("scheme"), m.group("host"), m.group("port"), m.group("path") or "/"
    if scheme is None and port is None and host.isdigit():
        host, port = "", host  # a bare port number
    if scheme is not None and scheme.lower() != "http":
        raise ProbeURLError(f"--probe: only http:// is supported, not {scheme}://")
    if host.lower() not in _LOCAL_HOSTS:
        raise ProbeURLError(f"--probe: the probe asks 127.0.0.1 inside the container, not {host!r}; "
                            "give http://:PORT/PATH")
    if port in (None, "", "auto"):
        return ProbeURL(t, None, path)
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ProbeURLError(f"--probe: {port!r} is not a TCP port")
    return ProbeURL(t, int(port), path)


def exposed_tcp_ports(config: dict[str, Any] | None) -> list[int]:
    """TCP ports of an image config's ExposedPorts, lowest first."""
    ports = []
    for key in ((config or {}).get("ExposedPorts") or {}):
        num, _, proto = str(key).partition("/")
        if num.isdigit() and (proto or "tcp").lower() == "tcp":
            ports.append(int(num))
    return sorted(set(ports))


def dockerfile_exposed(text: str, target: str | None = None, build_args: dict[str, str] | None = None) -> list[int]:
    """TCP ports the shipped stage's EXPOSE instructions name, in file order (FROM chain included)."""
    try:
        from slimguard.dockerfile.model import build_model
        from slimguard.dockerfile.syntax import parse

        model = build_model(parse(text), build_args or {})
        stage = model.target(target)
    except Exception:  # noqa: BLE001 - the image config still has the ports
        return []
    if stage is None:
        return []
    out: list[int] = []
    for s in reversed(stage.chain()):
        for spec, _ins in s.exposed:
            if spec.protocol == "tcp" and spec.start is not None and spec.start not in out:
                out.append(spec.start)
    return out


def first_exposed(config: dict[str, Any] | None, dockerfile: str, target: str | None = None,
                  build_args: dict[str, str] | None = None) -> int | None:
    """The image's first EXPOSEd TCP port: in Dockerfile order, else the lowest the image config has."""
    image_ports = exposed_tcp_ports(config)
    for port in dockerfile_exposed(dockerfile, target, build_args):
        if port in image_ports or not image_ports:
            return port
    return image_ports[0] if image_ports else None


def parse_response(stderr: str) -> tuple[str | None, int | None]:
    """(status line, status code) of the last response in wget -S output (redirects come first)."""
    line, code = None, None
    for raw in stderr.splitlines():
        m = _STATUS.match(raw)
        if m:
            line, code = raw.strip(), int(m.group(2))
    return line, code


@dataclass
class HttpResult:
    """One probe of one image: did the server answer, with what."""

    url: str | None = None
    port: int | None = None
    answered: bool = False
    status: int | None = None
    status_line: str | None = None
    body: str = ""
    body_sha256: str = ""
    error: str | None = None  # why there is no answer
    server: RunResult = field(default_factory=RunResult)  # the server container (timed_out: still running)
    seconds: float = 0.0  # until the answer

    @property
    def state(self) -> str:
        if self.answered:
            return self.status_line or f"HTTP {self.status}"
        return "no answer"

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "port": self.port, "answered": self.answered, "status": self.status,
                "status_line": self.status_line, "body": self.body, "body_sha256": self.body_sha256,
                "error": self.error, "seconds": round(self.seconds, 3),
                "server": {"started": self.server.started, "running": self.server.timed_out,
                           "exit_code": self.server.exit_code, "error": self.server.error,
                           "stdout": self.server.stdout[-4000:], "stderr": self.server.stderr[-4000:]}}


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _api_message(exc: Exception) -> str:
    return str(getattr(exc, "explanation", None) or exc).strip()


def _state(api: Any, cid: str) -> dict[str, Any]:
    try:
        return dict(api.inspect_container(cid).get("State") or {})
    except Exception:  # noqa: BLE001 - gone
        return {}


def check_server(session: Session, image: str, port: int | None, path: str, *, profile: Profile = DEFAULT,
                 limits: Limits | None = None, timeout: float = 60.0,
                 client_image: str = CLIENT_IMAGE) -> HttpResult:
    """Start *image* (its own command) and wait up to *timeout* s for an HTTP answer on *port*."""
    limits = limits or Limits()
    res = HttpResult(port=port)
    if port is None:
        res.error = "the image EXPOSEs no TCP port (give --probe http://:PORT/)"
        return res
    res.url = f"http://127.0.0.1:{port}{path}"
    api = session.client.api
    t0 = time.monotonic()
    server: str | None = None
    client: str | None = None
    try:
        try:
            server = create_container(session, image, limits=limits, profile=profile)
            api.start(server)
            res.server.started = True
        except Interrupted:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. unable to find user, no command
            res.server.error = _api_message(exc)
            res.error = f"the server did not start: {res.server.error}"
            return res
        attempts = max(1, int(timeout / (_POLL + 0.05)) + 1)
        try:
            client = create_container(session, client_image, entrypoint=["/bin/sh", "-c", _CLIENT_SCRIPT, "sh"],
                                      command=[res.url, str(attempts)], limits=Limits(memory="64m", pids=32),
                                      profile=DEFAULT, network_mode=f"container:{server}")
            api.start(client)
        except Interrupted:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. the server already exited
            st = _state(api, server)
            if st and not st.get("Running"):
                res.error = _exited(res, api, server, st, port)
            else:
                res.error = f"the probe client ({client_image}) could not run: {_api_message(exc)}"
            return res
        deadline = t0 + timeout + 5
        client_rc: int | None = None
        while True:
            session.check()
            try:
                client_rc = int(api.wait(client, timeout=_POLL).get("StatusCode", -1))
                break
            except Interrupted:
                raise
            except Exception:  # noqa: BLE001 - still waiting
                pass
            st = _state(api, server)
            if st and not st.get("Running"):
                # one last look: the answer may have come just before it exited
                try:
                    client_rc = int(api.wait(client, timeout=1).get("StatusCode", -1))
                    break
                except Exception:  # noqa: BLE001
                    res.error = _exited(res, api, server, st, port)
                    return res
            if time.monotonic() > deadline:
                break
        res.seconds = time.monotonic() - t0
        out, err = container_output(api, client)
        err_text = err.decode("utf-8", "replace")
        if client_rc == 0 and f"{_MARK} answer" in err_text:
            headers = err_text.split(f"{_MARK} answer", 1)[1]
            res.status_line, res.status = parse_response(headers)
            res.answered = res.status is not None
            res.body_sha256 = hashlib.sha256(out).hexdigest()
            body = out[:BODY_LIMIT]
            res.body = body.decode("utf-8", "replace") + ("\n[... body cut]" if len(out) > BODY_LIMIT else "")
        if not res.answered:
            tries = [line.split("no answer:", 1)[1].strip() for line in err_text.splitlines()
                     if line.startswith(f"{_MARK} no answer:")]
            st = _state(api, server)
            if st and not st.get("Running"):
                res.error = _exited(res, api, server, st, port)
            else:
                why = tries[-1] if tries else (last_line(err_text) or f"probe client exit {client_rc}")
                res.error = f"no HTTP answer on port {port} within {timeout:g} s ({why})"
        return res
    finally:
        if server is not None:
            if res.server.started and res.server.exit_code is None:
                st = _state(api, server)
                if st.get("Running"):
                    res.server.timed_out = True  # still running: a server, as it should be
                elif "ExitCode" in st:
                    res.server.exit_code = int(st["ExitCode"])
                o, e = container_output(api, server)
                res.server.stdout_sha256 = hashlib.sha256(o).hexdigest()
                res.server.stdout = o[-BODY_LIMIT:].decode("utf-8", "replace")
                res.server.stderr = e[-BODY_LIMIT:].decode("utf-8", "replace")
        for cid in (client, server):
            if cid is not None:
                session.remove_container_now(cid)
        if not res.seconds:
            res.seconds = time.monotonic() - t0


def _exited(res: HttpResult, api: Any, server: str, st: dict[str, Any], port: int) -> str:
    code = st.get("ExitCode")
    res.server.exit_code = int(code) if code is not None else None
    o, e = container_output(api, server)
    res.server.stdout = o[-BODY_LIMIT:].decode("utf-8", "replace")
    res.server.stderr = e[-BODY_LIMIT:].decode("utf-8", "replace")
    why = last_line(res.server.stderr) or last_line(res.server.stdout)
    return f"the server exited (exit {code}) before it answered on port {port}" + (f": {why}" if why else "")

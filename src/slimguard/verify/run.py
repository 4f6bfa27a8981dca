"""Run a container the way verify runs everything: labelled, bounded in time and memory, no network.

Every container gets ``--network none``, a memory and a pids limit, the run's label and a timeout
after which it is killed; the image's USER is never overridden. The rest is a :class:`Profile`:

- ``DEFAULT`` is how people run containers (``docker run`` defaults: the default capabilities and a
  writable root file system). The smoke check, the server probe and so the verdict use it;
- ``RESTRICTED`` adds ``--read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges``.
  The uid probe runs under it (it only reads /proc/1/status), and so does the *hardened* run of the
  fixed image, which is reported as extra information only.

A profile may carry sysctls: the fixed image runs with ``net.ipv4.ip_unprivileged_port_start=1024``
by default (Kubernetes semantics; Docker's own default, 0, lets any uid bind port 80).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from slimguard.verify.session import Interrupted, Session

UNPRIVILEGED_PORT_SYSCTL = "net.ipv4.ip_unprivileged_port_start"


@dataclass(frozen=True)
class Profile:
    """How a container is run, beyond what every container gets."""

    name: str
    read_only: bool = False  # with a tmpfs on /tmp
    cap_drop_all: bool = False
    no_new_privileges: bool = False
    sysctls: tuple[tuple[str, str], ...] = ()

    def with_sysctls(self, sysctls: dict[str, str]) -> "Profile":
        return replace(self, sysctls=tuple(sorted({**dict(self.sysctls), **sysctls}.items())))

    def flags(self) -> list[str]:
        """The profile as ``docker run`` flags (for the report)."""
        out = []
        if self.read_only:
            out += ["--read-only", "--tmpfs /tmp"]
        if self.cap_drop_all:
            out.append("--cap-drop ALL")
        if self.no_new_privileges:
            out.append("--security-opt no-new-privileges")
        out += [f"--sysctl {k}={v}" for k, v in self.sysctls]
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "read_only": self.read_only, "cap_drop_all": self.cap_drop_all,
                "no_new_privileges": self.no_new_privileges, "sysctls": dict(self.sysctls),
                "flags": ["--network none"] + self.flags()}


DEFAULT = Profile("default")
RESTRICTED = Profile("restricted", read_only=True, cap_drop_all=True, no_new_privileges=True)

OUTPUT_LIMIT = 64 * 1024  # bytes of stdout/stderr kept for the report (the digest covers all)


@dataclass
class Limits:
    memory: str = "512m"
    pids: int = 256
    tmpfs_size: str = "64m"


@dataclass
class RunResult:
    started: bool = False
    exit_code: int | None = None
    timed_out: bool = False  # still running when the time was up (then killed)
    stdout: str = ""
    stderr: str = ""
    stdout_sha256: str = ""
    error: str | None = None  # could not create or start the container
    seconds: float = 0.0
    files: dict[str, bytes | None] = field(default_factory=dict)  # read after it stopped

    @property
    def state(self) -> str:
        if not self.started:
            return "did not start"
        if self.timed_out:
            return "running"
        return f"exit {self.exit_code}"

    def as_dict(self) -> dict[str, Any]:
        return {"started": self.started, "exit_code": self.exit_code, "timed_out": self.timed_out,
                "stdout": self.stdout, "stderr": self.stderr, "stdout_sha256": self.stdout_sha256,
                "error": self.error, "seconds": round(self.seconds, 3)}


def _text(data: bytes) -> str:
    if len(data) > OUTPUT_LIMIT:
        data = data[:OUTPUT_LIMIT] + b"\n[... output cut]"
    return data.decode("utf-8", "replace")


def _api_message(exc: Exception) -> str:
    return str(getattr(exc, "explanation", None) or exc).strip()


def _host_config(api: Any, limits: Limits, profile: Profile, network_mode: str,
                 volumes: dict[str, dict[str, str]] | None) -> Any:
    kw: dict[str, Any] = {
        "network_mode": network_mode, "mem_limit": limits.memory, "memswap_limit": limits.memory,
        "pids_limit": limits.pids, "binds": {name: spec for name, spec in (volumes or {}).items()} or None,
    }
    if profile.read_only:
        kw["read_only"] = True
        kw["tmpfs"] = {"/tmp": f"rw,nosuid,nodev,size={limits.tmpfs_size}"}
    if profile.cap_drop_all:
        kw["cap_drop"] = ["ALL"]
    if profile.no_new_privileges:
        kw["security_opt"] = ["no-new-privileges"]
    if profile.sysctls:
        kw["sysctls"] = dict(profile.sysctls)
    return api.create_host_config(**kw)


def create_container(session: Session, image: str, *, entrypoint: list[str] | None = None,
                     command: list[str] | None = None, limits: Limits | None = None,
                     profile: Profile = RESTRICTED, network_mode: str = "none",
                     volumes: dict[str, dict[str, str]] | None = None) -> str:
    """Create (not start) a labelled container; returns its id (raises the API error)."""
    session.check()
    api = session.client.api
    host_config = _host_config(api, limits or Limits(), profile, network_mode, volumes)
    kwargs: dict[str, Any] = {"labels": dict(session.labels), "host_config": host_config, "detach": True}
    if network_mode == "none":
        kwargs["network_disabled"] = True
    if entrypoint is not None:
        kwargs["entrypoint"] = entrypoint
        kwargs["command"] = command or []
    elif command is not None:
        kwargs["command"] = command
    if volumes:
        kwargs["volumes"] = [spec["bind"] for spec in volumes.values()]
    created = api.create_container(image, **kwargs)
    cid = str(created["Id"])
    session.add_container(cid)
    return cid


def container_output(api: Any, cid: str) -> tuple[bytes, bytes]:
    try:
        return api.logs(cid, stdout=True, stderr=False), api.logs(cid, stdout=False, stderr=True)
    except Exception:  # noqa: BLE001
        return b"", b""


def run_container(session: Session, image: str, *, entrypoint: list[str] | None = None,
                  command: list[str] | None = None, timeout: float = 60.0, limits: Limits | None = None,
                  volumes: dict[str, dict[str, str]] | None = None,
                  read_files: tuple[str, ...] = (),
                  prepare: Callable[[Any, str], None] | None = None,
                  profile: Profile = RESTRICTED) -> RunResult:
    """Create, start and wait for a container; collect its output, then remove it.

    *entrypoint* None keeps the image's ENTRYPOINT (and *command* None its CMD).
    *read_files* are fetched with ``get_archive`` from the created container, while it starts
    (also when it cannot start); each maps to the raw tar bytes, or None when absent; an entry
    ``a|b`` reads ``b`` only when ``a`` does not exist. *prepare(api, container_id)* runs
    between create and start; if it raises, the container is not started.
    """
    session.check()
    api = session.client.api
    res = RunResult()
    t0 = time.monotonic()
    try:
        cid = create_container(session, image, entrypoint=entrypoint, command=command, limits=limits,
                               profile=profile, volumes=volumes)
    except Interrupted:
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. no command specified
        res.error = _api_message(exc)
        res.seconds = time.monotonic() - t0
        return res
    reader: threading.Thread | None = None
    try:
        if read_files:
            # the image's files do not change when it runs: read them while it starts
            reader = threading.Thread(target=_read_files, args=(api, cid, read_files, res.files),
                                      name="slimguard-verify-files", daemon=True)
            reader.start()
        try:
            if prepare is not None:
                prepare(api, cid)
            api.start(cid)
            res.started = True
        except Interrupted:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. unable to find user app
            res.error = _api_message(exc)
        if res.started:
            try:
                status = api.wait(cid, timeout=timeout)
                res.exit_code = int(status.get("StatusCode", -1))
            except Exception:  # noqa: BLE001 - requests' ReadTimeout / ConnectionError
                session.check()
                res.timed_out = True
                try:
                    api.kill(cid)
                except Exception:  # noqa: BLE001 - it may have just ended
                    pass
            session.check()
            out, err = container_output(api, cid)
            res.stdout_sha256 = hashlib.sha256(out).hexdigest()
            res.stdout, res.stderr = _text(out), _text(err)
        if reader is not None:
            reader.join()
    finally:
        session.remove_container_now(cid)
        res.seconds = time.monotonic() - t0
    return res


def _read_files(api: Any, cid: str, paths: tuple[str, ...], into: dict[str, bytes | None]) -> None:
    """get_archive each path; a path given as ``a|b|c`` stands for the first of them that exists."""
    for spec in paths:
        for path in spec.split("|"):
            data = _get_archive(api, cid, path)
            into[path] = data
            if data is not None:
                break


ARCHIVE_LIMIT = 64 * 1024 * 1024


def _get_archive(api: Any, cid: str, path: str) -> bytes | None:
    try:
        stream, stat = api.get_archive(cid, path)
    except Exception:  # noqa: BLE001 - not found
        return None
    buf = bytearray()
    for chunk in stream:
        buf += chunk
        if len(buf) > ARCHIVE_LIMIT:
            return None
    return bytes(buf)

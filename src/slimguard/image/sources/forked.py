"""A bundle's layers scanned by a forked child process while this one applies the previous layers."""

from __future__ import annotations

import dataclasses
import marshal
import os
from typing import TYPE_CHECKING

from slimguard.image.errors import AuditError
from slimguard.image.layers import LayerScan

if TYPE_CHECKING:
    from slimguard.image.sources.bundles import Bundle
    from slimguard.image.sources.feed import LayerFeed

_SCAN_FIELDS = tuple(f.name for f in dataclasses.fields(LayerScan))


def worker_wanted(feed: LayerFeed, names: list[str]) -> bool:
    """Scan in a forked worker process? Only where it is safe and pays: fork exists, two CPUs, no other
    thread in this process, nobody watching fine-grained progress, and not turned off with
    ``SLIMGUARD_AUDIT_WORKERS=0``."""
    env = os.environ.get("SLIMGUARD_AUDIT_WORKERS", "")
    if env.strip() == "0" or not names or not hasattr(os, "fork"):
        return False
    if feed.meter is not None and feed.meter.callback is not None:
        return False
    if env.strip() != "1" and (os.cpu_count() or 1) < 2:
        return False
    import threading

    return threading.active_count() == 1


def _scan_one(bundle: Bundle, name: str, i: int, feed: LayerFeed) -> LayerScan:
    raw = bundle.open(name)
    scan = feed.scan(raw, f"layer {i} ({name})")
    raw.close()
    return scan


class ForkedLayers:
    """The layers scanned one after another by a forked child, sent back through a pipe.

    The child starts at once (while this process still imports and reads the config) and reads the same
    files (``pread`` on shared descriptors, no shared offsets), with the same limits, capture budget and
    entry count, in the same order, so the scans are exactly the sequential ones; meanwhile this process
    applies the previous layers (overlay, dive). At most one scanned layer waits in the pipe, so memory
    stays bounded by about two layers' metadata. Errors are raised here as the sequential scan raises
    them, at the same layer. :meth:`close` (also called by ``ImageData.close``) stops and reaps the
    child."""

    def __init__(self, bundle: Bundle, names: list[str], feed: LayerFeed) -> None:
        import pickle

        self._pickle = pickle
        self.names = names
        self.feed = feed
        self.left = len(names)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child (coverage does not follow forks)
            code = 0
            try:
                os.close(r)
                with os.fdopen(w, "wb", buffering=1 << 20) as out:
                    try:
                        for i, name in enumerate(names):
                            scan = _scan_one(bundle, name, i, feed)
                            # the captured files first, each as is: marshalled with the rest they would be
                            # held twice on each side of the pipe (up to the whole capture budget)
                            captures, scan.captures = scan.captures, {}
                            for cpath, blob in captures.items():
                                pb = cpath.encode("utf-8", "surrogateescape")
                                out.write(b"C" + len(pb).to_bytes(4, "little") + pb + len(blob).to_bytes(8, "little"))
                                out.write(blob)
                            del captures
                            # marshal: plain tuples, lists, str, int and bytes, about twice as fast as pickle
                            data = marshal.dumps(tuple(getattr(scan, f) for f in _SCAN_FIELDS))
                            out.write(b"L" + len(data).to_bytes(8, "little"))
                            out.write(data)
                            out.flush()
                        out.write(b"D")
                    except BrokenPipeError:
                        code = 1
                    except BaseException as exc:  # noqa: BLE001 - every failure goes to the parent
                        try:
                            msg = pickle.dumps(exc)
                            pickle.loads(msg)
                        except Exception:  # noqa: BLE001 - an exception that does not pickle
                            # keep the kind of an audit error (CorruptError, LimitError) by name: its class
                            # object may not pickle (a module imported twice), its meaning must survive
                            from slimguard.image import errors as _errors

                            kind = getattr(_errors, type(exc).__name__, None)
                            if isinstance(kind, type) and issubclass(kind, AuditError):
                                msg = pickle.dumps(kind(str(exc)))
                            else:
                                msg = pickle.dumps(AuditError(f"{type(exc).__name__}: {exc}"))
                        out.write(b"E" + len(msg).to_bytes(8, "little") + msg)
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        os.close(w)
        self.pid: int | None = pid
        self.inp = os.fdopen(r, "rb", buffering=1 << 20)

    def __iter__(self) -> ForkedLayers:
        return self

    def __next__(self) -> LayerScan:
        if self.pid is None:
            raise StopIteration
        captures: dict[str, bytes] = {}
        try:
            while True:
                kind = self.inp.read(1)
                if kind != b"C":
                    break
                pb = self._read(int.from_bytes(self._read(4), "little"))
                captures[pb.decode("utf-8", "surrogateescape")] = self._read(int.from_bytes(self._read(8), "little"))
            if kind in (b"L", b"E"):
                n = int.from_bytes(self._read(8), "little")
                data = self._read(n)
        except BaseException:
            self.close()
            raise
        if kind == b"L":
            self.left -= 1
            value = LayerScan(*marshal.loads(data))
            value.captures = captures
            if self.feed.meter is not None:
                self.feed.meter.add(value.raw_bytes)
            return value
        self.close()
        if kind == b"E":
            raise self._pickle.loads(data)
        if kind != b"D":
            raise AuditError("the layer scanning process ended unexpectedly")
        raise StopIteration

    def _read(self, n: int) -> bytes:
        data = self.inp.read(n)
        if len(data) < n:
            raise AuditError("the layer scanning process ended unexpectedly")
        return data

    def close(self) -> None:
        pid, self.pid = self.pid, None
        if pid is None:
            return
        import signal

        self.inp.close()
        try:
            os.kill(pid, signal.SIGKILL)  # our own child, by its id; a no-op once it has exited
        except OSError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass

    def __del__(self) -> None:  # pragma: no cover - safety net
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass

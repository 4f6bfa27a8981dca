"""One verify run's bookkeeping: everything it creates is labelled, tracked and removed.

Every container, volume and final image carries the label ``org.slimguard.verify=<run id>``.
Intermediate images of the legacy builder cannot be labelled, so the build records the ids
of the images *it* committed (not those it took from the cache) and they are tracked here.

Clean-up (:meth:`Session.cleanup`) runs from ``finally`` and from the context manager, also
after Ctrl-C or SIGTERM; SIGINT/SIGTERM/SIGHUP are ignored while it runs, so a second Ctrl-C
cannot leave half of it undone. It removes, in this order: the tracked containers (with their
anonymous volumes, ``docker rm -fv``), any container still carrying this run's label (one
that a worker thread created while the run was being torn down), the tracked images newest
first with ``noprune`` (so an untagged parent that belongs to someone else is never swept
along), any image still carrying this run's label, and the probe volume. Nothing without this
run's label or id is touched.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator

LABEL = "org.slimguard.verify"


class Interrupted(Exception):
    """The run is being torn down; stop creating things."""


@dataclass
class CleanupReport:
    """What the run created (all of it is removed unless listed in ``kept``)."""

    containers: int = 0
    images: int = 0
    volumes: int = 0
    kept: list[str] = field(default_factory=list)  # could not remove: "image abc: reason"

    def summary(self) -> str:
        text = (f"created {self.containers} container(s), {self.images} image(s), "
                f"{self.volumes} volume(s)")
        if self.kept:
            return text + f"; could not remove: {'; '.join(self.kept)}"
        return text + "; all removed"

    def as_dict(self) -> dict[str, object]:
        return {"containers": self.containers, "images": self.images, "volumes": self.volumes,
                "kept": list(self.kept)}


@contextlib.contextmanager
def signals_handled(handler: Any, names: tuple[str, ...]) -> Iterator[None]:
    """Handle the signals *names* with *handler* for the duration, then restore the previous handlers
    (main thread only; a no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {}
    for name in names:
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            saved[sig] = signal.signal(sig, handler)
        except (ValueError, OSError):
            pass
    try:
        yield
    finally:
        for sig, previous in saved.items():
            try:
                signal.signal(sig, previous)
            except (ValueError, OSError):
                pass


def signals_ignored() -> "contextlib.AbstractContextManager[None]":
    """Ignore SIGINT/SIGTERM/SIGHUP for the duration (clean-up must not be interrupted)."""
    return signals_handled(signal.SIG_IGN, ("SIGINT", "SIGTERM", "SIGHUP"))


def _status(exc: Exception) -> int | None:
    return getattr(getattr(exc, "response", None), "status_code", None)


class Session:
    def __init__(self, client: Any, run_id: str | None = None) -> None:
        self.client = client
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.labels = {LABEL: self.run_id}
        self._lock = threading.Lock()
        self._containers: list[str] = []
        self._images: list[str] = []  # creation order
        self._volumes: list[str] = []
        self.closed = False
        self.report: CleanupReport | None = None
        self._created = CleanupReport()

    @property
    def label_filter(self) -> str:
        return f"{LABEL}={self.run_id}"

    # -- tracking ------------------------------------------------------------
    def add_container(self, container_id: str) -> None:
        with self._lock:
            self._created.containers += 1
            if not self.closed:
                self._containers.append(container_id)
                return
        self._remove_container(container_id)
        raise Interrupted("verify run is shutting down")

    def add_build_container(self, container_id: str) -> None:
        """A container the builder runs a step in: removed by the builder (``forcerm``), but
        killed by the clean-up if the run is interrupted while the step is still running."""
        with self._lock:
            self._containers.append(container_id)

    def forget_container(self, container_id: str) -> None:
        with self._lock:
            if container_id in self._containers:
                self._containers.remove(container_id)

    def add_image(self, image_id: str) -> None:
        with self._lock:
            if image_id not in self._images:
                self._images.append(image_id)
                self._created.images += 1

    def add_volume(self, name: str) -> None:
        with self._lock:
            self._volumes.append(name)
            self._created.volumes += 1
            if not self.closed:
                return
        raise Interrupted("verify run is shutting down")

    def check(self) -> None:
        if self.closed:
            raise Interrupted("verify run is shutting down")

    def remove_container_now(self, container_id: str) -> bool:
        """Remove one of our containers (normal end of a run step)."""
        ok = self._remove_container(container_id)
        if ok:
            self.forget_container(container_id)
        return ok

    # -- teardown ------------------------------------------------------------
    def abort(self) -> None:
        """Stop creating things and kill the running containers (unblocks waiting threads)."""
        with self._lock:
            self.closed = True
            containers = list(self._containers)
        for cid in containers:
            self._remove_container(cid)

    def cleanup(self) -> CleanupReport:
        with signals_ignored():
            return self._cleanup()

    def _cleanup(self) -> CleanupReport:
        if self.report is not None:
            return self.report
        with self._lock:
            self.closed = True
            containers = list(self._containers)
            images = list(self._images)
            volumes = list(self._volumes)
        rep = self._created
        for cid in containers:
            if not self._remove_container(cid):
                rep.kept.append(f"container {cid[:12]}")
        # also any container of this run that was created but not recorded
        try:
            for c in self.client.api.containers(all=True, filters={"label": self.label_filter}):
                if not self._remove_container(c["Id"]):
                    rep.kept.append(f"container {c['Id'][:12]}")
        except Exception:  # noqa: BLE001 - best effort
            pass
        for image_id in reversed(images):
            err = self._remove_image(image_id)
            if err:
                rep.kept.append(f"image {image_id.removeprefix('sha256:')[:12]}: {err}")
        try:
            for img in self.client.api.images(all=True, filters={"label": self.label_filter}):
                err = self._remove_image(img["Id"])
                if err:
                    rep.kept.append(f"image {img['Id'].removeprefix('sha256:')[:12]}: {err}")
        except Exception:  # noqa: BLE001
            pass
        names = list(dict.fromkeys(volumes))
        try:
            for v in (self.client.api.volumes(filters={"label": self.label_filter}) or {}).get("Volumes") or []:
                if v["Name"] not in names:
                    names.append(v["Name"])
        except Exception:  # noqa: BLE001
            pass
        for name in names:
            try:
                self.client.api.remove_volume(name, force=True)
            except Exception as exc:  # noqa: BLE001
                if _status(exc) != 404:
                    rep.kept.append(f"volume {name}: {getattr(exc, 'explanation', None) or exc}")
        with self._lock:
            self._containers.clear()
            self._images.clear()
            self._volumes.clear()
        self.report = rep
        return rep

    def _remove_container(self, container_id: str) -> bool:
        """True when the container is gone (removed now or before)."""
        try:
            self.client.api.remove_container(container_id, v=True, force=True)
            return True
        except Exception as exc:  # noqa: BLE001
            # 404: already gone; 409: removal already in progress (another thread)
            return _status(exc) in (404, 409)

    def _remove_image(self, image_id: str) -> str | None:
        """None when removed, "" when already gone, else the reason it stays."""
        try:
            self.client.api.remove_image(image_id, noprune=True)
            return None
        except Exception as exc:  # noqa: BLE001
            if _status(exc) == 404:
                return ""
            explanation = getattr(exc, "explanation", None) or str(exc)
            return str(explanation)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

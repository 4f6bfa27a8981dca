"""The units on Dask distributed.

By default a :class:`distributed.LocalCluster` sized to the machine (one single-threaded worker process
per core: the checks are CPU-bound Python); ``scheduler="tcp://host:8786"`` uses an existing cluster
(e.g. the Dask operator's or Helm chart's on Kubernetes, see docs/fleet.md). Before any unit is sent,
every worker is asked which slimguard it runs; one that runs another version makes the run refuse
(:class:`~slimguard.fleet.FleetError`), and each unit checks again on the worker (a worker that joins
later and differs turns its units into errors).

Worker loss: Dask re-runs the lost tasks elsewhere (``distributed.scheduler.allowed-failures``); a
task that still fails (``KilledWorker``) or raises is recorded as that unit's error and the run goes on.
Results are handed to *on_result* as they complete, so Ctrl-C (KeyboardInterrupt) keeps what finished:
the pending futures are cancelled and the interrupt propagates.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable

from slimguard.fleet import FleetError
from slimguard.fleet.units import Unit, UnitResult, run_batch, worker_version


def local_cluster(n_workers: int | None = None, **kw: Any) -> Any:
    """A LocalCluster on loopback with one single-threaded worker process per core (or *n_workers*)."""
    from distributed import LocalCluster

    n = n_workers or os.cpu_count() or 1
    opts = {"n_workers": n, "threads_per_worker": 1, "processes": True, "dashboard_address": None,
            "host": "127.0.0.1", "silence_logs": 40}
    opts.update(kw)
    return LocalCluster(**opts)


def check_versions(client: Any, version: str) -> dict[str, str]:
    """worker address -> its slimguard version; raises FleetError when one differs from *version*."""
    answers = client.run(worker_version)
    bad = {w: v for w, v in answers.items() if v != version}
    if bad:
        lines = ", ".join(f"{w} runs {v}" for w, v in sorted(bad.items()))
        raise FleetError(f"refusing to run: this is slimguard {version}, but worker(s) {lines}; run the same "
                         "slimguard image on the workers")
    if not answers:
        raise FleetError("the Dask cluster has no workers")
    return answers


def batches(units: list[Unit], size: int) -> list[list[Unit]]:
    return [units[i:i + size] for i in range(0, len(units), size)]


def execute(client: Any, units: list[Unit], on_result: Callable[[UnitResult], None], *, batch_size: int = 1,
            version: str | None = None) -> None:
    """Run *units* on *client*'s cluster, calling *on_result* once per unit (in completion order)."""
    from distributed import as_completed

    if version is not None:
        check_versions(client, version)
    if not units:
        return
    groups = batches(units, max(1, batch_size))
    # key: the first unit's key makes the task names readable and stable (pure=False: never merged)
    futures = client.map(run_batch, groups, key=[f"slimguard-{g[0].key}-{len(g)}" for g in groups], pure=False)
    by_future = {f: g for f, g in zip(futures, groups)}
    ac = as_completed(futures)
    try:
        for fut in ac:
            group = by_future.pop(fut)
            try:
                results = fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker, a pickling error...: those units' error
                results = [UnitResult(u.key, u.kind, u.subject, u.version, error=f"{type(exc).__name__}: {exc}")
                           for u in group]
            for r in results:
                on_result(r)
            fut.release()
    except KeyboardInterrupt:
        client.cancel(list(by_future))
        raise


class Cluster:
    """A Dask client on a scheduler address or on a LocalCluster made here (closed on exit)."""

    def __init__(self, scheduler: str | None = None, n_workers: int | None = None, client: Any = None) -> None:
        self.scheduler = scheduler
        self.n_workers = n_workers
        self.client = client
        self._own_client = client is None
        self._cluster: Any = None

    def __enter__(self) -> Any:
        try:
            from distributed import Client
        except ImportError:
            raise FleetError("Dask is not installed: pip install 'slimguard[fleet]' (or run with --workers 0)") from None

        if self.client is not None:
            return self.client
        try:
            if self.scheduler:
                self.client = Client(self.scheduler, timeout=30)
            else:
                self._cluster = local_cluster(self.n_workers)
                self.client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            raise FleetError(f"cannot reach the Dask scheduler {self.scheduler}: {exc}") from None
        return self.client

    def __exit__(self, *exc: object) -> None:
        if self._own_client and self.client is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def run_serial(units: Iterable[Unit], on_result: Callable[[UnitResult], None]) -> None:
    """The same units in this process (``--workers 0``; also what the tests compare against)."""
    from slimguard.fleet.units import run_unit

    for u in units:
        on_result(run_unit(u))

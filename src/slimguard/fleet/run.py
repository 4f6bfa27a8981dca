"""One fleet run: discover, skip what the store knows, compute the rest on Dask, record, report."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from slimguard.fleet.discovery import Discovery, discover
from slimguard.fleet.inputs import FleetSpec, settings_of
from slimguard.fleet.store import Store
from slimguard.fleet.units import Unit, UnitResult, make_unit


@dataclass
class RunOutcome:
    run_id: int
    items: int
    units: int
    computed: list[str] = field(default_factory=list)  # unit keys computed (in completion order)
    reused: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # unit key -> error
    status: str = "finished"
    seconds: float = 0.0
    discovery_seconds: float = 0.0
    discovery_requests: int = 0
    unit_seconds: float = 0.0  # the units' own wall time, summed
    unit_cpu_seconds: float = 0.0  # and their CPU time
    unit_requests: int = 0
    discovery_errors: list[str] = field(default_factory=list)
    subjects: dict[str, str] = field(default_factory=dict)  # unit key -> subject of the computed units


def plan(spec: FleetSpec, version: str) -> tuple[Discovery, dict[str, str], dict[str, Unit]]:
    """-> (discovery, item id -> unit key, unit key -> unit)."""
    settings = settings_of(spec)
    found = discover(spec)
    keys: dict[str, str] = {}
    units: dict[str, Unit] = {}
    for it in found.items:
        u = make_unit(it, settings, version)
        keys[it.id] = u.key
        units.setdefault(u.key, u)
    return found, keys, units


def run_fleet(spec: FleetSpec, store: Store, *, client: Any = None, scheduler: str | None = None,
              workers: int | None = None, batch_size: int = 1, progress: Any = None,
              on_result: Callable[[UnitResult], None] | None = None, serial: bool = False) -> RunOutcome:
    """Run the fleet; results land in *store* as they complete (Ctrl-C keeps them: status "interrupted").

    *client*: a ``distributed.Client`` to use; else *scheduler* (``tcp://host:port``); else a LocalCluster
    of *workers* processes. *serial* runs the units in this process instead (no Dask).
    """
    from slimguard import __version__
    from slimguard.fleet.executor import Cluster, execute, run_serial

    t0 = time.perf_counter()
    found, keys, units = plan(spec, __version__)
    t_disc = time.perf_counter() - t0
    settings = settings_of(spec)
    run_id = store.start_run(__version__, json.dumps(asdict(settings), sort_keys=True))
    store.add_items(run_id, found.items, keys)
    known = store.known_keys(units)
    todo = [u for k, u in units.items() if k not in known]
    out = RunOutcome(run_id, len(found.items), len(units), reused=len(known), discovery_seconds=t_disc,
                     discovery_requests=found.requests, discovery_errors=list(found.errors))
    pending: list[UnitResult] = []
    last = [time.monotonic()]

    def flush() -> None:
        if pending:
            store.put_results(pending)
            pending.clear()
        store.commit()
        last[0] = time.monotonic()

    def got(r: UnitResult) -> None:
        if r.error is not None:
            out.errors[r.key] = r.error
        else:
            out.computed.append(r.key)
            out.subjects[r.key] = r.subject
            pending.append(r)
        out.unit_seconds += r.seconds
        out.unit_cpu_seconds += r.cpu_seconds
        out.unit_requests += r.requests
        if len(pending) >= 100 or time.monotonic() - last[0] > 1.0:
            flush()
        if progress is not None:
            progress.advance()
        if on_result is not None:
            on_result(r)

    if progress is not None:
        progress.start(len(todo))
    try:
        if todo:
            if serial:
                run_serial(todo, got)
            else:
                with Cluster(scheduler, workers, client) as c:
                    execute(c, todo, got, batch_size=batch_size, version=__version__)
    except KeyboardInterrupt:
        out.status = "interrupted"
    except BaseException:
        out.status = "failed"
        raise
    finally:
        if progress is not None:
            progress.stop()
        flush()
        store.set_errors(run_id, out.errors)
        store.finish_run(run_id, out.status, len(out.computed), out.reused, len(out.errors))
        out.seconds = time.perf_counter() - t0
    return out

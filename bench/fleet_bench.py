"""`slimguard fleet` throughput: units per second with 1 and 2 Dask workers (run by hand).

    .venv/bin/python bench/fleet_bench.py [--dockerfiles 1000] [--images 200] [--workers 1,2] [--json OUT]

Sets up what tests/test_fleet.py uses (its generators): Debian's docker-registry on 127.0.0.1 with
synthetic images pushed through the HTTP API, and generated Dockerfiles in git repositories, in a
temporary directory. Then, for each worker count, a LocalCluster on loopback (processes, one thread
each), warmed up, and three fresh-store runs: the Dockerfiles, the images config-only (the default),
the images with --deep. Reports wall time of the compute phase (discovery excluded and reported on its
own), units/s, the mean per-unit cost measured inside the workers, and the registry requests (discovery
per image, and per unit).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))


def setup(tmp: Path, n_dockerfiles: int, n_images: int) -> tuple[subprocess.Popen, str, list[Path]]:
    import test_fleet as tf

    port = tf._free_port()
    cfg = tmp / "registry.yml"
    cfg.write_text(f"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n"
                   f"    rootdirectory: {tmp / 'storage'}\nhttp:\n  addr: 127.0.0.1:{port}\n")
    proc = subprocess.Popen([shutil.which("docker-registry") or "docker-registry", "serve", str(cfg)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    pusher = tf.Pusher(port)
    tf.N_IMAGES = n_images
    for i, repo, tag in tf.image_names():
        layers, config = tf.synthetic_image(i)
        pusher.image(repo, tag, layers, config)
    repos = []
    per = n_dockerfiles // 4
    for k in range(4):
        repo = tmp / f"repo{k}"
        for j in range(per):
            d = repo / "services" / f"svc{j:04d}"
            d.mkdir(parents=True)
            (d / "Dockerfile").write_text(tf.dockerfile_text(k * per + j))
        repos.append(repo)
    return proc, f"127.0.0.1:{port}", repos


def one(spec, client, db: Path, batch: int) -> dict:
    from slimguard.fleet.store import SQLiteStore
    from slimguard.fleet.run import run_fleet

    if db.exists():
        db.unlink()
    with SQLiteStore(str(db)) as store:
        t0 = time.perf_counter()
        out = run_fleet(spec, store, client=client, batch_size=batch)
        wall = time.perf_counter() - t0
    compute = wall - out.discovery_seconds
    n = len(out.computed)
    return {"units": n, "errors": len(out.errors), "wall_s": round(wall, 3),
            "discovery_s": round(out.discovery_seconds, 3), "discovery_requests": out.discovery_requests,
            "compute_s": round(compute, 3), "units_per_s": round(n / compute, 1) if compute else None,
            "mean_unit_ms": round(1000 * out.unit_seconds / max(1, n), 2),
            "mean_unit_cpu_ms": round(1000 * out.unit_cpu_seconds / max(1, n), 2),
            "unit_requests": out.unit_requests, "requests_per_unit": round(out.unit_requests / max(1, n), 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dockerfiles", type=int, default=1000)
    ap.add_argument("--images", type=int, default=200)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    from distributed import Client, LocalCluster

    from slimguard.fleet.inputs import FleetSpec, RegistryInput, RepoInput

    tmp = Path(tempfile.mkdtemp(prefix="slimguard-fleet-bench-"))
    proc, host, repos = setup(tmp, args.dockerfiles, args.images)
    specs = {
        "dockerfiles": FleetSpec(tuple(RepoInput(str(r)) for r in repos), (), (), {}),
        "images_config_only": FleetSpec((), (RegistryInput(host),), (), {}),
        "images_deep": FleetSpec((), (RegistryInput(host),), (), {"deep": True}),
    }
    results: dict = {"machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()}, "runs": {}}
    try:
        for w in [int(x) for x in args.workers.split(",")]:
            cluster = LocalCluster(n_workers=w, threads_per_worker=1, processes=True, dashboard_address=None,
                                   host="127.0.0.1", silence_logs=50)
            client = Client(cluster)
            try:
                warm = FleetSpec((RepoInput(str(repos[0] / "services")),),
                                 (RegistryInput(host, ("team-a/*",), (), 1),), (), {"deep": True})
                one(warm, client, tmp / "warm.db", 1)  # imports and caches on every worker
                for name, spec in specs.items():
                    r = one(spec, client, tmp / f"{name}-{w}.db", args.batch)
                    results["runs"].setdefault(name, {})[str(w)] = r
                    print(f"{name:20s} workers={w}: {r['units']} units in {r['compute_s']:.2f}s = "
                          f"{r['units_per_s']} units/s (mean {r['mean_unit_ms']} ms wall, {r['mean_unit_cpu_ms']} ms CPU/unit, "
                          f"{r['requests_per_unit']} requests/unit; discovery {r['discovery_s']:.2f}s, "
                          f"{r['discovery_requests']} requests)", flush=True)
            finally:
                client.close()
                cluster.close()
        for name, by_w in results["runs"].items():
            if "1" in by_w and "2" in by_w and by_w["1"]["units_per_s"]:
                by_w["scaling_2_over_1"] = round(by_w["2"]["units_per_s"] / by_w["1"]["units_per_s"], 2)
                print(f"{name:20s} scaling 2/1 workers: {by_w['scaling_2_over_1']}x")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""slimguard audit vs dive on the same ~800 MB image, in one run (run by hand).

    .venv/bin/python bench/audit_bench.py [--runs 3] [--workdir /tmp/slimguard-audit-bench] [--keep]

1. Builds ``slimguard-bench-bloat:scm`` on the local engine if missing (the "bloatbench" recipe on the
   zoo's buildpack-deps:bookworm-scm, which brings it to ~800 MB: + build-essential, git and
   ca-certificates with apt lists left behind, 40 MB of random data and a copy of /usr/share/doc deleted
   in a later layer, a ``chown -R`` of /usr/share/doc, a non-root user). Needs apt through
   ``--network host``.
2. Writes it as a ``docker save`` tar (docker-archive) and as an OCI image layout tar with gzip layers
   (plus a Docker-25-style manifest.json so dive can read it too).
3. Runs ``dive --ci --source docker-archive`` and ``slimguard audit`` on both, ``--runs`` times each,
   alternating, and reports wall time (median), CPU time (the process and its children: slimguard scans
   archive layers in a forked worker), peak RSS (from wait4: the largest single process) and the ratio;
   and measures in the same run how fast this machine can merely decompress the gzip layers (the
   decompression limit: ISA-L when installed, else zlib) and read the uncompressed tar, to show how
   close slimguard gets.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAG = "slimguard-bench-bloat:scm"
DOCKERFILE = """\
FROM buildpack-deps:bookworm-scm
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
      build-essential git ca-certificates
RUN mkdir -p /opt/src && dd if=/dev/urandom of=/opt/src/vendor.bin bs=1M count=40 && \\
    cp -a /usr/share/doc /opt/src/doc-copy
RUN useradd -u 1000 -m app && chown -R app:app /usr/share/doc
RUN rm -rf /opt/src /var/lib/apt/lists/* && apt-get clean
USER app
WORKDIR /home/app
CMD ["bash"]
"""


def build(client) -> None:
    import docker.errors

    try:
        client.images.get(TAG)
        return
    except docker.errors.ImageNotFound:
        pass
    print(f"building {TAG} (apt through --network host; a few minutes once)", file=sys.stderr)
    client.images.build(fileobj=io.BytesIO(DOCKERFILE.encode()), tag=TAG, pull=False, rm=True, network_mode="host")


def save(client, path: str) -> None:
    if os.path.exists(path):
        return
    with open(path + ".part", "wb") as fh:
        for chunk in client.images.get(TAG).save(chunk_size=1 << 20, named=True):
            fh.write(chunk)
    os.replace(path + ".part", path)


def _gzip(data: bytes) -> bytes:
    try:
        from isal import igzip

        return igzip.compress(data, compresslevel=2, mtime=0)
    except ImportError:
        return gzip.compress(data, compresslevel=6, mtime=0)


def to_oci(archive: str, path: str) -> None:
    if os.path.exists(path):
        return
    with tarfile.open(archive) as src, tarfile.open(path + ".part", "w") as out:
        manifest = json.load(src.extractfile("manifest.json"))[0]
        cfg = src.extractfile(manifest["Config"]).read()

        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))

        descs, paths = [], []
        for name in manifest["Layers"]:
            blob = _gzip(src.extractfile(name).read())
            digest = "sha256:" + hashlib.sha256(blob).hexdigest()
            add("blobs/sha256/" + digest[7:], blob)
            descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest,
                          "size": len(blob)})
            paths.append("blobs/sha256/" + digest[7:])
        cdig = "sha256:" + hashlib.sha256(cfg).hexdigest()
        add("blobs/sha256/" + cdig[7:], cfg)
        m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdig,
                                   "size": len(cfg)}, "layers": descs}).encode()
        mdig = "sha256:" + hashlib.sha256(m).hexdigest()
        add("blobs/sha256/" + mdig[7:], m)
        add("oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        add("index.json", json.dumps({"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdig, "size": len(m)}]}).encode())
        add("manifest.json", json.dumps([{"Config": "blobs/sha256/" + cdig[7:], "RepoTags": [TAG],
                                          "Layers": paths}]).encode())
    os.replace(path + ".part", path)


def run(cmd: list[str]) -> tuple[float, int, int, str, float]:
    """-> (wall seconds, peak RSS in MB, exit code, stdout, CPU seconds) of the command alone.

    GNU time reports the child's own peak RSS (wait4 from this, large, process would count pages the
    child inherited before exec)."""
    gnu_time = shutil.which("time") if os.path.exists("/usr/bin/time") else None
    fmt = "%M %U %S"
    full = (["/usr/bin/time", "-f", fmt] if gnu_time or os.path.exists("/usr/bin/time") else []) + cmd
    t0 = time.perf_counter()
    proc = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    rss = cpu = 0.0
    last = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    parts = last[0].split()
    if len(parts) == 3:
        try:
            rss, cpu = int(parts[0]) / 1024, float(parts[1]) + float(parts[2])
        except ValueError:
            pass
    return wall, int(rss), proc.returncode, proc.stdout.decode("utf-8", "replace"), cpu


def decompression_limit(oci: str) -> dict:
    """Decompress every gzip layer of the OCI tar and discard the output: the best any reader can do."""
    sys.path.insert(0, os.path.join(ROOT, "src"))
    from slimguard.image.streams import GZIP_BACKEND, _gzip_impl

    out_bytes = in_bytes = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    with tarfile.open(oci) as t:
        for m in t:
            if not m.isfile() or not m.name.startswith("blobs/"):
                continue
            fh = t.extractfile(m)
            head = fh.read(2)
            if head != b"\x1f\x8b":
                continue
            d = _gzip_impl.decompressobj(wbits=31)
            data = head
            while True:
                chunk = data or fh.read(1 << 20)
                data = b""
                if not chunk:
                    break
                in_bytes += len(chunk)
                out = d.decompress(chunk, 1 << 20)
                out_bytes += len(out)
                while d.unconsumed_tail:
                    out_bytes += len(d.decompress(d.unconsumed_tail, 1 << 20))
    gz = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return {"backend": GZIP_BACKEND, "gzip_seconds": gz, "gzip_cpu_seconds": cpu, "uncompressed_bytes": out_bytes,
            "compressed_bytes": in_bytes, "gzip_MBps": out_bytes / gz / 1e6, "gzip_MBps_cpu": out_bytes / cpu / 1e6}


def read_limit(path: str) -> dict:
    t0 = time.perf_counter()
    n = 0
    with open(path, "rb") as fh:
        while True:
            b = fh.read(1 << 20)
            if not b:
                break
            n += len(b)
    dt = time.perf_counter() - t0
    return {"seconds": dt, "bytes": n, "MBps": n / dt / 1e6}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workdir", default="/tmp/slimguard-audit-bench")
    ap.add_argument("--keep", action="store_true", help="keep the archives for the next run (default: keep)")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    import docker

    client = docker.from_env(timeout=600)
    build(client)
    os.makedirs(args.workdir, exist_ok=True)
    archive = os.path.join(args.workdir, "bloat-scm.docker.tar")
    oci = os.path.join(args.workdir, "bloat-scm.oci-gzip.tar")
    save(client, archive)
    to_oci(archive, oci)
    dive = shutil.which("dive") or os.path.join(os.path.dirname(sys.executable), "dive")
    sg = os.path.join(os.path.dirname(sys.executable), "slimguard")
    if not os.path.exists(sg):
        sg = shutil.which("slimguard") or "slimguard"
    cases = {
        "docker-archive": (archive, [dive, "--ci", "--source", "docker-archive", archive],
                           [sg, "audit", f"docker-archive:{archive}", "--engine", "never", "--format", "json"]),
        "oci-gzip": (oci, [dive, "--ci", "--source", "docker-archive", oci],
                     [sg, "audit", f"oci:{oci}", "--engine", "never", "--format", "json"]),
    }
    results: dict = {"image_size_bytes": client.images.get(TAG).attrs.get("Size"), "cases": {}}
    limits = []
    for name, (path, dcmd, scmd) in cases.items():
        rows: dict = {"dive": [], "slimguard": []}
        last = ""
        for _ in range(args.runs):
            if name == "oci-gzip":
                limits.append(decompression_limit(oci))  # interleaved: the same load as the runs
            if os.path.exists(dive):
                w, rss, rc, _, cpu = run(dcmd)
                rows["dive"].append((w, rss, rc, cpu))
            w, rss, rc, out, cpu = run(scmd)
            rows["slimguard"].append((w, rss, rc, cpu))
            last = out
        summary = json.loads(last)["summary"]["audit"] if last.strip().startswith("{") else {}
        res: dict = {"file_bytes": os.path.getsize(path)}
        for tool, vals in rows.items():
            if vals:
                res[tool] = {"wall_median_s": statistics.median(v[0] for v in vals),
                             "walls_s": [round(v[0], 3) for v in vals],
                             "cpu_median_s": statistics.median(v[3] for v in vals),
                             "peak_rss_mb": max(v[1] for v in vals), "exit": vals[-1][2]}
        if "dive" in res:
            res["speedup"] = res["dive"]["wall_median_s"] / res["slimguard"]["wall_median_s"]
            res["cpu_speedup"] = res["dive"]["cpu_median_s"] / max(1e-9, res["slimguard"]["cpu_median_s"])
        layers_bytes = (summary.get("size") or {}).get("layers_bytes") or 0
        res["slimguard_MBps_uncompressed"] = layers_bytes / res["slimguard"]["wall_median_s"] / 1e6
        res["slimguard_MBps_cpu"] = layers_bytes / max(1e-9, res["slimguard"]["cpu_median_s"]) / 1e6
        res["hidden_bytes"] = (summary.get("size") or {}).get("hidden_bytes")
        res["dive_formula"] = {k: (summary.get("efficiency") or {}).get("dive", {}).get(k)
                               for k in ("efficiency", "wasted_bytes", "user_wasted_percent")}
        results["cases"][name] = res
    lim = dict(limits[0])
    lim["gzip_MBps"] = statistics.median(x["gzip_MBps"] for x in limits)
    lim["gzip_MBps_cpu"] = statistics.median(x["gzip_MBps_cpu"] for x in limits)
    results["decompression_limit"] = lim
    results["decompression_limit_runs"] = limits
    results["read_limit"] = read_limit(archive)
    print(f"image {TAG}: {results['image_size_bytes'] / 1e6:.0f} MB (engine size); {args.runs} runs each")
    print(f"decompression limit ({lim['backend']}, gzip layers only, median of {len(limits)}): "
          f"{lim['gzip_MBps']:.0f} MB/s wall, {lim['gzip_MBps_cpu']:.0f} MB/s per CPU second, of uncompressed output; "
          f"plain read of the docker-archive: {results['read_limit']['MBps']:.0f} MB/s")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (wall times suffer from other load; "
          f"CPU times less)")
    print(f"{'case':16} {'tool':10} {'wall s':>8} {'cpu s':>7} {'peak RSS':>9} {'speedup':>8} {'cpu x':>6}  throughput")
    for name, res in results["cases"].items():
        for tool in ("dive", "slimguard"):
            if tool not in res:
                continue
            r = res[tool]
            extra = ""
            if tool == "slimguard":
                extra = (f"{res['slimguard_MBps_uncompressed']:.0f} MB/s wall, "
                         f"{res['slimguard_MBps_cpu']:.0f} MB/s per CPU second")
                if name == "oci-gzip":
                    extra += (f" ({res['slimguard_MBps_uncompressed'] / lim['gzip_MBps'] * 100:.0f}% / "
                              f"{res['slimguard_MBps_cpu'] / lim['gzip_MBps_cpu'] * 100:.0f}% of the limit)")
            sp = f"{res['speedup']:.2f}x" if tool == "slimguard" and "speedup" in res else ""
            cx = f"{res['cpu_speedup']:.2f}x" if tool == "slimguard" and "cpu_speedup" in res else ""
            print(f"{name:16} {tool:10} {r['wall_median_s']:8.2f} {r['cpu_median_s']:7.2f} {r['peak_rss_mb']:7d}MB "
                  f"{sp:>8} {cx:>6}  {extra}")
        print(f"{'':16} hidden bytes (slimguard) {res['hidden_bytes']}; dive's formula {res['dive_formula']}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

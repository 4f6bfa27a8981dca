"""`slimguard verify`'s own cost, and the fix engine's throughput.

    .venv/bin/python bench/verify_bench.py [--repeat 5] [--count 1000] [--skip-engine]

1. Overhead beyond the two builds (goal: <= 2 s). Each case runs the real CLI in a fresh
   process (`slimguard verify FILE --smoke CMD --format json`) on small Dockerfiles over the
   zoo's stand-in images (tests/zoo.py builds what is missing; nothing is pulled). The two
   builds are timed separately by verify itself (`timings.build_before/build_after`, the
   wall time of each POST /build stream); the rest of the process's wall time is verify's
   overhead: interpreter start-up and imports, the fix, packing the context, the probe
   volume, the probe and smoke containers, clean-up. The smoke command's own run time is
   shown too (it belongs to the user's command, not to verify). Median of --repeat runs.
2. Fix throughput: `fix_text` (what `slimguard fix` and `verify` run) on --count generated
   Dockerfiles (bench/lint_bench.py's generator, same seed), knowledge base only (no
   engine), safe fixes and --unsafe: milliseconds per file.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

CASES = [
    # name, Dockerfile, smoke, zoo images it needs
    ("new user (2 builds)", 'FROM debian:bookworm-slim\nCMD ["true"]\n', "echo hi", ["debian:bookworm-slim"]),
    ("no fix (1 build), distroless", 'FROM gcr.io/distroless/static-debian12:nonroot\nENTRYPOINT ["/hello"]\n',
     "/hello", ["gcr.io/distroless/static-debian12:nonroot"]),
    ("openjdk:8-jre + java -version", 'FROM openjdk:8-jre\nCMD ["java", "-version"]\n', "java -version 2>&1",
     ["openjdk:8-jre"]),
]


def bench_overhead(repeat: int) -> list[dict]:
    from zoo import ensure

    ensure(sorted({img for case in CASES for img in case[3]}))
    slimguard = str(Path(sys.executable).with_name("slimguard"))
    rows = []
    with tempfile.TemporaryDirectory(prefix="verify-bench-") as tmp:
        for name, text, smoke, _ in CASES:
            case_dir = Path(tmp) / str(len(rows))
            case_dir.mkdir()
            df = case_dir / "Dockerfile"
            df.write_text(text)
            samples = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                proc = subprocess.run([slimguard, "verify", str(df), "--smoke", smoke, "--format", "json"],
                                      cwd=case_dir, capture_output=True, text=True)
                wall = time.perf_counter() - t0
                if proc.returncode not in (0, 1):
                    print(proc.stderr, file=sys.stderr)
                    raise SystemExit(f"verify failed on case {name!r} (exit {proc.returncode})")
                r = json.loads(proc.stdout)
                tm = r["timings"]
                builds = tm.get("build_before", 0.0) + tm.get("build_after", 0.0)
                smokes = [s["smoke"]["seconds"] for s in (r["before"], r["after"]) if s.get("smoke")]
                samples.append({
                    "wall": wall, "builds": builds, "rest": wall - builds,
                    "outside": wall - tm["total"],  # start-up, imports, engine ping, fix
                    "run_wait": tm.get("run_wait", 0.0), "cleanup": tm.get("cleanup", 0.0),
                    "smoke": max(smokes) if smokes else 0.0, "verdict": r["verdict"],
                    "kept": r["cleanup"]["kept"],
                })
            med = {k: statistics.median(s[k] for s in samples) for k in
                   ("wall", "builds", "rest", "outside", "run_wait", "cleanup", "smoke")}
            med["name"] = name
            med["verdicts"] = sorted({s["verdict"] for s in samples})
            med["leftovers"] = sum(len(s["kept"]) for s in samples)
            rows.append(med)
    return rows


def bench_fix(count: int) -> list[dict]:
    import random

    from lint_bench import generate

    from slimguard.knowledge.facts import Resolver
    from slimguard.core.config import Config
    from slimguard.core.fixes import FixError
    from slimguard.dockerfile.fix import fix_dockerfile as fix_text
    from slimguard.dockerfile.lint import lint_text
    from slimguard.dockerfile.context import LintOptions

    rng = random.Random(20261128)
    texts = [generate(rng, i) for i in range(count)]
    config = Config(engine="never")
    options = LintOptions()
    resolver = Resolver("never")
    rows = []
    for unsafe in (False, True):
        changed = errors = applied = 0
        times = []
        for i, text in enumerate(texts):
            path = f"{i:05d}.Dockerfile"

            def lint(t: str, _p: str = path) -> list:
                res = lint_text(t, _p, config, options, resolver)
                if res.errors:
                    raise FixError(res.errors[0])
                return res.findings

            t0 = time.perf_counter()
            try:
                res = fix_text(text, lint, unsafe=unsafe)
            except FixError:
                errors += 1
                times.append(time.perf_counter() - t0)
                continue
            times.append(time.perf_counter() - t0)
            changed += res.text != text
            applied += len(res.applied)
        total = sum(times)
        rows.append({"mode": "--unsafe" if unsafe else "safe", "files": count, "seconds": total,
                     "ms_per_file": total / count * 1000, "p95_ms": sorted(times)[int(0.95 * count) - 1] * 1000,
                     "changed": changed, "fixes": applied, "errors": errors})
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--skip-engine", action="store_true", help="only the fix benchmark")
    args = ap.parse_args()
    if not args.skip_engine:
        print(f"verify overhead beyond the two builds (median of {args.repeat}; goal <= 2 s)")
        print(f"{'case':32} {'wall':>6} {'builds':>7} {'rest':>6} | {'start+fix':>9} {'run':>5} "
              f"{'smoke':>5} {'cleanup':>7}  verdict")
        for r in bench_overhead(args.repeat):
            print(f"{r['name']:32} {r['wall']:6.2f} {r['builds']:7.2f} {r['rest']:6.2f} | {r['outside']:9.2f} "
                  f"{r['run_wait']:5.2f} {r['smoke']:5.2f} {r['cleanup']:7.2f}  {','.join(r['verdicts'])}"
                  f"{'' if not r['leftovers'] else '  LEFTOVERS: ' + str(r['leftovers'])}")
        print("  wall: the CLI process; builds: build_before + build_after as verify timed them; rest = wall - builds")
        print("  start+fix: interpreter, imports, engine ping, fix; run: waiting for the containers after the last")
        print("  build (they start while the other image builds); smoke: the smoke command's own container time")
        print()
    print(f"fix of {args.count} generated Dockerfiles (knowledge base only)")
    for r in bench_fix(args.count):
        print(f"  {r['mode']:8} {r['seconds']:6.2f} s  {r['ms_per_file']:6.2f} ms/file  p95 {r['p95_ms']:6.2f} ms  "
              f"{r['changed']} changed, {r['fixes']} fixes, {r['errors']} errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())

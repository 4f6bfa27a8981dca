"""The parser's property tests at 100,000 examples each (CI runs 2,000).

    .venv/bin/python bench/property_bench.py [EXAMPLES]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    n = sys.argv[1] if len(sys.argv) > 1 else "100000"
    env = {**os.environ, "SLIMGUARD_HYPOTHESIS_EXAMPLES": n}
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/test_syntax_properties.py"], cwd=ROOT, env=env)
    print(f"{n} examples per property: exit {proc.returncode} in {time.perf_counter() - t:.0f} s")
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())

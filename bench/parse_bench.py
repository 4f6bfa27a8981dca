"""Parse + model speed of a typical ~1 KB Dockerfile, and `slimguard --version` wall time.

    .venv/bin/python bench/parse_bench.py

Run by hand; prints the figures (no assertions). Goals (issue 2): parse + model well under 1 ms;
`slimguard --version` <= 60 ms.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

TYPICAL = """\
# syntax=docker/dockerfile:1
ARG NODE_VERSION=20.11
FROM node:${NODE_VERSION} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \\
    npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:${NODE_VERSION}-slim
ENV NODE_ENV=production PORT=8080
RUN set -eux; \\
    apt-get update; \\
    apt-get install -y --no-install-recommends ca-certificates tini; \\
    rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/node_modules ./node_modules
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s CMD ["node", "dist/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/server.js"]
"""


def per_call(fn, n: int) -> float:
    for _ in range(50):
        fn()
    samples = []
    for _ in range(7):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t) / n)
    return statistics.median(samples)


def main() -> None:
    from slimguard import parse
    from slimguard.dockerfile.model import build_model

    size = len(TYPICAL.encode())
    t_parse = per_call(lambda: parse(TYPICAL), 300)
    tree = parse(TYPICAL)
    from slimguard.dockerfile.shell import script as shell_script

    def model_uncached():
        shell_script._cached.cache_clear()  # a new file: no shell analysis is cached
        return build_model(parse(TYPICAL), {}, base_user=lambda image: None)

    t_model = per_call(model_uncached, 200)
    t_model_cached = per_call(lambda: build_model(parse(TYPICAL), {}, base_user=lambda image: None), 200)
    runs = sum(1 for i in tree.instructions if i.name == "RUN")
    print(f"typical Dockerfile: {size} bytes, {len(tree.instructions)} instructions ({runs} RUN)")
    print(f"parse:                          {t_parse * 1e3:.3f} ms")
    print(f"parse + model:                  {t_model * 1e3:.3f} ms  (includes the tree-sitter-bash analysis of every RUN)")
    print(f"parse + model, RUNs cached:     {t_model_cached * 1e3:.3f} ms  (shell analyses reused, e.g. fix re-lints)")

    exe = Path(sys.executable).with_name("slimguard")
    walls = []
    for _ in range(15):
        t = time.perf_counter()
        subprocess.run([str(exe), "--version"], check=True, capture_output=True, env={**os.environ})
        walls.append(time.perf_counter() - t)
    base = []
    for _ in range(15):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, capture_output=True)
        base.append(time.perf_counter() - t)
    print(f"slimguard --version: median {statistics.median(walls) * 1e3:.1f} ms "
          f"(bare python start {statistics.median(base) * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()

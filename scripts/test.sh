#!/usr/bin/env bash
# slimguard's test command:  bash scripts/test.sh [pytest args...]
#
# Works on a fresh clone as root without stdin (CI=true is fine):
#   1. creates .venv if missing and installs the project with its test extras
#      (again only when pyproject.toml changed);
#   2. makes sure a Docker engine answers (scripts/ensure-docker.sh: installs docker.io,
#      mmdebstrap, busybox-static, starts dockerd). SLIMGUARD_NO_DOCKER=1 skips this
#      and the engine tests;
#   3. runs pytest and returns its exit code ("no tests collected" counts as failure).
# Engine tests build stand-in base images on first use (tests/zoo.py; several minutes
# once, seconds afterwards).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
export PYTHONDONTWRITEBYTECODE="${PYTHONDONTWRITEBYTECODE:-1}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

say() { echo "[test.sh] $*" >&2; }

# --- 1. virtualenv -------------------------------------------------------------------
PY=".venv/bin/python"
if [ ! -x "$PY" ]; then
    say "creating .venv"
    if ! python3 -m venv .venv 2>/tmp/slimguard-venv.log; then
        # Debian splits ensurepip into python3-venv
        source scripts/ensure-docker.sh
        sg_apt_install python3-venv && rm -rf .venv && python3 -m venv .venv || {
            cat /tmp/slimguard-venv.log >&2; say "cannot create .venv"; exit 1; }
    fi
fi
stamp=".venv/.slimguard-install-stamp"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! "$PY" -c 'import slimguard, pytest' 2>/dev/null; then
    say "installing slimguard[test] into .venv"
    if ! "$PY" -m pip install -q -e '.[test]' </dev/null; then
        say "pip install -e '.[test]' failed"
        exit 1
    fi
    echo "$want" >"$stamp"
fi

# --- 2. Docker engine ----------------------------------------------------------------
if [ "${SLIMGUARD_NO_DOCKER:-}" = "1" ]; then
    say "SLIMGUARD_NO_DOCKER=1: not starting Docker; engine tests are skipped"
else
    # shellcheck source=scripts/ensure-docker.sh
    source scripts/ensure-docker.sh
    if ! sg_ensure_docker; then
        say "no Docker engine: engine tests cannot run (set SLIMGUARD_NO_DOCKER=1 to skip them)"
        exit 1
    fi
fi

# --- 3. pytest -----------------------------------------------------------------------
"$PY" -m pytest -q -rfEs "$@" </dev/null
rc=$?
if [ "$rc" -eq 5 ]; then
    say "pytest collected no tests: failing"
    exit 1
fi
exit "$rc"

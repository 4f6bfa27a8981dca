#!/usr/bin/env bash
# Make sure a Docker engine answers on this machine, for slimguard's tests and benchmarks.
#
#   bash scripts/ensure-docker.sh        # install what is missing, start dockerd, exit 0/1
#   source scripts/ensure-docker.sh      # only defines the functions below
#
# sg_ensure_packages  installs Debian's docker.io, mmdebstrap and busybox-static when
#                     missing, and npm when there is none (apt-get update once; needs
#                     root and a Debian mirror).
# sg_ensure_docker    starts dockerd in the background when `docker info` does not answer:
#                     no bridge, no iptables, log in $SG_DOCKERD_LOG. Storage driver:
#                     $SLIMGUARD_DOCKER_STORAGE_DRIVER if set, else overlay2, falling back to
#                     fuse-overlayfs (when /dev/fuse exists) and finally vfs. Returns non-zero
#                     with the tail of the daemon log when the engine cannot be started.
#                     $SLIMGUARD_DOCKERD_ARGS adds dockerd flags, e.g. for a second engine:
#                     SLIMGUARD_DOCKERD_ARGS="-H unix:///run/d2.sock --data-root /var/lib/d2
#                     --exec-root /run/d2 --pidfile /run/d2.pid" DOCKER_HOST=unix:///run/d2.sock
#
# Nothing here pulls images: no registry is reachable; tests build stand-ins (tests/zoo.py).

SG_DOCKERD_LOG="${SG_DOCKERD_LOG:-/tmp/slimguard-dockerd.log}"
SG_DOCKER_PACKAGES="${SG_DOCKER_PACKAGES:-docker.io mmdebstrap busybox-static docker-registry apache2-utils docker-compose}"

sg_log() { echo "[ensure-docker] $*" >&2; }

sg_docker_answers() {
    command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1
}

sg_pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

sg_apt_updated=""
sg_apt_install() {
    # sg_apt_install PKG... : install the packages that are not installed yet
    local missing=() p
    for p in "$@"; do sg_pkg_installed "$p" || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        sg_log "missing Debian packages ${missing[*]} and not root: install them first"
        return 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        sg_log "missing ${missing[*]} and no apt-get here (slimguard's engine setup expects Debian 12)"
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "$sg_apt_updated" ]; then
        sg_log "apt-get update"
        apt-get update -qq >/tmp/slimguard-apt.log 2>&1 || { tail -n 20 /tmp/slimguard-apt.log >&2; return 1; }
        sg_apt_updated=1
    fi
    sg_log "installing ${missing[*]}"
    if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >>/tmp/slimguard-apt.log 2>&1; then
        sg_log "apt-get install ${missing[*]} failed:"
        tail -n 20 /tmp/slimguard-apt.log >&2
        return 1
    fi
}

sg_ensure_packages() {
    # shellcheck disable=SC2086
    sg_apt_install $SG_DOCKER_PACKAGES || return 1
    # the zoo fetches npm/yarn tarballs with `npm pack`; use the machine's npm when present
    command -v npm >/dev/null 2>&1 || sg_apt_install npm
}

# Start dockerd with one storage driver; wait up to $2 seconds for it to answer.
sg_start_dockerd() {
    local driver="$1" wait="${2:-60}" pid i
    sg_log "starting dockerd (storage driver $driver), log: $SG_DOCKERD_LOG"
    {
        echo "=== $(date -u +%FT%TZ) dockerd --storage-driver=$driver"
    } >>"$SG_DOCKERD_LOG"
    # Containers get --network none and builds --network host, so no bridge and no
    # iptables rules are needed (and this sandbox may not allow them).
    # In its own session, detached from this shell; `set +m` keeps the job out of a
    # process group of its own so that setsid does not fork and $! is dockerd's pid.
    # shellcheck disable=SC2086
    pid=$(
        set +m
        setsid nohup dockerd \
            --bridge=none --iptables=false --ip6tables=false \
            --storage-driver="$driver" ${SLIMGUARD_DOCKERD_ARGS:-} \
            >>"$SG_DOCKERD_LOG" 2>&1 </dev/null &
        echo $!
    )
    for ((i = 0; i < wait; i++)); do
        if sg_docker_answers; then
            sg_log "dockerd is up (pid $pid, $driver)"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            sg_log "dockerd ($driver) exited"
            return 1
        fi
        sleep 1
    done
    sg_log "dockerd ($driver) did not answer within ${wait}s; stopping it"
    kill "$pid" 2>/dev/null
    for ((i = 0; i < 15; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null
    return 1
}

# The last attempt's log lines, warnings and errors first choice (info lines are grpc noise).
sg_dockerd_log_tail() {
    local last
    last=$(awk '/^=== /{buf=""} {buf = buf $0 "\n"} END{printf "%s", buf}' "$SG_DOCKERD_LOG" 2>/dev/null)
    if printf '%s' "$last" | grep -q -v -E 'level=(info|debug)'; then
        printf '%s\n' "$last" | grep -v -E 'level=(info|debug)' | tail -n 20
    else
        printf '%s\n' "$last" | tail -n 20
    fi
}

sg_ensure_docker() {
    if sg_docker_answers; then
        return 0
    fi
    sg_ensure_packages || return 1
    if sg_docker_answers; then  # e.g. socket activation after install
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        sg_log "the Docker engine does not answer and starting dockerd needs root"
        return 1
    fi
    local drivers driver
    if [ -n "${SLIMGUARD_DOCKER_STORAGE_DRIVER:-}" ]; then
        drivers="$SLIMGUARD_DOCKER_STORAGE_DRIVER"
    else
        drivers="overlay2"
        [ -e /dev/fuse ] && drivers="$drivers fuse-overlayfs"
        drivers="$drivers vfs"
    fi
    for driver in $drivers; do
        if [ "$driver" = fuse-overlayfs ]; then
            sg_apt_install fuse-overlayfs || continue
        fi
        if sg_start_dockerd "$driver" 60; then
            return 0
        fi
    done
    sg_log "could not start the Docker engine (tried: $drivers). Last lines of $SG_DOCKERD_LOG:"
    sg_dockerd_log_tail >&2
    return 1
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -uo pipefail
    sg_ensure_docker
    exit $?
fi

"""The zoo: locally built stand-ins for official base images.

No container registry can be reached from slimguard's test machines, so nothing
can be pulled. This module builds images that mirror the *structure* of the
official images the seed scenarios use (users and uids, default user,
toolchains in the default tag, no toolchain in -slim, JDK vs JRE, no shell in
distroless) and tags them with the official names, so Dockerfiles such as
``FROM node:12.16`` build offline.

Images (stand-in -> what it mirrors; aliases in brackets):

- ``busybox:latest`` [busybox]: Debian's busybox-static binary in /bin plus one
  symlink per applet, /etc/passwd, /etc/group and /etc/shadow with root (0) and
  nobody (65534); ``CMD ["sh"]``; runs as root. Made with ``docker import``.
  Debian's build lacks the adduser/addgroup applets: /bin/adduser and
  /bin/addgroup are small ash scripts with busybox's options and id rules.
- ``debian:bookworm`` [debian:12]: ``mmdebstrap --variant=minbase`` from this
  host's Debian mirror, merged /usr, plus the docker apt/dpkg tweaks of the real
  image (policy-rc.d, docker-clean, no translations, gzip indexes);
  ``CMD ["bash"]``. Made with ``docker import``.
- ``debian:bookworm-slim`` [debian:12-slim]: the same, plus the real slim
  variant's dpkg ``path-exclude`` rules (docs, man, info, groff, lintian,
  locales; copyright files kept), which also apply to later ``apt-get install``.
- ``buildpack-deps:bookworm-curl`` / ``-scm`` / ``bookworm``: the real
  buildpack-deps Dockerfiles (stacked, ``--no-install-recommends``, apt lists
  removed) with the full upstream package lists. Nothing dropped.
- ``node:12.16`` [node:12, node:latest]: buildpack-deps:bookworm + Debian's
  ``nodejs`` (Node 18, not 12; linked as /usr/local/bin/node), npm 10.8.2 in
  /usr/local/lib/node_modules/npm and yarn 1.22.22 in /opt/yarn-v1.22.22 (the
  official layout; tarballs fetched once with the host's ``npm pack``, cached
  in ~/.cache/slimguard-zoo, sha512-checked), group/user ``node`` 1000:1000
  (home /home/node, shell /bin/bash), ``ENTRYPOINT ["docker-entrypoint.sh"]``,
  ``CMD ["node"]``; runs as root.
- ``node:12.16-slim`` [node:12-slim]: debian:bookworm-slim + the same node,
  npm, yarn, user, entrypoint and CMD.
- ``openjdk:8`` [openjdk:8-jdk, openjdk:11, openjdk:11-jdk, openjdk:latest]:
  buildpack-deps:bookworm-scm + ``openjdk-17-jdk-headless`` (Java 17, not 8;
  bookworm has no Java 8). ``JAVA_HOME=/usr/local/openjdk-8`` (a symlink to
  the Debian JVM dir, same path as the real image), ``PATH=$JAVA_HOME/bin:...``,
  ``LANG=C.UTF-8``; no CMD of its own (inherits ``bash``, as the real 8 tags).
- ``openjdk:8-jre`` [openjdk:11-jre]: buildpack-deps:bookworm-curl +
  ``openjdk-17-jre-headless``; no javac.
- ``openjdk:8-jre-slim`` [openjdk:11-jre-slim]: debian:bookworm-slim +
  ``openjdk-17-jre-headless``.
- ``gcr.io/distroless/static-debian12:nonroot``
  [gcr.io/distroless/static:nonroot]: ``FROM scratch`` with /etc/passwd (root 0,
  nobody 65534, nonroot 65532), /etc/group, /etc/nsswitch.conf,
  /etc/os-release, /home/nonroot (owned by 65532), /tmp (1777) and one static
  binary ``/hello`` (compiled with ``gcc -static`` in buildpack-deps:bookworm)
  that prints its uid and gid. ``USER 65532:65532``, ``WORKDIR /home/nonroot``,
  no ENTRYPOINT/CMD (as upstream), no shell, no CA bundle, no tzdata.
- ``nginx:latest`` [nginx:1.25, nginx:stable, nginx:bookworm]:
  debian:bookworm-slim + Debian's ``nginx`` (1.22, not 1.25) in the official
  image's layout: group/user ``nginx`` 101:101 (home /nonexistent, shell
  /bin/false), /etc/nginx/nginx.conf with ``user nginx``, pid
  /var/run/nginx.pid and temp paths in /var/cache/nginx (root-owned, so the
  root master creates them), conf.d/default.conf on port 80 serving
  /usr/share/nginx/html, access/error logs linked to /dev/stdout and
  /dev/stderr, no sites-enabled, ``ENTRYPOINT ["/docker-entrypoint.sh"]``
  (runs /docker-entrypoint.d hooks), ``EXPOSE 80``, ``STOPSIGNAL SIGQUIT``,
  ``CMD ["nginx", "-g", "daemon off;"]``; runs as root. ``--user 10001``
  makes it fail (temp dirs, pid file, port 80).
- ``nginxinc/nginx-unprivileged:latest`` [:1.25, :stable, :bookworm]: the same
  steps (the build cache shares nginx's layers) plus upstream's edits: listen
  8080, no ``user``, pid and temp paths in /tmp, /etc/nginx and
  /var/cache/nginx owned by 101:0 and group-writable; ``EXPOSE 8080`` only,
  ``USER 101``. Not ``FROM nginx:latest``, which would leak ``EXPOSE 80``.
- ``golang:1.22`` [golang:1.22-bookworm, golang:1.21, golang:latest,
  golang:bookworm]: buildpack-deps:bookworm-scm + g++, gcc, libc6-dev, make,
  pkg-config and Debian's ``golang-go`` (Go 1.19); /usr/local/go links to
  Debian's GOROOT, ``GOPATH=/go``, ``PATH=/go/bin:/usr/local/go/bin:...``,
  ``GOTOOLCHAIN=local``, /go/src and /go/bin, /go chmod 1777, ``WORKDIR /go``;
  runs as root, inherits ``CMD ["bash"]``.
- ``rust:1`` [rust:latest, rust:1-bookworm]: buildpack-deps:bookworm + Debian's
  ``rustc`` 1.63 and ``cargo``, ``CARGO_HOME=/usr/local/cargo`` (bin/ links to
  /usr/bin), ``RUSTUP_HOME=/usr/local/rustup`` (empty: no rustup), both a+w,
  ``PATH=/usr/local/cargo/bin:...``; runs as root.
- ``gcr.io/distroless/cc-debian12:nonroot`` [gcr.io/distroless/cc:nonroot]: the
  static stand-in + the shared libraries of Debian's libc6, libgcc-s1 and
  libstdc++6 (copied from debian:bookworm-slim; no gconv modules), enough for
  glibc-linked Rust/C binaries.
- ``python:3.11-slim`` [python:3.11-slim-bookworm]: debian:bookworm-slim +
  Debian's ``python3`` (3.11), ``python3-venv`` and ``python3-pip`` with
  ``--no-install-recommends`` (no gcc, no -dev headers), linked as the official
  image has them: /usr/local/bin/python3 and python, pip3 and pip;
  ``LANG=C.UTF-8``, ``PATH=/usr/local/bin:...``, ``CMD ["python3"]``; Debian's
  EXTERNALLY-MANAGED marker removed, so ``pip install`` works as in the
  official image; runs as root.

Caching: every image carries the label ``org.slimguard.zoo.recipe`` = sha256 of
its recipe (Dockerfile text, context files, build script / mmdebstrap options,
package lists, import changes) and of its parents' recipe hashes. A tag whose
image already carries the expected label is not rebuilt; changing a recipe
rebuilds it and everything built on it. Package *versions* are not part of the
hash: a cached image keeps the versions it was built with (``build --force``
refreshes). A file lock (``/tmp/slimguard-zoo.lock``) serialises concurrent
``ensure()`` calls from parallel test processes.

Builds: ``docker build --network host --pull=false`` with the legacy builder
(``DOCKER_BUILDKIT=0`` unless the caller set DOCKER_BUILDKIT) because buildx is
not installed here; base images are created with ``docker import``. Build logs
go to ``/tmp/slimguard-zoo/<tag>.log``; progress goes to stderr.

Usage::

    from zoo import ensure
    ids = ensure(["node:12.16"])      # {"node:12.16": "sha256:...", ...}

    python tests/zoo.py build [NAME...] [--force] [-v]
    python tests/zoo.py list
    python tests/zoo.py prune     # drop dangling images of superseded builds
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

# Bump to force a rebuild of every zoo image (e.g. after changing build logic
# that is not captured by the recipe texts below).
ZOO_FORMAT = "1"
LABEL = "org.slimguard.zoo.recipe"
LABEL_TAG = "org.slimguard.zoo.tag"
# one lock per engine: /tmp/slimguard-zoo.lock, or .../slimguard-zoo-<hash of DOCKER_HOST>.lock
_HOST_SUFFIX = (
    "-" + hashlib.sha256(os.environ["DOCKER_HOST"].encode()).hexdigest()[:8] if os.environ.get("DOCKER_HOST") else ""
)
LOCK_PATH = Path(os.environ.get("SLIMGUARD_ZOO_LOCK", f"/tmp/slimguard-zoo{_HOST_SUFFIX}.lock"))
LOG_DIR = Path(os.environ.get("SLIMGUARD_ZOO_LOGDIR", "/tmp/slimguard-zoo"))
BUILD_TIMEOUT = int(os.environ.get("SLIMGUARD_ZOO_TIMEOUT", "3600"))
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

SUITE = "bookworm"


class ZooError(RuntimeError):
    """A zoo image could not be built or inspected."""


# --------------------------------------------------------------------------
# recipes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    tag: str
    kind: str  # "import-busybox" | "import-debian" | "dockerfile"
    mirrors: str  # one line: what the stand-in mirrors
    parents: tuple[str, ...] = ()
    dockerfile: str = ""
    files: tuple[tuple[str, str, int], ...] = ()  # (path in context, text, mode)
    # tarballs written into the build context: (name, ((path, text or None for a dir, mode, uid=gid), ...));
    # `ADD name.tar /` keeps their owners and modes, which COPY cannot set per file
    tars: tuple[tuple[str, tuple[tuple[str, str | None, int, int], ...]], ...] = ()
    options: tuple[str, ...] = ()  # kind-specific options (hashed)
    aliases: tuple[str, ...] = ()

    def own_text(self) -> str:
        fields = {
            "format": ZOO_FORMAT,
            "tag": self.tag,
            "kind": self.kind,
            "parents": list(self.parents),
            "dockerfile": self.dockerfile,
            "files": [list(f) for f in self.files],
            "tars": [[name, [list(e) for e in entries]] for name, entries in self.tars],
            "options": list(self.options),
            "extra": _kind_extra(self),
        }
        # empty fields are left out, so that adding a field keeps existing hashes
        return json.dumps({k: v for k, v in fields.items() if v}, sort_keys=True)


def _apt(packages: str, extra: str = "") -> str:
    """A RUN line in the style of the official images."""
    pkgs = " \\\n\t\t".join(packages.split())
    tail = f"; \\\n\t{extra}" if extra else ""
    return (
        "RUN set -eux; \\\n"
        "\tapt-get update; \\\n"
        "\tapt-get install -y --no-install-recommends \\\n"
        f"\t\t{pkgs} \\\n"
        f"\t; \\\n\trm -rf /var/lib/apt/lists/*{tail}\n"
    )


# buildpack-deps@8330ca1 debian/bookworm/{curl/,scm/,}Dockerfile
BPD_CURL = "ca-certificates curl gnupg netbase sq wget"
BPD_SCM = "git mercurial openssh-client subversion procps"
BPD_FULL = (
    "autoconf automake bzip2 default-libmysqlclient-dev dpkg-dev file g++ gcc "
    "imagemagick libbz2-dev libc6-dev libcurl4-openssl-dev libdb-dev libevent-dev "
    "libffi-dev libgdbm-dev libglib2.0-dev libgmp-dev libjpeg-dev libkrb5-dev "
    "liblzma-dev libmagickcore-dev libmagickwand-dev libmaxminddb-dev "
    "libncurses5-dev libncursesw5-dev libpng-dev libpq-dev libreadline-dev "
    "libsqlite3-dev libssl-dev libtool libwebp-dev libxml2-dev libxslt-dev "
    "libyaml-dev make patch unzip xz-utils zlib1g-dev"
)

NODE_ENTRYPOINT = """\
#!/bin/sh
set -e

# Like the official node image: if the first argument looks like an option
# (or is not a command), run it with node.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi

exec "$@"
"""


# npm and yarn as in the official node image (/usr/local/lib/node_modules/npm,
# /opt/yarn-v*), fetched with the host's `npm pack` and checked against these
# sha512 integrities; Debian's own npm package would drag ~470 packages
# (python3, libssl-dev, webpack, ...) into the slim image.
NPM_TARBALLS: tuple[tuple[str, str, str, str], ...] = (
    # (package, version, integrity, directory in the build context)
    ("npm", "10.8.2",
     "sha512-x/AIjFIKRllrhcb48dqUNAAZl0ig9+qMuN91RpZo3Cb2+zuibfh+KISl6+kVVyktDz230JKc208UkQwwMqyB+w==", "npm"),
    ("yarn", "1.22.22",
     "sha512-prL3kGtyG7o9Z9Sv8IPfBNrWTDmXB4Qbes8A9rEzt6wkJV8mUvoirjU0Mp3GGAU06Y0XQyA3/2/RQFVuK7MTfg==", "yarn"),
)
YARN_VERSION = "1.22.22"


def _node_dockerfile(base: str) -> str:
    return (
        f"FROM {base}\n"
        "RUN groupadd --gid 1000 node \\\n"
        "\t&& useradd --uid 1000 --gid node --shell /bin/bash --create-home node\n"
        + _apt("nodejs", "ln -s /usr/bin/node /usr/local/bin/node; node --version")
        + f"ENV YARN_VERSION={YARN_VERSION}\n"
        "COPY npm/ /usr/local/lib/node_modules/npm/\n"
        f"COPY yarn/ /opt/yarn-v{YARN_VERSION}/\n"
        "RUN set -eux; \\\n"
        "\tln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm; \\\n"
        "\tln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx; \\\n"
        f"\tln -s /opt/yarn-v{YARN_VERSION}/bin/yarn /usr/local/bin/yarn; \\\n"
        f"\tln -s /opt/yarn-v{YARN_VERSION}/bin/yarnpkg /usr/local/bin/yarnpkg; \\\n"
        "\tnpm --version; yarn --version\n"
        "COPY docker-entrypoint.sh /usr/local/bin/\n"
        'ENTRYPOINT ["docker-entrypoint.sh"]\n'
        'CMD ["node"]\n'
    )


def _openjdk_dockerfile(base: str, package: str) -> str:
    # bookworm has no Java 8: Java 17 stands in. JAVA_HOME keeps the real
    # image's path (/usr/local/openjdk-8) as a symlink to Debian's JVM dir.
    return (
        f"FROM {base}\n"
        "ENV LANG=C.UTF-8\n"
        "ENV JAVA_HOME=/usr/local/openjdk-8\n"
        "ENV PATH=/usr/local/openjdk-8/bin:" + DEFAULT_PATH + "\n"
        # slim images lack /usr/share/man/man1, which update-alternatives needs
        "RUN mkdir -p /usr/share/man/man1\n"
        + _apt(
            package,
            'ln -s "$(dirname "$(dirname "$(readlink -f /usr/bin/java)")")" "$JAVA_HOME"; '
            "java -version",
        )
    )


HELLO_C = """\
/* Smoke-test binary of the distroless stand-in: prints who it runs as. */
#include <stdio.h>
#include <unistd.h>

int main(void) {
    printf("hello from the slimguard zoo: uid=%d gid=%d\\n", (int)getuid(), (int)getgid());
    return 0;
}
"""

DISTROLESS_PASSWD = """\
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
"""
DISTROLESS_GROUP = """\
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
"""
DISTROLESS_OS_RELEASE = """\
PRETTY_NAME="Distroless"
NAME="Debian GNU/Linux"
ID="debian"
VERSION_ID="12"
VERSION="Debian GNU/Linux 12 (bookworm)"
HOME_URL="https://github.com/GoogleContainerTools/distroless"
"""
DISTROLESS_NSSWITCH = """\
passwd:         files
group:          files
shadow:         files
hosts:          files dns
networks:       files
protocols:      files
services:       files
ethers:         files
rpc:            files
"""

DISTROLESS_DOCKERFILE = f"""\
FROM buildpack-deps:{SUITE} AS build
COPY hello.c /src/hello.c
RUN gcc -static -Os -s -o /hello /src/hello.c && /hello

FROM scratch
ADD rootfs.tar /
COPY --from=build /hello /hello
ENV PATH={DEFAULT_PATH}
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /home/nonroot
"""

# nginx: the layout of nginx/docker-nginx's mainline/debian image (user nginx
# 101, logs symlinked to stdout/stderr, servers in conf.d, temp files under
# /var/cache/nginx, /docker-entrypoint.sh) around Debian's own nginx binary.
# In bookworm the `nginx` package holds /usr/sbin/nginx with the static modules
# and no dynamic ones; nginx-light and nginx-core only add libnginx-mod-* on top.
NGINX_CONF = """\
# /etc/nginx/nginx.conf of the slimguard zoo's nginx stand-in, shaped like the
# official image's: both logs are symlinks to the container's stdout/stderr,
# the servers live in conf.d.
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;

events {
    worker_connections  1024;
}

http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    # nginx.org's packages have these compiled in; Debian's build would use /var/lib/nginx
    client_body_temp_path  /var/cache/nginx/client_temp;
    proxy_temp_path        /var/cache/nginx/proxy_temp;
    fastcgi_temp_path      /var/cache/nginx/fastcgi_temp;
    uwsgi_temp_path        /var/cache/nginx/uwsgi_temp;
    scgi_temp_path         /var/cache/nginx/scgi_temp;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';
    access_log  /var/log/nginx/access.log  main;

    sendfile           on;
    keepalive_timeout  65;

    include /etc/nginx/conf.d/*.conf;
}
"""

NGINX_DEFAULT_CONF = """\
# The one server of the zoo's nginx stand-in: the static welcome page.
server {
    listen       80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
"""

NGINX_INDEX_HTML = """\
<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>This page is served by the slimguard zoo's stand-in for the nginx image
(Debian's nginx binary in the official image's layout).</p>
</body>
</html>
"""

NGINX_50X_HTML = """\
<!DOCTYPE html>
<html>
<head>
<title>Error</title>
</head>
<body>
<h1>An error occurred.</h1>
<p>The page you are looking for is temporarily unavailable.</p>
</body>
</html>
"""

NGINX_ENTRYPOINT = """\
#!/bin/sh
# slimguard zoo stand-in for the nginx image's /docker-entrypoint.sh. When the
# command is nginx (or nginx-debug), the hooks in /docker-entrypoint.d run
# first, in name order: executable *.envsh files are sourced, executable *.sh
# files are run, anything else is skipped. Then the command replaces the shell.
# NGINX_ENTRYPOINT_QUIET_LOGS=1 silences the messages.
set -e

say() {
  [ -n "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] || echo "$0: $*"
}

if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
  for hook in /docker-entrypoint.d/*; do
    [ -f "$hook" ] || continue
    if [ ! -x "$hook" ]; then
      say "skipping $hook (not executable)"
      continue
    fi
    case "$hook" in
      *.envsh) say "sourcing $hook"; . "$hook" ;;
      *.sh) say "running $hook"; "$hook" ;;
      *) say "skipping $hook (neither *.sh nor *.envsh)" ;;
    esac
  done
  say "configuration complete; ready for start up"
fi

exec "$@"
"""

NGINX_FILES: tuple[tuple[str, str, int], ...] = (
    ("nginx.conf", NGINX_CONF, 0o644),
    ("default.conf", NGINX_DEFAULT_CONF, 0o644),
    ("index.html", NGINX_INDEX_HTML, 0o644),
    ("50x.html", NGINX_50X_HTML, 0o644),
    ("docker-entrypoint.sh", NGINX_ENTRYPOINT, 0o755),
)

NGINX_CMD = 'CMD ["nginx", "-g", "daemon off;"]\n'


def _nginx_dockerfile(unprivileged: bool) -> str:
    """nginx:latest, or its nginxinc/nginx-unprivileged twin.

    Both start with the same instructions on debian:bookworm-slim, so the
    legacy builder's cache gives the twin nginx's layers. The twin does not say
    ``FROM nginx:latest``: it would inherit ``EXPOSE 80``, which no Dockerfile
    instruction can take back, and the real unprivileged image exposes 8080
    only (it is built from its own Dockerfile, not from nginx).
    """
    common = (
        f"FROM debian:{SUITE}-slim\n"
        "RUN set -eux; \\\n"
        "\tgroupadd --system --gid 101 nginx; \\\n"
        "\tuseradd --system --gid nginx --no-create-home --home /nonexistent \\\n"
        '\t\t--comment "nginx user" --shell /bin/false --uid 101 nginx\n'
        + _apt(
            "nginx",
            # only conf.d applies, as in the official image
            "rm -rf /etc/nginx/sites-enabled /etc/nginx/sites-available /var/www; \\\n"
            "\tmkdir -p /var/cache/nginx /docker-entrypoint.d; \\\n"
            "\tln -sf /dev/stdout /var/log/nginx/access.log; \\\n"
            "\tln -sf /dev/stderr /var/log/nginx/error.log",
        )
        + "COPY nginx.conf /etc/nginx/nginx.conf\n"
        "COPY default.conf /etc/nginx/conf.d/default.conf\n"
        "COPY index.html 50x.html /usr/share/nginx/html/\n"
        "COPY docker-entrypoint.sh /\n"
        # `nginx -t` creates the temp dirs; the real image has none until the
        # master (as root) makes them, owned by nginx, on its first start
        "RUN set -eux; nginx -t; rm -rf /var/cache/nginx/*; nginx -v\n"
        'ENTRYPOINT ["/docker-entrypoint.sh"]\n'
    )
    if not unprivileged:
        return common + "EXPOSE 80\nSTOPSIGNAL SIGQUIT\n" + NGINX_CMD
    # nginxinc/docker-nginx-unprivileged's changes: port 8080, no `user`, pid and
    # temp files in /tmp, config and cache owned by $UID:0 and group-writable
    return common + (
        "ARG UID=101\n"
        "RUN set -eux; \\\n"
        "\tsed -i 's/^\\(\\s*listen\\s*\\)80;/\\18080;/' /etc/nginx/conf.d/default.conf; \\\n"
        "\tsed -i -e '/^user\\s/d' -e 's,/var/run/nginx\\.pid,/tmp/nginx.pid,' \\\n"
        "\t\t-e 's,/var/cache/nginx/\\([a-z]*_temp\\);,/tmp/\\1;,' /etc/nginx/nginx.conf; \\\n"
        '\tchown -R "$UID:0" /var/cache/nginx /etc/nginx; \\\n'
        "\tchmod -R g+w /var/cache/nginx /etc/nginx; \\\n"
        "\tgrep -q 'listen *8080;' /etc/nginx/conf.d/default.conf; \\\n"
        "\t! grep -nE '^user|/var/run|/var/cache' /etc/nginx/nginx.conf\n"
        "EXPOSE 8080\n"
        "STOPSIGNAL SIGQUIT\n"
        "USER $UID\n"
        + NGINX_CMD
    )


# golang: docker-library/golang's bookworm layout (FROM buildpack-deps:*-scm +
# the C toolchain cgo needs, GOROOT at /usr/local/go, GOPATH=/go, 1777) around
# Debian's Go 1.19 (bookworm has no 1.21/1.22).
GOLANG_DOCKERFILE = (
    f"FROM buildpack-deps:{SUITE}-scm\n"
    + _apt(
        "g++ gcc libc6-dev make pkg-config golang-go",
        'ln -s "$(readlink -f /usr/lib/go)" /usr/local/go; /usr/local/go/bin/go version',
    )
    + "ENV GOTOOLCHAIN=local\n"
    "ENV GOPATH=/go\n"
    "ENV PATH=/go/bin:/usr/local/go/bin:$PATH\n"
    'RUN mkdir -p "$GOPATH/src" "$GOPATH/bin" && chmod -R 1777 "$GOPATH"\n'
    "WORKDIR $GOPATH\n"
)

# rust: rust-lang/docker-rust's bookworm layout (FROM buildpack-deps, rustup and
# cargo homes under /usr/local, world-writable) around Debian's rustc 1.63 and
# cargo; there is no rustup, so /usr/local/cargo/bin holds links to /usr/bin.
RUST_DOCKERFILE = (
    f"FROM buildpack-deps:{SUITE}\n"
    "ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:$PATH\n"
    + _apt(
        "rustc cargo",
        'mkdir -p "$RUSTUP_HOME" "$CARGO_HOME/bin"; \\\n'
        "\tfor t in cargo rustc rustdoc; do \\\n"
        '\t\t[ ! -e "/usr/bin/$t" ] || ln -s "/usr/bin/$t" "$CARGO_HOME/bin/$t"; \\\n'
        "\tdone; \\\n"
        '\tchmod -R a+w "$RUSTUP_HOME" "$CARGO_HOME"; \\\n'
        "\tcargo --version; rustc --version",
    )
)

# distroless cc: the static stand-in plus the shared libraries of Debian's
# libc6, libgcc-s1 and libstdc++6, copied file by file (as shipped, so under
# /lib and /usr/lib, ld.so linked from /lib64) from debian:bookworm-slim, where
# all three are installed. gconv modules and /usr/share are left out, and so
# are merged-/usr's directory links (/lib -> usr/lib): distroless has none.
DISTROLESS_CC_DOCKERFILE = f"""\
FROM debian:{SUITE}-slim AS libs
RUN set -eux; \\
	dpkg -L libc6 libgcc-s1 libstdc++6 | sort -u | while read -r f; do \\
		case "$f" in /usr/share/*|*/gconv/*) continue ;; esac; \\
		if [ -f "$f" ] || {{ [ -L "$f" ] && [ ! -d "$f" ]; }}; then echo "${{f#/}}"; fi; \\
	done > /tmp/files; \\
	mkdir /out; \\
	tar -C / -cf - -T /tmp/files | tar -C /out -xf -; \\
	find /out ! -type d | sort

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=libs /out/ /
"""

# python: docker-library/python's slim layout (FROM debian:*-slim, no build
# toolchain, python3/python and pip3/pip in /usr/local/bin, LANG=C.UTF-8,
# CMD ["python3"]) around Debian's Python 3.11 (bookworm's own version, so the
# 3.11 tag is honest). Debian marks its Python EXTERNALLY-MANAGED (PEP 668);
# the official image does not, so the marker goes and `pip install` works.
PYTHON_SLIM_DOCKERFILE = (
    f"FROM debian:{SUITE}-slim\n"
    "ENV PATH=/usr/local/bin:$PATH\n"
    "ENV LANG=C.UTF-8\n"
    + _apt(
        "python3 python3-venv python3-pip",
        "ln -s /usr/bin/python3 /usr/local/bin/python3; \\\n"
        "\tln -s python3 /usr/local/bin/python; \\\n"
        "\tln -s /usr/bin/pip3 /usr/local/bin/pip3; \\\n"
        "\tln -s pip3 /usr/local/bin/pip; \\\n"
        "\trm -f /usr/lib/python3*/EXTERNALLY-MANAGED; \\\n"
        "\tpython --version; pip --version",
    )
    + 'CMD ["python3"]\n'
)

# Debian's busybox-static is built without the adduser/addgroup applets, which
# the real busybox image has. These ash scripts stand in for them, following
# busybox's adduser.c/addgroup.c: system ids 100-999, normal ids from 1000, -S
# implies -D with group nogroup and shell /bin/false, a new user gets a group
# of its own name with gid = uid, home 2755 owned by the user, and without -D
# the interactive `passwd` runs (and fails in a non-interactive build).
BUSYBOX_ADDGROUP = """\
#!/bin/sh
# slimguard zoo stand-in for the busybox addgroup applet
usage() { echo "Usage: addgroup [-g GID] [-S] [USER] GROUP" >&2; exit 1; }
gid= system=
while getopts g:S opt; do
  case $opt in g) gid=$OPTARG ;; S) system=1 ;; *) usage ;; esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ $# -le 2 ] || usage
[ "$(id -u)" = 0 ] || { echo "addgroup: permission denied (are you root?)" >&2; exit 1; }
if [ $# -eq 2 ]; then
  user=$1 group=$2
  grep -q "^$user:" /etc/passwd || { echo "addgroup: unknown user '$user'" >&2; exit 1; }
  grep -q "^$group:" /etc/group || { echo "addgroup: unknown group '$group'" >&2; exit 1; }
  awk -F: -v OFS=: -v g="$group" -v u="$user" '
    $1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) { print; next }
              $4 = ($4 == "" ? u : $4 "," u) } { print }' /etc/group > /etc/group.new &&
    cat /etc/group.new > /etc/group && rm -f /etc/group.new
  exit 0
fi
group=$1
if grep -q "^$group:" /etc/group; then echo "addgroup: group '$group' in use" >&2; exit 1; fi
if [ -n "$gid" ]; then
  if awk -F: -v g="$gid" '$3 == g { f = 1 } END { exit !f }' /etc/group; then
    echo "addgroup: gid '$gid' in use" >&2; exit 1
  fi
else
  if [ -n "$system" ]; then lo=100 hi=999; else lo=1000 hi=60000; fi
  gid=$(awk -F: -v lo=$lo -v hi=$hi '{ u[$3] = 1 } END { for (i = lo; i <= hi; i++) if (!(i in u)) { print i; exit } }' /etc/group)
  [ -n "$gid" ] || { echo "addgroup: no gids left" >&2; exit 1; }
fi
echo "$group:x:$gid:" >> /etc/group
"""

BUSYBOX_ADDUSER = """\
#!/bin/sh
# slimguard zoo stand-in for the busybox adduser applet
usage() { echo "Usage: adduser [-h DIR] [-g GECOS] [-s SHELL] [-G GRP] [-S] [-D] [-H] [-u UID] [-k SKEL] USER [GROUP]" >&2; exit 1; }
home= gecos="Linux User,,," shell=/bin/sh group= system= nopass= nohome= uid= skel=/etc/skel shell_set= nopts=0
while getopts h:g:s:G:SDHu:k: opt; do
  nopts=1
  case $opt in
    h) home=$OPTARG ;; g) gecos=$OPTARG ;; s) shell=$OPTARG shell_set=1 ;; G) group=$OPTARG ;;
    S) system=1 nopass=1 ;; D) nopass=1 ;; H) nohome=1 ;; u) uid=$OPTARG ;; k) skel=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ $# -le 2 ] || usage
[ "$(id -u)" = 0 ] || { echo "adduser: permission denied (are you root?)" >&2; exit 1; }
user=$1
if [ $nopts = 0 ] && [ $# = 2 ]; then exec addgroup "$1" "$2"; fi
if grep -q "^$user:" /etc/passwd; then echo "adduser: user '$user' in use" >&2; exit 1; fi
[ -n "$home" ] || home=/home/$user
if [ -n "$system" ]; then
  [ -n "$group" ] || group=nogroup
  [ -n "$shell_set" ] || shell=/bin/false
  lo=100 hi=999
else
  lo=1000 hi=60000
fi
gid=
if [ -n "$group" ]; then
  gid=$(awk -F: -v g="$group" '$1 == g { print $3; exit }' /etc/group)
  [ -n "$gid" ] || { echo "adduser: unknown group $group" >&2; exit 1; }
fi
if [ -n "$uid" ]; then
  if awk -F: -v u="$uid" '$3 == u { f = 1 } END { exit !f }' /etc/passwd ||
     { [ -z "$gid" ] && awk -F: -v u="$uid" '$3 == u { f = 1 } END { exit !f }' /etc/group; }; then
    echo "adduser: uid '$uid' in use" >&2; exit 1
  fi
else
  uid=$(awk -v lo=$lo -v hi=$hi -v needgid=$([ -z "$gid" ] && echo 1 || echo 0) '
    FILENAME == "/etc/passwd" { split($0, f, ":"); p[f[3]] = 1; next }
    { split($0, f, ":"); g[f[3]] = 1 }
    END { for (i = lo; i <= hi; i++) if (!(i in p) && !(needgid && (i in g))) { print i; exit } }' /etc/passwd /etc/group)
  [ -n "$uid" ] || { echo "adduser: no uids left" >&2; exit 1; }
fi
if [ -z "$gid" ]; then
  if grep -q "^$user:" /etc/group; then echo "adduser: group '$user' in use" >&2; exit 1; fi
  gid=$uid
fi
echo "$user:x:$uid:$gid:$gecos:$home:$shell" >> /etc/passwd
[ ! -f /etc/shadow ] || echo "$user:!:$(( $(date +%s) / 86400 )):0:99999:7:::" >> /etc/shadow
if [ -n "$group" ]; then addgroup "$user" "$group"; else addgroup -g "$gid" "$user"; fi
if [ -z "$nohome" ]; then
  if mkdir "$home" 2>/dev/null; then
    [ ! -d "$skel" ] || cp -a "$skel/." "$home/" 2>/dev/null
    chown -R "$uid:$gid" "$home"
  fi
  chown "$uid:$gid" "$home" && chmod 2755 "$home"
fi
if [ -z "$nopass" ]; then exec passwd -- "$user"; fi
exit 0
"""

BUSYBOX_PASSWD = """\
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
"""
BUSYBOX_GROUP = """\
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
nobody:x:65534:
"""
BUSYBOX_SHADOW = """\
root:*:10933:0:99999:7:::
daemon:*:10933:0:99999:7:::
bin:*:10933:0:99999:7:::
sys:*:10933:0:99999:7:::
sync:*:10933:0:99999:7:::
mail:*:10933:0:99999:7:::
www-data:*:10933:0:99999:7:::
operator:*:10933:0:99999:7:::
nobody:*:10933:0:99999:7:::
"""

# debuerreotype's docker tweaks (debuerreotype-minimizing-config), in short.
DEBIAN_TWEAKS: tuple[tuple[str, str, int], ...] = (
    ("usr/sbin/policy-rc.d", "#!/bin/sh\n# no services start during docker build\nexit 101\n", 0o755),
    ("etc/dpkg/dpkg.cfg.d/docker-apt-speedup", "force-unsafe-io\n", 0o644),
    (
        "etc/apt/apt.conf.d/docker-clean",
        'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
        '/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
        'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
        '/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
        'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n',
        0o644,
    ),
    ("etc/apt/apt.conf.d/docker-gzip-indexes", 'Acquire::GzipIndexes "true";\n', 0o644),
    ("etc/apt/apt.conf.d/docker-no-languages", 'Acquire::Languages "none";\n', 0o644),
    ("etc/apt/apt.conf.d/docker-autoremove-suggests", 'Apt::AutoRemove::SuggestsImportant "false";\n', 0o644),
)

# debuerreotype .slimify-excludes / .slimify-includes
SLIM_EXCLUDES = (
    "/usr/share/doc/*",
    "/usr/share/groff/*",
    "/usr/share/info/*",
    "/usr/share/linda/*",
    "/usr/share/lintian/overrides/*",
    "/usr/share/locale/*",
    "/usr/share/man/*",
)
SLIM_INCLUDES = (
    "/usr/share/doc/*/copyright",
    "/usr/share/locale/all_languages",
    "/usr/share/locale/currency/*",
    "/usr/share/locale/l10n/*",
    "/usr/share/locale/languages",
    "/usr/share/locale/locale.alias",
)


def _recipes() -> list[Recipe]:
    r: list[Recipe] = []
    r.append(
        Recipe(
            tag="busybox:latest",
            kind="import-busybox",
            mirrors="busybox:latest (glibc build): one static binary, applets in /bin, root by default",
            files=(
                ("etc/passwd", BUSYBOX_PASSWD, 0o644),
                ("etc/group", BUSYBOX_GROUP, 0o644),
                ("etc/shadow", BUSYBOX_SHADOW, 0o640),
                ("bin/adduser", BUSYBOX_ADDUSER, 0o755),
                ("bin/addgroup", BUSYBOX_ADDGROUP, 0o755),
            ),
            options=(f"ENV PATH={DEFAULT_PATH}", 'CMD ["sh"]'),
        )
    )
    for slim in (False, True):
        r.append(
            Recipe(
                tag=f"debian:{SUITE}" + ("-slim" if slim else ""),
                kind="import-debian",
                mirrors=f"debian:{SUITE}" + ("-slim" if slim else "") + " (debuerreotype minbase)",
                files=DEBIAN_TWEAKS,
                options=(
                    f"suite={SUITE}",
                    "variant=minbase",
                    f"slim={slim}",
                    f"ENV PATH={DEFAULT_PATH}",
                    'CMD ["bash"]',
                ),
                aliases=("debian:12-slim",) if slim else ("debian:12",),
            )
        )
    r.append(
        Recipe(
            tag=f"buildpack-deps:{SUITE}-curl",
            kind="dockerfile",
            mirrors=f"buildpack-deps:{SUITE}-curl",
            parents=(f"debian:{SUITE}",),
            dockerfile=f"FROM debian:{SUITE}\n" + _apt(BPD_CURL),
        )
    )
    r.append(
        Recipe(
            tag=f"buildpack-deps:{SUITE}-scm",
            kind="dockerfile",
            mirrors=f"buildpack-deps:{SUITE}-scm",
            parents=(f"buildpack-deps:{SUITE}-curl",),
            dockerfile=f"FROM buildpack-deps:{SUITE}-curl\n" + _apt(BPD_SCM),
        )
    )
    r.append(
        Recipe(
            tag=f"buildpack-deps:{SUITE}",
            kind="dockerfile",
            mirrors=f"buildpack-deps:{SUITE} (full build toolchain)",
            parents=(f"buildpack-deps:{SUITE}-scm",),
            dockerfile=f"FROM buildpack-deps:{SUITE}-scm\n" + _apt(BPD_FULL),
        )
    )
    entry = (("docker-entrypoint.sh", NODE_ENTRYPOINT, 0o755),)
    node_opts = tuple(f"npm-pack {n}@{v} {i} {d}" for n, v, i, d in NPM_TARBALLS)
    r.append(
        Recipe(
            tag="node:12.16",
            kind="dockerfile",
            mirrors="node:12.16 (FROM buildpack-deps, user node 1000)",
            parents=(f"buildpack-deps:{SUITE}",),
            dockerfile=_node_dockerfile(f"buildpack-deps:{SUITE}"),
            files=entry,
            options=node_opts,
            aliases=("node:12", "node:latest"),
        )
    )
    r.append(
        Recipe(
            tag="node:12.16-slim",
            kind="dockerfile",
            mirrors="node:12.16-slim (FROM debian slim, user node 1000)",
            parents=(f"debian:{SUITE}-slim",),
            dockerfile=_node_dockerfile(f"debian:{SUITE}-slim"),
            files=entry,
            options=node_opts,
            aliases=("node:12-slim",),
        )
    )
    r.append(
        Recipe(
            tag="openjdk:8",
            kind="dockerfile",
            mirrors="openjdk:8 = 8-jdk (FROM buildpack-deps:*-scm, full JDK)",
            parents=(f"buildpack-deps:{SUITE}-scm",),
            dockerfile=_openjdk_dockerfile(f"buildpack-deps:{SUITE}-scm", "openjdk-17-jdk-headless"),
            aliases=("openjdk:8-jdk", "openjdk:11", "openjdk:11-jdk", "openjdk:latest"),
        )
    )
    r.append(
        Recipe(
            tag="openjdk:8-jre",
            kind="dockerfile",
            mirrors="openjdk:8-jre (FROM buildpack-deps:*-curl, JRE only)",
            parents=(f"buildpack-deps:{SUITE}-curl",),
            dockerfile=_openjdk_dockerfile(f"buildpack-deps:{SUITE}-curl", "openjdk-17-jre-headless"),
            aliases=("openjdk:11-jre",),
        )
    )
    r.append(
        Recipe(
            tag="openjdk:8-jre-slim",
            kind="dockerfile",
            mirrors="openjdk:8-jre-slim (FROM debian slim, JRE only)",
            parents=(f"debian:{SUITE}-slim",),
            dockerfile=_openjdk_dockerfile(f"debian:{SUITE}-slim", "openjdk-17-jre-headless"),
            aliases=("openjdk:11-jre-slim",),
        )
    )
    r.append(
        Recipe(
            tag="gcr.io/distroless/static-debian12:nonroot",
            kind="dockerfile",
            mirrors="gcr.io/distroless/static-debian12:nonroot (no shell, USER 65532)",
            parents=(f"buildpack-deps:{SUITE}",),
            dockerfile=DISTROLESS_DOCKERFILE,
            files=(("hello.c", HELLO_C, 0o644),),
            tars=(
                (
                    "rootfs.tar",
                    (
                        ("etc", None, 0o755, 0),
                        ("etc/passwd", DISTROLESS_PASSWD, 0o644, 0),
                        ("etc/group", DISTROLESS_GROUP, 0o644, 0),
                        ("etc/nsswitch.conf", DISTROLESS_NSSWITCH, 0o644, 0),
                        ("etc/os-release", DISTROLESS_OS_RELEASE, 0o644, 0),
                        ("home", None, 0o755, 0),
                        ("home/nonroot", None, 0o700, 65532),
                        ("root", None, 0o700, 0),
                        ("tmp", None, 0o1777, 0),
                    ),
                ),
            ),
            aliases=("gcr.io/distroless/static:nonroot",),
        )
    )
    r.append(
        Recipe(
            tag="nginx:latest",
            kind="dockerfile",
            mirrors="nginx:1.25 (Debian; root master, workers as nginx 101, port 80)",
            parents=(f"debian:{SUITE}-slim",),
            dockerfile=_nginx_dockerfile(unprivileged=False),
            files=NGINX_FILES,
            aliases=("nginx:1.25", "nginx:stable", f"nginx:{SUITE}"),
        )
    )
    r.append(
        Recipe(
            tag="nginxinc/nginx-unprivileged:latest",
            kind="dockerfile",
            mirrors="nginxinc/nginx-unprivileged:1.25 (USER 101, port 8080, pid/temp in /tmp)",
            # FROM debian slim; nginx:latest goes first so that its layers are reused
            parents=(f"debian:{SUITE}-slim", "nginx:latest"),
            dockerfile=_nginx_dockerfile(unprivileged=True),
            files=NGINX_FILES,
            aliases=(
                "nginxinc/nginx-unprivileged:1.25",
                "nginxinc/nginx-unprivileged:stable",
                f"nginxinc/nginx-unprivileged:{SUITE}",
            ),
        )
    )
    r.append(
        Recipe(
            tag="golang:1.22",
            kind="dockerfile",
            mirrors="golang:1.22 (FROM buildpack-deps:*-scm + gcc, GOPATH=/go; runs as root)",
            parents=(f"buildpack-deps:{SUITE}-scm",),
            dockerfile=GOLANG_DOCKERFILE,
            aliases=("golang:1.22-bookworm", "golang:1.21", "golang:latest", f"golang:{SUITE}"),
        )
    )
    r.append(
        Recipe(
            tag="rust:1",
            kind="dockerfile",
            mirrors="rust:1 (FROM buildpack-deps, CARGO_HOME=/usr/local/cargo; runs as root)",
            parents=(f"buildpack-deps:{SUITE}",),
            dockerfile=RUST_DOCKERFILE,
            aliases=("rust:latest", f"rust:1-{SUITE}"),
        )
    )
    r.append(
        Recipe(
            tag="gcr.io/distroless/cc-debian12:nonroot",
            kind="dockerfile",
            mirrors="gcr.io/distroless/cc-debian12:nonroot (static + glibc, libgcc_s, libstdc++)",
            parents=("gcr.io/distroless/static-debian12:nonroot", f"debian:{SUITE}-slim"),
            dockerfile=DISTROLESS_CC_DOCKERFILE,
            aliases=("gcr.io/distroless/cc:nonroot",),
        )
    )
    r.append(
        Recipe(
            tag="python:3.11-slim",
            kind="dockerfile",
            mirrors="python:3.11-slim (FROM debian slim, no toolchain, python/pip in /usr/local/bin; runs as root)",
            parents=(f"debian:{SUITE}-slim",),
            dockerfile=PYTHON_SLIM_DOCKERFILE,
            aliases=(f"python:3.11-slim-{SUITE}",),
        )
    )
    return r


RECIPES: dict[str, Recipe] = {r.tag: r for r in _recipes()}
ALIASES: dict[str, str] = {a: r.tag for r in RECIPES.values() for a in r.aliases}
# "busybox" -> "busybox:latest", "golang" -> "golang:latest" (an alias of
# golang:1.22), as docker resolves a bare name
for _r in RECIPES.values():
    for _t in (_r.tag, *_r.aliases):
        if _t.endswith(":latest"):
            ALIASES.setdefault(_t[: -len(":latest")], _r.tag)


def _kind_extra(r: Recipe) -> str:
    """Host inputs that shape an image beyond its recipe text."""
    if r.kind == "import-debian":
        return _debian_sources()
    return ""


# --------------------------------------------------------------------------
# hashing and resolution
# --------------------------------------------------------------------------


def canonical(name: str) -> str:
    """Resolve an alias or bare name to the zoo tag that builds it."""
    if name in RECIPES:
        return name
    if name in ALIASES:
        return ALIASES[name]
    if ":" not in name.rsplit("/", 1)[-1] and f"{name}:latest" in RECIPES:
        return f"{name}:latest"
    raise KeyError(f"not a zoo image: {name!r} (known: {', '.join(sorted(RECIPES))})")


def recipe_hash(tag: str, _memo: dict[str, str] | None = None) -> str:
    memo = _memo if _memo is not None else {}
    if tag in memo:
        return memo[tag]
    r = RECIPES[tag]
    h = hashlib.sha256()
    h.update(r.own_text().encode())
    for p in r.parents:
        h.update(b"\0parent\0" + recipe_hash(p, memo).encode())
    memo[tag] = h.hexdigest()
    return memo[tag]


def build_order(names: list[str] | None = None) -> list[str]:
    """Canonical tags for ``names`` (default: all) and their parents, parents first."""
    wanted = [canonical(n) for n in (names if names else list(RECIPES))]
    order: list[str] = []
    seen: set[str] = set()

    def visit(tag: str, stack: tuple[str, ...] = ()) -> None:
        if tag in seen:
            return
        if tag in stack:
            raise ZooError(f"dependency cycle: {' -> '.join(stack + (tag,))}")
        for p in RECIPES[tag].parents:
            visit(p, stack + (tag,))
        seen.add(tag)
        order.append(tag)

    for t in wanted:
        visit(t)
    return order


# --------------------------------------------------------------------------
# docker helpers
# --------------------------------------------------------------------------


def _log(msg: str) -> None:
    print(f"[zoo] {msg}", file=sys.stderr, flush=True)


def _docker_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DOCKER_BUILDKIT", "0")  # legacy builder: no buildx here, never pulls
    env.setdefault("DOCKER_CLI_HINTS", "false")
    return env


def _docker_bin() -> str:
    exe = shutil.which("docker")
    if not exe:
        raise ZooError("docker CLI not found on PATH (run: bash scripts/ensure-docker.sh)")
    return exe


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _run(cmd: list[str], *, input: bytes | None = None, timeout: int = 120) -> str:
    try:
        p = subprocess.run(cmd, input=input, capture_output=True, timeout=timeout, env=_docker_env())
    except subprocess.TimeoutExpired as e:
        raise ZooError(f"timed out after {timeout}s: {' '.join(cmd)}") from e
    if p.returncode != 0:
        out = (p.stdout + p.stderr).decode(errors="replace")
        raise ZooError(f"command failed (exit {p.returncode}): {' '.join(cmd)}\n{_tail(out)}")
    return p.stdout.decode(errors="replace")


def _run_logged(cmd: list[str], log: Path, *, cwd: str | None = None, stdin=None, verbose: bool = False) -> None:
    """Run a long command, appending its output to ``log``; raise with the tail on failure."""
    with open(log, "ab") as fh:
        fh.write(f"\n$ {' '.join(cmd)}\n".encode())
        fh.flush()
        p = subprocess.Popen(
            cmd, cwd=cwd, stdin=stdin if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=_docker_env(),
        )
        assert p.stdout is not None
        deadline = time.monotonic() + BUILD_TIMEOUT
        for line in p.stdout:
            fh.write(line)
            if verbose:
                sys.stderr.write(line.decode(errors="replace"))
            if time.monotonic() > deadline:
                p.kill()
                break
        rc = p.wait()
    if rc != 0:
        text = log.read_text(errors="replace")
        raise ZooError(
            f"command failed (exit {rc}): {' '.join(cmd)}\n"
            f"--- last lines of {log} ---\n{_tail(text)}"
        )


def inspect(tag: str) -> dict | None:
    """``docker image inspect`` of one tag, or None if absent."""
    p = subprocess.run(
        [_docker_bin(), "image", "inspect", tag], capture_output=True, env=_docker_env(), timeout=60
    )
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace")
        if "No such image" in err or "no such image" in err.lower():
            return None
        raise ZooError(f"docker image inspect {tag} failed: {_tail(err)}")
    data = json.loads(p.stdout)
    return data[0] if data else None


def _label(info: dict | None) -> str | None:
    if not info:
        return None
    return ((info.get("Config") or {}).get("Labels") or {}).get(LABEL)


# --------------------------------------------------------------------------
# builders
# --------------------------------------------------------------------------


def _write_files(root: Path, files: tuple[tuple[str, str, int], ...]) -> None:
    for rel, text, mode in files:
        p = root / rel
        if rel.endswith("/"):
            p.mkdir(parents=True, exist_ok=True)
        else:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        os.chmod(p, mode)


def _debian_sources() -> str:
    """deb822 sources for the image: the host's Debian sources when present."""
    host = Path("/etc/apt/sources.list.d/debian.sources")
    if host.is_file():
        text = host.read_text()
        if SUITE in text:
            return text
    return (
        "Types: deb\n"
        "URIs: http://deb.debian.org/debian\n"
        f"Suites: {SUITE} {SUITE}-updates\n"
        "Components: main\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
        "\n"
        "Types: deb\n"
        "URIs: http://deb.debian.org/debian-security\n"
        f"Suites: {SUITE}-security\n"
        "Components: main\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
    )


def _static_busybox() -> Path:
    candidates = [Path("/bin/busybox"), Path("/usr/bin/busybox")]
    found = shutil.which("busybox")
    if found:
        candidates.append(Path(found))
    for c in candidates:
        if c.is_file() and _is_static_elf(c):
            return c
    raise ZooError("no static busybox binary found (apt-get install busybox-static)")


def _is_static_elf(path: Path) -> bool:
    """True if ``path`` is an ELF executable without a PT_INTERP program header."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:  # 64-bit only
            return False
        endian = "<" if head[5] == 1 else ">"
        phoff, = struct.unpack_from(endian + "Q", head, 0x20)
        phentsize, phnum = struct.unpack_from(endian + "HH", head, 0x36)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    for i in range(phnum):
        p_type, = struct.unpack_from(endian + "I", table, i * phentsize)
        if p_type == 3:  # PT_INTERP
            return False
    return True


def _import_changes(r: Recipe, h: str) -> list[str]:
    changes = [f"LABEL {LABEL}={h} {LABEL_TAG}={r.tag}"]
    changes += [o for o in r.options if o.split(" ", 1)[0] in ("ENV", "CMD", "USER", "WORKDIR", "ENTRYPOINT")]
    args: list[str] = []
    for c in changes:
        args += ["--change", c]
    return args


def _build_busybox(r: Recipe, h: str, work: Path, log: Path, verbose: bool, fresh: bool) -> None:
    bb = _static_busybox()
    root = work / "rootfs"
    for d in ("bin", "dev", "etc", "home", "proc", "sys", "usr/bin", "usr/sbin", "var/spool/mail", "var/www"):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "root").mkdir(mode=0o700)
    (root / "tmp").mkdir()
    os.chmod(root / "tmp", 0o1777)
    shutil.copy2(bb, root / "bin" / "busybox")
    os.chmod(root / "bin" / "busybox", 0o755)
    _write_files(root, r.files)
    # Equivalent of `busybox --install -s /bin` in the image, but with relative
    # links (so they are right whatever path the host binary has).
    applets = subprocess.run([str(bb), "--list"], capture_output=True, check=True, text=True).stdout.split()
    for a in applets:
        link = root / "bin" / a
        if a != "busybox" and not link.exists():
            os.symlink("busybox", link)
    with open(log, "a") as fh:
        fh.write(f"busybox from {bb}: {len(applets)} applets\n")
    tar_path = work / "rootfs.tar"

    def owner_root(ti: tarfile.TarInfo) -> tarfile.TarInfo:
        ti.uid = ti.gid = 0
        ti.uname = ti.gname = "root"
        return ti

    with tarfile.open(tar_path, "w") as tf:
        for child in sorted(root.iterdir()):
            tf.add(child, arcname=child.name, filter=owner_root)
    _run_logged([_docker_bin(), "import", *_import_changes(r, h), str(tar_path), r.tag], log, verbose=verbose)


def _build_debian(r: Recipe, h: str, work: Path, log: Path, verbose: bool, fresh: bool) -> None:
    mm = shutil.which("mmdebstrap")
    if not mm:
        raise ZooError("mmdebstrap not found (apt-get install mmdebstrap)")
    slim = "slim=True" in r.options
    sources = work / "debian.sources"
    sources.write_text(_debian_sources())
    overlay = work / "overlay"
    _write_files(overlay, r.files)
    tar_path = work / "rootfs.tar"
    cmd = [
        mm,
        "--variant=minbase",
        "--format=tar",
        "--skip=output/dev",
        # merged /usr without pulling usrmerge + perl into the image
        "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
    ]
    if slim:
        cmd += [f"--dpkgopt=path-exclude={p}" for p in SLIM_EXCLUDES]
        cmd += [f"--dpkgopt=path-include={p}" for p in SLIM_INCLUDES]
    hook = (
        'set -e; cd "$1"; '
        f"cp -a {overlay}/. ./; "
        "for f in etc/apt/sources.list.d/*.sources; do "
        '  [ "$f" = etc/apt/sources.list.d/debian.sources ] || mv "$f" etc/apt/sources.list.d/debian.sources; '
        "done; "
        "rm -f etc/resolv.conf etc/hostname; "
        "rm -rf var/lib/apt/lists/* var/cache/apt/*.bin var/log/apt/* var/cache/debconf/*-old; "
    )
    if slim:
        hook += (
            "[ ! -f etc/dpkg/dpkg.cfg.d/99mmdebstrap ] || mv etc/dpkg/dpkg.cfg.d/99mmdebstrap etc/dpkg/dpkg.cfg.d/docker; "
            "find usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete; "
            "find usr/share/doc -mindepth 1 -type d -empty -delete; "
            "for d in groff info linda lintian/overrides man; do rm -rf usr/share/$d/*; done; "
            "find usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias ! -name all_languages "
            "! -name currency ! -name l10n ! -name languages -exec rm -rf {} +; "
        )
    cmd += [f"--customize-hook={hook}", SUITE, str(tar_path), str(sources)]
    _run_logged(cmd, log, cwd=str(work), verbose=verbose)
    _run_logged([_docker_bin(), "import", *_import_changes(r, h), str(tar_path), r.tag], log, verbose=verbose)


CACHE_DIR = Path(os.environ.get("SLIMGUARD_ZOO_CACHE", Path.home() / ".cache" / "slimguard-zoo"))


def _npm_tarball(name: str, version: str, integrity: str, log: Path) -> Path:
    """``name-version.tgz`` from the npm registry via the host's ``npm pack``, cached."""
    algo, _, want = integrity.partition("-")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"{name}-{version}.tgz"

    def ok() -> bool:
        if not path.is_file():
            return False
        return base64.b64encode(hashlib.new(algo, path.read_bytes()).digest()).decode() == want

    if not ok():
        npm = shutil.which("npm")
        if not npm:
            raise ZooError(f"npm not found: needed once to fetch {name}@{version} (apt-get install npm)")
        _run_logged([npm, "pack", f"{name}@{version}", "--pack-destination", str(CACHE_DIR), "--silent"], log)
        if not ok():
            raise ZooError(f"{path}: integrity mismatch (expected {integrity})")
    return path


def _unpack_npm(tgz: Path, dest: Path) -> None:
    """Extract an npm tarball's ``package/`` directory into ``dest``."""
    dest.mkdir(parents=True)
    with tarfile.open(tgz) as tf:
        members = []
        for m in tf.getmembers():
            if not m.name.startswith("package/") or not (m.isfile() or m.isdir()):
                continue
            m.name = m.name[len("package/"):]
            if not m.name or m.name.startswith("/") or ".." in m.name.split("/"):
                continue
            m.uid = m.gid = 0
            m.mode &= 0o755
            members.append(m)
        tf.extractall(dest, members=members)


def _write_tar(path: Path, entries: tuple[tuple[str, str | None, int, int], ...]) -> None:
    with tarfile.open(path, "w") as tf:
        for name, text, mode, uid in entries:
            ti = tarfile.TarInfo(name)
            ti.mode, ti.uid, ti.gid, ti.mtime = mode, uid, uid, 0
            if text is None:
                ti.type = tarfile.DIRTYPE
                tf.addfile(ti)
            else:
                data = text.encode()
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))


def _build_dockerfile(r: Recipe, h: str, work: Path, log: Path, verbose: bool, fresh: bool) -> None:
    ctx = work / "context"
    ctx.mkdir()
    _write_files(ctx, r.files)
    for name, entries in r.tars:
        _write_tar(ctx / name, entries)
    for opt in r.options:
        if opt.startswith("npm-pack "):
            _, spec, integrity, dirname = opt.split()
            name, _, version = spec.rpartition("@")
            _unpack_npm(_npm_tarball(name, version, integrity, log), ctx / dirname)
    (ctx / "Dockerfile").write_text(r.dockerfile)
    cmd = [
        _docker_bin(), "build",
        "--pull=false", "--network", "host", "--rm", "--force-rm", *(["--no-cache"] if fresh else []),
        "--label", f"{LABEL}={h}", "--label", f"{LABEL_TAG}={r.tag}",
        "-t", r.tag, str(ctx),
    ]
    _run_logged(cmd, log, verbose=verbose)


# builder(recipe, recipe hash, work dir, log file, verbose, fresh = bypass the build cache)
BUILDERS: dict[str, Callable[[Recipe, str, Path, Path, bool, bool], None]] = {
    "import-busybox": _build_busybox,
    "import-debian": _build_debian,
    "dockerfile": _build_dockerfile,
}


# --------------------------------------------------------------------------
# ensure
# --------------------------------------------------------------------------


@dataclass
class EnsureResult:
    images: dict[str, str] = field(default_factory=dict)  # tag (and alias) -> image id
    built: list[str] = field(default_factory=list)  # canonical tags built by this call
    cached: list[str] = field(default_factory=list)  # canonical tags that were cache hits
    seconds: float = 0.0


# Counts builds done by this process (all ensure calls); tests use it to prove cache hits.
BUILD_COUNT = 0


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    LOCK_PATH.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK_PATH, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _log(f"waiting for another zoo build (lock {LOCK_PATH}) ...")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _safe_name(tag: str) -> str:
    return tag.replace("/", "_").replace(":", "_")


def _build_one(r: Recipe, h: str, verbose: bool, fresh: bool = False) -> None:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"{_safe_name(r.tag)}.log"
    log.write_text(f"# zoo build of {r.tag} recipe {h}\n")
    work = Path(tempfile.mkdtemp(prefix=f"slimguard-zoo-{_safe_name(r.tag)}-"))
    try:
        BUILDERS[r.kind](r, h, work, log, verbose, fresh)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ensure_report(names: list[str] | None = None, *, force: bool = False, verbose: bool = False) -> EnsureResult:
    """Make sure the zoo images ``names`` (default: all) and their parents exist.

    Returns the ids of every image involved (aliases included) and which tags
    were built and which were cache hits.
    """
    global BUILD_COUNT
    t0 = time.monotonic()
    res = EnsureResult()
    order = build_order(names)
    forced = set(order if not names else (canonical(n) for n in names)) if force else set()
    memo: dict[str, str] = {}
    superseded: list[str] = []
    with _locked():
        for tag in order:
            r = RECIPES[tag]
            h = recipe_hash(tag, memo)
            info = inspect(tag)
            if tag not in forced and _label(info) == h:
                res.cached.append(tag)
            else:
                old_id = info["Id"] if info else None
                why = "forced" if tag in forced and info else ("recipe changed" if info else "missing")
                _log(f"building {tag} ({why}; recipe {h[:12]}) - log: {LOG_DIR / (_safe_name(tag) + '.log')}")
                t = time.monotonic()
                _build_one(r, h, verbose, fresh=tag in forced)
                BUILD_COUNT += 1
                info = inspect(tag)
                if _label(info) != h:
                    raise ZooError(f"built {tag} but its label {LABEL} is {_label(info)!r}, expected {h}")
                _log(f"built {tag} in {time.monotonic() - t:.0f}s ({info['Size'] / 1e6:.0f} MB)")
                res.built.append(tag)
                if old_id and old_id != info["Id"]:
                    superseded.append(old_id)
            assert info is not None
            res.images[tag] = info["Id"]
            for alias in r.aliases:
                a_info = inspect(alias)
                if not a_info or a_info["Id"] != info["Id"]:
                    _run([_docker_bin(), "tag", tag, alias])
                res.images[alias] = info["Id"]
        # Drop superseded images once their aliases have moved on, children before
        # parents; an image still used by a container or another tag stays.
        for old_id in reversed(superseded):
            subprocess.run([_docker_bin(), "image", "rm", old_id], capture_output=True, env=_docker_env())
    res.seconds = time.monotonic() - t0
    if res.built:
        _log(f"built {len(res.built)} image(s) in {res.seconds:.0f}s; cached: {len(res.cached)}")
    return res


def ensure(names: list[str] | None = None) -> dict[str, str]:
    """Build (or reuse) zoo images; returns {tag or alias: image id}."""
    return ensure_report(names).images


def list_status() -> list[tuple[str, str, str, str]]:
    rows = []
    memo: dict[str, str] = {}
    for tag in build_order():
        h = recipe_hash(tag, memo)
        info = inspect(tag)
        if info is None:
            state, size = "missing", "-"
        else:
            state = "ok" if _label(info) == h else "stale"
            size = f"{info['Size'] / 1e6:.0f}MB"
        rows.append((tag, state, size, RECIPES[tag].mirrors))
    return rows


def prune() -> list[str]:
    """Remove dangling images left by superseded zoo builds (explicit clean-up only).

    Only untagged images whose zoo label names a zoo tag but not its current
    recipe hash are removed; current builds and images derived from them stay.
    """
    out = _run([_docker_bin(), "images", "-q", "--no-trunc", "--filter", "dangling=true",
                "--filter", f"label={LABEL_TAG}"])
    removed = []
    for image_id in out.split():
        info = inspect(image_id)
        labels = ((info or {}).get("Config") or {}).get("Labels") or {}
        tag = labels.get(LABEL_TAG)
        if tag in RECIPES and labels.get(LABEL) != recipe_hash(tag):
            p = subprocess.run([_docker_bin(), "image", "rm", image_id], capture_output=True, env=_docker_env())
            if p.returncode == 0:
                removed.append(image_id)
    return removed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="zoo.py", description="Build the slimguard stand-in base images.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build missing/stale images (default: all)")
    b.add_argument("names", nargs="*")
    b.add_argument("--force", action="store_true", help="rebuild the named images (default: all) even when cached")
    b.add_argument("-v", "--verbose", action="store_true", help="stream build output to stderr")
    sub.add_parser("list", help="show zoo images and their cache state")
    sub.add_parser("prune", help="remove dangling images of superseded zoo builds")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "build":
            res = ensure_report(args.names or None, force=args.force, verbose=args.verbose)
            for tag in build_order(args.names or None):
                r = RECIPES[tag]
                state = "built" if tag in res.built else "cached"
                names = ", ".join((tag,) + r.aliases)
                print(f"{state:7} {res.images[tag][7:19]}  {names}")
            print(f"{len(res.built)} built, {len(res.cached)} cached, {res.seconds:.1f}s")
        elif args.cmd == "prune":
            with _locked():
                removed = prune()
            print(f"removed {len(removed)} superseded image(s)")
        else:
            for tag, state, size, mirrors in list_status():
                print(f"{state:8} {size:>7}  {tag:45} {mirrors}")
    except (ZooError, KeyError) as e:
        print(f"zoo: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

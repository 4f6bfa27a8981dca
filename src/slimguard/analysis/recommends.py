"""Recommended packages an apt install really needs: what ``--no-install-recommends`` would take away
from a package that cannot do its job without it.

apt installs every newly installed package's Recommends by default, the Recommends of its dependencies
included. Most of them are optional, but a few are what makes the package work in an image: curl and
wget only get the CA bundle (``ca-certificates``) as a recommendation, through libcurl4/wget, and without
it they cannot verify any TLS peer. The table below lists those cases, one entry per recommended package.

How the facts were collected (Debian 12 "bookworm", the 2025 point releases, amd64):

* ``apt-cache depends <pkg>`` on a bookworm host: the ``Recommends:`` lines quoted in each entry's source;
* ``apt-get install -s <pkg>`` against ``apt-get install -s --no-install-recommends <pkg>`` in a
  ``debian:bookworm-slim`` container after ``apt-get update``: the packages only the first one installs
  are what the flag drops. Every trigger below drops its entry's package; every name in ``provided_by``
  installs it even with the flag (a hard ``Depends``).

Checked and left out on purpose (the flag drops nothing they need): ``openssl`` (ca-certificates is only
a Suggests), ``gnupg`` (Depends on dirmngr; never pulled ca-certificates), ``apt-transport-https`` (a
transitional package), ``python3-requests``/``python3-pip``/``npm`` (Depend on ca-certificates), and
``openjdk-*-jre-headless``/``default-jre-headless`` (Depend on ca-certificates-java, which Depends on
ca-certificates).

Ubuntu uses the same package relations for these names; other distributions are not apt's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Need", "KEPT_RECOMMENDS", "needed_recommends", "provides", "base_ships"]


@dataclass(frozen=True)
class Need:
    """A recommended package that installs of *triggers* need, and what for."""

    package: str  # what to list next to the install: ca-certificates
    purpose: str  # why: "<package>, which <triggers> need(s) <purpose>"
    triggers: frozenset[str]  # install operands that only get it as a recommendation
    trigger_patterns: tuple[re.Pattern[str], ...]
    provided_by: frozenset[str]  # packages that bring it as a hard dependency (or are it)
    provided_patterns: tuple[re.Pattern[str], ...]
    source: str
    # only needed when a command of the stage matches (None: always, the package's main job needs it)
    used_when: re.Pattern[str] | None = None

    def triggered_by(self, package: str) -> bool:
        return package in self.triggers or any(p.fullmatch(package) for p in self.trigger_patterns)

    def provided(self, package: str) -> bool:
        return package in self.provided_by or any(p.fullmatch(package) for p in self.provided_patterns)


def _re(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


KEPT_RECOMMENDS: tuple[Need, ...] = (
    Need(
        package="ca-certificates",
        purpose="to verify TLS certificates",
        triggers=frozenset({
            "curl", "libcurl4", "libcurl3-gnutls", "libcurl3-nss", "libcurl4-openssl-dev", "libcurl4-gnutls-dev",
            "libcurl4-nss-dev", "wget", "wget2", "git", "git-core", "git-lfs", "git-svn", "mercurial", "aria2",
            "nodejs", "cmake", "s3cmd", "awscli", "w3m", "msmtp", "fetchmail", "python-is-python3",
        }),
        # python3 and everything built on it: python3.11(-minimal) Recommends ca-certificates (ssl module)
        trigger_patterns=_re(r"python3", r"python3-.+", r"python3\.\d+(?:-.+)?"),
        provided_by=frozenset({
            "ca-certificates", "ca-certificates-java", "python3-certifi", "python3-requests", "python3-pip",
            "python3-venv", "python3-httplib2", "npm",
        }),
        provided_patterns=_re(r"openjdk-\d+-(?:jre|jdk)(?:-headless)?", r"default-(?:jre|jdk)(?:-headless)?"),
        source=(
            "Debian bookworm: `apt-cache depends` shows `Recommends: ca-certificates` for libcurl4, "
            "libcurl3-gnutls (curl, git, cmake), wget, wget2, git, aria2, nodejs, python3.11 and "
            "python3.11-minimal (python3, python3-*); `apt-get install -s --no-install-recommends` on "
            "debian:bookworm-slim drops ca-certificates for every trigger and keeps it for every provided_by"
        ),
    ),
    Need(
        package="dirmngr",
        purpose="for keyserver lookups (`gpg --recv-keys` runs it)",
        triggers=frozenset({"gpg"}),
        trigger_patterns=(),
        provided_by=frozenset({"dirmngr", "gnupg", "gnupg2"}),
        provided_patterns=(),
        source=("Debian bookworm: gpg Recommends gnupg, which Depends on dirmngr; "
                "`apt-get install -s --no-install-recommends gpg` drops dirmngr"),
        used_when=re.compile(r"--(?:recv-keys?|keyserver|locate-keys?|locate-external-keys?|fetch-keys|"
                             r"refresh-keys|search-keys|auto-key-locate|auto-key-retrieve)\b"),
    ),
    Need(
        package="gpg",
        purpose="to be of use (it only serves gpg, which came with the recommended gnupg)",
        triggers=frozenset({"dirmngr"}),
        trigger_patterns=(),
        provided_by=frozenset({"gpg", "gnupg", "gnupg2"}),
        provided_patterns=(),
        source=("Debian bookworm: dirmngr Recommends gnupg (which Depends on gpg); "
                "`apt-get install -s --no-install-recommends dirmngr` drops gnupg and gpg"),
    ),
    Need(
        package="openssh-client",
        purpose="for git over ssh (`git@host:` and `ssh://` remotes)",
        triggers=frozenset({"git", "git-core", "git-lfs"}),
        trigger_patterns=(),
        provided_by=frozenset({"openssh-client", "ssh"}),
        provided_patterns=(),
        source=("Debian bookworm: git Recommends ssh-client (provided by openssh-client); "
                "`apt-get install -s --no-install-recommends git` drops openssh-client"),
        used_when=re.compile(r"\bgit@[\w.-]+:|\bssh://"),
    ),
)


def needed_recommends(packages: Iterable[str], *, commands: str = "") -> list[tuple[Need, tuple[str, ...]]]:
    """The recommended packages that an install of *packages* (bare names) with --no-install-recommends
    would drop although the packages need them, each with the packages that need it.

    *commands* is the shell text that runs after the install (later commands of the RUN, later RUNs, the
    stage's CMD/ENTRYPOINT): a need with ``used_when`` only counts when that text matches it. Needs that
    one of *packages* itself provides (``curl ca-certificates``) are left out.
    """
    names = [p.lower() for p in packages]
    out: list[tuple[Need, tuple[str, ...]]] = []
    for need in KEPT_RECOMMENDS:
        by = tuple(dict.fromkeys(p for p in names if need.triggered_by(p)))
        if not by or any(need.provided(p) for p in names):
            continue
        if need.used_when is not None and not need.used_when.search(commands):
            continue
        out.append((need, by))
    return out


def provides(need: Need, packages: Iterable[str]) -> bool:
    """Whether one of *packages* (bare names) is the needed package or brings it as a dependency."""
    return any(need.provided(p.lower()) for p in packages)


# Official images known to ship ca-certificates (so a later install need not list it). debian:* and
# debian:*-slim do not; ubuntu:* does not.
_SHIPS_CA_CERTIFICATES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("library/buildpack-deps", re.compile(r"(?!.*(?:windows|nanoserver)).*"),
     "docker-library/buildpack-deps@4f0449f:debian/bookworm/curl/Dockerfile (apt-get install ca-certificates "
     "curl ...; the -scm and full tags are built FROM -curl)"),
    ("library/node", re.compile(r"(?!.*(?:slim|alpine)).*"),
     "nodejs/docker-node: the full tags are built FROM buildpack-deps:<suite>"),
    ("library/python", re.compile(r"(?!.*(?:alpine|windows|nanoserver)).*"),
     "docker-library/python@01ba658:3.12/slim-bookworm/Dockerfile (runtime dependencies: ca-certificates "
     "netbase tzdata); the full tags are built FROM buildpack-deps:<suite>"),
    ("library/openjdk", re.compile(r"(?!.*(?:alpine|windows|nanoserver|oracle|oraclelinux)).*"),
     "docker-library/openjdk@3ce4449:8/jre/slim-bullseye/Dockerfile (ca-certificates p11-kit); the jdk and "
     "jre tags are built FROM buildpack-deps:<suite>-scm / -curl"),
    ("library/golang", re.compile(r"(?!.*(?:alpine|windows|nanoserver)).*"),
     "docker-library/golang: built FROM buildpack-deps:<suite>-scm"),
    ("library/ruby", re.compile(r"(?!.*(?:slim|alpine)).*"),
     "docker-library/ruby: the full tags are built FROM buildpack-deps:<suite>"),
)


def base_ships(need: Need, repository: str, tag: str | None,
               installed: Iterable[str] | None = None) -> bool | None:
    """Whether the base image *repository*:*tag* already has what *need* adds: from its package database
    when known (*installed*, e.g. read by the engine), else from the table above; None when unknown."""
    if installed is not None:
        return provides(need, installed)
    if need.package != "ca-certificates":
        return None
    from slimguard.knowledge.bases import normalize_repository

    repo = normalize_repository(repository)
    for name, tags, _source in _SHIPS_CA_CERTIFICATES:
        if repo == name and tags.fullmatch(tag or "latest"):
            return True
    return None

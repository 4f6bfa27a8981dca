"""One package taxonomy: which distribution packages are compilers, build tools, development headers,
source-control clients, downloaders, package managers or shells.

Names are those of Debian/Ubuntu (apt), Alpine (apk), Fedora/RHEL (dnf, yum) and openSUSE (zypper).
The Dockerfile rules classify what a RUN installs, the image audit what a built image holds, and the
base-image facts whether an image carries build tools.
"""

from __future__ import annotations

import re

CATEGORIES = ("compiler", "build-tool", "dev-headers", "scm", "downloader", "package-manager", "shell")
# what building software leaves in an image; package managers and shells are a concern of their own
BUILD_CATEGORIES = CATEGORIES[:5]
CATEGORY_LABEL = {
    "compiler": "compilers",
    "build-tool": "build tools",
    "dev-headers": "development headers",
    "scm": "source-control clients",
    "downloader": "downloaders",
    "package-manager": "package managers",
    "shell": "shells",
}

_COMPILER = re.compile(
    r"(?:gcc|g\+\+|cpp|cc|c\+\+|clang|clang\+\+|gfortran|gccgo|tcc|llvm|nasm|yasm|rustc|cargo|golang|golang-go"
    r"|javac)(?:-\d+(?:\.\d+)*)?"
    r"|(?:gcc|g\+\+|cpp)(?:-\d+)?-[a-z0-9_]+-linux-gnu[a-z]*"  # Debian cross compilers
    r"|openjdk-\d+-jdk(?:-headless)?|default-jdk(?:-headless)?|java-[\d.]+-openjdk-devel|golang-[\d.]+-go"
)
# toolchain meta-packages and dnf groups that install a compiler, and gcc's C++ driver on rpm distributions
_COMPILERS = frozenset({"build-essential", "gcc-c++", "development tools", "@development-tools", "@development tools"})
_BUILD_TOOLS = frozenset({
    "make", "cmake", "cmake3", "autoconf", "automake", "autotools-dev", "libtool", "libtool-bin", "pkg-config",
    "pkgconf", "pkgconf-bin", "pkgconfig", "ninja-build", "meson", "scons", "bazel", "bison", "flex", "m4", "patch",
    "gettext", "binutils", "fakeroot", "devscripts", "debhelper", "dpkg-dev", "rpm-build", "build-base", "alpine-sdk",
    "abuild", "maven", "gradle", "ant",
})
_HEADER_SUFFIXES = ("-dev", "-devel", "-headers")
_SCM = frozenset({"git", "git-core", "git-man", "git-lfs", "mercurial", "hg", "subversion", "svn", "bzr", "breezy",
                  "brz", "cvs", "fossil", "darcs"})
_DOWNLOADERS = frozenset({"curl", "wget", "wget2", "aria2", "lftp", "rsync", "openssh-client", "ftp", "netcat",
                          "netcat-openbsd", "netcat-traditional", "socat", "ncat", "nmap"})
_PACKAGE_MANAGERS = frozenset({
    "apt", "aptitude", "dpkg", "apk-tools", "dnf", "yum", "microdnf", "rpm", "zypper", "tdnf", "snapd", "python3-pip",
    "python-pip", "py3-pip", "pip", "npm", "yarn", "yarnpkg", "composer", "gem", "rubygems", "conda",
})
_SHELLS = frozenset({"bash", "dash", "zsh", "ksh", "mksh", "tcsh", "csh", "fish", "busybox", "busybox-static",
                     "busybox-binsh", "ash", "yash", "posh"})
# C library and kernel headers: every C build installs them, and their run-time side is in every image
LIBC_HEADERS = frozenset({"libc6-dev", "libc-dev", "musl-dev", "glibc-devel", "linux-libc-dev", "linux-headers",
                          "kernel-headers"})
# the programs a package installs, where they are not named like the package
_PROGRAMS = {
    "openssh-client": ("ssh", "scp", "sftp"),
    "netcat": ("nc", "netcat"),
    "netcat-openbsd": ("nc", "netcat"),
    "netcat-traditional": ("nc", "netcat"),
    "aria2": ("aria2c",),
}

_VERSION_SPLIT = re.compile(r"[=<>~]")
_RPM_VERSION = re.compile(r"(.+?)-\d[\w.+~^]*(?:-[\w.+~^]+)?")


def classify(name: str) -> str | None:
    """The category of a package as a package database names it (dpkg may add ``:arch``), or None."""
    n = name.split(":", 1)[0].lower()
    if n in _COMPILERS or _COMPILER.fullmatch(n):
        return "compiler"
    if n in _BUILD_TOOLS:
        return "build-tool"
    if n.endswith(_HEADER_SUFFIXES):
        return "dev-headers"
    if n.startswith("binutils-"):  # binutils-common, binutils-x86-64-linux-gnu
        return "build-tool"
    if n in _SCM:
        return "scm"
    if n in _DOWNLOADERS:
        return "downloader"
    if n in _PACKAGE_MANAGERS:
        return "package-manager"
    if n in _SHELLS:
        return "shell"
    return None


def is_build_tool(name: str) -> bool:
    """Whether the package is something a build leaves behind (any of :data:`BUILD_CATEGORIES`)."""
    return classify(name) in BUILD_CATEGORIES


def package_name(operand: str) -> str:
    """The bare name of an install operand: ``gcc=4:12.2.0-3``, ``libc6-dev:amd64``, ``git/bookworm``,
    ``curl~8`` -> ``gcc``, ``libc6-dev``, ``git``, ``curl``."""
    name = _VERSION_SPLIT.split(operand, 1)[0]
    name = name.split("/", 1)[0] if not name.startswith("/") else name
    if ":" in name and not name.startswith("@"):
        name = name.split(":", 1)[0]
    return name.strip().lower()


def classify_operand(operand: str) -> str | None:
    """The category of what an install operand names, or None for files, flags and other packages.

    Also reads the dnf/zypper ``name-version[-release]`` form: ``openssl-devel-3.0.7``.
    """
    name = package_name(operand)
    if not name or name.startswith(("-", ".")) or name.endswith((".deb", ".rpm", ".apk")):
        return None
    category = classify(name)
    if category is None:
        m = _RPM_VERSION.fullmatch(name)
        if m is not None:
            category = classify(m.group(1))
    return category


def programs(package: str) -> tuple[str, ...]:
    """The commands a package installs, as far as the taxonomy knows them (at least its own name)."""
    return _PROGRAMS.get(package, (package,))

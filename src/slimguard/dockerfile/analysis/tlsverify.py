"""Places where a Dockerfile turns off TLS certificate or package signature verification.

Each hit carries the Checkov code of the check that covers the same setting (CKV2_DOCKER_2 … _16), so
the rule's findings answer to those codes one by one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from slimguard.dockerfile.shell.model import PackageOp, ShellScript, SimpleCommand

# environment settings that turn verification off: name -> (Checkov code, is the value "off"?)
_OFF_WORDS = frozenset({"0", "false", "no", "off"})


def _off(value: str) -> bool:
    return value.strip().strip("'\"").lower() in _OFF_WORDS


def _any(value: str) -> bool:
    return value.strip().strip("'\"") != ""


ENV_SETTINGS = {
    "PYTHONHTTPSVERIFY": ("CKV2_DOCKER_5", _off, "Python's urllib no longer checks certificates"),
    "NODE_TLS_REJECT_UNAUTHORIZED": ("CKV2_DOCKER_6", _off, "Node.js accepts any TLS certificate"),
    "NPM_CONFIG_STRICT_SSL": ("CKV2_DOCKER_12", _off, "npm accepts any registry certificate"),
    "GIT_SSL_NO_VERIFY": ("CKV2_DOCKER_14", _any, "git accepts any server certificate"),
    "PIP_TRUSTED_HOST": ("CKV2_DOCKER_16", _any, "pip trusts that host over plain HTTP or a bad certificate"),
}

_SSLVERIFY = re.compile(r"\bsslverify\s*=\s*(0|false|no|off)\b", re.IGNORECASE)
_GIT_SSLVERIFY = re.compile(r"^http(\..*)?\.sslverify$", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    """One place verification is turned off: ``command`` is None for an ENV/ARG setting."""

    code: str
    what: str
    command: SimpleCommand | None = None
    name: str | None = None  # the ENV/ARG name


def env_hits(name: str, value: str) -> Hit | None:
    """The hit of an ENV/ARG/assignment ``name=value``, or None."""
    setting = ENV_SETTINGS.get(name.upper())
    if setting is None or "$" in value:
        return None
    code, turned_off, what = setting
    return Hit(code, f"{name}={value.strip()}: {what}", name=name) if turned_off(value) else None


def _short_bundle_has(word: str, letter: str) -> bool:
    return word.startswith("-") and not word.startswith("--") and len(word) > 1 and letter in word[1:]


def _local_packages(packages: tuple[str, ...]) -> bool:
    return bool(packages) and all(p.startswith(("/", "./", "../")) or p.endswith(".apk") for p in packages)


def command_hits(script: ShellScript) -> Iterator[Hit]:
    """The hits in one RUN script, in source order."""
    ops = {id(op.command): op for op in script.of_type(PackageOp)}
    for cmd in script.commands:
        words = [w.value or "" for w in cmd.args]
        for assignment in cmd.assignments:
            key, eq, value = assignment.partition("=")
            if eq and (hit := env_hits(key, value)) is not None:
                yield Hit(hit.code, hit.what, cmd)
        name = cmd.name
        op = ops.get(id(cmd))
        if name == "curl" and ("--insecure" in words or any(_short_bundle_has(w, "k") for w in words)):
            yield Hit("CKV2_DOCKER_2", "`curl --insecure` accepts any server certificate", cmd)
        elif name == "wget" and "--no-check-certificate" in words:
            yield Hit("CKV2_DOCKER_3", "`wget --no-check-certificate` accepts any server certificate", cmd)
        elif name == "git" and _git_no_verify(words):
            yield Hit("CKV2_DOCKER_14", "git is told not to check server certificates", cmd)
        elif name in ("npm", "yarn", "pnpm") and _npm_no_strict(words):
            yield Hit("CKV2_DOCKER_13", f"{name} accepts any registry certificate", cmd)
        elif name == "rpm" and (bad := [w for w in words if w in ("--nodigest", "--nosignature", "--noverify",
                                                                   "--nofiledigest")]):
            yield Hit("CKV2_DOCKER_10", f"`rpm {bad[0]}` skips the package's signature or digest checks", cmd)
        if name in ("pip", "pip3") or (op is not None and op.manager == "pip"):
            if op is not None and op.has_flag("--trusted-host"):
                yield Hit("CKV2_DOCKER_4", "`pip --trusted-host` accepts that host without a valid certificate", cmd)
            elif any(w.lower().endswith("trusted-host") for w in words) and "config" in words:
                yield Hit("CKV2_DOCKER_4", "pip is configured to trust a host without a valid certificate", cmd)
        if op is None:
            if any(_SSLVERIFY.search(w) for w in words):
                yield Hit("CKV2_DOCKER_15", "yum/dnf is told not to check repository certificates", cmd)
            continue
        if op.manager == "apk" and op.has_flag("--allow-untrusted") and not _local_packages(op.packages):
            yield Hit("CKV2_DOCKER_7", "`apk --allow-untrusted` installs packages without a valid signature", cmd)
        elif op.manager == "apt":
            if op.has_flag("--allow-insecure-repositories"):
                yield Hit("CKV2_DOCKER_8", "apt accepts repositories whose signature it cannot check", cmd)
            elif op.has_flag("--allow-unauthenticated"):
                yield Hit("CKV2_DOCKER_8", "apt installs packages it cannot authenticate", cmd)
            elif op.has_flag("--force-yes"):
                yield Hit("CKV2_DOCKER_11", "`--force-yes` also accepts unauthenticated packages", cmd)
        elif op.manager == "dnf":
            if op.has_flag("--nogpgcheck"):
                yield Hit("CKV2_DOCKER_9", f"`{op.tool or name} --nogpgcheck` skips package signature checks", cmd)
            elif any(_SSLVERIFY.search(w) for w in words):
                yield Hit("CKV2_DOCKER_15", "yum/dnf is told not to check repository certificates", cmd)


def _git_no_verify(words: list[str]) -> bool:
    for i, w in enumerate(words):
        if w == "-c" and i + 1 < len(words):
            key, _, value = words[i + 1].partition("=")
            if _GIT_SSLVERIFY.match(key) and _off(value):
                return True
        if _GIT_SSLVERIFY.match(w) and i + 1 < len(words) and _off(words[i + 1]) and "config" in words[:i]:
            return True
    return False


def _npm_no_strict(words: list[str]) -> bool:
    for i, w in enumerate(words):
        if w.startswith("--strict-ssl=") and _off(w.partition("=")[2]):
            return True
        if w in ("strict-ssl", "strict-ssl=false") and "config" in words[:i]:
            return w == "strict-ssl=false" or (i + 1 < len(words) and _off(words[i + 1]))
    return False

"""The distribution API v2 client behind ``registry:REF``: reference parsing, credentials, authentication
and bounded GETs.

Transport: HTTPS, or plain HTTP for loopback registries (``localhost``, ``127.0.0.0/8``, ``::1``) and
when ``SLIMGUARD_REGISTRY_PLAIN_HTTP=1``. Authentication: anonymous, then whatever the registry's
``WWW-Authenticate`` asks for: ``Basic`` (credentials sent to that registry only), or ``Bearer``
(a token from the realm, fetched with the credentials when there are some). Credentials come from
``SLIMGUARD_REGISTRY_USERNAME``/``SLIMGUARD_REGISTRY_PASSWORD``, else the Docker config file
(``$DOCKER_CONFIG/config.json`` or ``~/.docker/config.json``: ``auths`` entries, ``credHelpers`` and
``credsStore`` through ``docker-credential-*`` helpers).
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import re
import subprocess
from typing import Any

from slimguard.image.errors import AuditError, CorruptError, LimitError
from slimguard.image.sources.manifests import DIGEST
from slimguard.image.streams import Limits

_NAME = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")
HUB = "registry-1.docker.io"


def parse_reference(ref: str) -> tuple[str, str, str]:
    """-> (registry host[:port], repository, tag or digest)."""
    ref = ref.strip()
    if ref.startswith(("http://", "https://")):
        ref = ref.split("://", 1)[1]
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        host, remainder = first, rest
    else:
        host, remainder = HUB, ref
    if host in ("docker.io", "index.docker.io"):
        host = HUB
    digest = None
    if "@" in remainder:
        remainder, digest = remainder.split("@", 1)
    tag = None
    colon = remainder.rfind(":")
    if colon > remainder.rfind("/"):
        remainder, tag = remainder[:colon], remainder[colon + 1:]
    repo = remainder
    if host == HUB and "/" not in repo:
        repo = "library/" + repo
    if not repo or not _NAME.match(repo):
        raise AuditError(f"registry:{ref}: invalid repository name {repo!r}")
    if digest is not None and not DIGEST.match(digest):
        raise AuditError(f"registry:{ref}: unsupported digest {digest!r}")
    return host, repo, digest or tag or "latest"


def _is_loopback(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host[1:host.find("]")]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _docker_config() -> dict:
    base = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    try:
        with open(os.path.join(base, "config.json"), encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _helper(name: str, host: str) -> tuple[str, str] | None:
    if not re.match(r"^[A-Za-z0-9_.-]+$", name):
        return None
    try:
        proc = subprocess.run([f"docker-credential-{name}", "get"], input=host.encode(), capture_output=True,
                              timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    try:
        data = json.loads(proc.stdout)
        return str(data.get("Username", "")), str(data.get("Secret", ""))
    except ValueError:
        return None


def credentials(host: str) -> tuple[str, str] | None:
    """-> (user, password) for ``host``, from the environment or the Docker config, or None."""
    user = os.environ.get("SLIMGUARD_REGISTRY_USERNAME")
    password = os.environ.get("SLIMGUARD_REGISTRY_PASSWORD")
    if user is not None and password is not None:
        return user, password
    cfg = _docker_config()
    keys = [host, f"https://{host}", f"http://{host}", f"https://{host}/v1/", f"https://{host}/v2/"]
    if host == HUB:
        keys += ["https://index.docker.io/v1/", "index.docker.io", "docker.io"]
    helpers = cfg.get("credHelpers") or {}
    for k in keys:
        if isinstance(helpers, dict) and k in helpers:
            found = _helper(str(helpers[k]), k)
            if found:
                return found
    auths = cfg.get("auths") or {}
    if isinstance(auths, dict):
        for k in keys:
            entry = auths.get(k)
            if not isinstance(entry, dict):
                continue
            if entry.get("auth"):
                try:
                    u, _, p = base64.b64decode(entry["auth"]).decode("utf-8").partition(":")
                    return u, p
                except (ValueError, UnicodeDecodeError):
                    continue
            if entry.get("username") and entry.get("password"):
                return str(entry["username"]), str(entry["password"])
    if cfg.get("credsStore"):
        for k in keys[:2]:
            found = _helper(str(cfg["credsStore"]), k)
            if found:
                return found
    return None


def _parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    scheme, _, rest = header.strip().partition(" ")
    params = {m.group(1).lower(): m.group(2) for m in re.finditer(r'(\w+)="([^"]*)"', rest)}
    return scheme.lower(), params


class RegistryClient:
    """GETs under ``/v2/REPO/`` of one registry, authenticating as challenged."""

    def __init__(self, host: str, repo: str, limits: Limits, timeout: float = 60.0) -> None:
        import requests

        self.requests = requests
        self.host = host
        self.repo = repo
        self.limits = limits
        plain = os.environ.get("SLIMGUARD_REGISTRY_PLAIN_HTTP") == "1" or _is_loopback(host)
        self.base = f"{'http' if plain else 'https'}://{host}"
        self.session = requests.Session()
        self.session.trust_env = True
        self.timeout = timeout
        self.auth_header: str | None = None
        self.requests_made: list[str] = []

    def _authorize(self, response: Any) -> bool:
        challenge = response.headers.get("WWW-Authenticate", "")
        if not challenge:
            return False
        scheme, params = _parse_challenge(challenge)
        creds = credentials(self.host)
        if scheme == "basic":
            if creds is None:
                raise AuditError(f"registry {self.host}: authentication required (set SLIMGUARD_REGISTRY_USERNAME and "
                                 f"SLIMGUARD_REGISTRY_PASSWORD, or docker login)")
            token = base64.b64encode(f"{creds[0]}:{creds[1]}".encode()).decode()
            new = f"Basic {token}"
        elif scheme == "bearer":
            realm = params.get("realm")
            if not realm or not realm.startswith(("https://", "http://")):
                raise AuditError(f"registry {self.host}: bearer challenge without a usable realm")
            if realm.startswith("http://") and not _is_loopback(realm.split("/")[2]):
                raise AuditError(f"registry {self.host}: refusing to send credentials to a plain-HTTP token realm")
            query = {"scope": params.get("scope") or f"repository:{self.repo}:pull"}
            if params.get("service"):
                query["service"] = params["service"]
            try:
                r = self.session.get(realm, params=query, auth=creds, timeout=self.timeout)
            except self.requests.RequestException as exc:
                raise AuditError(f"registry {self.host}: token request failed ({type(exc).__name__})") from None
            if r.status_code != 200:
                raise AuditError(f"registry {self.host}: token request refused ({r.status_code})")
            try:
                body = r.json()
            except ValueError:
                raise AuditError(f"registry {self.host}: token response is not JSON") from None
            token = body.get("token") or body.get("access_token")
            if not token:
                raise AuditError(f"registry {self.host}: token response without a token")
            new = f"Bearer {token}"
        else:
            raise AuditError(f"registry {self.host}: unsupported authentication scheme {scheme!r}")
        if new == self.auth_header:
            return False
        self.auth_header = new
        return True

    def get(self, path: str, accept: str | None = None, stream: bool = False) -> Any:
        url = f"{self.base}/v2/{self.repo}/{path}"
        for _attempt in range(3):
            headers = {"Accept": accept} if accept else {}
            if self.auth_header:
                headers["Authorization"] = self.auth_header
            self.requests_made.append(path)
            try:
                r = self.session.get(url, headers=headers, stream=stream, timeout=self.timeout, allow_redirects=False)
                hops = 0
                while r.status_code in (301, 302, 303, 307, 308) and hops < 5:  # blob storage redirects
                    loc = r.headers.get("Location", "")
                    r.close()
                    hops += 1
                    if not loc:
                        break
                    nxt = loc if "://" in loc else self.base + loc
                    same = nxt.split("/")[2] == self.base.split("/")[2]
                    r = self.session.get(nxt, headers=headers if same else ({"Accept": accept} if accept else {}),
                                         stream=stream, timeout=self.timeout, allow_redirects=False)
            except self.requests.RequestException as exc:
                raise AuditError(f"registry {self.host}: {type(exc).__name__}: {exc}") from None
            if r.status_code == 401 and self._authorize(r):
                r.close()
                continue
            if r.status_code == 401:
                raise AuditError(f"registry {self.host}: unauthorized for {self.repo}")
            if r.status_code == 404:
                raise AuditError(f"registry {self.host}: {self.repo}/{path} not found")
            if r.status_code != 200:
                raise AuditError(f"registry {self.host}: {path}: HTTP {r.status_code}")
            return r
        raise AuditError(f"registry {self.host}: authentication failed")

    def get_json(self, path: str, accept: str | None = None) -> tuple[Any, str]:
        r = self.get(path, accept, stream=True)
        length = r.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > self.limits.max_json_bytes:
            r.close()
            raise LimitError(f"registry {self.host}: {path} is larger than {self.limits.max_json_bytes} bytes")
        chunks = []
        total = 0
        for chunk in r.iter_content(1 << 16):
            total += len(chunk)
            if total > self.limits.max_json_bytes:
                r.close()
                raise LimitError(f"registry {self.host}: {path} is larger than {self.limits.max_json_bytes} bytes")
            chunks.append(chunk)
        try:
            return json.loads(b"".join(chunks)), r.headers.get("Content-Type", "")
        except ValueError:
            raise CorruptError(f"registry {self.host}: {path} is not valid JSON") from None

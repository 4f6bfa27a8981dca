"""Secrets in an image: key and credential files (in any layer), ENV values and build history."""

from __future__ import annotations

import re
from dataclasses import dataclass

from slimguard.analysis.secrets import credential_in, secret_name as _secret_name
from slimguard.image.layers import basename, is_secret_candidate

_PRIVATE_KEY = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
_ASSIGN = re.compile(r"""(?:^|[\s;&|'"(])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s;&|'"]+)""")
_URL_CREDS = re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:([^/\s@'\"]+)@[^\s'\"]+", re.I)
_PLACEHOLDERS = frozenset({"", "true", "false", "yes", "no", "on", "off", "0", "1", "none", "null", "changeme",
                           "xxx", "secret", "password", "token", "example", "dummy", "test", "<secret>", "redacted"})
_EXCLUDED_DIRS = ("usr/share/", "usr/lib/", "usr/include/", "usr/libexec/", "lib/", "etc/ssl/certs/",
                  "usr/local/share/ca-certificates/", "etc/pki/", "etc/ca-certificates/", "usr/local/lib/")
_EXCLUDED_PARTS = ("/node_modules/", "/site-packages/", "/dist-packages/", "/test/", "/tests/", "/testdata/",
                   "/fixtures/", "/examples/", "/example/", "/doc/", "/docs/")
_ENV_SAMPLES = re.compile(r"\.(example|sample|template|dist|defaults?|schema|tpl)$", re.I)


def mask(value: str) -> str:
    value = value.strip("'\"")
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * min(8, len(value) - 2) + f" ({len(value)} chars)"


def _real_value(value: str) -> bool:
    v = value.strip("'\"")
    if v.lower() in _PLACEHOLDERS or v.startswith(("/", "$", "${")) or v.startswith("<"):
        return False
    return True


@dataclass
class SecretHit:
    path: str  # without leading "/"
    layer: int
    kind: str  # what was found
    visible: bool = True


def _excluded(path: str) -> bool:
    if path.startswith(_EXCLUDED_DIRS):
        return True
    p = "/" + path
    return any(part in p for part in _EXCLUDED_PARTS)


def classify_file(path: str, data: bytes) -> str | None:
    """What secret a candidate file holds (None: nothing that looks like one)."""
    base = basename(path)
    if path == "etc/shadow":
        for line in data.decode("utf-8", "replace").splitlines():
            parts = line.split(":")
            if len(parts) >= 2 and parts[1] == "" and parts[0]:
                return f"an account without a password ({parts[0]})"
        return None
    if not data.strip():
        return None
    if _excluded(path) and not base.startswith("ssh_host_"):
        return None
    if _PRIVATE_KEY.search(data):
        return "a private key"
    lower = base.lower()
    text = data.decode("utf-8", "replace")
    if lower.endswith((".p12", ".pfx", ".jks", ".keystore", ".ppk")):
        return "a key store"
    if lower == ".env" or lower.startswith(".env."):
        if _ENV_SAMPLES.search(lower):
            return None
        for line in text.splitlines():
            m = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$", line)
            if m and m.group(2).strip() and ((_secret_name(m.group(1)) and _real_value(m.group(2).strip()))
                                             or credential_in(m.group(2))):
                return f"an environment file with secrets ({m.group(1)}=...)"
        return None
    checks = {
        ".git-credentials": r"://[^:\s]+:[^@\s]+@", ".netrc": r"\bpassword\s+\S", "_netrc": r"\bpassword\s+\S",
        ".npmrc": r"_auth(Token)?\s*=\s*\S", ".pypirc": r"\bpassword\s*[:=]\s*\S", ".pgpass": r":[^:\n]*$",
        ".htpasswd": r"^[^:\s]+:\S", ".vault-token": r"\S", ".dockercfg": r'"auth"\s*:\s*"[^"]',
        ".s3cfg": r"secret_key\s*=\s*\S", "credentials": r"(secret|password|token|key)\w*\s*[=:]\s*\S",
        "credentials.json": r'"(private_key|client_secret|password|token)"\s*:\s*"[^"]',
        "terraform.tfvars": r"(secret|password|token|key)\w*\s*=\s*\"[^\"]", "secrets.yml": r":\s*\S",
        "secrets.yaml": r":\s*\S", "secrets.json": r'"\s*:\s*"[^"]', "master.key": r"\S",
        "wp-config.php": r"DB_PASSWORD'\s*,\s*'[^']", "config.json": r'"auth"\s*:\s*"[^"]',
        "config": r"(token|client-key-data|password)\s*:\s*\S",
    }
    if path.endswith(".docker/config.json"):
        pat = checks["config.json"]
    elif path.endswith(".kube/config"):
        pat = checks["config"]
    elif path.endswith(".ssh/config"):
        return None
    elif lower.startswith("service") and lower.endswith(".json"):
        pat = r'"private_key"\s*:\s*"[^"]'
    else:
        pat = checks.get(lower)
    if pat is None:
        return None
    if re.search(pat, text, re.I | re.M):
        return {"credentials.json": "a credentials file", ".docker/config.json": "registry credentials"}.get(
            lower, f"credentials ({base})")
    return None


def scan_captures(captures: dict, layer: int) -> list[SecretHit]:
    hits = []
    for path, data in captures.items():
        if not (is_secret_candidate(path) or path == "etc/shadow"):
            continue
        kind = classify_file(path, data)
        if kind is not None:
            hits.append(SecretHit(path, layer, kind))
    return hits


def env_secrets(env: list) -> list[tuple[str, str, str]]:
    """-> (name, masked value, why) for ENV entries that look like secrets."""
    out = []
    for item in env or []:
        if not isinstance(item, str):
            continue
        name, _, value = item.partition("=")
        cred = credential_in(value)
        if cred:
            out.append((name, mask(value), f"holds {cred}"))
        elif _secret_name(name) and _real_value(value):
            out.append((name, mask(value), "its name says it holds a secret"))
    return out


def history_secrets(history: list, env_names: set) -> list[tuple[int, str, str]]:
    """-> (history index, what, masked) for secrets recorded in build history (RUN lines, build args)."""
    out = []
    for i, h in enumerate(history or []):
        if not isinstance(h, dict):
            continue
        text = str(h.get("created_by") or "")
        if not text:
            continue
        is_env = "#(nop) ENV " in text or text.startswith("ENV ")
        cred = credential_in(text)
        if cred:
            out.append((i, cred, ""))
            continue
        m = _URL_CREDS.search(text)
        if m:
            out.append((i, "a URL with a password", mask(m.group(1))))
            continue
        for m in _ASSIGN.finditer(text):
            name, value = m.group(1), m.group(2)
            if is_env and name in env_names:
                continue
            if _secret_name(name) and _real_value(value):
                out.append((i, f"{name}=", mask(value)))
                break
    return out

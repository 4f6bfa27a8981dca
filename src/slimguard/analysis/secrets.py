"""What looks like a secret: variable names (BuildKit's SecretsUsedInArgOrEnv tokens) and credential values.

Used by the Dockerfile rule SG019 and by the image audit (ENV and build history of a built image).
"""

from __future__ import annotations

import re

# BuildKit's SecretsUsedInArgOrEnv tokens: a whole `_`-delimited part of the name.
_DENY = re.compile(r"(?:_|^)(?:apikey|auth|credentials?|key|password|pword|passwd|secret|token)(?:_|$)", re.I)
# Parts that make the name describe *where* a secret is, or something public, not the secret itself.
# BuildKit allows public, file and version; slimguard adds the rest (see the rule docs).
_ALLOW = re.compile(
    r"(?:_|^)(?:public|pub|file|path|dir|version|url|uri|endpoint|host|port|type|method|mode|enabled?|"
    r"disabled?|required|ttl|timeout|expiry|expiration|length|size|algorithm|provider|name|user|username|"
    r"email|issuer|audience|scope|realm|domain|region|prefix|gpg|pgp|fingerprint)(?:_|$)",
    re.I,
)

# Values that are credentials whatever the variable is called.
_CREDENTIALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("a GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("an npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("a Slack token", re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}")),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
)

# hadolint DL3064 (v2.15.1), used only to decide when a finding carries the DL3064 alias.
_HADOLINT_NAMES = frozenset("""
ACCESS_TOKEN APPLICATION_KEY APP_SECRET AUTH_TOKEN AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY BITTREX_API_KEY
BITTREX_API_SECRET CF_PASSWORD CF_USERNAME CIRCLE_TOKEN CI_DEPLOY_PASSWORD CI_DEPLOY_USER DOCKERHUB_PASSWORD
DOCKER_EMAIL DOCKER_PASSWORD DOCKER_USERNAME FACEBOOK_ACCESS_TOKEN FACEBOOK_APP_ID FACEBOOK_APP_SECRET
FIREBASE_API_TOKEN FIREBASE_TOKEN FOSSA_API_KEY GH_ENTERPRISE_TOKEN GH_TOKEN GITHUB_ENTERPRISE_TOKEN
GITHUB_TOKEN HEROKU_API_KEY HEROKU_API_USER NPM_AUTH_TOKEN NPM_TOKEN OKTA_AUTHN_GROUPID OKTA_CLIENT_ORGURL
OKTA_CLIENT_TOKEN OKTA_OAUTH2_CLIENTID OKTA_OAUTH2_CLIENTSECRET OPENAI_API_KEY OS_PASSWORD OS_USERNAME
POSTGRES_PASSWORD SLACK_TOKEN STRIPE_API_KEY STRIPE_DEVICE_NAME TRAVIS_OS_NAME TRAVIS_SECURE_ENV_VARS
TRAVIS_SUDO VAULT_CLIENT_KEY VAULT_TOKEN
""".split())
_HADOLINT_SUBSTRINGS = ("api_key", "client_key", "password", "private", "secret", "token", "username")


def secret_name(name: str) -> bool:
    """True when *name* looks like it holds a secret (BuildKit's tokens minus the allow list)."""
    return bool(_DENY.search(name)) and not _ALLOW.search(name)


def hadolint_flags(name: str) -> bool:
    return name.upper() in _HADOLINT_NAMES or any(s in name.lower() for s in _HADOLINT_SUBSTRINGS)


def credential_in(value: str) -> str | None:
    for label, pattern in _CREDENTIALS:
        if pattern.search(value):
            return label
    return None

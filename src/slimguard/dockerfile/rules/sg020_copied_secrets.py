"""SG020: COPY/ADD of files that usually hold secrets."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext

# exact base names
_NAMES = {
    ".npmrc": "often holds a registry auth token (_authToken)",
    ".pypirc": "holds PyPI upload credentials",
    ".netrc": "holds login passwords for hosts",
    "_netrc": "holds login passwords for hosts",
    ".git-credentials": "holds git passwords or tokens",
    ".pgpass": "holds PostgreSQL passwords",
    ".dockercfg": "holds registry credentials",
    "credentials.json": "usually holds service credentials",
    "credentials": "usually holds credentials",
}
_ENV_SAMPLES = frozenset({"example", "sample", "template", "dist", "defaults", "default", "schema", "tpl"})
_KEY_EXT = re.compile(r"\.(key|p12|pfx|jks|keystore)$", re.I)
_SSH_KEY = re.compile(r"^id_(rsa|dsa|ecdsa|ed25519)(_sk)?(\..*)?$")
_CERT_WORDS = re.compile(r"cert|chain|bundle|(^|[^a-z])(ca|pub|public|root|rootca)([^a-z]|$)", re.I)
_CERT_DIRS = ("/usr/local/share/ca-certificates", "/etc/ssl/certs", "/etc/pki/ca-trust",
              "/usr/share/ca-certificates")
_SECRET_DIRS = {".ssh": "SSH keys", ".aws": "AWS credentials", ".kube": "cluster credentials",
                ".gnupg": "private GPG keys", ".docker": "registry credentials"}
_SSH_PUBLIC = frozenset({"known_hosts", "authorized_keys", "config"})


def _basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _unquote(s: str) -> str:
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    return s


_SECRETISH = re.compile(r"secret|cred|pass|token|auth|private|prod|key|^\.?env")
_PUBLIC_KEY = re.compile(r"pub(lic)?[-_.]?key|gpg|keyring|signing|archive[-_.]key|release[-_.]key")


def weak_source(src: str) -> bool:
    """``.env.production`` or ``healthcheck.env``: often a committed template without secrets, unlike ``.env``."""
    lower = _basename(src.replace("\\", "/")).lower()
    return lower != ".env" and (lower.startswith(".env.") or lower.endswith(".env"))


def secret_source(src: str, dest: str) -> str | None:
    """Why *src* (copied to *dest*) is probably a secret, or None."""
    path = src.replace("\\", "/")
    name = _basename(path)
    lower = name.lower()
    parts = [p for p in path.split("/") if p]
    if lower.endswith((".pub", ".asc")) or _PUBLIC_KEY.search(lower):
        return None  # a public or signing key (yarn-pubkey.gpg.key, repo-signing.key, keyring.gpg)
    for i, part in enumerate(parts):
        if part in _SECRET_DIRS:
            rest = parts[i + 1:]
            if part == ".ssh" and rest and rest[-1] in _SSH_PUBLIC:
                return None
            if part == ".aws" and rest and rest[-1] != "credentials":
                return None
            if part == ".docker" and rest and rest[-1] != "config.json":
                return None
            if part == ".kube" and rest and rest[-1] != "config":
                return None
            return f"{'/'.join(parts[:i + 1])} holds {_SECRET_DIRS[part]}"
    if lower in _NAMES:
        return f"{name} {_NAMES[lower]}"
    if lower.endswith(("-credentials.json", "_credentials.json")):
        return f"{name} usually holds service credentials"
    if lower == ".env" or lower.startswith((".env.", ".env*")) or lower.endswith(".env"):
        suffix = lower[5:] if lower.startswith(".env.") else lower[:-4].rstrip(".")
        if suffix and any(w in _ENV_SAMPLES for w in re.split(r"[._-]", suffix)):
            return None
        if lower.endswith(".env") and not lower.startswith(".env") and not _SECRETISH.search(lower):
            return None  # meta.env, build.env: named for what they hold, and that is not a secret by name
        return f"{name} usually holds environment secrets (API keys, database passwords)"
    if _SSH_KEY.match(lower):
        return f"{name} is an SSH private key"
    if _KEY_EXT.search(lower):
        return f"{name} usually holds a private key"
    if lower.endswith(".pem"):
        if _CERT_WORDS.search(lower) or dest.startswith(_CERT_DIRS):
            return None  # a certificate or CA bundle: public
        return f"{name} may hold a private key"
    dest_parts = [p for p in dest.split("/") if p]
    dest_name = dest_parts[-1] if dest_parts and not dest.endswith("/") else name
    if (".ssh" in dest_parts and lower not in _SSH_PUBLIC and dest_name not in _SSH_PUBLIC
            and not dest_name.endswith(".pub") and "*" not in lower):
        return f"{name} is copied into {dest} (an SSH key directory)"
    return None


class CopiedSecrets(Rule):
    id = "SG020"
    title = "Secret file copied into the image"
    severity = Severity.WARNING
    concern = "secrets"
    peers = ("DS031", "DS-0031", "AVD-DS-0031")
    fixable = "none"
    aliases = ()
    docs = RuleDocs(
        what=(
            "Finds COPY and ADD in the stage that ships (its FROM chain and ONBUILD triggers included, and "
            "`COPY --from` sources) whose sources are files that usually hold secrets: `.env` and "
            "`.env.<name>`/`<name>.env` (not .env.example, .env.sample, .env.template, .env.dist), private "
            "keys (`*.key`, `*.p12`, `*.pfx`, `*.jks`, `*.keystore`, `id_rsa`, `id_ed25519`, `id_ecdsa`, "
            "`id_dsa`), `*.pem` unless the name or destination says it is a certificate or CA bundle, "
            "`.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `.pgpass`, `credentials.json`, and the "
            "directories `.ssh`, `.aws` (credentials), `.kube` (config), `.docker` (config.json) and "
            "`.gnupg`, as well as anything copied into a `.ssh` directory. Public files (`*.pub`, "
            "known_hosts, authorized_keys) are not reported. `COPY . .` is not reported: whether the build "
            "context holds secrets depends on the context and its .dockerignore, which a Dockerfile linter "
            "cannot see; keep `.env`, keys and `.git` in .dockerignore."
        ),
        why=(
            "Every file COPY adds is in a layer of the image: anyone who can pull it can extract the file, "
            "and deleting it in a later RUN does not remove it from the earlier layer. Secrets belong in the "
            "environment at run time (env files, Kubernetes secrets, mounted files) or, when the build "
            "needs them, in a secret mount that never becomes a layer."
        ),
        example=(
            "FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json .npmrc ./\n"
            "RUN npm ci --omit=dev && rm .npmrc\nCOPY .env ./\nUSER node\n"
        ),
        instead=(
            "# syntax=docker/dockerfile:1\nFROM node:20-slim\nWORKDIR /app\n"
            "COPY package.json package-lock.json ./\n"
            "RUN --mount=type=secret,id=npmrc,target=/app/.npmrc npm ci --omit=dev\nUSER node\n"
            "# docker build --secret id=npmrc,src=$HOME/.npmrc .\n"
            "# docker run --env-file .env …\n"
        ),
        fix_safety=(
            "No automatic fix: the application may read the file at run time. Move it to a secret mount "
            "for build-time use or provide it when the container starts, rotate anything that was already "
            "pushed in an image, and add the file to .dockerignore."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        target = ctx.target
        if target is None:
            return
        for step in target.all_steps():
            ins = step.instruction
            onbuild = step.in_onbuild
            copy = ins.trigger if onbuild and ins.trigger is not None else ins
            if copy.name not in ("COPY", "ADD"):
                continue
            values = list(step.expanded) if not onbuild and step.expanded else list(copy.buildkit_value())
            if len(values) < 2:
                continue
            heredocs = {h.name for h in copy.heredocs}
            dest = _unquote(values[-1])
            if not dest.startswith("/"):
                dest = step.workdir.rstrip("/") + "/" + dest
            reasons = []
            weak = True
            for src in values[:-1]:
                src = _unquote(src)
                if src.lstrip("<-") in heredocs or re.match(r"^(https?|git)://", src):
                    continue
                reason = secret_source(src, dest)
                if reason is not None and reason not in reasons:
                    reasons.append(reason)
                    weak = weak and weak_source(src)
            if not reasons:
                continue
            where = " in an ONBUILD trigger (it runs in every image built FROM this one)" if onbuild else ""
            frm = copy.flag("from")
            origin = f" from {frm.value}" if frm is not None and frm.value else ""
            yield ctx.at(
                self, ins,
                f"{copy.name}{origin}{where} puts secrets into an image layer: {'; '.join(reasons)}. Anyone who "
                "pulls the image can read them, even if a later step deletes them; use a secret mount "
                "(RUN --mount=type=secret) at build time or provide them when the container starts, and "
                "list them in .dockerignore" + (" (information: a named .env variant is often a committed "
                                                "template without secrets; check what it holds)" if weak else ""),
                severity=Severity.INFO if weak else self.severity,
            )


RULE = CopiedSecrets

"""SG019: secrets passed with ARG or ENV."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.analysis.secrets import credential_in, hadolint_flags, secret_name
from slimguard.dockerfile.context import LintContext

if TYPE_CHECKING:
    from slimguard.dockerfile.syntax import Instruction, Span

_PLACEHOLDER = frozenset({"", "true", "false", "yes", "no", "on", "off", "0", "1", "none", "null", "changeme"})


def _unquote(value: str) -> str:
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        return v[1:-1]
    return v


def _harmless(kind: str, value: str | None) -> bool:
    """A value that cannot be the secret itself: a boolean, a path, or (for ENV) nothing.

    ``ARG TOKEN=`` is reported like ``ARG TOKEN``: the value still comes in with --build-arg."""
    if value is None:
        return False
    v = _unquote(value)
    if not v:
        return kind == "ENV"
    return v.lower() in _PLACEHOLDER or v.startswith(("/", "~/", "./")) or _fingerprint(v)


def _fingerprint(value: str) -> bool:
    """Public GPG key ids and fingerprints (16 or 40 hex digits, alone or in a space-separated list):
    the values recipes verify downloads with (GPG_KEYS, *_RELEASE_KEY), never secrets."""
    words = value.split()
    return bool(words) and all(re.fullmatch(r"(?:0x)?(?:[0-9A-Fa-f]{16}|[0-9A-Fa-f]{40})", w) for w in words)


@dataclass
class _Entry:
    ins: "Instruction"  # the instruction reported on (ONBUILD for a trigger)
    decl: "Instruction"  # the ARG/ENV itself
    kind: str  # ARG or ENV
    name: str
    value: str | None  # None: ARG without a default
    scope: str  # target, stage, global
    stage_label: str = ""


class SecretsInArgEnv(Rule):
    id = "SG019"
    title = "Secret in ARG or ENV"
    severity = Severity.WARNING
    concern = "secrets"
    peers = ("DS031", "DS-0031", "AVD-DS-0031")
    fixable = "none"
    aliases = ("DL3064", "SecretsUsedInArgOrEnv")  # hadolint, BuildKit (docs/buildkit.md)
    docs = RuleDocs(
        what=(
            "Finds ARG and ENV names that look like secrets, and ENV values or ARG defaults that are "
            "credentials. A name looks like a secret when one of its `_`-separated parts is apikey, auth, "
            "credential(s), key, password, pword, passwd, secret or token (BuildKit's SecretsUsedInArgOrEnv "
            "list, case-insensitive: GITHUB_TOKEN, db_password, AWS_SECRET_ACCESS_KEY, but not KEYCLOAK_URL "
            "or MONKEY) and no part names something that is not the secret itself: public, pub, file, path, "
            "dir, version, url, uri, endpoint, host, port, type, method, mode, enable(d), disable(d), "
            "required, ttl, timeout, expiry, expiration, length, size, algorithm, provider, name, user, "
            "username, email, issuer, audience, scope, realm, domain, region, prefix, gpg, pgp or fingerprint "
            "(so PASSWORD_FILE, JWT_PUBLIC_KEY, AUTH_URL, CACHE_KEY_PREFIX and GPG_KEY are allowed). "
            "Values that cannot be a secret (true/false, 0/1, an absolute path, an empty ENV placeholder) are "
            "not reported; an ARG is reported with or without a default, since its value comes in with "
            "--build-arg. "
            "Credential values are AWS access key ids (AKIA/ASIA…), GitHub (ghp_…, github_pat_…), GitLab "
            "(glpat-…), npm (npm_…) and Slack (xox[baprs]-…) tokens and PEM private keys, whatever the "
            "variable is called. Warnings in the stage that ships (its FROM chain and ONBUILD triggers "
            "included); names in builder stages and global ARGs that no stage redeclares are info, since "
            "their values stay out of the final image. Findings carry the DL3064 alias only when hadolint's "
            "own name list would flag the name too. Answers to BuildKit's SecretsUsedInArgOrEnv check as well, "
            "which uses the same tokens but allows only public, file and version parts and reports empty ENV "
            "values: names such as AUTH_URL or `ENV git_key=` are BuildKit findings slimguard leaves out "
            "on purpose (docs/buildkit.md)."
        ),
        why=(
            "ENV values are part of the image config: `docker inspect` and anyone who pulls the image can "
            "read them, and every container inherits them. ARG values are not in the config, but Docker "
            "records the build arguments a RUN uses in `docker history` (`|1 NPM_TOKEN=… /bin/sh -c …`) "
            "and in max-mode provenance attestations. A credential written into the Dockerfile is also in "
            "version control."
        ),
        example=(
            "FROM node:20-slim\n"
            "ARG NPM_TOKEN\n"
            "RUN echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc && npm ci && rm .npmrc\n"
        ),
        instead=(
            "# syntax=docker/dockerfile:1\n"
            "FROM node:20-slim\n"
            "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \\\n"
            "    echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc && npm ci && rm .npmrc\n"
            "# docker build --secret id=npm_token,env=NPM_TOKEN .\n"
        ),
        fix_safety=(
            "No automatic fix: moving a value to a secret mount changes how the build is invoked "
            "(`docker build --secret id=…`). Runtime secrets belong in `docker run -e`/`--env-file`, "
            "Compose or Kubernetes secrets, or a `*_FILE` variable pointing at a mounted file. Revoke "
            "any credential that was committed or pushed in an image."
        ),
    )

    def _entries(self, ctx: LintContext) -> Iterator[_Entry]:
        for ins in ctx.tree.instructions:
            if ins.name == "FROM":
                break
            if ins.name == "ARG":
                yield from _decls(ins, ins, "global")
        compat = ctx.options.hadolint_compat
        target = ctx.target
        chain = {id(s) for s in target.chain()} if target is not None else set()
        for stage in ctx.model.stages:
            scope = "target" if id(stage) in chain or compat else "stage"
            for step in stage.steps:
                ins = step.instruction
                decl = ins.trigger if ins.name == "ONBUILD" and ins.trigger is not None else ins
                if decl.name in ("ARG", "ENV"):
                    for e in _decls(ins, decl, scope):
                        e.stage_label = stage.label
                        yield e

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        entries = list(self._entries(ctx))
        redeclared = {e.name for e in entries if e.scope != "global" and e.kind == "ARG"}
        compat = ctx.options.hadolint_compat
        # ENV X=$X passes the ARG on: one finding (on the ENV, which ships) for the one variable
        passed_on = {e.name for e in entries if e.kind == "ENV" and e.value is not None
                     and re.fullmatch(r"[\"']?\$\{?" + re.escape(e.name) + r"\}?[\"']?", e.value.strip())}
        for e in entries:
            if e.kind == "ARG" and e.name in passed_on and not compat:
                continue
            cred = credential_in(e.value) if e.value else None
            named = secret_name(e.name) and not _harmless(e.kind, e.value)
            if not cred and not named:
                continue
            if not cred and e.scope == "global" and e.name in redeclared and not compat:
                continue  # the stage that redeclares it is reported
            aliases = ("DL3064",) if hadolint_flags(e.name) else ()
            span = _name_span(ctx, e)
            trigger = " (ONBUILD trigger: it applies to every image built FROM this one)" if e.ins is not e.decl else ""
            if cred:
                yield ctx.finding(
                    self, span,
                    f"{e.kind} {e.name}{trigger} holds what looks like {cred}: it is written into the "
                    "Dockerfile (and version control) and into the image; revoke it and pass it with "
                    "`docker build --secret` and RUN --mount=type=secret instead",
                    aliases=aliases, severity=Severity.WARNING,
                )
                continue
            mount = f"RUN --mount=type=secret,id={e.name.lower()},env={e.name}"
            if e.scope == "target" and e.kind == "ENV":
                msg = (f"ENV {e.name}{trigger} looks like a secret: ENV values are stored in the image config "
                       "(`docker inspect`) and inherited by every container; pass it at run time "
                       f"(`docker run -e`, a secrets manager) or, for a build step, use `{mount}`")
                sev = Severity.WARNING
            elif e.scope == "target":
                msg = (f"ARG {e.name}{trigger} looks like a secret: build-arg values used by RUN are recorded in "
                       "`docker history` and in max-mode provenance attestations; use "
                       f"`{mount}` with `docker build --secret id={e.name.lower()},env={e.name}`")
                sev = Severity.WARNING
            elif e.scope == "global":
                if e.name in redeclared:
                    msg = (f"global ARG {e.name} looks like a secret and is redeclared in a stage: build-arg "
                           "values used by RUN are recorded in `docker history` and in max-mode provenance "
                           f"attestations; use `{mount}` in the stage that needs it")
                else:
                    msg = (f"global ARG {e.name} looks like a secret: no stage redeclares it, so it only reaches "
                           "FROM lines and stays out of the image history, but build args are recorded in "
                           f"max-mode provenance attestations; use `{mount}` in the stage that needs it")
                sev = Severity.WARNING if compat else Severity.INFO
            else:
                msg = (f"{e.kind} {e.name}{trigger} looks like a secret; stage {e.stage_label} does not ship, so "
                       "the value stays out of the final image, but it is kept in that stage's history and "
                       f"build cache (and, for ARG, in max-mode provenance); `{mount}` avoids all of that")
                sev = Severity.INFO
            yield ctx.finding(self, span, msg, aliases=aliases, severity=sev)


def _decls(ins: "Instruction", decl: "Instruction", scope: str) -> Iterator[_Entry]:
    values = decl.buildkit_value()
    if decl.name == "ENV":
        for key, value in zip(values[0::2], values[1::2]):
            yield _Entry(ins, decl, "ENV", key, value, scope)
    else:
        for word in values:
            key, eq, value = word.partition("=")
            yield _Entry(ins, decl, "ARG", key, value if eq else None, scope)


def _name_span(ctx: LintContext, e: _Entry) -> "Span":
    m = re.search(r"(?:^|\s)(" + re.escape(e.name) + r")(?=[=\s]|$)", e.decl.rest)
    if m is not None:
        try:
            return e.decl.source_span(m.start(1), m.end(1))
        except AssertionError:
            pass
    span = e.ins.span
    assert span is not None
    end = ctx.tree.text.find("\n", span.start.offset)
    end = span.end.offset if end == -1 else min(end, span.end.offset)
    return ctx.text_span(span.start.offset, max(end, span.start.offset))


RULE = SecretsInArgEnv

"""SGA015: a secret in the image config's ENV or build history (lint's SG019)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import RuleDocs
from slimguard.image.rules.base import ImageContext, ImageRule
from slimguard.image.secrets import env_secrets, history_secrets


class SecretEnvHistory(ImageRule):
    id = "SGA015"
    title = "Secret in ENV or build history"
    severity = Severity.WARNING
    concern = "secrets"
    aliases = ("SG019",)
    docs = RuleDocs(
        what=(
            "Reports `Env` entries of the image config whose name looks like a secret (the names lint's SG019 "
            "checks: API_TOKEN, DB_PASSWORD, ... but not PASSWORD_FILE) with a real value, or whose value is a "
            "known credential format (AWS access key ids, GitHub, GitLab, npm and Slack tokens, private keys), "
            "and build history steps that record a credential: build arguments a RUN used (`|1 NPM_TOKEN=...`), "
            "assignments in RUN lines, URLs with a password. Values are masked in the message."
        ),
        why=(
            "ENV values are part of the image config: `docker inspect` and anyone who pulls the image can read "
            "them, and every container inherits them. ARG values are not in the config, but Docker records the "
            "build arguments a RUN uses in `docker history`, which ships with the image too."
        ),
        example=(
            "FROM node:20-slim\nARG NPM_TOKEN\nENV API_TOKEN=3f9c1e7a5b\n"
            "RUN echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc && npm ci && rm .npmrc\n"
        ),
        instead=(
            "FROM node:20-slim\n"
            "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n"
            "# API_TOKEN comes from the environment at run time\n"
        ),
        fix_safety=(
            "No automatic fix: the image is built and the secret is in it. Rotate the credential, pass it at run "
            "time (environment, mounted secret) or to the build with `RUN --mount=type=secret`, and rebuild."
        ),
    )

    def check(self, ctx: ImageContext) -> Iterator[Finding]:
        env = ctx.run_config.get("Env") or []
        for name, masked, why in env_secrets(env):
            yield ctx.finding(self, f"ENV {name}={masked} {why}; anyone who can pull the image can read it (docker "
                              f"inspect); pass it at run time or with a build secret", name=name)
        all_env = {str(e).partition("=")[0] for e in env if isinstance(e, str)}
        history = ctx.config.get("history") or []
        for idx, what, masked in history_secrets(history, all_env):
            text = str(history[idx].get("created_by", ""))[:100]
            yield ctx.finding(self, f"build history step {idx} records {what}{masked}: `{text}`; build arguments and "
                              f"RUN lines are kept in the image config; use RUN --mount=type=secret", history=idx)


RULE = SecretEnvHistory

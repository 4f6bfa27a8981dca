"""SGA016: a key or credential file in any layer of the image (lint's SG020)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import RuleDocs
from slimguard.image.rules.base import ImageContext, ImageRule


class SecretFiles(ImageRule):
    id = "SGA016"
    title = "Secret file in the image"
    severity = Severity.WARNING
    concern = "secrets"
    aliases = ("SG020",)
    docs = RuleDocs(
        what=(
            "Reads the files of every layer that usually hold secrets and reports those that do: private keys "
            "(error), key stores, `.env` files with secret-looking values (not .env.example and friends), "
            "credential files (`.git-credentials`, `.netrc`, `.npmrc` tokens, `.pypirc`, Docker, Kubernetes "
            "and AWS credentials, ...) and accounts without a password in /etc/shadow. A file a later layer "
            "deleted or replaced is reported too, as hidden but still shipped. Certificates, public keys and "
            "files under /usr/share, /usr/lib, node_modules, site-packages and test directories are not."
        ),
        why=(
            "Every file in a layer ships with the image: anyone who can pull it can extract the file, and "
            "deleting it in a later RUN does not remove it from the earlier layer. Secrets belong in the "
            "environment at run time (env files, Kubernetes secrets, mounted files) or, when the build needs "
            "them, in a secret mount that never becomes a layer."
        ),
        example=(
            "FROM debian:bookworm-slim\nCOPY id_ed25519 /root/.ssh/id_ed25519\n"
            "RUN git clone git@example.com:org/private.git /src && rm /root/.ssh/id_ed25519\n"
        ),
        instead=(
            "FROM debian:bookworm-slim\n"
            "RUN --mount=type=ssh git clone git@example.com:org/private.git /src\n"
        ),
        fix_safety=(
            "No automatic fix: the image is built and the secret is in a layer. Rotate the credential, rebuild "
            "without the file (`RUN --mount=type=secret`/`type=ssh`, a build stage that is not shipped, "
            ".dockerignore), and delete the old image from every registry it was pushed to."
        ),
    )

    def check(self, ctx: ImageContext) -> Iterator[Finding]:
        for h in ctx.secret_hits:
            if h.visible:
                msg = f"/{h.path} (layer {h.layer}) holds {h.kind}; remove it from the image and mount it at run time"
            else:
                msg = (f"/{h.path} holds {h.kind} in layer {h.layer}; a later layer hides it, but the layer still "
                       f"ships it and anyone with the image can extract it; rebuild without it (build secret or "
                       f"separate stage)")
            severity = Severity.ERROR if "private key" in h.kind else Severity.WARNING
            yield ctx.finding(self, msg, severity, path="/" + h.path, layer=h.layer, visible=h.visible)


RULE = SecretFiles

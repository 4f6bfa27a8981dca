"""SG095: TLS certificate or package signature verification turned off."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.instrs import sites
from slimguard.dockerfile.analysis.pkgsites import command_finding, run_sites
from slimguard.dockerfile.analysis.tlsverify import command_hits, env_hits
from slimguard.dockerfile.context import LintContext


class VerificationOff(Rule):
    id = "SG095"
    title = "Certificate or signature verification turned off"
    severity = Severity.WARNING
    concern = "integrity"
    # each finding carries the Checkov code of its setting (CKV2_DOCKER_2 … CKV2_DOCKER_16)
    alias_pattern = r"^CKV2_DOCKER_(?:[2-9]|1[0-6])$"
    docs = RuleDocs(
        what=(
            "Finds settings that make downloads trust anything: `curl -k`/`--insecure`, `wget "
            "--no-check-certificate`, `pip --trusted-host` and `PIP_TRUSTED_HOST`, `PYTHONHTTPSVERIFY=0`, "
            "`NODE_TLS_REJECT_UNAUTHORIZED=0`, npm/yarn `strict-ssl false` and `NPM_CONFIG_STRICT_SSL=false`, "
            "`GIT_SSL_NO_VERIFY` and git `http.sslVerify false`, `apk --allow-untrusted` (not for local "
            "`.apk` files), apt `--allow-unauthenticated`/`--allow-insecure-repositories`/`--force-yes`, "
            "dnf/yum `--nogpgcheck` and `sslverify=0`, and rpm `--nosignature`/`--nodigest`/`--noverify`. "
            "ENV and ARG values, inline assignments (`VAR=0 npm ci`) and RUN commands in every stage and "
            "ONBUILD trigger are checked; values from variables are not. Each finding carries the Checkov "
            "code of the same check (CKV2_DOCKER_2 … _16) as alias."
        ),
        why=(
            "Without certificate or signature checks anyone on the network path (a proxy, a hijacked mirror) "
            "can hand the build different code, and it lands in the image. In a build stage it is as bad as in "
            "the final one: what the stage builds is copied on. An ENV setting also weakens every container "
            "started from the image."
        ),
        example="FROM debian:bookworm-slim\nRUN curl -kfsSL https://example.com/tool.tgz | tar -xz -C /usr/local\n",
        instead=(
            "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends "
            "ca-certificates curl \\\n    && curl -fsSL https://example.com/tool.tgz | tar -xz -C /usr/local\n"
        ),
        fix_safety=(
            "No fix: a download that only works without verification (a self-signed mirror, a missing CA "
            "bundle) would fail; install the CA certificate or the repository key instead."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in sites(ctx):
            if site.ins.name not in ("ENV", "ARG"):
                continue
            values = site.ins.buildkit_value()
            pairs = (zip(values[0::2], values[1::2]) if site.ins.name == "ENV"
                     else (w.partition("=")[::2] for w in values if "=" in w))
            for key, value in pairs:
                hit = env_hits(key, value)
                if hit is not None:
                    yield ctx.at(self, site.reported, f"{site.ins.name} {hit.what}; remove it and install the "
                                 "CA certificate the connection needs", aliases=(hit.code,))
        for run in run_sites(ctx):
            for hit in command_hits(run.script):
                assert hit.command is not None
                yield command_finding(ctx, self, run, hit.command,
                                      f"{hit.what}; install the CA certificate or repository key instead",
                                      aliases=(hit.code,))


RULE = VerificationOff

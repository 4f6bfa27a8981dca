"""SG023: images from registries outside the configured trusted list."""

from __future__ import annotations

import fnmatch
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext


def _registry_of(text: str) -> str | None:
    from slimguard.knowledge.imageref import try_parse_image_ref

    ref = try_parse_image_ref(text)
    if ref is None or ref.is_scratch:
        return None
    return ref.registry


def _trusted(registry: str, patterns: tuple[str, ...]) -> bool:
    names = {registry}
    if registry == "docker.io":
        names |= {"index.docker.io", "registry-1.docker.io", "hub.docker.com"}
    return any(fnmatch.fnmatchcase(n, p) for n in names for p in patterns)


class TrustedRegistry(Rule):
    id = "SG023"
    title = "Image from an untrusted registry"
    severity = Severity.ERROR
    concern = "trusted-registry"
    fixable = "none"
    aliases = ("DL3026",)
    docs = RuleDocs(
        what=("When trusted registries are configured (`trustedRegistries` in .hadolint.yaml or "
              "`trusted-registries` in [tool.slimguard]), finds FROM images, `COPY --from=<image>` and "
              "`RUN --mount=...,from=<image>` that come from any other registry. Wildcards such as "
              "`*.example.com` and `*` are allowed; `docker.io` covers every Docker Hub spelling. "
              "Without configuration the rule reports nothing."),
        why=("A base image runs as part of everything you ship: pulling it from an unvetted registry "
             "bypasses your organisation's scanning, mirroring and signing."),
        example="# trusted-registries = [\"registry.example.com\"]\nFROM docker.io/library/node:20-slim\n",
        instead="FROM registry.example.com/mirror/node:20-slim\n",
        fix_safety="No automatic fix: the mirrored image's name is specific to your registry.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        patterns = tuple(ctx.options.trusted_registries)
        if not patterns:
            return
        stage_names = {s.name.lower() for s in ctx.model.stages if s.name}

        def is_stage(ref: str) -> bool:
            return ref.lower() in stage_names or ref.isdigit()

        for stage in ctx.model.stages:
            base = stage.base
            if not base.is_stage and base.image is not None and not base.is_scratch and not base.unresolved:
                if not _trusted(base.image.registry, patterns):
                    yield ctx.at(self, stage.from_instruction,
                                 f"{base.text} comes from {base.image.registry}, which is not a trusted registry "
                                 f"({', '.join(patterns)})")
        for ins in ctx.tree.instructions:
            target = ins.trigger if ins.trigger is not None else ins
            refs: list[str] = []
            if target.name in ("COPY", "ADD"):
                f = target.flag("from")
                if f is not None and f.value and not is_stage(f.value):
                    refs.append(f.value)
            if target.name == "RUN":
                for f in target.flags:
                    if f.name == "mount" and f.value:
                        for part in f.value.split(","):
                            key, _, value = part.partition("=")
                            if key.strip() == "from" and value and not is_stage(value):
                                refs.append(value)
            for ref in refs:
                registry = _registry_of(ref)
                if registry is not None and "$" not in ref and not _trusted(registry, patterns):
                    yield ctx.at(self, ins, f"{ref} comes from {registry}, which is not a trusted registry "
                                            f"({', '.join(patterns)})")


RULE = TrustedRegistry

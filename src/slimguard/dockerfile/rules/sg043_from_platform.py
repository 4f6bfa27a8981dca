"""SG043: FROM --platform with a fixed platform."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.buildkit import parse_platform
from slimguard.dockerfile.analysis.instrs import sites
from slimguard.dockerfile.context import LintContext

# $BUILDPLATFORM (cross-compiling stages) is fine; $TARGETPLATFORM is the default (hadolint's DL3065)
_ALLOWED = re.compile(r"^\$(?:\{(?:BUILD|TARGET)PLATFORM(?::-)?\}|(?:BUILD|TARGET)PLATFORM)$")
# outside hadolint-compat mode, $BUILDPLATFORM with a default (${BUILDPLATFORM:-linux/amd64}) is the
# recommended pattern too: the default only applies to builders that do not set it
_ALLOWED_WITH_DEFAULT = re.compile(r"^\$\{(?:BUILD|TARGET)PLATFORM:?-[^}]*\}$")


def _buildkit_reports(ins, value: str) -> bool:  # noqa: ANN001 - an Instruction
    """Whether BuildKit's FromPlatformFlagConstDisallowed reports the value too: a constant platform whose OS
    and architecture the stage name does not contain."""
    if "$" in value:
        return False
    parsed = parse_platform(value)
    if parsed is None:
        return False
    args = list(ins.buildkit_value())
    name = args[2] if len(args) >= 3 and args[1].lower() == "as" else ""
    return not (name and (parsed[0] in name.lower() or parsed[1] in name.lower()))


class FromPlatform(Rule):
    id = "SG043"
    title = "FROM --platform"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("DL3029", "FromPlatformFlagConstDisallowed")  # hadolint, BuildKit (docs/buildkit.md)
    docs = RuleDocs(
        what=("Finds `FROM --platform=...` with a value other than `$BUILDPLATFORM` (or "
              "`$TARGETPLATFORM`, which is the default anyway). Answers to BuildKit's "
              "FromPlatformFlagConstDisallowed too, which is narrower: it reports only constant values, and not "
              "when the stage name contains the platform's OS or architecture (`AS build-amd64`); the findings "
              "BuildKit would not make carry only the DL3029 alias when they use a variable."),
        why=("A fixed platform (`--platform=linux/amd64`) builds that architecture on every machine: on an "
             "arm64 host or in a multi-platform build the image runs emulated or is for the wrong "
             "architecture. `docker build --platform` chooses it per build."),
        example="FROM --platform=linux/amd64 debian:bookworm-slim\n",
        instead="FROM debian:bookworm-slim\n",
        fix_safety="No fix: removing the flag changes which architecture is built.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in sites(ctx, onbuild=False):
            if site.ins.name != "FROM":
                continue
            flag = site.ins.flag("platform")
            if flag is None or flag.value is None or _ALLOWED.match(flag.value.strip()):
                continue
            if not ctx.options.hadolint_compat and _ALLOWED_WITH_DEFAULT.match(flag.value.strip()):
                continue
            yield ctx.at(self, site.reported,
                         f"FROM --platform={flag.value} fixes the platform; drop it and pass --platform "
                         "to docker build, or use $BUILDPLATFORM for build stages",
                         aliases=self.aliases if _buildkit_reports(site.ins, flag.value) else ("DL3029",))


RULE = FromPlatform

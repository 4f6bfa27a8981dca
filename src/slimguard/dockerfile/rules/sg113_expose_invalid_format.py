"""SG113: EXPOSE with an IP address or a host port (BuildKit's ExposeInvalidFormat)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.buildkit import expose_sites
from slimguard.dockerfile.context import LintContext


class ExposeInvalidFormat(Rule):
    id = "SG113"
    title = "EXPOSE with an IP address or host port"
    severity = Severity.WARNING
    concern = "syntax"
    fixable = "safe"
    aliases = ("ExposeInvalidFormat",)
    docs = RuleDocs(
        what=(
            "Finds EXPOSE ports written with an IP address or a host-port mapping (`127.0.0.1:80:80`, "
            "`8080:80`), after variable substitution, as BuildKit's ExposeInvalidFormat check does "
            "(ONBUILD triggers are not checked)."
        ),
        why=(
            "EXPOSE only documents the container's port: the image records `80/tcp` and drops the address "
            "and the host port, so `8080:80` does not publish anything on 8080. BuildKit warns that this "
            "will become an error in a future release. Publishing is `docker run -p 8080:80`'s job."
        ),
        example="FROM nginx:1.27\nEXPOSE 8080:80\n",
        instead="FROM nginx:1.27\nEXPOSE 80\n# docker run -p 8080:80 ...\n",
        fix_safety=(
            "Safe: keeps only the container port (and protocol) of a port written literally, which is "
            "exactly what the image records today."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in expose_sites(ctx.model):
            port, value = site.port, site.value
            if not port.valid_proto or not (port.ip or port.host):
                continue
            keep = port.container + (f"/{port.proto}" if port.proto else "")
            fix = None
            if site.span is not None:
                fix = Fix(f"write EXPOSE {keep}", (Edit(site.span.start.offset, site.span.end.offset, keep),),
                          Applicability.SAFE)
            what = "an IP address and host port" if port.ip else "a host port"
            yield ctx.at(self, site.instruction, f"EXPOSE {value} gives {what}, which EXPOSE ignores (the image "
                                                 f"records {keep}); write EXPOSE {keep} and publish with docker "
                                                 "run -p", fix=fix)


RULE = ExposeInvalidFormat

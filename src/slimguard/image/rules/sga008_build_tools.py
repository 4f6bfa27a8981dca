"""SGA008: compilers, build tools, headers, SCM clients, downloaders, package managers and shells in the
image (lint's SG009)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import RuleDocs
from slimguard.analysis.packages import CATEGORY_LABEL
from slimguard.image.rules.base import ImageContext, ImageRule
from slimguard.image.units import categorize, mb

_SEVERITY = {"compiler": Severity.WARNING, "build-tool": Severity.WARNING, "dev-headers": Severity.WARNING,
             "scm": Severity.WARNING, "downloader": Severity.INFO, "package-manager": Severity.STYLE,
             "shell": Severity.STYLE}
_ADVICE = {
    "package-manager": "a runtime image rarely needs them; distroless or a final stage without them removes them",
    "shell": "a shell makes the container easier to misuse; distroless images have none",
    "downloader": "remove them after use in the same RUN, or fetch in a build stage",
}
_SHOWN = 10


class BuildTools(ImageRule):
    id = "SGA008"
    title = "Build tools ship in the image"
    severity = Severity.WARNING
    concern = "build-tools"
    aliases = ("SG009",)
    docs = RuleDocs(
        what=(
            "Reads the installed packages (dpkg, distroless status.d, apk, rpm) and reports one finding per "
            "category present, with each package's installed size: compilers, build tools, development "
            "headers and source-control clients (warning), downloaders such as curl and wget (info), package "
            "managers and shells (style). Sizes are measured from the files a package owns where the database "
            "lists them, else taken from the database."
        ),
        why=(
            "A compiler, make and git are what an attacker who gets a shell in the container wants: they can "
            "build and fetch tools on the spot. They also add hundreds of megabytes and a steady stream of CVE "
            "reports for software the application never runs: node:12.16 is 916 MB with gcc, make, git and "
            "dozens of -dev packages, node:12.16-slim is 140 MB without them."
        ),
        example=(
            "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends "
            "build-essential git \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY . /src\nRUN make -C /src install\n"
        ),
        instead=(
            "FROM debian:bookworm-slim AS build\nRUN apt-get update && apt-get install -y --no-install-recommends "
            "build-essential git \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY . /src\n"
            "RUN make -C /src install DESTDIR=/out\n\nFROM debian:bookworm-slim\n"
            "COPY --from=build /out/usr/local /usr/local\n"
        ),
        fix_safety=(
            "No automatic fix: the image is built. Build in a separate stage and copy only the result, or "
            "remove the packages in the RUN that installs them, and rebuild; an entrypoint or health check "
            "that runs a shell or curl needs them (or a replacement) in the final image."
        ),
    )

    def check(self, ctx: ImageContext) -> Iterator[Finding]:
        cats = categorize(ctx.packages)
        for cat, severity in _SEVERITY.items():
            pkgs = cats.get(cat)
            if not pkgs:
                continue
            total = sum(p.size for p in pkgs)
            pkgs_sorted = sorted(pkgs, key=lambda p: (-p.size, p.name))
            shown = ", ".join(f"{p.name} ({mb(p.size)})" for p in pkgs_sorted[:_SHOWN])
            if len(pkgs) > _SHOWN:
                shown += f" and {len(pkgs) - _SHOWN} more"
            advice = _ADVICE.get(cat, "build in a separate stage and COPY --from only the result")
            yield ctx.finding(
                self, f"{len(pkgs)} {CATEGORY_LABEL[cat]} installed ({mb(total)}): {shown}; {advice}", severity,
                category=cat, bytes=total,
                packages=[{"name": p.name, "version": p.version, "bytes": p.size, "size_source": p.size_source}
                          for p in pkgs_sorted])


RULE = BuildTools

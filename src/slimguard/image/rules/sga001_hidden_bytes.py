"""SGA001: bytes hidden by later layers."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import RuleDocs
from slimguard.image.rules.base import ImageContext, ImageRule
from slimguard.image.units import MB, mb


class SGA001(ImageRule):
    id = "SGA001"
    title = "Bytes hidden by later layers"
    severity = Severity.INFO
    concern = "pkg-hygiene"
    docs = RuleDocs(
        what=(
            "Reported by `slimguard audit` on a built image. Every regular-file byte of every layer is "
            "accounted for with the OCI overlay semantics: it is either visible in the final filesystem or "
            "hidden by a later layer, because the later layer overwrote the path (`chown -R`, `chmod`, a "
            "second `COPY`), deleted it (a whiteout), deleted or replaced its directory, or made the directory "
            "opaque. The rule fires when the hidden bytes reach 10 MB and 5 % of all file bytes; the message "
            "names the layer that hides the most and the largest hidden directories or files with their cause."
        ),
        why=(
            "A layer is immutable: deleting or changing a file in a later `RUN` does not remove it from the "
            "image, it only hides it. The hidden bytes are still stored, pushed, pulled and unpacked on every "
            "node, so the image is larger and slower to deploy than its final filesystem suggests; a secret or "
            "source tree \"deleted\" this way can still be read from the earlier layer."
        ),
        example=(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends build-essential\n"
            "COPY . /src\n"
            "RUN make -C /src install\n"
            "RUN rm -rf /src /var/lib/apt/lists/*\n"
            "RUN chown -R app:app /usr/local\n"
        ),
        instead=(
            "FROM debian:bookworm-slim AS build\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends build-essential \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n"
            "COPY . /src\n"
            "RUN make -C /src install DESTDIR=/out\n"
            "\n"
            "FROM debian:bookworm-slim\n"
            "COPY --from=build --chown=app:app /out/usr/local /usr/local\n"
        ),
        fix_safety=(
            "No automatic fix: the hidden bytes are in a built image. Rebuild with the files removed in the "
            "same `RUN` that creates them, with `COPY --chown`/`--chmod` instead of a later `chown -R`/`chmod "
            "-R`, or with a multi-stage build that copies only the result; none of these changes the final "
            "filesystem, only what the earlier layers carry. `slimguard lint` flags some of the Dockerfile "
            "patterns behind it (SG011 no build stage, SG013 apt lists, SG014-SG016 package caches)."
        ),
    )

    def check(self, ctx: ImageContext) -> Iterator[Finding]:
        ov = ctx.overlay
        if ov is None or not ctx.content_bytes:
            return
        hidden = ctx.hidden_bytes
        if hidden >= 10 * MB and hidden >= 0.05 * ctx.content_bytes:
            worst = sorted(((sum(st.hidden_by.values()), st.index) for st in ov.layers), reverse=True)[0]
            items = ov.top_hidden_dirs.items()[:3] or ov.top_hidden.items()[:3]
            where = ", ".join(f"{it.path} ({mb(it.size)}, {it.cause})" for it in items)
            yield ctx.finding(
                self, f"{mb(hidden)} ({hidden * 100 / ctx.content_bytes:.1f}% of the layers' content) is hidden "
                f"by later layers but still shipped; layer {worst[1]} hides the most ({mb(worst[0])})"
                f"{': ' + where if where else ''}. Delete files in the RUN that creates them, or build in a "
                f"separate stage", bytes=hidden, layer=worst[1])


RULE = SGA001

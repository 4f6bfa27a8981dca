"""SG037: COPY --from names no earlier stage."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.instrs import sites, stage_names
from slimguard.dockerfile.context import LintContext


class CopyFromUndefined(Rule):
    id = "SG037"
    title = "COPY --from names no earlier stage"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("DL3022",)
    default = False  # precision corpus: almost always noise outside hadolint mode (see bench/precision)
    docs = RuleDocs(
        what=("Finds `COPY --from=<name>` where no FROM up to this stage is named `<name>` (or, for a "
              "number, no stage has that index) and the value does not look like an image reference "
              "(with a tag, digest or registry path). A stage defined later counts as undefined."),
        why=("BuildKit reads an unknown `--from` value as an image name: a typo in a stage name, or a "
             "stage defined below the COPY, silently pulls an image from Docker Hub (or fails with an "
             "access error) instead of copying from your build stage."),
        example="FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM debian:bookworm-slim\nCOPY --from=biuld /app /app\n",
        instead="FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM debian:bookworm-slim\nCOPY --from=build /app /app\n",
        fix_safety="No fix: which stage or image was meant cannot be known.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        froms = stage_names(ctx)
        for site in sites(ctx):
            ins = site.ins
            flag = ins.flag("from") if ins.name == "COPY" else None
            if flag is None or flag.value is None:
                continue
            ref = flag.value
            known = [name for _, name in froms[: site.stage + 1] if name]
            count = site.stage + 1
            if ref.isdigit():
                hado = int(ref) >= count
                real = hado
            else:
                hado = ":" not in ref and ref not in known
                external = any(ch in ref for ch in ":@/") or "$" in ref
                real = not external and ref.lower() not in {k.lower() for k in known}
            if not (real or (hado and ctx.options.hadolint_compat)):
                continue
            later = [name for _, name in froms[site.stage + 1:] if name and name.lower() == ref.lower()]
            why = f"stage {ref} is defined after this COPY" if later else f"no stage named {ref} before this COPY"
            yield ctx.at(self, site.reported,
                         f"COPY --from={ref}: {why}; name an earlier FROM ... AS stage or a tagged image",
                         aliases=self.aliases if hado and not site.onbuild else ())


RULE = CopyFromUndefined

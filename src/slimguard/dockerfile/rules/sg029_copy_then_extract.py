"""SG029: an archive is COPYed and then extracted with tar."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.instrs import quoted_words, sites as instruction_sites, unquote
from slimguard.dockerfile.analysis.pkgsites import hadolint_sees, run_sites
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.shell import SimpleCommand

# archives ADD unpacks by itself (tar, optionally compressed; not zip)
_TAR = re.compile(r"\.(tar|tar\.(gz|bz2|xz|zst|lz|lzma)|tgz|tbz2?|txz|gz|bz2|xz)$", re.IGNORECASE)


def _basename(path: str) -> str:
    return re.split(r"[/\\]", path.rstrip("/\\"))[-1]


def _extracted(cmd: SimpleCommand) -> list[tuple[str, bool]]:
    """The files ``tar`` extracts in *cmd*: (base name, written the way hadolint recognises it)."""
    words = [unquote(a.text) for a in cmd.args]
    if not words:
        return []
    short = [w for w in words if w.startswith("-") and not w.startswith("--")]
    dashless = not words[0].startswith("-") and "x" in words[0] and "f" in words[0]
    extract = "--extract" in words or "--get" in words or any("x" in w for w in short) or dashless
    if not extract:
        return []
    out: list[tuple[str, bool]] = []
    for i, w in enumerate(words):
        if w.startswith("--file="):
            out.append((_basename(w[7:]), False))
        elif i + 1 < len(words) and (w == "--file" or (w in short and w.endswith("f"))):
            out.append((_basename(words[i + 1]), w != "--file"))
        elif i == 0 and dashless and w.endswith("f") and len(words) > 1:
            out.append((_basename(words[1]), False))
    return out


class CopyThenExtract(Rule):
    id = "SG029"
    title = "COPY of an archive that a RUN extracts"
    severity = Severity.INFO
    concern = "add-vs-copy"
    aliases = ("DL3010",)
    docs = RuleDocs(
        what=("Finds `COPY` of a local tar archive (.tar, .tar.gz, .tgz, .tar.xz, ...) that a later RUN of "
              "the same stage extracts with `tar -x`. Reported on the COPY."),
        why=("The COPY layer keeps the archive even if the RUN deletes it afterwards, so the image carries "
             "the packed and the unpacked files. `ADD archive.tar /dest/` unpacks local tar archives in one "
             "layer and stores only the result."),
        example="FROM debian:bookworm-slim\nCOPY app.tar.gz /opt/\nRUN tar -xzf /opt/app.tar.gz -C /opt\n",
        instead="FROM debian:bookworm-slim\nADD app.tar.gz /opt/\n",
        fix_safety=("No fix: ADD unpacks into the destination directory itself, while the tar command may "
                    "use other options (-C, --strip-components, a file list), so the result can differ."),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        runs = {id(s.instruction): s for s in run_sites(ctx) if not s.onbuild}
        order = list(instruction_sites(ctx, onbuild=False))
        for n, here in enumerate(order):
            ins = here.ins
            if ins.name != "COPY" or ins.flag("from") is not None or ins.heredocs:
                continue
            args = quoted_words(ins)
            if len(args) < 2:
                continue
            sources, dest = args[:-1], args[-1]
            names: set[str] = set()
            for src in sources:
                if _TAR.search(src):
                    names.add(_basename(dest) if _TAR.search(dest) else _basename(src))
            if not names:
                continue
            hado_ok = len(sources) == 1
            matched = hado = False
            for later in order[n + 1:]:
                if later.stage != here.stage:
                    break
                site = runs.get(id(later.reported))
                if site is None:
                    continue
                for cmd in site.script.commands:
                    if cmd.name != "tar":
                        continue
                    for name, plain in _extracted(cmd):
                        if name in names:
                            matched = True
                            hado = hado or (plain and hado_ok and hadolint_sees(site, cmd)
                                            and cmd.name_word is not None and cmd.name_word.value == "tar")
            if matched:
                yield ctx.at(self, ins,
                             f"{', '.join(sorted(names))} is copied and then extracted by a RUN, so the "
                             "layer keeps the archive; use ADD to unpack it in one step",
                             aliases=self.aliases if hado else ())


RULE = CopyThenExtract

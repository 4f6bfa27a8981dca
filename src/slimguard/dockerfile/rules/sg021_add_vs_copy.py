"""SG021: ADD where COPY does the job."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Edit, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext

_ARCHIVE = re.compile(r"\.(tar|tar\.\w+|tgz|tbz2?|txz|tzst|gz|bz2|xz|zst|lz|lzma|lzo|z|Z)$")
_REMOTE = re.compile(r"^(https?|git|ssh)://|^git@|\.git(#.*)?$")
_ADD_ONLY_FLAGS = {"checksum", "keep-git-dir", "unpack"}


def _unquote(s: str) -> str:
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    return s


class AddVsCopy(Rule):
    id = "SG021"
    title = "ADD used for plain files"
    severity = Severity.ERROR
    concern = "add-vs-copy"
    peers = ("DS005", "DS-0005", "AVD-DS-0005", "CKV_DOCKER_4")
    fixable = "safe"
    aliases = ("DL3020",)
    docs = RuleDocs(
        what=("Finds ADD instructions whose sources are local files or directories that are not "
              "archives: ADD's extra behaviour (unpacking local tar archives, fetching URLs) is not "
              "used."),
        why=("ADD silently unpacks anything that looks like a tar archive and fetches URLs without "
             "verification; COPY does exactly what it says, which keeps the image's contents predictable."),
        example="FROM debian:bookworm-slim\nADD app/ /opt/app/\n",
        instead="FROM debian:bookworm-slim\nCOPY app/ /opt/app/\n",
        fix_safety=("Safe: replaces the ADD keyword by COPY when every source is a local, non-archive "
                    "path and no ADD-only flag (--checksum, --keep-git-dir, --unpack) is used; flags such "
                    "as --chown and --chmod mean the same for both."),
    )

    def _instructions(self, ctx: LintContext):
        for ins in ctx.tree.instructions:
            yield ins
            if ins.trigger is not None:
                yield ins.trigger

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ins in self._instructions(ctx):
            if ins.name != "ADD" or ins.heredocs:
                continue
            args = list(ins.buildkit_value())
            if len(args) < 2:
                continue
            sources = [_unquote(a) for a in args[:-1]]
            local = [s for s in sources if not _REMOTE.search(s) and not _ARCHIVE.search(s)]
            if not local:
                continue
            fix = None
            if len(local) == len(sources) and not any(f.name in _ADD_ONLY_FLAGS for f in ins.flags):
                span = ins.keyword_span
                assert span is not None
                new = "COPY" if ins.keyword.isupper() or not ins.keyword.islower() else "copy"
                fix = Fix("replace ADD by COPY", (Edit(span.start.offset, span.end.offset, new),))
            # hadolint reports DL3020 as an error; for a local file ADD does what COPY does, so outside
            # hadolint-compat mode it is an info-level clean-up (precision corpus: 9 of 9 were style nits)
            yield ctx.at(self, ins, f"use COPY instead of ADD for {', '.join(local)}", fix=fix,
                         severity=None if ctx.options.hadolint_compat else Severity.INFO)


RULE = AddVsCopy

"""SG041: apt (the interactive front end) in a RUN."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import hadolint_sees, run_sites
from slimguard.dockerfile.context import LintContext

# sub-commands apt-get has with the same meaning (apt upgrade also installs new dependencies, apt-get
# upgrade does not; apt full-upgrade, search, show, list have other names or no apt-get equivalent)
SAME_IN_APT_GET = frozenset({"install", "update", "remove", "purge", "autoremove", "clean", "autoclean"})


class AptNotAptGet(Rule):
    id = "SG041"
    title = "apt instead of apt-get"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    peers = ("CKV_DOCKER_9",)
    fixable = "safe"
    aliases = ("DL3027",)
    default = False  # precision corpus: almost always noise outside hadolint mode (see bench/precision)
    docs = RuleDocs(
        what="Finds `apt` commands in RUN instructions (one finding per RUN, ONBUILD triggers included).",
        why=("`apt` is the interactive front end: its command-line interface is not stable (it warns so "
             "on every call without a terminal), it draws progress bars into the build log, and its "
             "behaviour may change between releases. `apt-get` and `apt-cache` are meant for scripts."),
        example="FROM debian:bookworm-slim\nRUN apt update && apt install -y curl\n",
        instead="FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n",
        fix_safety=("Safe: replaces `apt` by `apt-get` when every apt command of the RUN uses a sub-command "
                    "that means the same for apt-get (install, update, remove, purge, autoremove, clean, "
                    "autoclean). No fix for `apt upgrade` (apt-get upgrade does not install new "
                    "dependencies), search/show/list, exec-form RUNs or commands nested in strings."),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for site in run_sites(ctx):
            found = [c for c in site.script.commands if c.name == "apt"]
            if not found:
                continue
            hado = any(hadolint_sees(site, c) and c.name_word is not None and c.name_word.value == "apt"
                       for c in found)
            edits: list[Edit] = []
            for c in found:
                word = c.name_word
                sub = next((a.value for a in c.args if not (a.value or "-").startswith("-")), None)
                if (site.form == "exec" or word is None or word.raw != "apt" or sub not in SAME_IN_APT_GET
                        or site.script.source[word.start:word.end] != "apt"):
                    edits = []
                    break
                span = site.span_of(word.start, word.end)
                if ctx.tree.text[span.start.offset:span.end.offset] != "apt":
                    edits = []
                    break
                edits.append(Edit(span.start.offset, span.end.offset, "apt-get"))
            fix = Fix("use apt-get", tuple(edits), Applicability.SAFE) if edits else None
            yield ctx.at(self, site.instruction,
                         "`apt` is meant for terminals and its interface is not stable; use apt-get or apt-cache",
                         fix=fix, aliases=self.aliases if hado else ())


RULE = AptNotAptGet

"""SG060: wget prints its progress bar into the build log."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import command_finding, hadolint_sees, insert_after_word, run_sites
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.shell import SimpleCommand

QUIET_LONG = ("--progress", "--quiet", "--no-verbose", "--output-file", "--append-output")
QUIET_SHORT = frozenset("qoa")  # -q, -o FILE, -a FILE, also inside bundles (-qO-)


def _quiet(cmd: SimpleCommand) -> bool:
    for w in cmd.args:
        v = w.value
        if v is None or not v.startswith("-") or v == "-":
            continue
        if v == "--":
            break
        if v.startswith("--"):
            if v.split("=", 1)[0] in QUIET_LONG:
                return True
        elif v == "-nv" or QUIET_SHORT & set(v[1:]):
            return True
    return False


def _stderr_silenced(cmd: SimpleCommand) -> bool:
    return any(r.op.startswith("&>") or (r.fd == 2 and r.writes_file) for r in cmd.redirects)


class WgetProgress(Rule):
    id = "SG060"
    title = "wget without a progress option"
    severity = Severity.INFO
    concern = "syntax"
    fixable = "safe"
    aliases = ("DL3047",)
    default = False
    docs = RuleDocs(
        what=(
            "Finds `wget` calls in RUNs without `--progress=...`, `-q`/`--quiet`, `-nv`/`--no-verbose`, "
            "`-o`/`--output-file` or `-a`/`--append-output` (short options also count inside bundles "
            "such as `-qO-`). A wget whose stderr is redirected to a file (`2>/dev/null`, `&>log`) is not "
            "reported, except with --hadolint-compat (hadolint's DL3047 ignores redirections). Every "
            "stage and ONBUILD trigger is checked. A build-log rule: it runs only when selected or in "
            "hadolint mode."
        ),
        why=(
            "Without a terminal wget falls back to the dot progress display and writes a line every few "
            "kilobytes: a large download floods the build log with thousands of lines and hides the "
            "output that matters."
        ),
        example="FROM debian:bookworm-slim\nRUN wget https://example.com/app.tar.gz\n",
        instead="FROM debian:bookworm-slim\nRUN wget --progress=dot:giga https://example.com/app.tar.gz\n",
        fix_safety=(
            "Safe: inserts ` --progress=dot:giga` right after `wget`. Only the progress display changes "
            "(one dot per megabyte, a line per 32 MB); what is downloaded and where it is written stay the "
            "same. No fix for exec-form RUNs or commands nested in strings with escapes."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        compat = ctx.options.hadolint_compat
        for site in run_sites(ctx):
            for cmd in site.script.named("wget"):
                if _quiet(cmd) or (not compat and _stderr_silenced(cmd)):
                    continue
                fix = None
                if cmd.name_word is not None:
                    edit = insert_after_word(ctx, site, cmd.name_word, " --progress=dot:giga")
                    if edit is not None:
                        fix = Fix("add --progress=dot:giga", (edit,), Applicability.SAFE)
                yield command_finding(
                    ctx, self, site, cmd,
                    "`wget` without a progress option floods the build log; use `wget --progress=dot:giga`, "
                    "or `-q` / `-nv`",
                    fix=fix, aliases=self.aliases if hadolint_sees(site, cmd) else (),
                )


RULE = WgetProgress

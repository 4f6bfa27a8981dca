"""SG059: useradd with a large UID and without -l bloats /var/log/lastlog."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import command_finding, hadolint_sees, insert_after_word, run_sites
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.shell import SimpleCommand, UserOp

LARGE_UID = 100000  # hadolint: a UID of more than five digits


def _no_log_init(cmd: SimpleCommand, *, hadolint: bool) -> bool:
    for w in cmd.args:
        v = w.value or ""
        if v == "--no-log-init" and not hadolint:
            return True
        if v.startswith("-") and not v.startswith("--") and "l" in v[1:]:
            return True
    return False


def _hadolint_long_uid(cmd: SimpleCommand) -> bool:
    """hadolint's DL3046 test: a separate `-u` word followed by a value longer than five characters."""
    args = [a.text for a in cmd.args]
    return any(a == "-u" and len(b) > 5 for a, b in zip(args, args[1:]))


class UseraddLastlog(Rule):
    id = "SG059"
    title = "useradd with a high UID without -l"
    severity = Severity.WARNING
    concern = "fat-base"
    fixable = "safe"
    aliases = ("DL3046",)
    docs = RuleDocs(
        what=(
            "Finds `useradd` with a UID of 100000 or more and without `-l` / `--no-log-init`, in every "
            "stage and ONBUILD trigger. hadolint's DL3046 reads only a separate `-u VALUE` (not `--uid` or "
            "`-u123456`) and does not accept `--no-log-init`; findings it would not make carry no alias, "
            "and with --hadolint-compat `--no-log-init` is reported too."
        ),
        why=(
            "useradd records the new user in /var/log/lastlog and /var/log/faillog, sparse files indexed "
            "by UID. A high UID makes them gigabytes long; layers do not keep files sparse, so the image "
            "grows by that much."
        ),
        example="FROM debian:bookworm-slim\nRUN useradd -u 1000001 app\n",
        instead="FROM debian:bookworm-slim\nRUN useradd -l -u 1000001 app\n",
        fix_safety=(
            "Safe: inserts ` -l` after `useradd`; only the lastlog/faillog entries are not written. No fix "
            "for exec-form RUNs or commands nested in strings with escapes."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        compat = ctx.options.hadolint_compat
        for site in run_sites(ctx):
            for op in site.script.of_type(UserOp):
                cmd = op.command
                if cmd.name != "useradd":
                    continue
                theirs = hadolint_sees(site, cmd) and _hadolint_long_uid(cmd) and not _no_log_init(cmd, hadolint=True)
                ours = op.uid is not None and op.uid >= LARGE_UID and not _no_log_init(cmd, hadolint=False)
                if not ours and not (compat and theirs):
                    continue
                fix = None
                if cmd.name_word is not None and (edit := insert_after_word(ctx, site, cmd.name_word, " -l")):
                    fix = Fix("add -l", (edit,), Applicability.SAFE)
                yield command_finding(ctx, self, site, cmd,
                                      "`useradd` with a high UID and without `-l` writes a huge sparse "
                                      "/var/log/lastlog into the layer; add `-l` (--no-log-init)",
                                      fix=fix, aliases=self.aliases if theirs else ())


RULE = UseraddLastlog

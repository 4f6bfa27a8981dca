"""SG012: apt installs recommended packages."""

from __future__ import annotations

import re
from collections.abc import Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.dockerfile.shell import PackageOp, ShellScript, SimpleCommand
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.analysis.pkgsites import (
    RunSite, command_finding, hadolint_sees, insert_after_word, package_ops, run_sites, subcommand_word,
)

_FALSY = {"0", "false", "no", "off"}
_RECOMMENDS_OPTION = re.compile(r"apt::install-recommends\s*=\s*[\"']?(\w+)", re.IGNORECASE)
_APT_CONF_VALUE = re.compile(r"install-recommends[\s\"':=]*(?:\\?[\"'])?\s*(0|false|no|off)\b", re.IGNORECASE)


def _option_disables(op: PackageOp) -> bool:
    for value in op.option_values("-o", "--option"):
        m = _RECOMMENDS_OPTION.fullmatch(value.strip())
        if m and m.group(1).lower() in _FALSY:
            return True
    return False


def _apt_conf_writes(script: ShellScript) -> list[SimpleCommand]:
    """Commands of a RUN that write ``APT::Install-Recommends "false";`` into /etc/apt/apt.conf(.d):
    ``echo '...' > /etc/apt/apt.conf.d/99x``, ``printf ... | tee ...``, ``cat > ... <<EOF``."""
    if not _APT_CONF_VALUE.search(script.source):
        return []
    return [c for c in script.commands
            if any(t.startswith("/etc/apt/apt.conf") for t in [w.text for w in c.args]
                   + [r.target or "" for r in c.redirects])]


def _apt_conf_before(site: RunSite, cmd: SimpleCommand) -> bool:
    if any(c.start < cmd.start for c in _apt_conf_writes(site.script)):
        return True
    if site.stage is None or site.onbuild:
        return False
    earlier = []
    for stage in reversed(site.stage.chain()):
        earlier.extend(stage.steps[: site.index] if stage is site.stage else stage.steps)
    return any(step.run is not None and not step.in_onbuild and _apt_conf_writes(step.run.script)
               for step in earlier)


class AptNoRecommends(Rule):
    id = "SG012"
    title = "apt installs recommended packages"
    severity = Severity.INFO
    concern = "pkg-hygiene"
    fixable = "safe"
    aliases = ("DL3015",)
    docs = RuleDocs(
        what=(
            "Finds `apt-get install`, `apt install` and `aptitude install` without "
            "`--no-install-recommends` (aptitude: `--without-recommends`/`-R`) or "
            "`-o APT::Install-Recommends=false` (also 0/no/off), in every stage, ONBUILD trigger and RUN "
            "like hadolint. Not reported: an `apt-get install --install-recommends` that asks for "
            "recommends on purpose, and an earlier RUN of the stage (or its FROM stages) that writes "
            "`APT::Install-Recommends \"false\";` into /etc/apt/apt.conf(.d). hadolint's DL3015 knows neither "
            "and only looks at apt-get, so with --hadolint-compat both are reported, and only apt-get "
            "findings carry the DL3015 alias."
        ),
        why=(
            "Debian and Ubuntu install every package's Recommends by default. They are not needed to run "
            "the package and often pull in large trees: on Debian `apt-get install curl` also installs "
            "ca-certificates, krb5-locales, libldap-common, libsasl2-modules and publicsuffix, and "
            "`python3-pip` recommends build-essential and python3-dev, a whole compiler toolchain. Every "
            "extra package is image size and attack surface."
        ),
        example="FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n",
        instead="FROM debian:bookworm\nRUN apt-get update && apt-get install --no-install-recommends -y curl\n",
        fix_safety=(
            "Safe: inserts ` --no-install-recommends` right after the `install` word (also inside "
            "`sh -c '...'` when the command maps back to the file exactly; no fix for exec-form RUNs). The "
            "build then installs fewer packages: software that relied on a recommended package without "
            "declaring it (e.g. ca-certificates for HTTPS downloads) must list that package explicitly."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        compat = ctx.options.hadolint_compat
        for site in run_sites(ctx):
            for op in package_ops(site, "apt"):
                if op.tool not in ("apt-get", "apt", "aptitude") or op.action != "install":
                    continue
                word = subcommand_word(op.command, {"install"})
                if word is None:
                    continue
                aptitude = op.tool == "aptitude"
                if op.has_flag("--no-install-recommends") or _option_disables(op):
                    continue
                if aptitude and op.has_flag("-R", "--without-recommends"):
                    continue
                if not compat and (op.has_flag("--install-recommends", "-r", "--with-recommends")
                                   if aptitude else op.has_flag("--install-recommends")):
                    continue  # recommends asked for on purpose
                if not compat and _apt_conf_before(site, op.command):
                    continue
                flag = "--without-recommends" if aptitude else "--no-install-recommends"
                edit = insert_after_word(ctx, site, word, f" {flag}")
                fix = Fix(f"add {flag}", (edit,), applicability=Applicability.SAFE) if edit is not None else None
                yield command_finding(
                    ctx, self, site, op.command,
                    f"`{op.tool} install` without {flag} also installs recommended packages; add {flag}",
                    fix=fix, aliases=self.aliases if op.tool == "apt-get" and hadolint_sees(site, op.command) else (),
                )


RULE = AptNoRecommends

"""SG012: apt installs recommended packages."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from slimguard.analysis.packages import package_name
from slimguard.analysis.recommends import Need, base_ships, needed_recommends, provides
from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.dockerfile.shell import PackageOp, ShellScript, SimpleCommand, Word
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.analysis.installs import package_operands
from slimguard.dockerfile.analysis.pkgsites import (
    RunSite, command_finding, hadolint_sees, insert_after_word, package_ops, run_sites, subcommand_word,
)

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Step

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


def _earlier_steps(site: RunSite) -> "list[Step]":
    """The RUN steps whose result the RUN of *site* builds on: every earlier step of its stage and of the
    stages it is built FROM (ONBUILD triggers excluded: they run in child images)."""
    if site.stage is None or site.onbuild:
        return []
    earlier: "list[Step]" = []
    for stage in reversed(site.stage.chain()):
        earlier.extend(stage.steps[: site.index] if stage is site.stage else stage.steps)
    return [step for step in earlier if step.run is not None and not step.in_onbuild]


def _apt_conf_before(site: RunSite, cmd: SimpleCommand) -> bool:
    if any(c.start < cmd.start for c in _apt_conf_writes(site.script)):
        return True
    return any(step.run is not None and _apt_conf_writes(step.run.script) for step in _earlier_steps(site))


def _apt_installs(script: ShellScript, env: Mapping[str, str], before: int | None = None) -> set[str]:
    """Bare names of the packages the apt installs of *script* list (those starting before *before*)."""
    out: set[str] = set()
    for op in script.of_type(PackageOp):
        if op.manager != "apt" or op.action != "install":
            continue
        if before is not None and op.command.start > before:
            continue
        out.update(package_name(p) for p in package_operands(op, script, env))
    return out


def _installed_before(site: RunSite, op: PackageOp) -> set[str]:
    """Packages an apt install lists in an earlier RUN of the stage chain, earlier in this RUN, or in *op*.
    An ONBUILD trigger runs in a child image, after every RUN of the chain and the triggers before it."""
    out = _apt_installs(site.script, site.env, before=op.command.start)
    steps = _earlier_steps(site)
    if site.onbuild and site.stage is not None:
        steps = [s for s in site.stage.all_steps() if s.run is not None and not s.in_onbuild]
        steps += [s for s in site.stage.steps[: site.index] if s.run is not None and s.in_onbuild]
    for step in steps:
        assert step.run is not None
        out |= _apt_installs(step.run.script, step.env)
    return out


def _text_after(ctx: LintContext, site: RunSite, op: PackageOp) -> str:
    """The shell text that runs after *op*: the rest of its RUN, the later instructions of its stage (CMD and
    ENTRYPOINT included) and every instruction of the stages built FROM it."""
    parts = [site.script.source[op.command.end:]]
    stage = site.stage
    if stage is None:
        return parts[0]

    def text(step: "Step") -> str:
        return step.run.script.source if step.run is not None else step.instruction.rest

    parts += [text(step) for step in stage.steps[site.index + 1:]]
    for other in ctx.model.stages:
        if other is not stage and stage in other.chain():
            parts += [text(step) for step in other.steps]
    return "\n".join(parts)


def _base_has(ctx: LintContext, site: RunSite, need: Need) -> bool:
    """Whether the external base image of the site's stage already ships what *need* adds."""
    if site.stage is None:
        return False
    base = site.stage.root_base
    if base.image is None or base.is_scratch:
        return False
    facts = ctx.facts(site.stage)
    installed = facts.packages if facts is not None else None
    ref = base.image
    return bool(base_ships(need, f"{ref.registry}/{ref.repository}" if ref.registry else ref.repository,
                           ref.effective_tag, installed))


def _kept(ctx: LintContext, site: RunSite, op: PackageOp) -> list[tuple[Need, tuple[str, ...]]]:
    """The recommended packages the fix has to list explicitly: needed by what *op* installs, and neither
    listed by this or an earlier install nor shipped by the base image."""
    operands = [package_name(p) for p in package_operands(op, site.script, site.env)]
    needs = needed_recommends(operands, commands=_text_after(ctx, site, op))
    if not needs:
        return []
    before = _installed_before(site, op)
    return [(need, by) for need, by in needs if not provides(need, before) and not _base_has(ctx, site, need)]


def _why(kept: list[tuple[Need, tuple[str, ...]]]) -> str:
    """``ca-certificates, which curl needs to verify TLS certificates`` for each kept package."""
    return " and ".join(f"{need.package}, which {_and(by)} {'needs' if len(by) == 1 else 'need'} {need.purpose}"
                        for need, by in kept)


def _and(words: tuple[str, ...]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


class AptNoRecommends(Rule):
    id = "SG012"
    title = "apt installs recommended packages"
    severity = Severity.INFO
    concern = "pkg-hygiene"
    peers = ("DS029", "DS-0029", "AVD-DS-0029")
    fixable = "unsafe"
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
            "Debian and Ubuntu install every package's Recommends by default. Most are not needed to run "
            "the package and often pull in large trees: on Debian `apt-get install curl` also installs "
            "ca-certificates, krb5-locales, libldap-common, libsasl2-modules, openssl and publicsuffix, and "
            "`python3-pip` recommends build-essential and python3-dev, a whole compiler toolchain. Every "
            "extra package is image size and attack surface. A few recommendations are what makes a package "
            "work, though: curl, wget, git, python3 and nodejs get the CA bundle (ca-certificates) only as "
            "a recommendation, and without it they cannot verify any TLS peer."
        ),
        example="FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n",
        instead=("FROM debian:bookworm\n"
                 "RUN apt-get update && apt-get install --no-install-recommends -y curl ca-certificates\n"),
        fix_safety=(
            "Unsafe (applied with `slimguard fix --unsafe`): it changes which packages the image has. The fix "
            "inserts ` --no-install-recommends` (aptitude: ` --without-recommends`) right after the "
            "`install` word (also inside `sh -c '...'` when the command maps back to the file exactly; no fix "
            "for exec-form RUNs) and appends, after the command's last word, the recommended packages the "
            "installed ones need (slimguard.analysis.recommends, from Debian bookworm's package relations): "
            "`ca-certificates` for TLS clients (curl, libcurl, wget, wget2, git, git-lfs, mercurial, aria2, "
            "cmake, nodejs, python3 and python3-* packages, awscli, s3cmd, ...), `dirmngr` for `gpg` when the "
            "stage uses a keyserver (`--recv-keys`, `--keyserver`, ...), `gpg` for `dirmngr`, and "
            "`openssh-client` for git when the stage uses `git@host:` or `ssh://` remotes. A package is not "
            "added when this install, an earlier install of the RUN or an earlier RUN of the stage chain "
            "lists it or a package that depends on it (python3-pip, python3-requests, npm, openjdk-*-jre, "
            "...), or when the base image ships it (its package database when the engine has the image, "
            "else the buildpack-deps, node, python, openjdk, golang and ruby tags built on buildpack-deps or "
            "installing ca-certificates themselves; debian and ubuntu do not). The finding's message and the "
            "fix's description name what is added and why. Other recommended packages are dropped: software "
            "that relies on one without declaring it must list it."
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
                kept = _kept(ctx, site, op)
                message = f"`{op.tool} install` without {flag} also installs recommended packages; add {flag}"
                if kept:
                    message += (f" and list {_why(kept)}: the flag would drop {'it' if len(kept) == 1 else 'them'}, "
                                f"apt only recommends {'it' if len(kept) == 1 else 'them'}")
                yield command_finding(
                    ctx, self, site, op.command, message,
                    fix=self._fix(ctx, site, op, word, flag, kept),
                    aliases=self.aliases if op.tool == "apt-get" and hadolint_sees(site, op.command) else (),
                    details={"adds": [need.package for need, _ in kept]} if kept else None,
                )

    @staticmethod
    def _fix(ctx: LintContext, site: RunSite, op: PackageOp, word: Word, flag: str,
             kept: list[tuple[Need, tuple[str, ...]]]) -> Fix | None:
        flag_edit = insert_after_word(ctx, site, word, f" {flag}")
        if flag_edit is None:
            return None
        if not kept:
            return Fix(f"add {flag}", (flag_edit,), applicability=Applicability.UNSAFE)
        names = " ".join(need.package for need, _ in kept)
        last = op.command.args[-1]
        tail = insert_after_word(ctx, site, last, f" {names}") if last is not word else None
        if tail is None or tail.start == flag_edit.start:
            edits: tuple[Edit, ...] = (Edit(flag_edit.start, flag_edit.end, f" {flag} {names}"),)
        else:
            edits = (flag_edit, tail)
        # one such fix per round: the next install then sees the package listed here and does not add it again
        return Fix(f"add {flag} and {_why(kept)}", edits, applicability=Applicability.UNSAFE,
                   isolation="SG012-kept-recommends")


RULE = AptNoRecommends

"""SG013: apt package lists stay in the layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from slimguard.core.findings import Applicability, Finding, Fix, Severity
from slimguard.dockerfile.shell import CacheCleanup, SimpleCommand
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.analysis.pkgsites import (
    RunSite, append_to_run, command_finding, covered, hadolint_sees, mount_targets, package_ops,
    run_sites,
)

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.syntax import Instruction

LISTS = "/var/lib/apt/lists"
CLEANUP = "rm -rf /var/lib/apt/lists/*"

_APT = ("apt-get", "apt", "aptitude")
# sub-commands that read /var/lib/apt/lists: without them install cannot find a package, upgrade sees
# nothing to upgrade, source/download/show/policy find nothing
_READS = {
    "apt-get": frozenset({"install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade", "source", "download",
                          "build-dep", "satisfy", "changelog"}),
    "apt": frozenset({"install", "reinstall", "upgrade", "full-upgrade", "dist-upgrade", "source", "download",
                      "build-dep", "satisfy", "changelog", "show", "search", "policy", "showsrc", "depends",
                      "rdepends", "madison"}),
    "aptitude": frozenset({"install", "reinstall", "upgrade", "safe-upgrade", "full-upgrade", "dist-upgrade",
                           "download", "source", "build-dep", "changelog", "show", "search", "versions"}),
}
# apt options that take a value as the next word
_VALUE_OPTIONS = frozenset({"-o", "-c", "-t", "-a", "--option", "--config-file", "--target-release",
                            "--default-release", "--host-architecture"})


def hadolint_stages(stages: "list[Stage]") -> "list[Stage]":
    """The stages hadolint's DL3009 reports on: the last stage and every stage a later stage is built FROM."""
    if not stages:
        return []
    used = {s.parent.index for s in stages if s.parent is not None}
    return [s for s in stages if s.index in used or s is stages[-1]]


def apt_verb(cmd: SimpleCommand) -> str | None:
    """The sub-command of an apt-get/apt/aptitude/apt-cache command (``apt-get -qq update`` -> update)."""
    if cmd.name not in (*_APT, "apt-cache"):
        return None
    skip = False
    for w in cmd.args:
        if skip:
            skip = False
            continue
        if w.value is None:
            continue  # $APT_OPTS and the like
        if w.value.startswith("-"):
            skip = w.value in _VALUE_OPTIONS
            continue
        return w.value
    return None


def _reads_lists(cmd: SimpleCommand) -> bool:
    verb = apt_verb(cmd)
    if verb is None:
        return False
    if cmd.name == "apt-cache":
        return True  # policy, show, search, depends, madison, ...: all read the lists
    return verb in _READS[cmd.name]


@dataclass(frozen=True)
class Reader:
    """A later RUN that reads the lists an earlier RUN downloaded, without its own update first."""

    step: "Step"
    command: SimpleCommand  # its first command that reads them
    removes: bool  # the RUN removes the lists after reading them
    refreshes: bool  # the RUN runs its own update after reading them (it then is a site of its own)

    @property
    def line(self) -> int:
        assert self.step.run is not None
        return self.step.run.span_of(self.command.start, self.command.end).start.line


@dataclass
class _Branch:
    readers: list[Reader] = field(default_factory=list)
    children: "list[_Branch]" = field(default_factory=list)

    def all(self) -> list[Reader]:
        return self.readers + [r for c in self.children for r in c.all()]

    def last(self) -> list[Reader]:
        """The readers after which nothing reads the lists on any path of the build: the RUNs where the
        lists could be removed without breaking a later step."""
        later = [c for c in self.children if c.all()]
        if later:
            return [r for c in later for r in c.last()]
        return self.readers[-1:]


def _run_instruction(step: "Step") -> "Instruction | None":
    return step.instruction.trigger if step.in_onbuild else step.instruction


def _scan(steps: "list[Step]", readers: list[Reader]) -> bool:
    """Append the readers among *steps* (in build order) to *readers*; True when a step refreshes or
    removes the lists, so nothing after it reads what the first RUN downloaded."""
    for step in steps:
        run = _run_instruction(step)
        if step.run is None or run is None:
            continue
        if covered(mount_targets(run), LISTS) is not None:
            continue  # a cache or tmpfs mount hides the layer's lists from this RUN
        script = step.run.script
        events: list[tuple[int, str, SimpleCommand]] = []
        for cmd in script.commands:
            if cmd.name in _APT and apt_verb(cmd) == "update":
                events.append((cmd.start, "update", cmd))
            elif _reads_lists(cmd):
                events.append((cmd.start, "read", cmd))
        events += [(c.command.start, "cleanup", c.command) for c in script.of_type(CacheCleanup)
                   if c.kind == "apt-lists"]
        events.sort(key=lambda e: e[0])
        first: SimpleCommand | None = None
        for _, kind, cmd in events:
            if kind == "read":
                first = first or cmd
                continue
            if first is not None:
                readers.append(Reader(step, first, removes=kind == "cleanup", refreshes=kind == "update"))
            return True
        if first is not None:
            readers.append(Reader(step, first, removes=False, refreshes=False))
    return False


def _children(ctx: LintContext, stage: "Stage") -> "list[Stage]":
    return [s for s in ctx.model.stages if s.parent is stage and s is not stage]


def _branch(ctx: LintContext, stage: "Stage", steps: "list[Step]", triggers: "list[Step]",
            seen: frozenset[int]) -> _Branch:
    """The readers among *steps* (run in *stage*), then among *triggers* (the stage's ONBUILD RUNs, which
    run first in every image built FROM it, in this file or not), then in every stage built FROM it."""
    branch = _Branch()
    if _scan(steps, branch.readers):
        return branch
    host = branch
    if triggers:
        host = _Branch()
        branch.children.append(host)
        if _scan(triggers, host.readers):
            return branch
    for child in _children(ctx, stage):
        if child.index in seen:
            continue
        own = [s for s in child.steps if not s.in_onbuild]
        host.children.append(_branch(ctx, child, own, [s for s in child.steps if s.in_onbuild],
                                     seen | {child.index}))
    return branch


def list_readers(ctx: LintContext, site: RunSite) -> _Branch:
    """Who reads the lists the RUN of *site* downloads: later RUNs of its stage that use apt without their
    own update (stopping at one that updates or removes the lists), then the stages built FROM it."""
    stage = site.stage
    if stage is None:
        return _Branch()
    later = stage.steps[site.index + 1:]
    if site.onbuild:  # triggers run in the child images: the later triggers, then the child's own steps
        return _branch(ctx, stage, [], [s for s in later if s.in_onbuild], frozenset({stage.index}))
    triggers = [s for s in stage.steps if s.in_onbuild]
    return _branch(ctx, stage, [s for s in later if not s.in_onbuild], triggers, frozenset({stage.index}))


def _lines(readers: list[Reader]) -> str:
    lines = sorted({r.line for r in readers})
    words = [str(n) for n in lines]
    return ("line " + words[0]) if len(words) == 1 else "lines " + ", ".join(words[:-1]) + " and " + words[-1]


class AptLists(Rule):
    id = "SG013"
    title = "apt lists not removed"
    severity = Severity.INFO
    concern = "pkg-hygiene"
    fixable = "safe"
    aliases = ("DL3009",)
    docs = RuleDocs(
        what=(
            "Finds RUNs with `apt-get update` (also `apt update`, `aptitude update`) that do not remove "
            "/var/lib/apt/lists afterwards in the same RUN (`rm -rf /var/lib/apt/lists/*`) and do not keep the "
            "lists in a `--mount=type=cache` or `type=tmpfs` mount. Like hadolint's DL3009 it checks the last "
            "stage, every stage a later stage is built FROM, the stage chain of --target, every ONBUILD RUN "
            "and RUNs before the first FROM; a builder stage that is only copied from is not checked. "
            "Differences from hadolint: a removal that comes before the update does not count (reported "
            "without the DL3009 alias), and a cache mount of /var/lib/apt alone is enough; with "
            "--hadolint-compat any removal counts and /var/lib/apt must be mounted together with "
            "/var/cache/apt (or /var/lib/apt/lists itself), as hadolint requires. When a later RUN of the stage "
            "(or of a stage built FROM it, its ONBUILD triggers included) still reads those lists — `apt-get "
            "install`, `upgrade`, `source`, `download`, `build-dep`, `apt-cache ...` with no `apt-get update` "
            "of its own before it — the finding says which line reads them, and the last such RUN is "
            "reported too (without the DL3009 alias) when it does not remove the lists itself."
        ),
        why=(
            "`apt-get update` downloads the package indexes of every configured repository to "
            "/var/lib/apt/lists: several to tens of megabytes the running container never reads. Files "
            "deleted in a later RUN still ship in the earlier layer, so the removal has to happen in the "
            "RUN that downloaded them, and a RUN that installs with the lists of an earlier RUN keeps "
            "that from happening until the two RUNs are merged."
        ),
        example="FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
        instead=(
            "FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n"
        ),
        fix_safety=(
            "Safe (a removed cache): appends ` \\` and a new line `    && rm -rf /var/lib/apt/lists/*` to the "
            "end of the RUN, but only when no later step reads the lists. When one does (`RUN apt-get update "
            "&& apt-get install -y a` then `RUN apt-get install -y b`), removing them there would make the "
            "later install fail, so that RUN's finding gets no edit, only display-only advice (merge the "
            "RUNs, or run `apt-get update` again in the later one), and the same removal is appended instead "
            "to the last RUN that reads the lists, where nothing needs them any more (that hides them from "
            "the final filesystem; their bytes stay in the first RUN's layer until the RUNs are merged). "
            "When stages built FROM the stage read the lists, only their last readers get the removal. No "
            "fix for exec-form or heredoc RUNs, or when the RUN ends in a comment, `;` or `&`."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        stages = ctx.model.stages
        aliased = hadolint_stages(stages)
        checked = list(aliased)
        target = ctx.target
        if target is not None:
            seen = {id(s) for s in checked}
            checked += [s for s in target.chain() if id(s) not in seen]
        checked_ids = {s.index for s in checked}
        aliased_ids = {s.index for s in aliased}
        sites = list(run_sites(ctx))
        by_step = {id(site.instruction): site for site in sites}
        reported: set[int] = set()
        for site in sites:
            in_checked = site.stage is None or site.onbuild or site.stage.index in checked_ids
            if not in_checked:
                continue
            hadolint_reports = site.stage is None or site.onbuild or site.stage.index in aliased_ids
            found = self._check_run(ctx, site, hadolint_reports)
            if found is None:
                continue
            finding, readers = found
            yield finding
            for reader in readers.last():
                if reader.removes or reader.refreshes or id(reader.command) in reported:
                    continue
                if not (reader.step.stage is site.stage or reader.step.stage.index in checked_ids):
                    continue
                last_site = by_step.get(id(reader.step.instruction))
                if last_site is None:
                    continue
                reported.add(id(reader.command))
                yield self._last_reader(ctx, site, last_site, reader)

    def _check_run(self, ctx: LintContext, site: RunSite,
                   hadolint_reports: bool) -> tuple[Finding, _Branch] | None:
        compat = ctx.options.hadolint_compat
        updates = [op for op in package_ops(site, "apt")
                   if op.action == "update" and op.tool in ("apt-get", "apt", "aptitude")]
        if not updates:
            return None
        targets = mount_targets(site.run, hadolint=ctx.options.hadolint_compat)
        mount = covered(targets, LISTS)
        if mount is not None and (not compat or mount != "/var/lib/apt" or covered(targets, "/var/cache/apt")):
            return None
        last = updates[-1].command.start
        cleanups = [c for c in site.script.of_type(CacheCleanup) if c.kind == "apt-lists"]
        visible = any(hadolint_sees(site, op.command) for op in updates)
        aliases = self.aliases if hadolint_reports and visible else ()
        if cleanups:
            if compat or any(c.command.start > last for c in cleanups):
                return None
            message = (f"/var/lib/apt/lists is removed before `{updates[-1].tool} update`, which downloads the "
                       f"lists again; remove them at the end of the RUN: && {CLEANUP}")
            aliases = ()  # hadolint accepts a removal anywhere in the RUN
        else:
            message = (f"`{updates[0].tool} update` leaves the package lists in the layer; remove them in the "
                       f"same RUN: && {CLEANUP}")
        readers = list_readers(ctx, site)
        users = readers.all()
        if users:
            where = _lines(users)
            first = users[0]
            message = (f"`{updates[0].tool} update` leaves the package lists in the layer, and {where} still "
                       f"{'reads' if len(users) == 1 else 'read'} them (`{first.command.name} "
                       f"{apt_verb(first.command)}` with no update of its own), so they cannot be removed here: "
                       f"merge the RUNs and remove the lists at the end (&& {CLEANUP}), or run "
                       f"`apt-get update` again in {where}")
            fix = Fix(f"merge the RUN of {where} into this one, or run apt-get update there; then remove the "
                      f"lists at the end of each RUN that updates", (), Applicability.DISPLAY_ONLY)
            return command_finding(ctx, self, site, updates[0].command, message, fix=fix, aliases=aliases), readers
        edit = append_to_run(ctx, site, CLEANUP, new_line=True)
        fix = Fix(f"append && {CLEANUP}", (edit,), applicability=Applicability.SAFE) if edit is not None else None
        return command_finding(ctx, self, site, updates[0].command, message, fix=fix, aliases=aliases), readers

    def _last_reader(self, ctx: LintContext, site: RunSite, last_site: RunSite, reader: Reader) -> Finding:
        """The last RUN that reads the lists *site* downloaded: nothing needs them after it."""
        update = next(op for op in package_ops(site, "apt") if op.action == "update")
        origin = f"line {site.span_of(update.command.start, update.command.end).start.line}"
        message = (f"`{reader.command.name} {apt_verb(reader.command)}` is the last to read the package lists "
                   f"downloaded on {origin}, and they stay in the image; remove them at the end of this RUN: "
                   f"&& {CLEANUP} (their bytes stay in the layer of {origin} until the RUNs are merged)")
        edit = append_to_run(ctx, last_site, CLEANUP, new_line=True)
        fix = Fix(f"append && {CLEANUP} to the last RUN that reads the lists", (edit,),
                  applicability=Applicability.SAFE) if edit is not None else None
        return command_finding(ctx, self, last_site, reader.command, message, fix=fix, aliases=())


RULE = AptLists

"""SG075: go install / go get / go run of a module without a version."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.pkgsites import command_finding, hadolint_sees, run_sites
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.shell import SimpleCommand

VERBS = ("install", "get", "run")
# go build flags that take a value as the next word
VALUE_FLAGS = frozenset({
    "-C", "-p", "-asmflags", "-buildmode", "-buildvcs", "-compiler", "-gccgoflags", "-gcflags",
    "-installsuffix", "-ldflags", "-mod", "-modfile", "-overlay", "-pgo", "-pkgdir", "-tags", "-toolexec",
    "-exec", "-o", "-coverpkg", "-covermode",
})


def _unpinned(spec: str) -> bool:
    return "@" not in spec or spec.endswith("@latest")


def _local(spec: str) -> bool:
    return spec.startswith(("/", "."))


def _hadolint_unpinned(cmd: SimpleCommand) -> list[str]:
    """What hadolint's DL3062 reports: every word after the verb that is not an option (only the first
    for `go run`), unless it is a local path or carries @version."""
    args = [a.text for a in cmd.args]
    if not args or args[0] not in VERBS:
        return []
    specs = [a for a in args[1:] if not a.startswith("-")]
    if args[0] == "run":
        specs = specs[:1]
    return [s for s in specs if not _local(s) and _unpinned(s)]


def _unpinned_modules(cmd: SimpleCommand) -> list[str]:
    """The literal module paths the command fetches without a version (option values skipped, local
    paths, `.go` files and expansions left out)."""
    args = list(cmd.args)
    if not args or args[0].value not in VERBS:
        return []
    verb = args[0].value
    specs: list[str | None] = []
    i = 1
    while i < len(args):
        v = args[i].value
        if v == "--":
            specs.extend(a.value for a in args[i + 1:])
            break
        if v is not None and v.startswith("-"):
            if v in VALUE_FLAGS or ("=" not in v and v.lstrip("-") in {f.lstrip("-") for f in VALUE_FLAGS}):
                i += 1
            i += 1
            continue
        specs.append(v)
        if verb == "run":
            break
        i += 1
    return [s for s in specs if s is not None and not _local(s) and not s.endswith(".go") and _unpinned(s)]


class GoPin(Rule):
    id = "SG075"
    title = "go install/get/run without @version"
    severity = Severity.WARNING
    concern = "pkg-hygiene"
    aliases = ("DL3062",)
    default = False
    docs = RuleDocs(
        what=(
            "Finds `go install`, `go get` (also `go get -tool`) and `go run` of a module path without "
            "`@version`, or with `@latest`. Local packages (`.`, `./cmd/app`, `/src/app`) and `.go` files are "
            "not modules and are not reported; for `go run` only the package is checked, not the "
            "program's arguments. hadolint's DL3062 also reports `go run main.go`, expansions (`$PKG`) "
            "and option values (`-tags netgo`); with --hadolint-compat those are reported too. A pinning "
            "rule: it runs only when selected or in hadolint mode."
        ),
        why=(
            "Without a version go resolves the newest release at build time: the same Dockerfile builds "
            "a different binary tomorrow, and a compromised or broken release goes straight into the "
            "image."
        ),
        example="FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@latest\n",
        instead="FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@v0.16.1\n",
        fix_safety="No fix: which version to pin is the author's choice.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        compat = ctx.options.hadolint_compat
        for site in run_sites(ctx):
            for cmd in site.script.named("go"):
                sees = hadolint_sees(site, cmd)
                theirs = _hadolint_unpinned(cmd) if sees else []
                ours = _unpinned_modules(cmd)
                if not ours and not (compat and theirs):
                    continue
                shown = ours or theirs
                yield command_finding(
                    ctx, self, site, cmd,
                    f"pin the version: `go {cmd.args[0].text} {shown[0].split('@')[0]}@<version>` "
                    "(not @latest)",
                    aliases=self.aliases if theirs else (),
                )


RULE = GoPin

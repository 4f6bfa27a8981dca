"""SG011: the shipped stage compiles its own code and has no separate build stage.

The split itself is planned per ecosystem in :mod:`slimguard.dockerfile.analysis.multistage`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.installs import run_build_tools
from slimguard.dockerfile.analysis.multistage import NoSplit, build_commands, plan, split_fix
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.shell import Build

if TYPE_CHECKING:
    from slimguard.dockerfile.analysis.multistage.base import Builds
    from slimguard.dockerfile.model import Stage, Step


class NoMultistage(Rule):
    id = "SG011"
    title = "Build in the final stage without a build stage"
    severity = Severity.WARNING
    concern = "no-multistage"
    fixable = "unsafe"
    aliases = ()
    docs = RuleDocs(
        what=(
            "Reports a shipped stage (the final stage, or --target) that compiles or bundles code itself, with "
            "gcc/make/cmake, go build or go install of the project's packages, cargo build or cargo install "
            "--path, mvn or gradle package, npm/yarn/pnpm run build, pip wheel, dotnet publish and similar, while "
            "copying nothing from a separate build stage. A RUN that installs its build dependencies, builds and "
            "removes them again in the same step is not reported unless the base image itself carries a "
            "toolchain. Installing a released tool (go install pkg@version, cargo install NAME) is not a build "
            "of the project. ONBUILD triggers are ignored."
        ),
        why=(
            "Whatever the build needed ships with the result: the compiler or SDK, the sources, package caches, "
            "dev dependencies and object files. A Go service built in golang ships the whole Go toolchain, "
            "hundreds of megabytes, next to a binary of a few megabytes, and every one of those files is "
            "pulled on each deploy, scanned and reachable from a shell in the container. A multi-stage build "
            "compiles in a full image and copies only the result into a small runtime image, so gcc, git and "
            "make never reach production."
        ),
        example=(
            "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app ./cmd/server\nEXPOSE 8080\n"
            "CMD [\"/app\"]\n"
        ),
        instead=(
            "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app ./cmd/server\n\n"
            "FROM gcr.io/distroless/static-debian12:nonroot\nWORKDIR /src\nCOPY --from=build /app /app\n"
            "EXPOSE 8080\nCMD [\"/app\"]\n"
        ),
        fix_safety=(
            "Unsafe: it changes the base image and the layout, and usually the user. It is offered only where "
            "the build output is certain; otherwise the message says why there is no automatic split. The fix "
            "names the stage `build` (all instructions up to and including the last build RUN stay unchanged, "
            "apart from CGO_ENABLED=0 for Go) and starts a runtime stage after it. The runtime stage repeats "
            "the earlier ARG, ENV, WORKDIR, USER, LABEL, EXPOSE, CMD and ENTRYPOINT lines verbatim, copies the "
            "output with COPY --from=build to the same path, and keeps every later instruction as it was. "
            "Without a USER the application then runs as the runtime image's default user (uid 65532 on the "
            "distroless :nonroot images) instead of root. "
            "Handled shapes: "
            "(1) C/C++: gcc/clang -o FILE or make FILE, when CMD/ENTRYPOINT runs that file; the runtime is "
            "the base's slim variant, the same base when the compilers were installed with apt/apk/dnf, or "
            "debian:<suite>-slim when a Debian-based tag names its suite. "
            "(2) Go: go build -o FILE or -o DIR/, go build without -o (the binary lands in WORKDIR, named after "
            "the package path, or for the module root after go.mod, so then the name is taken from a CMD that "
            "runs a file from WORKDIR), and go install of the project's packages (the binary lands in $GOBIN, "
            "else $GOPATH/bin, /go/bin in the golang images). The runtime is the distroless static :nonroot "
            "image the knowledge base names for the golang tag (gcr.io/distroless/static-debian12:nonroot by "
            "default): it has no C library, so every go command must link statically, and where the Dockerfile "
            "does not set CGO_ENABLED the fix adds CGO_ENABLED=0 to the command itself (packages that need cgo "
            "then fail to build, and net and os/user switch to their pure-Go code). A CMD that runs the binary "
            "by name from a directory the runtime's PATH lacks (/go/bin) gets an ENV PATH line. "
            "(3) Rust: cargo build --release (with --bin NAME, or the name from a CMD that runs a file from "
            "target/release) and cargo install --path (into $CARGO_HOME/bin, /usr/local/cargo/bin in the rust "
            "images). The runtime is the distroless image the knowledge base names for the rust tag: cc "
            "(glibc and libgcc) for the Debian tags, because binaries for the gnu target link those "
            "dynamically and are not static; static only for the musl (alpine) tags. "
            "(4) npm/yarn/pnpm run build, when CMD runs node on a file in dist/ or build/: copies that "
            "directory, node_modules and package.json onto the -slim tag. "
            "(5) mvn/gradle, when CMD runs java -jar on a jar path: copies that jar onto the JRE variant. "
            ".NET (dotnet publish) is not split: the knowledge base knows no .NET SDK or runtime image. "
            "For Go and Rust there is no fix (the application may need files the runtime stage lacks) when "
            "CMD/ENTRYPOINT passes a path or a file name, when a COPY or ADD before the build brings in anything "
            "but sources (templates/, static/, config files; COPY . . cannot be told apart and is accepted), "
            "when CMD runs sh -c or is in shell form (distroless has no shell), when CGO_ENABLED is set to "
            "anything but 0, or the build uses -race, -msan, -asan, a -buildmode or the external linker. "
            "For every ecosystem there is no fix when the build installs -dev packages or links extra "
            "libraries, when a RUN after the build does more than create users or directories (on a runtime "
            "image without a shell: more than create accounts and chown or chmod the working directory; such "
            "RUNs stay in the build stage, so those accounts and that ownership do not reach the runtime "
            "stage, and only a numeric USER works there), when a USER or --chown names a user the runtime "
            "image lacks, or when a HEALTHCHECK needs curl or wget. "
            "What can still break: files the application reads at run time besides the build output (from "
            "COPY . . or created by earlier RUNs), shared libraries of packages installed for the build, native "
            "node modules, tools the smaller base lacks, and writes into directories the new user does not own."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        stage = ctx.target
        if stage is None:
            return
        ids = {id(s) for s in stage.chain()}
        if any(id(s) not in ids for s in ctx.model.needed_stages(stage)):
            return  # copies from (or mounts) a build stage already
        facts = ctx.facts(stage)
        builds, self_cleaning = _builds(stage, fat_base=bool(facts is not None and facts.carries_build_tools))
        if not builds:
            return
        last_step = builds[-1][0]
        message = _message(ctx, stage, builds)
        try:
            for step in self_cleaning:
                if step.instruction.start_offset < last_step.instruction.start_offset:
                    raise NoSplit(f"the RUN at line {step.instruction.start_line} builds something too")
            fix = split_fix(ctx, stage, last_step, plan(ctx, stage, builds, facts))
        except NoSplit as why:
            yield ctx.at(self, last_step.instruction, f"{message} (no automatic split: {why})")
            return
        yield ctx.at(self, last_step.instruction, message, fix=fix)


def _builds(stage: "Stage", *, fat_base: bool) -> tuple["Builds", "list[Step]"]:
    """(build commands that leave their toolchain in the image, RUNs that install, build and purge it again)."""
    builds: "Builds" = []
    self_cleaning: list["Step"] = []
    for step in stage.all_steps():
        if step.in_onbuild or step.run is None:
            continue
        ops = build_commands(step)
        if not ops:
            continue
        kept, removed = run_build_tools(step)
        if removed and not kept and not fat_base:
            self_cleaning.append(step)
            continue  # install, build and purge in one RUN: the toolchain never reaches a layer
        builds.extend((step, op) for op in ops)
    return builds, self_cleaning


def _message(ctx: LintContext, stage: "Stage", builds: "Builds") -> str:
    # one build command per RUN (make and make install of one RUN are one build)
    per_run: dict[int, tuple["Step", Build]] = {}
    for s_, op in builds:
        per_run.setdefault(id(s_.instruction), (s_, op))
    firsts = list(per_run.values())
    shown = ", ".join(_describe_build(s, op) for s, op in firsts[:3]) + (", ..." if len(firsts) > 3 else "")
    who = f"stage {stage.name}" if stage.name else (
        "the final stage" if stage is ctx.model.final else f"stage {stage.label}")
    return (
        f"{who} builds in the image it ships ({shown}) and copies nothing from a build stage, "
        "so the toolchain, sources and intermediate files ship too; build in a separate stage and "
        "COPY --from only the result"
    )


def _describe_build(step: "Step", op: Build) -> str:
    assert step.run is not None
    text = " ".join(step.run.script.source[op.command.start:op.command.end].split())
    if len(text) > 48:
        text = text[:45] + "..."
    return f"`{text}` at line {step.instruction.start_line}"


RULE = NoMultistage

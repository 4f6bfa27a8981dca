"""SG011: the shipped stage compiles its own code and has no separate build stage."""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from slimguard.core.findings import Applicability, Edit, Finding, Fix, Severity
from slimguard.dockerfile.edits import insert_after, keyword, newline_of
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.rules.sg009_build_tools import _shell_vars, classify_package, package_name, package_ops, run_build_tools

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.shell import Build, SimpleCommand

NO_OUTPUT = "could not determine the build output"

_CC = re.compile(r"(?:[\w.+]+-)*(?:gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(?:-\d+(?:\.\d+)*)?")
_C_PREP = frozenset({"cmake", "configure", "meson", "muon"})
_JS_TOOLS = frozenset({
    "npm", "yarn", "pnpm", "bun", "tsc", "webpack", "rollup", "esbuild", "parcel", "vite", "next", "nuxt", "ng",
    "nest", "react-scripts", "gatsby", "astro", "remix", "svelte-kit", "tsup", "swc", "babel", "vue-cli-service",
})
_PHONY = frozenset({
    "all", "install", "build", "release", "debug", "clean", "test", "tests", "check", "default", "dist", "static",
    "shared", "lib", "libs", "bin", "binaries", "deps", "depend", "compile", "prod", "production", "world",
    "everything", "uninstall", "package", "docs", "main",
})
# headers every C build installs; their run-time counterpart (libc) is in every runtime image
_LIBC_HEADERS = frozenset({"libc6-dev", "libc-dev", "musl-dev", "linux-headers", "linux-libc-dev", "glibc-devel",
                           "kernel-headers"})
_STD_LIBS = frozenset({"m", "c", "pthread", "dl", "rt"})
_META = frozenset({"ARG", "ENV", "WORKDIR", "USER", "LABEL", "EXPOSE", "VOLUME", "STOPSIGNAL", "HEALTHCHECK",
                   "CMD", "ENTRYPOINT", "SHELL", "ONBUILD", "MAINTAINER"})
_SETUP_COMMANDS = frozenset({"mkdir", "chown", "chmod", "groupadd", "useradd", "addgroup", "adduser", "true", "ln"})
_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_SAFE_PATH = re.compile(r"[\w./@+-]+")
GO_RUNTIME = "gcr.io/distroless/static-debian12:nonroot"
_SUITE = re.compile(r"(?:^|-)(trixie|bookworm|bullseye|buster)(?:-|$)")


class NoSplit(Exception):
    """The build cannot be split automatically; the message says why."""


@dataclass
class Plan:
    shape: str  # c, go, rust, js, java
    outputs: list[str]  # absolute paths to COPY --from the build stage
    runtime: str  # image for the runtime stage
    runtime_note: str = ""
    notes: list[str] = field(default_factory=list)


def _describe_build(step: "Step", op: "Build") -> str:
    assert step.run is not None
    text = " ".join(step.run.script.source[op.command.start:op.command.end].split())
    if len(text) > 48:
        text = text[:45] + "..."
    return f"`{text}` at line {step.instruction.start_line}"


def _cd_before(step: "Step", cmd: "SimpleCommand") -> bool:
    assert step.run is not None
    return any(c.name in ("cd", "pushd") and c.start < cmd.start for c in step.run.script.commands)


def _resolve(path: str, workdir: str) -> str:
    if not path.startswith("/"):
        path = posixpath.join(workdir or "/", path)
    return "/" + posixpath.normpath(path).lstrip("/")


def _path_ok(path: str | None) -> bool:
    return bool(path) and _SAFE_PATH.fullmatch(path or "") is not None and not (path or "").startswith("-")


def _argv(ins) -> tuple[list[str], bool] | None:
    """(words, exec_form) of a CMD / ENTRYPOINT, None when not splittable."""
    if ins is None:
        return [], True
    if ins.is_json and ins.json_args is not None:
        return list(ins.json_args), True
    try:
        return shlex.split(ins.rest), False
    except ValueError:
        return None


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
            "gcc/make/cmake, go build, cargo build, mvn or gradle package, npm/yarn/pnpm run build, pip wheel, "
            "dotnet publish and similar, while copying nothing from a separate build stage. A RUN that "
            "installs its build dependencies, builds and removes them again in the same step is not reported "
            "unless the base image itself carries a toolchain. ONBUILD triggers are ignored."
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
            "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app\n"
            "USER 65532:65532\nENTRYPOINT [\"/out/app\"]\n"
        ),
        instead=(
            "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app\n\n"
            "FROM gcr.io/distroless/static-debian12:nonroot\nWORKDIR /src\nCOPY --from=build /out/app /out/app\n"
            "USER 65532:65532\nENTRYPOINT [\"/out/app\"]\n"
        ),
        fix_safety=(
            "Unsafe, and offered only where the build output is certain; otherwise the message says why there "
            "is no automatic split. The fix names the stage `build` (all instructions up to and including the "
            "last build RUN stay unchanged) and starts a runtime stage after it. The runtime stage repeats "
            "the earlier ARG, ENV, WORKDIR, USER, LABEL, EXPOSE, CMD and ENTRYPOINT lines verbatim, copies the "
            "output with COPY --from=build to the same path, and keeps every later instruction as it was. "
            "Handled shapes: "
            "(1) C/C++: gcc/clang -o FILE or make FILE, when CMD/ENTRYPOINT runs that file; the runtime is "
            "the base's slim variant, the same base when the compilers were installed with apt/apk/dnf, or "
            "debian:<suite>-slim when a Debian-based tag names its suite. "
            "(2) Go: go build -o PATH with CGO_ENABLED=0; the runtime is "
            "gcr.io/distroless/static-debian12:nonroot, which runs as uid 65532 unless the Dockerfile sets "
            "USER. "
            "(3) Rust: cargo build --release --bin NAME; the runtime is the distroless image the knowledge "
            "base names for the rust tag. Without -o or --bin, the binary's name is taken only from a "
            "CMD/ENTRYPOINT that runs a file from exactly the directory go or cargo writes to. "
            "(4) npm/yarn/pnpm run build, when CMD runs node on a file in dist/ or build/: copies that "
            "directory, node_modules and package.json onto the -slim tag. "
            "(5) mvn/gradle, when CMD runs java -jar on a jar path: copies that jar onto the JRE variant. "
            "What can still break: files the application reads at run time besides the build output "
            "(templates, static assets, config copied before the build), shared libraries of packages "
            "installed for the build, native node modules, and tools the smaller base lacks. There is no fix "
            "when the build installs -dev packages or links extra libraries, when a RUN after the build does "
            "more than create users or directories, when a USER or --chown names a user the runtime image "
            "lacks, when a HEALTHCHECK needs curl or wget, or when CMD is in shell form and the runtime has "
            "no shell."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        from slimguard.dockerfile.shell import Build

        stage = ctx.target
        if stage is None:
            return
        chain = stage.chain()
        ids = {id(s) for s in chain}
        if any(id(s) not in ids for s in ctx.model.needed_stages(stage)):
            return  # copies from (or mounts) a build stage already
        facts = ctx.facts(stage)
        fat_base = bool(facts is not None and facts.carries_build_tools)
        builds: list[tuple["Step", "Build"]] = []
        self_cleaning: list["Step"] = []
        for step in stage.all_steps():
            if step.in_onbuild or step.run is None:
                continue
            ops = step.run.script.of_type(Build)
            if not ops:
                continue
            kept, removed = run_build_tools(step)
            if removed and not kept and not fat_base:
                self_cleaning.append(step)
                continue  # install, build and purge in one RUN: the toolchain never reaches a layer
            builds.extend((step, op) for op in ops)
        if not builds:
            return
        last_step = builds[-1][0]
        shown = ", ".join(_describe_build(s, op) for s, op in builds[:3]) + (", ..." if len(builds) > 3 else "")
        who = f"stage {stage.name}" if stage.name else (
            "the final stage" if stage is ctx.model.final else f"stage {stage.label}")
        message = (
            f"{who} builds in the image it ships ({shown}) and copies nothing from a build stage, "
            "so the toolchain, sources and intermediate files ship too; build in a separate stage and "
            "COPY --from only the result"
        )
        try:
            for step in self_cleaning:
                if step.instruction.start_offset < last_step.instruction.start_offset:
                    raise NoSplit(f"the RUN at line {step.instruction.start_line} builds something too")
            plan = self._plan(ctx, stage, builds, facts)
            fix = self._fix(ctx, stage, last_step, plan)
        except NoSplit as why:
            yield ctx.at(self, last_step.instruction, f"{message} (no automatic split: {why})")
            return
        yield ctx.at(self, last_step.instruction, message, fix=fix)

    # ------------------------------------------------------------------ planning

    def _plan(self, ctx: LintContext, stage: "Stage", builds: list[tuple["Step", "Build"]], facts) -> Plan:
        if stage is not ctx.model.final:
            raise NoSplit("the stage is not the last one in the file")
        if stage.parent is not None:
            raise NoSplit(f"the stage is built FROM stage {stage.parent.label}")
        base = stage.base
        if base.image is None or base.is_scratch:
            raise NoSplit("the base image is not known")
        if facts is None:
            raise NoSplit(f"{base.text} is not in slimguard's knowledge base")
        shapes = {self._shape(op) for _, op in builds}
        shapes.discard("prep")
        if len(shapes) != 1 or None in shapes:
            raise NoSplit(NO_OUTPUT)
        shape = shapes.pop()
        if shape == "c":
            return self._plan_c(ctx, stage, builds)
        if shape == "go":
            return self._plan_go(stage, builds)
        if shape == "rust":
            return self._plan_rust(stage, builds)
        if shape == "js":
            return self._plan_js(ctx, stage, builds)
        return self._plan_java(ctx, stage, builds)

    @staticmethod
    def _shape(op: "Build") -> str | None:
        tool = op.tool
        if _CC.fullmatch(tool) or tool in ("make", "gmake", "bmake"):
            return "c"
        if tool in _C_PREP:
            return "prep"
        if tool == "go":
            return "go"
        if tool == "cargo":
            return "rust"
        if tool in _JS_TOOLS:
            return "js"
        if tool in ("mvn", "gradle"):
            return "java"
        return None

    # -- C / C++
    def _plan_c(self, ctx: LintContext, stage: "Stage", builds) -> Plan:
        from slimguard.dockerfile.shell.options import parse_opts, spec

        outputs: list[str] = []
        for step, op in builds:
            cmd = op.command
            args = [a.text for a in cmd.args]
            if op.tool in _C_PREP:
                continue
            if op.tool in ("make", "gmake", "bmake"):
                target = op.target
                if target is None or target in _PHONY or not _path_ok(target):
                    raise NoSplit(NO_OUTPUT)
                parsed = parse_opts(cmd.args, spec("CfIloW", ("--directory", "--file", "--makefile")))
                directory = parsed.last("-C", "--directory")
                rel = posixpath.join(directory, target) if directory else target
                if not rel.startswith("/") and _cd_before(step, cmd):
                    raise NoSplit(NO_OUTPUT)
                outputs.append(_resolve(rel, step.workdir))
                continue
            # a compiler driver
            libs = [a[2:] for a in args if a.startswith("-l") and len(a) > 2]
            if any(lib not in _STD_LIBS for lib in libs):
                raise NoSplit("the binary links libraries the runtime image would have to provide")
            target = op.target
            if "-shared" in args or (target or "").endswith((".so",)) or ".so." in (target or ""):
                raise NoSplit("the build produces a shared library")
            if target is None or target.endswith((".o", ".a")) or "-c" in args or "-E" in args or "-S" in args:
                continue  # an intermediate step
            if not _path_ok(target) or (not target.startswith("/") and _cd_before(step, cmd)):
                raise NoSplit(NO_OUTPUT)
            outputs.append(_resolve(target, step.workdir))
        if not outputs:
            raise NoSplit(NO_OUTPUT)
        self._no_dev_packages(stage)
        runtime = self._smaller_or_same(ctx, stage, allow_suite=True)
        self._runs_output(stage, outputs, interpreters=())
        return Plan("c", _unique(outputs), runtime)

    # -- Go
    def _plan_go(self, stage: "Stage", builds) -> Plan:
        outputs: list[str] = []
        for step, op in builds:
            cmd = op.command
            args = [a.text for a in cmd.args]
            target = op.target
            if "-C" in args and not (target or "").startswith("/"):
                raise NoSplit(NO_OUTPUT)
            if not (target or "").startswith("/") and _cd_before(step, cmd):
                raise NoSplit(NO_OUTPUT)
            if target is None:
                # no -o: go build writes the binary into the current directory; use it only when CMD runs
                # a file from exactly that directory
                exe = self._exe_path(stage)
                if exe is None or posixpath.dirname(exe) != _resolve(".", step.workdir):
                    raise NoSplit(NO_OUTPUT)
                target = exe
            if not _path_ok(target.rstrip("/") or "/"):
                raise NoSplit(NO_OUTPUT)
            assert step.run is not None
            local = _shell_vars(step, cmd.start)
            for pair in cmd.assignments:
                key, _, value = pair.partition("=")
                local[key] = value.strip("'\"")
            cgo = local.get("CGO_ENABLED", step.env.get("CGO_ENABLED"))
            if cgo != "0":
                raise NoSplit("go build without CGO_ENABLED=0 may link against the C library; set "
                              "CGO_ENABLED=0 for a static binary or split the stages by hand")
            path = _resolve(target, step.workdir)
            outputs.append(path + "/" if target.endswith("/") else path)
        self._runs_output(stage, outputs, interpreters=())
        return Plan("go", _unique(outputs), GO_RUNTIME)

    # -- Rust
    def _plan_rust(self, stage: "Stage", builds) -> Plan:
        from slimguard.knowledge.bases import smaller_variant
        from slimguard.dockerfile.shell.options import parse_opts, spec

        outputs: list[str] = []
        for step, op in builds:
            cmd = op.command
            parsed = parse_opts(cmd.args, spec("jFpZ", (
                "--bin", "--example", "--target", "--features", "--jobs", "--profile", "--target-dir",
                "--manifest-path", "--package", "--config", "--color")))
            if not parsed.has("--release", "-r") or parsed.has("--profile", "--manifest-path", "--example"):
                raise NoSplit(NO_OUTPUT)
            name = op.target
            if name is not None and (not _path_ok(name) or "/" in name):
                raise NoSplit(NO_OUTPUT)
            target_dir = parsed.last("--target-dir") or step.env.get("CARGO_TARGET_DIR") or "target"
            triple = parsed.last("--target")
            if not _path_ok(target_dir) or (triple is not None and not _path_ok(triple)):
                raise NoSplit(NO_OUTPUT)
            if not target_dir.startswith("/") and _cd_before(step, cmd):
                raise NoSplit(NO_OUTPUT)
            release = _resolve(posixpath.join(target_dir, triple, "release") if triple else posixpath.join(
                target_dir, "release"), step.workdir)
            if name is None:
                # no --bin: the binary is named after the package; use it only when CMD runs a file from
                # exactly the release directory
                exe = self._exe_path(stage)
                if exe is None or posixpath.dirname(exe) != release:
                    raise NoSplit(NO_OUTPUT)
                outputs.append(exe)
            else:
                outputs.append(posixpath.join(release, name))
        image = stage.base.image
        assert image is not None
        sugg = smaller_variant(image.familiar_name, image.effective_tag)
        if sugg is None or not sugg.confirmed or not sugg.multi_stage or "distroless" not in sugg.image:
            raise NoSplit(f"no runtime image is known for binaries built in {stage.base.text}")
        runtime = sugg.image
        self._no_dev_packages(stage)
        self._runs_output(stage, outputs, interpreters=())
        return Plan("rust", _unique(outputs), runtime)

    # -- npm / yarn / pnpm
    def _plan_js(self, ctx: LintContext, stage: "Stage", builds) -> Plan:
        wd = None
        for step, op in builds:
            if _cd_before(step, op.command):
                raise NoSplit(NO_OUTPUT)
            if wd is not None and step.workdir != wd:
                raise NoSplit(NO_OUTPUT)
            wd = step.workdir
        assert wd is not None
        from slimguard.dockerfile.shell import PackageOp

        installed = False
        for step in stage.all_steps():
            if step.run is None or step.in_onbuild:
                continue
            for op in step.run.script.of_type(PackageOp):
                if op.manager in ("npm", "yarn", "pnpm") and op.action in ("install", "ci"):
                    if step.workdir != wd or _cd_before(step, op.command):
                        raise NoSplit(NO_OUTPUT)
                    installed = True
        if not installed:
            raise NoSplit(NO_OUTPUT)
        program = self._program(stage)
        if program is None or program[0] not in ("node", "nodejs"):
            raise NoSplit(NO_OUTPUT + ": CMD does not run node on a built file")
        final_wd = stage.workdir
        out_dir = None
        for arg in program[1:]:
            if not _path_ok(arg):
                continue
            path = _resolve(arg, final_wd)
            for d in ("dist", "build"):
                root = posixpath.join(wd, d)
                if path == root or path.startswith(root + "/"):
                    out_dir = root
                    break
            if out_dir:
                break
        if out_dir is None:
            raise NoSplit(NO_OUTPUT + ": CMD does not run a file from dist/ or build/")
        self._no_dev_packages(stage)
        runtime = self._smaller_or_same(ctx, stage, allow_suite=False)
        outputs = [posixpath.join(wd, "package.json"), posixpath.join(wd, "node_modules"), out_dir]
        return Plan("js", outputs, runtime)

    # -- Maven / Gradle
    def _plan_java(self, ctx: LintContext, stage: "Stage", builds) -> Plan:
        from slimguard.knowledge.bases import smaller_variant

        program = self._program(stage)
        if program is None or posixpath.basename(program[0]) != "java" or "-jar" not in program[1:-1]:
            raise NoSplit(NO_OUTPUT + ": CMD does not run java -jar on a jar file")
        jar = program[program.index("-jar") + 1]
        if not _path_ok(jar) or not jar.endswith(".jar"):
            raise NoSplit(NO_OUTPUT)
        image = stage.base.image
        assert image is not None
        sugg = smaller_variant(image.familiar_name, image.effective_tag)
        if sugg is None or not sugg.confirmed:
            raise NoSplit(f"no JRE image is known for {stage.base.text}")
        return Plan("java", [_resolve(jar, stage.workdir)], sugg.image)

    # -- shared checks
    def _program(self, stage: "Stage") -> list[str] | None:
        """ENTRYPOINT + CMD as the container runs them (None: shell form or unparsable)."""
        ep = _argv(stage.entrypoint)
        cmd = _argv(stage.cmd)
        if ep is None or cmd is None:
            return None
        words = ep[0] + (cmd[0] if stage.entrypoint is None or ep[1] else [])
        if not words:
            return None
        return words

    def _exe_path(self, stage: "Stage") -> str | None:
        """Absolute path of the program ENTRYPOINT/CMD starts, when written as a path."""
        program = self._program(stage)
        if program is None or "/" not in program[0] or not _path_ok(program[0]):
            return None
        return _resolve(program[0], stage.workdir)

    def _runs_output(self, stage: "Stage", outputs: list[str], interpreters: tuple[str, ...]) -> None:
        program = self._program(stage)
        if program is None:
            raise NoSplit("no CMD or ENTRYPOINT runs the build output")
        exe = program[0]
        candidates: list[str]
        if "/" in exe:
            candidates = [_resolve(exe, stage.workdir)]
        else:
            path = stage.env.get("PATH", _DEFAULT_PATH)
            candidates = [posixpath.join(d, exe) for d in path.split(":") if d.startswith("/")]
        for out in outputs:
            for c in candidates:
                if c == out or (out.endswith("/") and c.startswith(out)):
                    return
        raise NoSplit(f"CMD/ENTRYPOINT runs {exe}, not the build output")

    def _no_dev_packages(self, stage: "Stage") -> None:
        for step in stage.all_steps():
            if step.run is None or step.in_onbuild:
                continue
            for op in package_ops(step):
                if op.action != "install":
                    continue
                for p in op.packages:
                    name = package_name(p)
                    if classify_package(p) == "headers" and name not in _LIBC_HEADERS:
                        raise NoSplit(f"the build installs {name}: the runtime stage would need the matching "
                                      "shared libraries")

    def _smaller_or_same(self, ctx: LintContext, stage: "Stage", *, allow_suite: bool) -> str:
        from slimguard.knowledge.bases import smaller_variant

        image = stage.base.image
        assert image is not None
        sugg = smaller_variant(image.familiar_name, image.effective_tag)
        if sugg is not None and sugg.confirmed and not sugg.multi_stage:
            return sugg.image
        facts = ctx.facts(stage)
        tools_installed = any(run_build_tools(s)[0] for s in stage.all_steps() if s.run is not None)
        if facts is not None and not facts.carries_build_tools and tools_installed:
            return stage.base.raw  # the same base, without the packages the build installed
        if allow_suite and facts is not None and facts.distro == "debian":
            m = _SUITE.search(image.effective_tag or "")
            if m is not None:
                return f"debian:{m.group(1)}-slim"
        raise NoSplit(f"no smaller runtime image is known for {stage.base.text}")

    # ------------------------------------------------------------------ the edit

    def _fix(self, ctx: LintContext, stage: "Stage", split: "Step", plan: Plan) -> Fix:
        from slimguard.knowledge.bases import lookup

        tree = ctx.tree
        steps = stage.steps
        index = next(i for i, s in enumerate(steps) if s is split)
        before, after = steps[: index + 1], steps[index + 1:]
        same_base = plan.runtime == stage.base.raw
        facts = ctx.facts(stage) if same_base else None
        info = None if same_base else lookup(plan.runtime, None)
        if same_base:
            if facts is None:
                raise NoSplit("the runtime image is not known")
            has_shell = facts.has_shell is not False
            users = set(facts.users) | set(facts.groups)
        else:
            if info is None:
                raise NoSplit(f"{plan.runtime} is not in slimguard's knowledge base")
            has_shell = info.has_shell
            users = {u.name for u in info.users}
        created: set[str] = set()
        for step in after:
            ins = step.instruction
            if ins.name == "RUN":
                self._setup_only(step, has_shell, plan.runtime)
                from slimguard.dockerfile.shell import UserOp

                assert step.run is not None
                created.update(op.name for op in step.run.script.of_type(UserOp) if op.name)
                created.update(op.group for op in step.run.script.of_type(UserOp) if op.group)
        # every user the runtime stage names must exist there
        for i, step in enumerate(steps):
            ins = step.instruction
            if ins.name == "USER":
                self._user_ok(step.expanded[0] if step.expanded else ins.rest, users | created, plan.runtime)
            if i > index and ins.name in ("COPY", "ADD"):
                chown = ins.flag("chown")
                if chown is not None and chown.value:
                    self._user_ok(chown.value, users | created, plan.runtime)
        for ins in (stage.cmd, stage.entrypoint):
            if ins is not None and not ins.is_json and not has_shell:
                raise NoSplit(f"{ins.name} in shell form needs a shell that {plan.runtime} does not have")
        hc = stage.healthcheck
        if hc is not None and hc.rest.strip().upper() != "NONE":
            if not same_base and not self._healthcheck_runs_output(hc, plan.outputs, stage.workdir):
                if not has_shell or re.search(r"\b(curl|wget)\b", hc.rest):
                    raise NoSplit(f"the HEALTHCHECK needs tools {plan.runtime} may not have")
        build_user = split.user
        chown = ""
        if build_user.is_root is None:
            raise NoSplit("the build runs as a user slimguard cannot resolve")
        if build_user.is_root is False:
            self._user_ok(build_user.text, users | created, plan.runtime)
            chown = f" --chown={build_user.text}"
        for out in plan.outputs:
            if not _path_ok(out.rstrip("/") or "/"):
                raise NoSplit(NO_OUTPUT)

        names = {s.name.lower() for s in ctx.model.stages if s.name}
        name = next(n for n in ("build", "builder", "build-stage", "slimguard-build") if n not in names)
        from_ins = stage.from_instruction
        words = from_ins.words()
        if not words:
            raise NoSplit("the FROM line could not be read")
        edits: list[Edit] = []
        as_part = ""
        if len(words) >= 3 and words[1].text.lower() == "as":
            old = words[2]
            edits.append(Edit(old.span.start.offset, old.span.end.offset, name))
            as_part = f" {words[1].text} {old.text}"
        elif len(words) == 1:
            end = words[0].span.end.offset
            edits.append(Edit(end, end, f" {keyword(tree, 'AS')} {name}"))
        else:
            raise NoSplit("the FROM line could not be read")
        flags = " ".join(tree.text[f.span.start.offset:f.span.end.offset] for f in from_ins.flags)
        nl = newline_of(tree)
        lines = ["", f"{keyword(tree, 'FROM')} {flags + ' ' if flags else ''}{plan.runtime}{as_part}"]
        for step in before:
            ins = step.instruction
            if ins.name in _META:
                lines.append(tree.text[ins.start_offset:ins.end_offset].rstrip("\r\n").replace("\r\n", nl))
        copy_kw = keyword(tree, "COPY")
        for out in plan.outputs:
            src = out.rstrip("/") if out != "/" else out
            lines.append(f"{copy_kw} --from={name}{chown} {src} {src}")
        # The runtime stage is inserted after the split RUN. The edit rewrites everything from that RUN to the
        # end of the file (the text is unchanged apart from the insertion) so that, in the same fix round,
        # other rules' edits there (SG001 adding a USER after the last RUN) wait for the next round and land
        # in the right stage.
        insert = insert_after(tree, split.instruction, lines)
        start = split.instruction.start_offset
        text = tree.text
        edits.append(Edit(start, len(text), text[start:insert.start] + insert.text + text[insert.start:]))
        what = ", ".join(o.rstrip("/") for o in plan.outputs)
        return Fix(
            f"split into a build stage and a runtime stage on {plan.runtime} that copies {what} (files the "
            "application reads besides the build output, and libraries installed for the build, no longer ship)",
            tuple(edits), applicability=Applicability.UNSAFE,
        )

    @staticmethod
    def _healthcheck_runs_output(hc, outputs: list[str], workdir: str) -> bool:
        """HEALTHCHECK CMD ["<build output>", ...] works on any runtime image."""
        import json

        m = re.fullmatch(r"\s*(?:--\S+\s+)*CMD\s+(\[.*\])\s*", hc.rest, re.IGNORECASE | re.DOTALL)
        if m is None:
            return False
        try:
            argv = json.loads(m.group(1))
        except ValueError:
            return False
        if not argv or not isinstance(argv[0], str) or "/" not in argv[0]:
            return False
        exe = _resolve(argv[0], workdir)
        return any(exe == o or (o.endswith("/") and exe.startswith(o)) for o in outputs)

    def _setup_only(self, step: "Step", has_shell: bool, runtime: str) -> None:
        line = step.instruction.start_line
        if not has_shell:
            raise NoSplit(f"the RUN at line {line} after the build needs a shell, and {runtime} has none")
        assert step.run is not None
        for cmd in step.run.script.commands:
            if cmd.name is not None and cmd.name not in _SETUP_COMMANDS:
                raise NoSplit(f"the RUN at line {line} after the build would run in {runtime}")

    @staticmethod
    def _user_ok(text: str, known: set[str], runtime: str) -> None:
        for part in text.split(":", 1):
            part = part.strip()
            if not part or part.isdigit():
                continue
            if "$" in part or part not in known:
                raise NoSplit(f"user or group {part} would not exist in {runtime}")


def _unique(items: list[str]) -> list[str]:
    out: list[str] = []
    for i in items:
        if i not in out:
            out.append(i)
    return out


RULE = NoMultistage

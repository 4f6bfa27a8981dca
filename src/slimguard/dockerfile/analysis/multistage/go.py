"""Go builds: ``go build`` and ``go install`` of the module's own packages, linked statically with
CGO_ENABLED=0, onto the distroless static image (``:nonroot``) the knowledge base names for the build image.

What the output is called, by shape:

- ``go build -o FILE`` writes FILE; ``-o DIR/`` (or ``-o`` naming a directory every image has, such as
  /usr/local/bin) writes the binaries into that directory;
- ``go build`` without ``-o`` writes one binary into the working directory, named after the last element of the
  package path (``./cmd/server`` -> server) or the first file (``main.go`` -> main); for the module's root
  package (``go build`` or ``go build .``) the name comes from go.mod, which slimguard cannot see, so it is
  taken from a CMD/ENTRYPOINT that runs a file from exactly that directory; several packages or a ``...``
  pattern write nothing;
- ``go install`` writes into $GOBIN, else $GOPATH/bin (/go/bin in the golang images), named as above; names
  it cannot see are taken from the CMD/ENTRYPOINT, which may run the binary by name (the golang images have
  /go/bin on PATH; the runtime stage then gets an ENV PATH with that directory).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimguard.core.findings import Edit
from slimguard.dockerfile.analysis.installs import shell_vars
from slimguard.dockerfile.analysis.multistage.base import (
    DEFAULT_PATH, NO_OUTPUT, NoSplit, Plan, Planner, cd_before, copies_only_sources, locate_program,
    no_file_arguments, no_shell_program, path_ok, resolve, unique,
)
from slimguard.dockerfile.shell import Build, PackageOp
from slimguard.dockerfile.shell.options import parse_opts, spec
from slimguard.knowledge.bases import smaller_variant

if TYPE_CHECKING:
    from slimguard.dockerfile.analysis.multistage.base import Builds
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.shell import SimpleCommand

GO_RUNTIME = "gcr.io/distroless/static-debian12:nonroot"
# docker-library/golang: ENV GOPATH /go, ENV PATH $GOPATH/bin:/usr/local/go/bin:$PATH
GOLANG_GOPATH = "/go"
GOLANG_PATH = f"/go/bin:/usr/local/go/bin:{DEFAULT_PATH}"

_GO_OPTIONS = spec("", (
    "-o", "-ldflags", "-gcflags", "-asmflags", "-tags", "-mod", "-modfile", "-p", "-C", "-pkgdir", "-overlay",
    "-pgo", "-buildmode", "-compiler", "-installsuffix", "-exec", "-toolexec", "-gccgoflags", "-coverpkg",
    "-covermode"), single_dash=True)
_NEEDS_CGO = ("-race", "-msan", "-asan", "-linkshared")
# directories that exist in every build image: `-o /usr/local/bin` writes /usr/local/bin/<name>
_SYSTEM_DIRS = frozenset({"/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/go/bin"})
_GO_TOOLS = frozenset({"go", "gofmt"})
# what a Go build reads from the context: the module files, Go files, and the usual source directories
_GO_SOURCES = re.compile(
    r"(?:\./)?(?:go\.(?:mod|sum|work|work\.sum|\*)|(?:[\w.-]+/)*[\w.*-]*\.go"
    r"|(?:vendor|cmd|internal|pkg|src)(?:/[\w.-]+)*)/?|\.|\./")
_MAJOR = re.compile(r"v(?:[2-9]|[1-9]\d+)")


def go_installs(step: "Step") -> Iterator[Build]:
    """``go install`` of the module's own packages (none, ``.``, ``./...``, ``./cmd/x``) as build commands:
    the shell analysis files every ``go install`` as a package install."""
    assert step.run is not None
    for op in step.run.script.of_type(PackageOp):
        cmd = op.command
        if op.manager != "go" or op.action != "install" or _verb(cmd) != "install":
            continue
        if all(p.startswith((".", "/")) and "@" not in p for p in op.packages):
            yield Build(command=cmd, tool="go", target=None)


def _verb(cmd: "SimpleCommand") -> str | None:
    pos = parse_opts(cmd.args, _GO_OPTIONS).positionals
    return pos[0].text if pos else None


class GoPlanner(Planner):
    """The runtime is the distroless static image the knowledge base names for the golang tag
    (gcr.io/distroless/static-debian12:nonroot by default), which runs as uid 65532 unless the Dockerfile sets
    USER. Every go build/install runs with CGO_ENABLED=0; where the Dockerfile does not set it, the fix adds
    it to the command."""

    def builds(self, tool: str) -> bool:
        return tool == "go"

    def plan(self, ctx: "LintContext", stage: "Stage", builds: "Builds") -> Plan:
        runtime = _runtime(ctx, stage)
        golang = _is_golang(stage)
        files: list[str] = []
        dirs: list[str] = []
        edits: list[Edit] = []
        added: list[str] = []
        for step, op in builds:
            edit = _static(step, op.command, runtime)
            if edit is not None:
                edits.append(edit)
                added.append(f"line {step.instruction.start_line}")
            if _verb(op.command) == "install":
                _install_output(step, op.command, golang, files, dirs)
            else:
                _build_output(step, op, files, dirs)
        if not files and not dirs:
            raise NoSplit(NO_OUTPUT)
        no_shell_program(stage, runtime)
        no_file_arguments(stage)
        last = builds[-1][0].instruction.start_offset
        copies_only_sources(stage, last, _GO_SOURCES, "Go source (go.mod, go.sum, *.go, cmd/, internal/, pkg/, "
                            "vendor/, src/ or the whole context)")
        found = locate_program(stage, unique(files), unique(dirs),
                               search_path=GOLANG_PATH if golang else DEFAULT_PATH, reserved=_GO_TOOLS)
        notes = []
        if added:
            notes.append(f"adds CGO_ENABLED=0 to the go command at {', '.join(added)} so the binary is linked "
                         "statically (packages that need cgo no longer build, and net and os/user use their "
                         "pure-Go versions)")
        env: tuple[tuple[str, str], ...] = ()
        if found.path is not None:
            env = (("PATH", found.path),)
            notes.append(f"sets PATH={found.path} so CMD finds the binary by name")
        return Plan(found.outputs, runtime, build_edits=tuple(edits), env=env, notes=tuple(notes))


def _is_golang(stage: "Stage") -> bool:
    image = stage.base.image
    return image is not None and image.familiar_name == "golang"


def _runtime(ctx: "LintContext", stage: "Stage") -> str:
    """The knowledge base's distroless static image for a golang tag, else the default one."""
    facts = ctx.facts(stage)
    if facts is not None and facts.distro == "windows":
        raise NoSplit(f"no runtime image is known for binaries built in {stage.base.text}")
    image = stage.base.image
    assert image is not None
    sugg = smaller_variant(image.familiar_name, image.effective_tag)
    if sugg is not None and sugg.confirmed and sugg.multi_stage and "/distroless/static" in sugg.image:
        return sugg.image
    return GO_RUNTIME


def _value(step: "Step", cmd: "SimpleCommand", name: str) -> str | None:
    """The value of the environment variable *name* for *cmd*: its own prefix, the RUN's shell, ENV or ARG."""
    for pair in cmd.assignments:
        key, _, value = pair.partition("=")
        if key == name:
            return value.strip("'\"")
    local = shell_vars(step, cmd.start)
    if name in local:
        return local[name]
    return step.env.get(name)


def _static(step: "Step", cmd: "SimpleCommand", runtime: str) -> Edit | None:
    """Raise :class:`NoSplit` unless the command can link statically; the edit adding CGO_ENABLED=0 to it
    when nothing sets it."""
    assert step.run is not None
    line = step.instruction.start_line
    parsed = parse_opts(cmd.args, _GO_OPTIONS)
    for flag in _NEEDS_CGO:
        if parsed.has(flag):
            raise NoSplit(f"go {flag} at line {line} needs cgo, and {runtime} has no C library")
    mode = parsed.last("-buildmode")
    if mode not in (None, "exe", "default"):
        raise NoSplit(f"go -buildmode={mode} at line {line} does not make a static executable")
    if parsed.last("-compiler") not in (None, "gc"):
        raise NoSplit(f"the go build at line {line} uses another compiler")
    if re.search(r"-linkmode[= ]+external", " ".join(parsed.values("-ldflags"))):
        raise NoSplit(f"the go build at line {line} links with the external (C) linker")
    goos = _value(step, cmd, "GOOS")
    if goos not in (None, "", "linux"):
        raise NoSplit(f"the go build at line {line} builds for GOOS={goos}")
    cgo = _value(step, cmd, "CGO_ENABLED")
    if cgo == "0":
        return None
    if cgo not in (None, ""):
        raise NoSplit(f"CGO_ENABLED={cgo} at line {line}: the binary links the C library, which {runtime} "
                      "does not have; split the stages by hand onto a distroless base or cc image")
    word = cmd.name_word
    if step.run.form not in ("shell", "heredoc") or word is None or any(w != "env" for w in cmd.wrappers):
        raise NoSplit(f"CGO_ENABLED=0 cannot be added to the go command at line {line}; set it with ENV")
    at = step.run.span_of(word.start, word.start).start.offset
    return Edit(at, at, "CGO_ENABLED=0 ")


def _exec_name(package: str) -> str | None:
    """The binary name go derives from a package path (None: from go.mod, which is not visible)."""
    path = posixpath.normpath(package)
    if path in (".", "/") or path.startswith(".."):
        return None
    name = posixpath.basename(path)
    parent = posixpath.dirname(path)
    if _MAJOR.fullmatch(name) and parent not in ("", "."):
        name = posixpath.basename(parent)
    return name if path_ok(name) and not name.startswith(".") else None


def _packages(cmd: "SimpleCommand") -> list[str]:
    return [w.text for w in parse_opts(cmd.args, _GO_OPTIONS).positionals[1:]]


def _build_output(step: "Step", op: Build, files: list[str], dirs: list[str]) -> None:
    """Add what one ``go build`` writes to *files* (known paths) or *dirs* (names taken from CMD)."""
    cmd = op.command
    target = op.target
    args = [a.text for a in cmd.args]
    if "-C" in args and not (target or "").startswith("/"):
        raise NoSplit(NO_OUTPUT)
    if not (target or "").startswith("/") and cd_before(step, cmd):
        raise NoSplit(NO_OUTPUT)
    if target is not None:
        if not path_ok(target.rstrip("/") or "/"):
            raise NoSplit(NO_OUTPUT)
        path = resolve(target, step.workdir)
        if path in _SYSTEM_DIRS:
            dirs.append(path)  # an existing directory: go writes <name> into it
        else:
            files.append(path + "/" if target.endswith("/") else path)
        return
    packages = _packages(cmd)
    cwd = resolve(".", step.workdir)
    if not packages:
        dirs.append(cwd)
        return
    if all(p.endswith(".go") for p in packages):
        stem = posixpath.basename(packages[0])[:-3]
        if not path_ok(stem):
            raise NoSplit(NO_OUTPUT)
        files.append(posixpath.join(cwd, stem))
        return
    if len(packages) > 1 or "..." in packages[0]:
        return  # several packages: go build compiles them and writes nothing
    name = _exec_name(packages[0])
    if name is None:
        dirs.append(cwd)
    else:
        files.append(posixpath.join(cwd, name))


def _install_output(step: "Step", cmd: "SimpleCommand", golang: bool, files: list[str], dirs: list[str]) -> None:
    """Add what one ``go install`` writes, in $GOBIN or $GOPATH/bin."""
    line = step.instruction.start_line
    for var in ("GOOS", "GOARCH"):
        if _value(step, cmd, var):
            raise NoSplit(f"go install at line {line} with {var} set may write into a subdirectory of the bin "
                          "directory")
    bindir = _bindir(step, cmd, golang)
    packages = _packages(cmd)
    if any(p.endswith(".go") for p in packages):
        raise NoSplit(NO_OUTPUT)
    if not packages or any("..." in p for p in packages):
        dirs.append(bindir)
        return
    for p in packages:
        name = _exec_name(p)
        if name is None:
            dirs.append(bindir)
        else:
            files.append(posixpath.join(bindir, name))


def _bindir(step: "Step", cmd: "SimpleCommand", golang: bool) -> str:
    gobin = _value(step, cmd, "GOBIN")
    if gobin:
        if not gobin.startswith("/") or not path_ok(gobin):
            raise NoSplit(NO_OUTPUT + f": GOBIN={gobin}")
        return resolve(gobin, "/")
    gopath = _value(step, cmd, "GOPATH")
    if gopath:
        first = gopath.split(":", 1)[0]
        if not first.startswith("/") or not path_ok(first):
            raise NoSplit(NO_OUTPUT + f": GOPATH={gopath}")
        return resolve(posixpath.join(first, "bin"), "/")
    if golang:
        return posixpath.join(GOLANG_GOPATH, "bin")
    raise NoSplit(NO_OUTPUT + ": go install writes into $GOPATH/bin, and GOPATH is not known for "
                  + step.stage.base.text)

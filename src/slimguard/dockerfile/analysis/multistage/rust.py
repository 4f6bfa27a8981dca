"""Rust builds: ``cargo build --release [--bin NAME]`` and ``cargo install --path DIR``, onto the distroless image
the knowledge base names for the rust tag.

A binary for the default ``*-linux-gnu`` target links glibc and libgcc_s dynamically, so it is not copied onto a
static image: the knowledge base names distroless cc (glibc and libgcc, the same Debian release as the build
image or newer) for the Debian tags and distroless static only for the musl (alpine) tags. The package's name is
in Cargo.toml, which slimguard cannot see: without ``--bin`` it is taken from a CMD/ENTRYPOINT that runs a file
from exactly the directory cargo writes to (target/release, or $CARGO_HOME/bin = /usr/local/cargo/bin for
``cargo install`` in the rust images, where that directory is on PATH).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimguard.dockerfile.analysis.multistage.base import (
    DEFAULT_PATH, NO_OUTPUT, NoSplit, Plan, Planner, cd_before, copies_only_sources, locate_program,
    no_dev_packages, no_file_arguments, no_shell_program, path_ok, resolve, unique,
)
from slimguard.dockerfile.shell import Build, PackageOp
from slimguard.dockerfile.shell.options import parse_opts, spec
from slimguard.knowledge.bases import smaller_variant

if TYPE_CHECKING:
    from slimguard.dockerfile.analysis.multistage.base import Builds
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.shell import SimpleCommand

_CARGO_OPTIONS = spec("jFpZ", (
    "--bin", "--example", "--target", "--features", "--jobs", "--profile", "--target-dir", "--manifest-path",
    "--package", "--config", "--color", "--root", "--path", "--git", "--branch", "--tag", "--rev", "--version",
    "--vers", "--index", "--registry"))
# rust-lang/docker-rust: ENV CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:$PATH
RUST_CARGO_HOME = "/usr/local/cargo"
RUST_PATH = f"/usr/local/cargo/bin:{DEFAULT_PATH}"
_RUST_TOOLS = frozenset({"cargo", "rustc", "rustup", "rustdoc", "rustfmt", "rust-gdb", "rust-lldb", "cargo-fmt",
                         "cargo-clippy", "clippy-driver", "rls", "rust-analyzer"})
_RUST_SOURCES = re.compile(
    r"(?:\./)?(?:(?:[\w.-]+/)*Cargo\.(?:toml|lock|\*)|rust-toolchain(?:\.toml)?|(?:[\w.-]+/)*[\w.*-]*\.rs"
    r"|(?:src|benches|examples|tests|crates|\.cargo)(?:/[\w.-]+)*)/?|\.|\./")


def cargo_installs(step: "Step") -> Iterator[Build]:
    """``cargo install --path DIR`` (the project's own crate) as a build command: the shell analysis files
    every ``cargo install`` as a package install."""
    assert step.run is not None
    for op in step.run.script.of_type(PackageOp):
        cmd = op.command
        if op.manager != "cargo" or op.action != "install":
            continue
        parsed = parse_opts(cmd.args, _CARGO_OPTIONS)
        pos = [w.text for w in parsed.positionals]
        if pos[:1] == ["install"] and len(pos) == 1 and parsed.has("--path") and not parsed.has("--git"):
            yield Build(command=cmd, tool="cargo", target=parsed.last("--bin"))


class RustPlanner(Planner):
    """Without --bin, the binary's name is taken only from a CMD/ENTRYPOINT that runs a file from exactly the
    directory cargo writes to."""

    def builds(self, tool: str) -> bool:
        return tool == "cargo"

    def plan(self, ctx: "LintContext", stage: "Stage", builds: "Builds") -> Plan:
        files: list[str] = []
        dirs: list[str] = []
        rust = _is_rust(stage)
        for step, op in builds:
            parsed = parse_opts(op.command.args, _CARGO_OPTIONS)
            if parsed.positionals and parsed.positionals[0].text == "install":
                _install_output(step, parsed, rust, files, dirs)
            else:
                _build_output(step, op.command, files, dirs)
        image = stage.base.image
        assert image is not None
        sugg = smaller_variant(image.familiar_name, image.effective_tag)
        if sugg is None or not sugg.confirmed or not sugg.multi_stage or "distroless" not in sugg.image:
            raise NoSplit(f"no runtime image is known for binaries built in {stage.base.text}")
        no_dev_packages(stage)
        no_shell_program(stage, sugg.image)
        no_file_arguments(stage)
        copies_only_sources(stage, builds[-1][0].instruction.start_offset, _RUST_SOURCES,
                            "Rust source (Cargo.toml, Cargo.lock, *.rs, src/, benches/, examples/, tests/, "
                            "crates/, .cargo/ or the whole context)")
        found = locate_program(stage, unique(files), unique(dirs), search_path=RUST_PATH if rust else DEFAULT_PATH,
                               reserved=_RUST_TOOLS)
        notes = []
        if "/distroless/cc" in sugg.image:
            notes.append(f"the binary links glibc and libgcc_s dynamically (the gnu target's default), which "
                         f"{sugg.image} provides; other shared libraries it links would be missing")
        env: tuple[tuple[str, str], ...] = ()
        if found.path is not None:
            env = (("PATH", found.path),)
            notes.append(f"sets PATH={found.path} so CMD finds the binary by name")
        return Plan(found.outputs, sugg.image, env=env, notes=tuple(notes))


def _is_rust(stage: "Stage") -> bool:
    image = stage.base.image
    return image is not None and image.familiar_name == "rust"


def _build_output(step: "Step", cmd: "SimpleCommand", files: list[str], dirs: list[str]) -> None:
    """Add the binaries one ``cargo build --release`` writes."""
    parsed = parse_opts(cmd.args, _CARGO_OPTIONS)
    if not parsed.has("--release", "-r") or parsed.has("--profile", "--manifest-path", "--example"):
        raise NoSplit(NO_OUTPUT)
    names = parsed.values("--bin")
    if any(not path_ok(n) or "/" in n for n in names):
        raise NoSplit(NO_OUTPUT)
    target_dir = parsed.last("--target-dir") or step.env.get("CARGO_TARGET_DIR") or "target"
    triple = parsed.last("--target")
    if not path_ok(target_dir) or (triple is not None and not path_ok(triple)):
        raise NoSplit(NO_OUTPUT)
    if not target_dir.startswith("/") and cd_before(step, cmd):
        raise NoSplit(NO_OUTPUT)
    release = resolve(posixpath.join(target_dir, triple, "release") if triple else posixpath.join(
        target_dir, "release"), step.workdir)
    if names:
        files.extend(posixpath.join(release, n) for n in names)
    else:
        dirs.append(release)  # named after the package: CMD must run a file from exactly this directory


def _install_output(step: "Step", parsed, rust: bool, files: list[str], dirs: list[str]) -> None:
    """Add the binaries one ``cargo install --path DIR`` writes into <root>/bin."""
    names = parsed.values("--bin")
    if any(not path_ok(n) or "/" in n for n in names) or parsed.has("--example", "--examples"):
        raise NoSplit(NO_OUTPUT)
    root = parsed.last("--root") or step.env.get("CARGO_INSTALL_ROOT") or step.env.get("CARGO_HOME")
    if root is None and rust:
        root = RUST_CARGO_HOME
    if root is None:
        raise NoSplit(NO_OUTPUT + ": cargo install writes into $CARGO_HOME/bin, and CARGO_HOME is not known for "
                      + step.stage.base.text)
    if not root.startswith("/") or not path_ok(root):
        raise NoSplit(NO_OUTPUT + f": the install root {root}")
    bindir = resolve(posixpath.join(root, "bin"), "/")
    if names:
        files.extend(posixpath.join(bindir, n) for n in names)
    else:
        dirs.append(bindir)

"""What a Dockerfile is for, read from the file itself: an application image, a base-image recipe, a dev
container, or an image whose entrypoint starts as root and steps down to another user.

Rules use it to say the right thing at the right severity: a language runtime recipe meant to be FROMed runs
as root on purpose (the images built on it pick their user), a VS Code dev container picks its user in
devcontainer.json, and an entrypoint that switches users with gosu is a different finding from "runs as root".
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slimguard.dockerfile.syntax import Comment

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Stage
    from slimguard.dockerfile.syntax import Dockerfile, Instruction

STEP_DOWN_TOOLS = frozenset({"gosu", "su-exec", "setpriv", "s6-setuidgid", "setuidgid", "chpst", "runuser"})
# Process supervisors: they start as root and run each service as its own user.
SUPERVISORS = frozenset({"supervisord", "s6-svscan", "runsvdir", "s6-overlay-suexec"})
# What the CMD of a runtime or tool base image runs: an interpreter, a REPL, a shell, a build tool.
RUNTIME_COMMANDS = frozenset({
    "sh", "bash", "ash", "dash", "zsh", "node", "python", "python2", "python3", "pypy", "pypy3", "ruby", "irb",
    "php", "perl", "jshell", "java", "ghci", "julia", "iex", "erl", "R", "deno", "bun", "dotnet", "mvn",
    "gradle", "go", "cargo", "rustc", "groovy", "scala", "sbt", "lein", "clojure", "swift", "elixir", "docker",
    "dockerd", "pwsh", "lua", "tclsh", "gcc",
})
# in a RUN: a step-down tool, or a process supervisor package installed (apt-get install supervisor)
_STEP_DOWN_WORDS = STEP_DOWN_TOOLS | SUPERVISORS | {"supervisor", "s6", "s6-overlay", "runit"}
_SCRIPT_NAMES = ("entrypoint", "docker-entrypoint", "init", "start")
_INTERACTIVE = frozenset({"-a", "-i", "--interactive"})  # php -a, python -i: a REPL, not an application


@dataclass(frozen=True)
class Purpose:
    """Why a target stage may run as root on purpose; ``kind`` is app, base-recipe, devcontainer or steps-down."""

    kind: str
    reason: str
    instruction: "Instruction | None" = None


def _exec_words(ins: "Instruction | None") -> list[str] | None:
    if ins is None:
        return None
    if ins.json_args is not None:
        return list(ins.json_args)
    return ins.rest.split()


def _is_script(path: str) -> bool:
    base = posixpath.basename(path.rstrip("/")).lower()
    return base.endswith(".sh") or any(base.startswith(n) for n in _SCRIPT_NAMES)


# servers whose master process starts as root and runs its workers as an unprivileged user by default
_WORKER_SERVERS = ("httpd-foreground", "apache2-foreground", "apache2ctl", "apachectl", "nginx", "openresty",
                   "php-fpm")


def _drops_workers(words: list[str]) -> bool:
    names = [posixpath.basename(w.strip("'\";&|()")) for w in words]
    if any(n in ("httpd", "apache2") for n in names) and "FOREGROUND" in " ".join(words):
        return True
    return any(n == s or (n.startswith(s) and not n[len(s):].strip("0123456789.-")) for n in names
               for s in _WORKER_SERVERS)


def _steps_down(stage: "Stage") -> "Instruction | None":
    for step in stage.all_steps():
        ins = step.instruction
        if step.in_onbuild:
            continue
        if ins.name in ("ENTRYPOINT", "CMD"):
            words = _exec_words(ins) or []
            if words and posixpath.basename(words[0]) in STEP_DOWN_TOOLS:
                return ins
            if any(posixpath.basename(w) in SUPERVISORS for w in words) or (words and words[0] == "/init"):
                return ins  # a supervisor (s6-overlay's /init, supervisord) runs the services as their users
            if words and _drops_workers(words):
                return ins  # httpd, Apache, nginx, php-fpm: the master binds as root, the workers run unprivileged
        elif ins.name == "RUN":
            # installed (apt-get install gosu), downloaded to a path, or run by the recipe's own smoke test
            words = ins.rest.replace("\\\n", " ").split()
            if any(posixpath.basename(w.strip("'\";&|()")) in _STEP_DOWN_WORDS for w in words):
                return ins
        elif ins.name in ("COPY", "ADD"):
            if any(posixpath.basename(w.rstrip("/")) in STEP_DOWN_TOOLS for w in ins.rest.split()):
                return ins
    return None


def _base_recipe(stage: "Stage") -> str | None:
    """Why *stage* looks like a base-image recipe (nothing of an application in it), or None."""
    if any(s.instruction.name == "ONBUILD" for s in stage.all_steps()):
        return "it declares ONBUILD triggers for the images built FROM it"
    if stage.root_base.is_scratch and any(
            s.instruction.name == "ADD" and len(s.expanded) == 2 and s.expanded[-1] in ("/", "/.")
            and re.search(r"\.tar(\.\w+)?$|\.t[gx]z$", s.expanded[0]) for s in stage.all_steps()):
        return "it unpacks a root file system tarball onto scratch"
    for step in stage.all_steps():
        ins = step.instruction
        if ins.name in ("COPY", "ADD") and ins.flag("from") is None and not ins.heredocs:
            words = list(step.expanded)
            if len(words) < 2 or not all(_is_script(w) for w in words[:-1]):
                return None  # the build context brings something that is not a start-up script: an app
    entrypoint = next((s.instruction for s in reversed(stage.all_steps()) if s.instruction.name == "ENTRYPOINT"), None)
    cmd = next((s.instruction for s in reversed(stage.all_steps()) if s.instruction.name == "CMD"), None)
    ep_words = _exec_words(entrypoint)
    if ep_words and not _is_script(ep_words[0]):
        return None  # the image runs a program of its own
    words = _exec_words(cmd)
    if words is None:
        return None if ep_words else "it sets no CMD or ENTRYPOINT of its own and copies no application in"
    if not words:
        return None
    first = posixpath.basename(words[0])
    if first in RUNTIME_COMMANDS and all(w in _INTERACTIVE for w in words[1:]):
        return f"its CMD only starts {first!r} and it copies no application in"
    return None


def purpose(path: str, stage: "Stage") -> Purpose:
    """What *stage* (the target) is for, as far as the file shows."""
    parts = path.replace("\\", "/").split("/")
    if ".devcontainer" in parts or posixpath.basename(path).lower().startswith("devcontainer"):
        return Purpose("devcontainer", "a VS Code dev container: devcontainer.json picks the user it runs as "
                                       "(remoteUser, containerUser)")
    down = _steps_down(stage)
    if down is not None:
        return Purpose("steps-down", f"line {down.start_line} brings a tool that switches users (gosu, su-exec, "
                                     "setpriv, s6-setuidgid, a process supervisor, or a server such as httpd, nginx "
                                     "or php-fpm whose master drops its workers to an unprivileged user): the "
                                     "entrypoint starts as root and steps down", down)
    why = _base_recipe(stage)
    if why is not None:
        return Purpose("base-recipe", f"this looks like a base-image recipe ({why}): the images built FROM it "
                                      "pick their user")
    return Purpose("app", "")


# --------------------------------------------------------------------------- the file's purpose

# Concerns whose findings depend on what the image is for: a root user, toolchains, a full base, no
# build stage, sudo, package hygiene. Syntax, secrets, unknown users and integrity findings do not.
POLICY_CONCERNS = frozenset({"root-user", "build-tools", "fat-base", "no-multistage", "privilege-escalation",
                             "pkg-hygiene", "remote-script", "add-vs-copy", "volume-ownership"})
_GENERATED = re.compile(r"\b(do not edit|generated (by|via|from|with|using)|auto-?generated|automatically "
                        r"generated|this file is generated)\b", re.IGNORECASE)
_TEST_WORDS = frozenset({"test", "tests", "testing", "e2e", "fixture", "fixtures", "testdata", "benchmark",
                         "benchmarks", "playwright", "cypress", "integration", "spec", "ci-test", "testserver",
                         "demo", "demos", "doc", "docs", "recipe", "recipes", "recipe_code", ".data"})
# in a file name (Dockerfile.example, sample.Dockerfile) only: a project's examples/ directory holds real images
_EXAMPLE_NAMES = frozenset({"example", "examples", "sample", "samples"})
_TOOLING_DIRS = frozenset({"tools", "tool", "hack", "scripts", "utils", "ci"})
_BUILDER_WORDS = frozenset({"builder", "builders", "build-env", "buildenv", "toolchain", "cross"})
_DEV_DIRS = frozenset({"dev", "devel", "development", "devenv"})
_DEV_STAGE_WORDS = frozenset({"dev", "devel", "development", "devenv", "envs", "debug", "local"})
_TEST_RUNNERS = frozenset({"pytest", "tox", "nox", "jest", "mocha", "vitest", "phpunit", "rspec", "ctest"})
_TEST_VERBS = {"cargo": "test", "go": "test", "npm": "test", "yarn": "test", "mvn": "test", "make": "test",
               "gradle": "test", "dotnet": "test", "bundle": "exec"}
_BUILD_TOOLS = frozenset({"make", "gcc", "cc", "clang", "cargo", "go", "mvn", "gradle", "bazel", "xcaddy",
                          "cmake", "ninja", "ghc", "cabal", "stack", "sbt", "rustc", "javac", "msbuild"})


@dataclass(frozen=True)
class FilePurpose:
    """What the whole file is for, and which concerns' findings it turns into information (``demotes``)."""

    kind: str  # app, service, generated, devcontainer, test, builder, base-recipe, job
    reason: str
    demotes: frozenset[str] = frozenset()


def _tokens(path: str) -> tuple[list[str], list[str]]:
    parts = [p.lower() for p in path.replace("\\", "/").split("/") if p]
    name = parts[-1] if parts else ""
    dirs = parts[:-1]
    return dirs, [t for t in re.split(r"[._-]+", name) if t]


def _generated(tree: "Dockerfile") -> bool:
    for item in tree.children[:40]:
        if isinstance(item, Comment) and _GENERATED.search(item.text):
            return True
        if getattr(item, "name", None) == "FROM":
            break
    return False


def _commands(stage: "Stage") -> list[list[str]]:
    out = []
    for name in ("ENTRYPOINT", "CMD"):
        ins = next((s.instruction for s in reversed(stage.all_steps()) if s.instruction.name == name), None)
        words = _exec_words(ins)
        if words:
            out.append([posixpath.basename(words[0]), *words[1:]])
    return out


def _runs_tests(stage: "Stage") -> bool:
    for words in _commands(stage):
        flat = " ".join(words).split()
        for i, w in enumerate(flat):
            base = posixpath.basename(w)
            if base in _TEST_RUNNERS or (base in _TEST_VERBS and _TEST_VERBS[base] in flat[i + 1:i + 3]):
                return True
    return False


def _builds(stage: "Stage") -> bool:
    return any(words[0] in _BUILD_TOOLS for words in _commands(stage))


def _cli_tool(stage: "Stage") -> bool:
    """The image is run like a command (``docker run img args``): its ENTRYPOINT (or, without one, its CMD) is
    a program of its own, not a shell, an interpreter or a start-up script."""
    entrypoint = next((s.instruction for s in reversed(stage.all_steps()) if s.instruction.name == "ENTRYPOINT"),
                      None)
    words = _exec_words(entrypoint)
    if words:
        first = posixpath.basename(words[0])
        return not (_is_script(words[0]) or first in RUNTIME_COMMANDS or first in STEP_DOWN_TOOLS
                    or first in ("tini", "dumb-init", "env"))
    cmd = _exec_words(next((s.instruction for s in reversed(stage.all_steps()) if s.instruction.name == "CMD"),
                           None))
    if not cmd or entrypoint is not None:
        return False
    first = posixpath.basename(cmd[0])
    return not (_is_script(cmd[0]) or first in RUNTIME_COMMANDS or first in STEP_DOWN_TOOLS
                or first in ("tini", "dumb-init", "env"))


def serves(stage: "Stage") -> bool:
    """True when the stage looks like a long-running service: it (or its FROM chain) EXPOSEs a port or sets a
    HEALTHCHECK, or its base image is a server the knowledge base knows."""
    for step in stage.all_steps():
        ins = step.instruction
        if step.in_onbuild:
            continue
        if ins.name == "EXPOSE" and ins.rest.strip():
            return True
        if ins.name == "HEALTHCHECK" and ins.rest.strip().upper() != "NONE":
            return True
    from slimguard.dockerfile.analysis.nonroot import base_info

    info = base_info(stage)
    return bool(info is not None and info.needs_root)


def file_purpose(path: str, tree: "Dockerfile", target: "Stage | None") -> FilePurpose:
    """What the file is for, from its path, its header comments and its target stage."""
    every = POLICY_CONCERNS | {"syntax", "latest-tag"}
    if _generated(tree):
        return FilePurpose("generated", "the file says it is generated: change its template, not this file", every)
    dirs, name = _tokens(path)
    # only the directories next to the file count, by exact name: /tmp/pytest-0/test_x0/ is not a test image
    dirs = dirs[-5:]
    words = set(dirs) | {"test" for d in dirs if d.endswith(("-test", "-tests", "-e2e", "_test", "_tests"))}
    split_dirs = {t for d in dirs for t in re.split(r"[._-]+", d) if t}
    if ".devcontainer" in dirs or (name and name[0] == "devcontainer"):
        return FilePurpose("devcontainer", "a dev container: developers' tools and user choices belong there", every)
    near = {t for d in dirs[-2:] for t in re.split(r"[._-]+", d)}
    if _DEV_DIRS & near or (_DEV_DIRS | {"nightly"}) & (set(name) - {"dockerfile"}):
        return FilePurpose("dev", "a development or nightly image, as its path says", every)
    if (_TEST_WORDS & words) or ((_TEST_WORDS | _EXAMPLE_NAMES) & set(name)) \
            or (target is not None and _runs_tests(target)):
        return FilePurpose("test", "a test, fixture, example or documentation image that is not shipped", every)
    if target is None:
        return FilePurpose("app", "")
    if target.name and set(re.split(r"[._-]+", target.name.lower())) & _DEV_STAGE_WORDS:
        return FilePurpose("dev", f"the target stage {target.name!r} is a development environment", every)
    if ".github" in dirs or {"github-action", "github-actions"} & words:
        return FilePurpose("ci", "a CI action or job image (GitHub runs Docker actions as root so they can write "
                                 "the workspace)", POLICY_CONCERNS)
    if _TOOLING_DIRS & set(dirs):
        return FilePurpose("tooling", "a developer or CI tool image kept with the project's scripts",
                           POLICY_CONCERNS)
    named_build = bool({"build", "buildx"} & (set(name) - {"dockerfile"})) and "dockerfile" in name
    if _BUILDER_WORDS & split_dirs or _BUILDER_WORDS & set(name) or named_build or _builds(target):
        return FilePurpose("builder", "a build-environment image: its toolchain is what it is for",
                           frozenset({"root-user", "build-tools", "fat-base", "no-multistage", "pkg-hygiene",
                                      "privilege-escalation", "syntax"}))
    why = _base_recipe(target)
    if why is None and "base" in name and "dockerfile" in name:
        why = "its file name says it builds a base image"
    if why is not None:
        return FilePurpose("base-recipe", f"a base-image recipe ({why}): images built FROM it pick their user "
                                          "and keep or drop its tools",
                           frozenset({"root-user", "build-tools", "fat-base", "no-multistage",
                                      "privilege-escalation"}))
    if not serves(target):
        demotes = {"build-tools", "fat-base", "no-multistage", "privilege-escalation"}
        if _cli_tool(target):
            demotes.add("root-user")
        return FilePurpose("job", "no EXPOSE or HEALTHCHECK: a tool, job or CI image rather than a service, "
                                  "where the tools (and for a command-line tool the user) are often what it is for",
                           frozenset(demotes))
    return FilePurpose("service", "")

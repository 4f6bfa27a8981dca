"""What a Dockerfile is for, read from the file itself: an application image, a base-image recipe, a dev
container, or an image whose entrypoint starts as root and steps down to another user.

Rules use it to say the right thing at the right severity: a language runtime recipe meant to be FROMed runs
as root on purpose (the images built on it pick their user), a VS Code dev container picks its user in
devcontainer.json, and an entrypoint that switches users with gosu is a different finding from "runs as root".
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Stage
    from slimguard.dockerfile.syntax import Instruction

STEP_DOWN_TOOLS = frozenset({"gosu", "su-exec", "setpriv", "s6-setuidgid", "setuidgid", "chpst", "runuser"})
# What the CMD of a runtime or tool base image runs: an interpreter, a REPL, a shell, a build tool.
RUNTIME_COMMANDS = frozenset({
    "sh", "bash", "ash", "dash", "zsh", "node", "python", "python2", "python3", "pypy", "pypy3", "ruby", "irb",
    "php", "perl", "jshell", "java", "ghci", "julia", "iex", "erl", "R", "deno", "bun", "dotnet", "mvn",
    "gradle", "go", "cargo", "rustc", "groovy", "scala", "sbt", "lein", "clojure", "swift", "elixir", "docker",
    "dockerd", "pwsh", "lua", "tclsh", "gcc",
})
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


def _steps_down(stage: "Stage") -> "Instruction | None":
    for step in stage.all_steps():
        ins = step.instruction
        if step.in_onbuild:
            continue
        if ins.name in ("ENTRYPOINT", "CMD"):
            words = _exec_words(ins) or []
            if words and posixpath.basename(words[0]) in STEP_DOWN_TOOLS:
                return ins
        elif ins.name == "RUN":
            # installed (apt-get install gosu), downloaded to a path, or run by the recipe's own smoke test
            words = ins.rest.replace("\\\n", " ").split()
            if any(posixpath.basename(w.strip("'\";&|()")) in STEP_DOWN_TOOLS for w in words):
                return ins
        elif ins.name in ("COPY", "ADD"):
            if any(posixpath.basename(w.rstrip("/")) in STEP_DOWN_TOOLS for w in ins.rest.split()):
                return ins
    return None


def _base_recipe(stage: "Stage") -> str | None:
    """Why *stage* looks like a base-image recipe (nothing of an application in it), or None."""
    if any(s.instruction.name == "ONBUILD" for s in stage.all_steps()):
        return "it declares ONBUILD triggers for the images built FROM it"
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
                                     "setpriv, s6-setuidgid): the entrypoint starts as root and steps down", down)
    why = _base_recipe(stage)
    if why is not None:
        return Purpose("base-recipe", f"this looks like a base-image recipe ({why}): the images built FROM it "
                                      "pick their user")
    return Purpose("app", "")

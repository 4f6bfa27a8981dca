"""Build steps: compilers, make, cmake, language build tools."""

from __future__ import annotations

import re
from collections.abc import Sequence

from slimguard.dockerfile.shell.model import Build, Operation, SimpleCommand, Word
from slimguard.dockerfile.shell.options import parse_opts, spec
from slimguard.dockerfile.shell.packages import PIP_NAME, PYTHON_NAME, pip_invocation

__all__ = ["build_ops", "may_build"]

_CC = re.compile(r"(?:[\w.+]+-)*(?:gcc|g\+\+|cc|c\+\+|clang|clang\+\+|tcc|icc|icx|icpx)"
                 r"(?:-\d+(?:\.\d+)*)?$")
_OTHER_COMPILERS = frozenset({"javac", "rustc", "kotlinc", "swiftc", "gfortran", "nvcc", "ghc",
                              "scalac", "csc", "g77", "f95", "gccgo", "tinygo"})
_MAKE = spec("CfIloW", ("--directory", "--file", "--makefile", "--include-dir",
                         "--load-average", "--old-file", "--what-if", "--eval", "--jobs"))
_NINJA = spec("CfjklLdtw")
_CMAKE = spec("SBGTACDUjt", ("--target", "--config", "--parallel", "--prefix", "--component",
                              "--preset", "--build", "--install"))
_GO = spec("", ("-o", "-ldflags", "-gcflags", "-asmflags", "-tags", "-mod", "-modfile", "-p",
                 "-C", "-pkgdir", "-overlay", "-pgo", "-buildmode", "-compiler",
                 "-installsuffix", "-exec", "-toolexec"), single_dash=True)
_CARGO = spec("jFpZ", ("--bin", "--example", "--target", "--features", "--jobs", "--profile",
                        "--target-dir", "--manifest-path", "--package", "--config", "--color"))
_MVN = spec("", ("-f", "--file", "-s", "--settings", "-gs", "--global-settings", "-pl",
                  "--projects", "-rf", "--resume-from", "-P", "--activate-profiles", "-T",
                  "--threads", "-l", "--log-file", "-b", "--builder", "-t", "--toolchains",
                  "-D", "--define", "-gt", "--global-toolchains"), single_dash=True)
_MVN_GOALS = ("package", "install", "verify", "deploy", "compile", "spring-boot:repackage",
              "jar:jar", "war:war", "assembly:single", "quarkus:build", "native:compile")
_GRADLE = spec("xpbcgDPI", ("--exclude-task", "--project-dir", "--build-file",
                             "--settings-file", "--gradle-user-home", "--init-script",
                             "--console", "--warning-mode", "--max-workers", "--priority",
                             "--include-build", "--project-cache-dir"))
_GRADLE_TASKS = frozenset({"build", "assemble", "bootJar", "bootWar", "jar", "war", "shadowJar",
                           "installDist", "distTar", "distZip", "nativeCompile", "bootDistZip",
                           "buildFatJar", "installShadowDist", "quarkusBuild", "fatJar",
                           "buildPlugin", "classes", "compileJava", "compileKotlin"})
_JS = spec("wCF", ("--prefix", "--workspace", "--filter", "--dir", "--cwd"))
_JS_BUILD_TOOLS = {
    "tsc": None, "webpack": None, "rollup": None, "esbuild": None, "parcel": "build",
    "vite": "build", "next": "build", "nuxt": "build", "ng": "build", "nest": "build",
    "react-scripts": "build", "gatsby": "build", "astro": "build", "remix": "build",
    "svelte-kit": "build", "tsup": None, "swc": None, "babel": None, "vue-cli-service": "build",
}
_SETUP_COMMANDS = frozenset({"build", "build_ext", "build_py", "bdist_wheel", "bdist_egg",
                             "bdist", "sdist", "install", "develop"})


def _build(cmd: SimpleCommand, tool: str, target: str | None) -> list[Operation]:
    return [Build(command=cmd, tool=tool, target=target)]


def _is_build_script(name: str) -> bool:
    return name.startswith(("build", "compile")) or name in (
        "dist", "bundle", "package", "prod", "production", "prepack", "prepare")


def _js_script(cmd: SimpleCommand, tool: str, args: Sequence[Word]) -> list[Operation]:
    p = parse_opts(args, _JS)
    pos = [w.text for w in p.positionals]
    if not pos:
        return []
    if pos[0] in ("run", "run-script") and len(pos) > 1:
        script = pos[1]
    elif tool in ("yarn", "pnpm", "bun"):
        script = pos[0]
        if tool == "bun" and script == "build":
            return _build(cmd, "bun", "build")
        if tool == "pnpm" and script == "exec" and len(pos) > 1:
            return _js_tool(cmd, pos[1], pos[2:])
        if tool == "yarn" and script in _JS_BUILD_TOOLS:
            return _js_tool(cmd, script, pos[1:])
    else:
        return []
    if _is_build_script(script):
        return _build(cmd, tool, script)
    return []


def _js_tool(cmd: SimpleCommand, tool: str, rest: Sequence[str]) -> list[Operation]:
    tool = tool.split("@", 1)[0] if not tool.startswith("@") else tool
    if tool not in _JS_BUILD_TOOLS:
        return []
    sub = _JS_BUILD_TOOLS[tool]
    if sub is None:
        return _build(cmd, tool, None)
    if sub in rest:
        return _build(cmd, tool, sub)
    if tool in ("webpack", "rollup", "esbuild", "parcel"):
        return _build(cmd, tool, None)
    return []


def _python(cmd: SimpleCommand) -> list[Operation]:
    args = [a.text for a in cmd.args]
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] not in ("-m", "-c"):
        i += 2 if args[i] in ("-W", "-X") else 1
    if i >= len(args):
        return []
    if args[i] == "-m" and i + 1 < len(args):
        mod = args[i + 1]
        if mod == "build":
            return _build(cmd, "python -m build", "wheel" if "--wheel" in args else None)
        if PIP_NAME.match(mod):
            return _pip(cmd)
        return []
    if basename_(args[i]) == "setup.py":
        for a in args[i + 1:]:
            if a in _SETUP_COMMANDS:
                return _build(cmd, "setup.py", a)
        return []
    return []


def basename_(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _pip(cmd: SimpleCommand) -> list[Operation]:
    inv = pip_invocation(cmd)
    if inv is None:
        return []
    pos = [w.text for w in inv[1] if not w.text.startswith("-")]
    if pos and pos[0] == "wheel":
        return _build(cmd, "pip", "wheel")
    return []


_INFO_FLAGS = frozenset({"--version", "--help", "-version", "-help"})


def build_ops(cmd: SimpleCommand) -> list[Operation]:
    name = cmd.name
    if name is None:
        return []
    args = cmd.args
    if any(a.value in _INFO_FLAGS for a in args):
        return []
    if _CC.fullmatch(name) or name in _OTHER_COMPILERS:
        out = None
        for i, a in enumerate(args):
            t = a.text
            if t == "-o" and i + 1 < len(args):
                out = args[i + 1].text
            elif t.startswith("-o") and len(t) > 2 and name not in ("javac",):
                out = t[2:]
        if name == "javac":
            out = None
        return _build(cmd, name, out)
    if name in ("make", "gmake", "bmake"):
        p = parse_opts(args, _MAKE)
        if p.has("-v", "-h", "-p", "-n", "--just-print", "--dry-run", "-q", "--question"):
            return []
        targets = [w.value for w in p.positionals
                   if w.value is not None and "=" not in w.value and not w.value.isdigit()]
        return _build(cmd, name, targets[0] if targets else None)
    if name in ("ninja", "samu"):
        p = parse_opts(args, _NINJA)
        if p.has("-t"):
            return []
        return _build(cmd, name, p.positionals[0].text if p.positionals else None)
    if name == "cmake":
        p = parse_opts(args, _CMAKE)
        if p.has("--build"):
            return _build(cmd, "cmake", p.last("--target", "-t"))
        if p.has("--install"):
            return _build(cmd, "cmake", "install")
        if p.has("-E", "-P", "--version", "--help", "--system-information", "-h"):
            return []
        return _build(cmd, "cmake", "configure")
    if name == "meson" or name == "muon":
        pos = [a.text for a in args if not a.text.startswith("-")]
        if pos and pos[0] in ("setup", "compile", "install"):
            return _build(cmd, name, pos[0])
        return []
    if name == "configure":
        return _build(cmd, "configure", None)
    if name == "go":
        p = parse_opts(args, _GO)
        pos = [w.text for w in p.positionals]
        if pos and pos[0] == "build":
            return _build(cmd, "go", p.last("-o"))
        return []
    if name == "cargo":
        p = parse_opts(args, _CARGO)
        pos = [w.text for w in p.positionals]
        if pos and pos[0] in ("build", "b", "rustc"):
            return _build(cmd, "cargo", p.last("--bin"))
        return []
    if name in ("mvn", "mvnw", "mvnd"):
        p = parse_opts(args, _MVN)
        goals = [w.text for w in p.positionals]
        for g in goals:
            if g in _MVN_GOALS:
                return _build(cmd, "mvn", g)
        return []
    if name in ("gradle", "gradlew"):
        p = parse_opts(args, _GRADLE)
        for w in p.positionals:
            task = w.text.rsplit(":", 1)[-1]
            if task in _GRADLE_TASKS:
                return _build(cmd, "gradle", w.text)
        return []
    if name in ("npm", "yarn", "yarnpkg", "pnpm", "bun"):
        return _js_script(cmd, "yarn" if name == "yarnpkg" else name, args)
    if name in ("npx", "bunx", "pnpx"):
        pos = [a.text for a in args if not a.text.startswith("-")]
        return _js_tool(cmd, pos[0], pos[1:]) if pos else []
    if name in _JS_BUILD_TOOLS:
        return _js_tool(cmd, name, [a.text for a in args])
    if PIP_NAME.match(name) or name == "uv":
        if name == "uv":
            pos = [a.text for a in args if not a.text.startswith("-")]
            if pos and pos[0] == "build":
                return _build(cmd, "uv", "build")
        return _pip(cmd)
    if PYTHON_NAME.match(name):
        return _python(cmd)
    if name in ("poetry", "hatch", "flit", "pdm") and args and args[0].text == "build":
        return _build(cmd, name, "build")
    if name == "dotnet":
        pos = [a.text for a in args if not a.text.startswith("-")]
        if pos and pos[0] in ("publish", "build", "pack", "msbuild"):
            return _build(cmd, "dotnet", pos[0])
        return []
    if name in ("bazel", "bazelisk"):
        pos = [a.text for a in args if not a.text.startswith("-")]
        if pos and pos[0] == "build":
            return _build(cmd, "bazel", pos[1] if len(pos) > 1 else None)
        return []
    if name in ("swift", "zig", "stack", "cabal", "dune", "sbt", "lein", "mix", "crystal",
                "shards", "nim", "deno"):
        pos = [a.text for a in args if not a.text.startswith("-")]
        verbs = {"build", "build-exe", "compile", "release", "package", "assembly", "stage",
                 "uberjar", "escript.build"}
        if pos and pos[0] in verbs:
            return _build(cmd, name, pos[0])
        return []
    return []


_BUILD_NAMES = frozenset({
    "make", "gmake", "bmake", "ninja", "samu", "cmake", "meson", "muon", "configure", "go",
    "cargo", "mvn", "mvnw", "mvnd", "gradle", "gradlew", "npm", "yarn", "yarnpkg", "pnpm", "bun",
    "npx", "bunx", "pnpx", "uv", "poetry", "hatch", "flit", "pdm", "dotnet", "bazel", "bazelisk",
    "swift", "zig", "stack", "cabal", "dune", "sbt", "lein", "mix", "crystal", "shards", "nim",
    "deno"}) | _OTHER_COMPILERS | frozenset(_JS_BUILD_TOOLS)


def may_build(name: str) -> bool:
    """Whether commands called ``name`` can be build steps."""
    return (name in _BUILD_NAMES or bool(_CC.fullmatch(name)) or bool(PIP_NAME.match(name))
            or bool(PYTHON_NAME.match(name)))

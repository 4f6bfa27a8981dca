"""What the rules answering to BuildKit's build checks (`docker build --check`) share.

- the 22 check names and which of them is experimental;
- the ``check`` options (``skip=...;error=...;experimental=...``) of the ``# check=`` parser directive, of a
  ``# check=`` comment right above an instruction, and of the ``BUILDKIT_DOCKERFILE_CHECK`` build arg;
- the comments BuildKit attaches to an instruction (its "previous comments");
- BuildKit's "did you mean" suggestion (Levenshtein distance below 3);
- whether a text is a valid image reference (the grammar of distribution/reference);
- the build args every build knows without an ARG (proxies) and the automatic platform args.

Behaviour follows moby/buildkit's linter (frontend/dockerfile/linter) and dockerfile2llb; the code is
slimguard's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from slimguard.dockerfile.syntax import Dockerfile, Instruction

CHECKS = (
    "StageNameCasing", "FromAsCasing", "NoEmptyContinuation", "ConsistentInstructionCasing",
    "DuplicateStageName", "ReservedStageName", "JSONArgsRecommended", "MaintainerDeprecated",
    "UndefinedArgInFrom", "WorkdirRelativePath", "UndefinedVar", "MultipleInstructionsDisallowed",
    "LegacyKeyValueFormat", "InvalidBaseImagePlatform", "RedundantTargetPlatform", "SecretsUsedInArgOrEnv",
    "InvalidDefaultArgInFrom", "FromPlatformFlagConstDisallowed", "CopyIgnoredFile",
    "InvalidDefinitionDescription", "ExposeProtoCasing", "ExposeInvalidFormat",
)
EXPERIMENTAL = frozenset({"InvalidDefinitionDescription"})
BUILD_ARG = "BUILDKIT_DOCKERFILE_CHECK"

# Build args every RUN gets without an ARG (Docker's predefined args), in both spellings.
PREDEFINED_ARGS = frozenset(
    n for base in ("HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY") for n in (base, base.lower())
)
# Build args BuildKit sets in the global scope of every build (FROM sees them without an ARG).
PLATFORM_ARGS = frozenset({
    "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
    "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE",
})
# Args BuildKit never puts in the environment (SBOM scanner settings).
NON_ENV_ARGS = frozenset({"BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"})


@dataclass(frozen=True)
class CheckOptions:
    """One ``check`` option string: which checks to skip, whether findings fail the build, which
    experimental checks run."""

    skip: frozenset[str] = frozenset()
    skip_all: bool = False
    error: bool = False
    experimental: frozenset[str] = frozenset()
    experimental_all: bool = False

    def skips(self, name: str) -> bool:
        """Whether *name* is skipped (an experimental check is never skipped, only enabled or not)."""
        if name in EXPERIMENTAL:
            return False
        return self.skip_all or name in self.skip

    def enables(self, name: str) -> bool:
        return self.experimental_all or name in self.experimental

    def skipped_names(self) -> frozenset[str]:
        """The check names this option set skips."""
        return frozenset(n for n in CHECKS if self.skips(n))


_BOOLS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
          "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}


def parse_check_options(text: str) -> CheckOptions | None:
    """The options of ``skip=a,b;error=true;experimental=all``; None when BuildKit would reject them
    (an unknown key, a part without ``=``, an error value that is not a Go boolean)."""
    text = text.strip()
    if not text:
        return CheckOptions()
    skip: set[str] = set()
    experimental: set[str] = set()
    skip_all = experimental_all = error = False
    for part in text.split(";", 2):
        key, sep, value = part.partition("=")
        if not sep:
            return None
        key, value = key.strip(), value.strip()
        if key == "skip":
            if value == "all":
                skip_all = True
            else:
                skip = {v.strip() for v in value.split(",")}
        elif key == "experimental":
            if value == "all":
                experimental_all = True
            else:
                experimental = {v.strip() for v in value.split(",")}
        elif key == "error":
            if value not in _BOOLS:
                return None
            error = _BOOLS[value]
        else:
            return None
    return CheckOptions(frozenset(skip), skip_all, error, frozenset(experimental), experimental_all)


_DIRECTIVE_LINE = re.compile(r"^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$")


def comment_check_options(comment: str) -> CheckOptions | None:
    """The options of a ``# check=...`` comment line above an instruction (BuildKit reads the value up
    to the first blank, so ``# check=skip=X // why`` works); None for any other comment."""
    m = _DIRECTIVE_LINE.match(comment.strip())
    if not m or m.group(1).lower() != "check":
        return None
    return parse_check_options(m.group(2).split(" ", 1)[0])


def previous_comments(tree: "Dockerfile") -> dict[int, list[str]]:
    """id(instruction) -> the comment lines BuildKit attaches to it: the top-level comment lines right
    above it, parser directives left out. An empty ``#`` line ends the block, and so does a blank line
    (as BuildKit's documentation of InvalidDefinitionDescription says; its parser keeps comments across
    blank lines, so slimguard attaches fewer comments in that case). Each line keeps its ``#``."""
    from slimguard.dockerfile.syntax import Comment, Instruction, Trivia

    out: dict[int, list[str]] = {}
    pending: list[str] = []
    for child in tree.children:
        if isinstance(child, Comment):
            text = str(child).strip()
            if text[1:].strip() == "":
                pending = []
            else:
                pending.append(text)
        elif isinstance(child, Trivia):
            if str(child).strip("\ufeff"):
                pending = []
        elif isinstance(child, Instruction):
            out[id(child)] = pending
            pending = []
    return out


def instruction_check_options(comments: Iterable[str]) -> CheckOptions | None:
    """The first ``# check=`` comment among an instruction's previous comments (BuildKit merges only
    that one)."""
    for c in comments:
        m = _DIRECTIVE_LINE.match(c.strip())
        if m and m.group(1).lower() == "check":
            return comment_check_options(c)
    return None


def file_check_options(tree: "Dockerfile", build_args: dict[str, str] | None = None) -> CheckOptions | None:
    """The file's check options: the ``BUILDKIT_DOCKERFILE_CHECK`` build arg when given (it replaces the
    directive), else the ``# check=`` directive of the leading directive block; None when neither is
    there or the value is invalid."""
    if build_args and BUILD_ARG in build_args:
        return parse_check_options(build_args[BUILD_ARG])
    value = tree.directive("check")
    return None if value is None else parse_check_options(value)


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def suggest(value: str, options: Iterable[str], case_sensitive: bool = True) -> str | None:
    """The option closest to *value* (distance below 3, the first of the closest in sorted order), or
    None; an exact match means there is nothing to suggest."""
    wanted = value if case_sensitive else value.lower()
    best: str | None = None
    best_dist = 3
    for opt in sorted(set(options)):
        cmp = opt if case_sensitive else opt.lower()
        if cmp == wanted:
            return None
        d = levenshtein(wanted, cmp)
        if d < best_dist:
            best, best_dist = opt, d
    return best


# distribution/reference: [domain/]path[:tag][@digest], path components lower-case
_ALNUM = r"[a-z0-9]+"
_SEP = r"(?:[._]|__|[-]+)"
_COMPONENT = rf"{_ALNUM}(?:{_SEP}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_IPV6 = r"\[(?:[a-fA-F0-9:]+)\]"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|{_IPV6})(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(rf"^(?:(?:{_DOMAIN})/)?{_COMPONENT}(?:/{_COMPONENT})*(?::{_TAG})?(?:@{_DIGEST})?$")


def is_valid_reference(text: str) -> bool:
    """Whether *text* parses as an image reference (``alpine``, ``ghcr.io/o/app:1@sha256:...``): not empty,
    lower-case repository, at most 255 characters of name."""
    if not text or not _REFERENCE.match(text):
        return False
    name = text.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return len(name) <= 255


def keyword_casing_counts(tree: "Dockerfile") -> tuple[int, int]:
    """(lower, upper): instructions whose keyword is all lower-case or all upper-case, as BuildKit counts
    them for ConsistentInstructionCasing (from the first FROM on: global ARGs are not counted; ONBUILD
    counts once, its trigger not)."""
    lower = upper = 0
    started = False
    for ins in tree.instructions:
        started = started or ins.name == "FROM"
        if not started:
            continue
        kw = ins.keyword
        if kw == kw.lower():
            lower += 1
        elif kw == kw.upper():
            upper += 1
    return lower, upper


def stage_of(tree: "Dockerfile") -> dict[int, int]:
    """id(instruction) -> index of the stage it is in (-1 before the first FROM)."""
    out: dict[int, int] = {}
    stage = -1
    for ins in tree.instructions:
        if ins.name == "FROM":
            stage += 1
        out[id(ins)] = stage
    return out


def from_words(ins: "Instruction") -> list[str]:
    return list(ins.buildkit_value())


@dataclass(frozen=True)
class ExposePort:
    """One EXPOSE word split as BuildKit's port parser does: ``[ip:][host:]container[/proto]``."""

    raw: str
    ip: str
    host: str
    container: str
    proto: str  # as written ("" when none)
    valid_proto: bool


def split_expose(raw: str) -> ExposePort:
    parts = raw.split(":")
    if len(parts) == 1:
        ip, host, container = "", "", parts[0]
    elif len(parts) == 2:
        ip, host, container = "", parts[0], parts[1]
    else:
        ip, host, container = ":".join(parts[:-2]), parts[-2], parts[-1]
    port, _, proto = container.partition("/")
    return ExposePort(raw, ip, host, port, proto, proto.lower() in ("", "tcp", "udp", "sctp") and bool(port))


@dataclass(frozen=True)
class ExposeSite:
    """One port word of an EXPOSE: its instruction, the value after substitution, the parsed port, and the
    word's span in the file when it is written literally (else None: no fix can edit it)."""

    instruction: "Instruction"
    value: str
    port: ExposePort
    span: "Span | None"


def expose_sites(model) -> list[ExposeSite]:  # noqa: ANN001 - a Model
    """Every port word of every (non-ONBUILD) EXPOSE, stage by stage."""
    out: list[ExposeSite] = []
    for stage in model.stages:
        for step in stage.steps:
            ins = step.instruction
            if ins.name != "EXPOSE" or step.in_onbuild:
                continue
            words = {w.text: w for w in ins.words()}
            for value, literal in expose_words(step):
                word = words.get(value) if literal else None
                out.append(ExposeSite(ins, value, split_expose(value), word.span if word is not None else None))
    return out


def expose_words(step) -> list[tuple[str, bool]]:  # noqa: ANN001 - a model Step
    """(word, literal) for each port word of an EXPOSE step after substitution; *literal*: the word is
    written in the file as it is (no variable), so a finding can point at it and a fix can edit it."""
    ins = step.instruction
    out: list[tuple[str, bool]] = []
    raw_words = list(ins.buildkit_value())
    expanded = list(step.expanded) if step.expanded else raw_words
    for raw, value in zip(raw_words, expanded):
        if "$" in raw and step.unresolved:
            continue  # a value that is not known
        for part in value.split():
            out.append((part, "$" not in raw and part == raw))
    return out


def global_arg_names(tree: "Dockerfile") -> list[str]:
    """The names the ARGs before the first FROM declare, in order."""
    names: list[str] = []
    for ins in tree.instructions:
        if ins.name == "FROM":
            break
        if ins.name == "ARG":
            names.extend(w.split("=", 1)[0] for w in ins.buildkit_value())
    return names


def default_global_args(tree: "Dockerfile") -> dict[str, str] | None:
    """The global scope as a build without any --build-arg sees it: the automatic platform args and the
    ARG defaults before the first FROM (an ARG without a default stays unset). None when a default cannot
    be expanded."""
    from slimguard.dockerfile.expand import ExpansionError, expand_word
    from slimguard.dockerfile.model.build import AUTOMATIC_PLATFORM_ARGS

    env: dict[str, str] = dict(AUTOMATIC_PLATFORM_ARGS)
    for ins in tree.instructions:
        if ins.name == "FROM":
            break
        if ins.name != "ARG":
            continue
        for word in ins.buildkit_value():
            if "=" not in word:
                continue
            key, raw = word.split("=", 1)
            try:
                env[key] = expand_word(raw, env, tree.escape).value
            except ExpansionError:
                return None
    return env


_MACHINE_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm",
                 "armv6l": "arm", "i386": "386", "i686": "386", "ppc64le": "ppc64le", "s390x": "s390x",
                 "riscv64": "riscv64"}


def host_platform() -> tuple[str, str]:
    """(os, architecture) of this machine as Docker names them: the default target platform."""
    import platform

    return "linux", _MACHINE_ARCH.get(platform.machine().lower(), platform.machine().lower())


def parse_platform(text: str) -> tuple[str, str] | None:
    """(os, architecture) of ``os/arch[/variant]``; None for anything else."""
    parts = text.strip().lower().split("/")
    if len(parts) < 2 or not all(re.fullmatch(r"[a-z0-9_.-]+", p) for p in parts[:2]):
        return None
    arch = {"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64"}.get(parts[1], parts[1])
    return parts[0], arch


def engine_image_platform(resolver, image) -> tuple[str, str] | None:  # noqa: ANN001
    """(os, architecture) of *image* as the local engine has it, or None (no engine, image not pulled).

    Only images already present are inspected; nothing is pulled."""
    if getattr(resolver, "engine", "never") == "never":
        return None
    connect = getattr(resolver, "_docker", None)
    client = connect() if callable(connect) else None
    if client is None:
        return None
    try:
        name = image.familiar_name + (f":{image.tag}" if image.tag else "") + (f"@{image.digest}" if image.digest else "")
        if not image.tag and not image.digest:
            name += ":latest"
        attrs = client.images.get(name).attrs
    except Exception:  # noqa: BLE001 - not there, or the engine failed: unknown
        return None
    os_name, arch = attrs.get("Os"), attrs.get("Architecture")
    if not os_name or not arch:
        return None
    return str(os_name).lower(), str(arch).lower()


# Docker Hub's per-architecture namespaces of the official images (arm64v8/alpine holds only arm64 images)
ARCH_NAMESPACES = {
    "amd64": ("linux", "amd64"), "arm32v5": ("linux", "arm"), "arm32v6": ("linux", "arm"),
    "arm32v7": ("linux", "arm"), "arm64v8": ("linux", "arm64"), "i386": ("linux", "386"),
    "mips64le": ("linux", "mips64le"), "ppc64le": ("linux", "ppc64le"), "riscv64": ("linux", "riscv64"),
    "s390x": ("linux", "s390x"),
}


def namespace_platform(image) -> tuple[str, str] | None:  # noqa: ANN001 - an ImageRef
    """The only platform an image of a per-architecture Docker Hub namespace has (``arm64v8/alpine``)."""
    if getattr(image, "registry", "") not in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        return None
    repo = getattr(image, "repository", "") or ""
    ns, sep, _ = repo.partition("/")
    return ARCH_NAMESPACES.get(ns) if sep else None


def substitution_ok(text: str, escape: str) -> bool:
    """Whether the variable syntax of *text* is valid: a template placeholder such as
    ``${templateOption:imageVariant}`` (an unsupported modifier) is a build error of its own, not an
    undefined variable. A failed ``${V:?msg}`` check still counts as valid."""
    from slimguard.dockerfile.expand import ExpansionError, expand_word

    try:
        expand_word(text, {}, escape)
    except ExpansionError as exc:
        reason = exc.reason
        return not any(k in reason for k in ("unsupported modifier", "bad substitution", "missing", "unexpected end"))
    return True


def workdir_relative_reports(model) -> set[int]:  # noqa: ANN001 - a Model
    """id() of the WORKDIR instructions BuildKit's WorkdirRelativePath reports: the first WORKDIR of a stage
    whose FROM chain set none before, when its path (after substitution) is relative."""
    from slimguard.dockerfile.expand import ExpansionError, expand_word

    out: set[int] = set()
    before = inherited_flags(model, lambda st: st.instruction.name == "WORKDIR" and not st.in_onbuild)
    for stage in model.stages:
        done = before[id(stage)]
        for step in stage.steps:
            if step.in_onbuild or step.instruction.name != "WORKDIR" or done:
                continue
            done = True
            try:
                path = expand_word(step.instruction.rest, step.env, model.dockerfile.escape).value
            except ExpansionError:
                continue
            if not path.startswith("/"):
                out.add(id(step.instruction))
    return out


def after_shell(model) -> set[int]:  # noqa: ANN001 - a Model
    """id() of the instructions that come after a SHELL instruction in their stage or its FROM chain
    (BuildKit's JSONArgsRecommended is quiet for those)."""
    out: set[int] = set()
    before = inherited_flags(model, lambda st: st.instruction.name == "SHELL")
    for stage in model.stages:
        seen = before[id(stage)]
        for step in stage.steps:
            if seen:
                out.add(id(step.instruction))
            if step.instruction.name == "SHELL":
                seen = True
    return out


def inherited_flags(model, matches) -> dict[int, bool]:  # noqa: ANN001 - a Model, a Step predicate
    """id(stage) -> whether a stage it is built FROM (its chain without itself) has a step that *matches*.

    One pass in file order (a stage's parent comes before it), so a chain of n stages costs n, not n^2."""
    ends: dict[int, bool] = {}  # the chain up to and including the stage
    out: dict[int, bool] = {}
    for stage in model.stages:
        parent = stage.parent
        if parent is None:
            up = False
        elif id(parent) in ends:
            up = ends[id(parent)]
        else:
            up = any(matches(st) for p in parent.chain() for st in p.steps)
        out[id(stage)] = up
        ends[id(stage)] = up or any(matches(st) for st in stage.steps)
    return out

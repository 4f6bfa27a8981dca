"""SG105: a variable used where no ARG or ENV defines it (BuildKit's UndefinedVar)."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.buildkit import NON_ENV_ARGS, PLATFORM_ARGS, PREDEFINED_ARGS, substitution_ok, suggest
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.expand import references

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ALWAYS = frozenset({"PATH"}) | PREDEFINED_ARGS | NON_ENV_ARGS  # BuildKit sets PATH in every stage


def _texts(step) -> list[str]:  # noqa: ANN001 - a model Step
    """The parts of an instruction the builder substitutes variables in (not RUN, CMD, ENTRYPOINT)."""
    ins = step.instruction
    name = ins.name
    if name in ("ENV", "LABEL", "VOLUME", "WORKDIR", "USER", "STOPSIGNAL"):
        return list(ins.buildkit_value())
    if name in ("COPY", "ADD"):
        out = [w for w in ins.buildkit_value() if not w.startswith("<<")]
        out += [f.value for f in ins.flags if f.name in ("chown", "chmod") and f.value]
        return out
    if name == "ARG":
        return [w.split("=", 1)[1] for w in ins.buildkit_value() if "=" in w]
    if name == "RUN":
        return [f.value for f in ins.flags if f.name == "mount" and f.value]
    return []


class UndefinedVar(Rule):
    id = "SG105"
    title = "Undefined variable"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("UndefinedVar",)
    docs = RuleDocs(
        what=(
            "Finds `$NAME` in the instructions the builder substitutes (ENV, LABEL, ARG defaults, COPY and "
            "ADD sources, destination, --chown and --chmod, WORKDIR, USER, VOLUME, STOPSIGNAL, RUN --mount) "
            "where no ARG or ENV of the stage, or of the stages its FROM builds on, defines NAME before that "
            "instruction, as BuildKit's UndefinedVar check does, with its \"did you mean\" suggestion. "
            "RUN, CMD and ENTRYPOINT commands are the shell's business and are not checked. PATH and "
            "Docker's predefined proxy args (HTTP_PROXY ...) count as defined. An automatic platform arg "
            "(TARGETARCH ...) used in a stage without its own `ARG TARGETARCH` is reported: it is empty "
            "there. A base image's own ENV is not known statically, so over an image other than `scratch` "
            "a name is reported only when it has a lower-case letter (image ENV names are upper case by "
            "convention) or a defined name is close to it (a typo, such as `$PAHT` for `$PATH`)."
        ),
        why=(
            "An undefined variable expands to an empty string without an error: `COPY $SRC_DIR /app` "
            "copies the whole build context, `WORKDIR /opt/$APP` becomes `/opt/`, `ENV "
            "PATH=$PAHT:/app/bin` throws away the PATH."
        ),
        example="FROM alpine:3.20\nARG DIR_ASSETS=assets/\nCOPY $DIR_ASSET /srv/\n",
        instead="FROM alpine:3.20\nARG DIR_ASSETS=assets/\nCOPY $DIR_ASSETS /srv/\n",
        fix_safety="No fix: whether a typo or a missing ARG is to blame needs the author.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        escape = ctx.tree.escape
        declared: dict[int, frozenset[str]] = {}  # names a stage's chain declares, built once per stage
        for stage in ctx.model.stages:  # file order: a stage's parent comes first
            parent = stage.parent
            up = declared.get(id(parent)) if parent is not None else frozenset()
            if up is None:  # not seen yet (cannot happen in file order): walk its chain
                up = frozenset().union(*(set(p.args) | set(p.env) for p in parent.chain()))
            declared[id(stage)] = up | set(stage.args) | set(stage.env)
            inherited: set[str] = set(up)
            base_known = stage.root_base.is_scratch
            for step in stage.steps:
                if step.in_onbuild:
                    continue
                texts = [t for t in _texts(step) if "$" in t and substitution_ok(t, escape)]
                if not texts:
                    continue
                defined = set(step.env) | inherited | _ALWAYS
                reported: set[str] = set()
                for text in texts:
                    for name in sorted(references(text, escape)):
                        if name in defined or name in reported or not _NAME.match(name):
                            continue
                        hint = suggest(name, defined - PREDEFINED_ARGS - NON_ENV_ARGS)
                        if name in PLATFORM_ARGS:
                            msg = (f"'${name}' is not defined in this stage: automatic platform args are only "
                                   f"visible after `ARG {name}` in the stage")
                        else:
                            if not base_known and name.upper() == name and hint is None:
                                continue  # the base image's ENV may define it
                            msg = (f"usage of undefined variable '${name}' (no ARG or ENV defines it before this "
                                   f"{step.instruction.name}): it expands to an empty string")
                            if hint:
                                msg += f" (did you mean ${hint}?)"
                        reported.add(name)
                        yield ctx.at(self, step.instruction, msg, details={"name": name})


RULE = UndefinedVar

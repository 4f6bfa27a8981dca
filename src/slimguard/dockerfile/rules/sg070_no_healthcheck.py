"""SG070: the image defines no HEALTHCHECK."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.syntax import Instruction


def _image_name(ref: str) -> str:
    """The repository part of an image reference, without registry, tag or digest (hadolint's imageName)."""
    name = ref.split("@", 1)[0]
    head, _, last = name.rpartition("/")
    last = last.split(":", 1)[0]
    name = f"{head}/{last}" if head else last
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        name = rest
    return name


@dataclass(frozen=True)
class _Stage:
    src: str
    name: str
    ins: Instruction


def _hadolint_missing(ctx: LintContext) -> list[Instruction]:
    """The FROMs hadolint's DL3057 reports: stages without a HEALTHCHECK of their own or inherited, unless
    a stage built FROM them (directly or further down) sets one."""
    good: list[_Stage] = []
    bad: list[_Stage] = []
    current: _Stage | None = None
    for ins in ctx.tree.instructions:
        if ins.name == "FROM":
            words = list(ins.buildkit_value())
            if not words:
                continue
            src = _image_name(words[0])
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else src
            current = _Stage(src, name, ins)
            (good if any(g.name == src for g in good) else bad).append(current)
        elif ins.name == "HEALTHCHECK" and current is not None:
            if current not in good:
                good.append(current)
            drop = {id(current)}
            parents = {current.src}
            changed = True
            while changed:  # the stages it is built FROM, transitively, need no HEALTHCHECK of their own
                changed = False
                for b in bad:
                    if id(b) not in drop and b.name in parents:
                        drop.add(id(b))
                        parents.add(b.src)
                        changed = True
            bad = [b for b in bad if id(b) not in drop]
    return [b.ins for b in bad]


class NoHealthcheck(Rule):
    id = "SG070"
    title = "No HEALTHCHECK"
    severity = Severity.INFO
    concern = "syntax"
    peers = ("DS026", "DS-0026", "AVD-DS-0026", "CKV_DOCKER_2")
    aliases = ("DL3057",)
    default = False
    docs = RuleDocs(
        what=(
            "Reports the target stage when neither it nor a stage it is built FROM has a HEALTHCHECK "
            "instruction (`HEALTHCHECK NONE` counts as a decision; an ONBUILD HEALTHCHECK does not). "
            "With --hadolint-compat every stage hadolint's DL3057 reports is reported: each stage without "
            "a HEALTHCHECK that no later stage built FROM it completes. hadolint's level for DL3057 is "
            "`ignore` (silent until raised); slimguard has no such level, so the rule is outside the "
            "default set and reports at info level when selected or in hadolint mode."
        ),
        why=(
            "Without a health check Docker (and Swarm, Compose `depends_on: service_healthy`, ECS) only "
            "knows whether the main process runs, not whether it still serves: a hung server stays "
            "\"up\". Kubernetes ignores HEALTHCHECK and uses its own probes, so the rule matters for "
            "the other runtimes."
        ),
        example='FROM nginx:1.27-alpine\nCOPY site /usr/share/nginx/html\n',
        instead=(
            "FROM nginx:1.27-alpine\nCOPY site /usr/share/nginx/html\n"
            'HEALTHCHECK --interval=30s --timeout=3s CMD wget -q --spider http://localhost/ || exit 1\n'
        ),
        fix_safety="No fix: what a healthy container answers, and with which tool, is specific to the image.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        theirs = _hadolint_missing(ctx)
        flagged = {id(i) for i in theirs}
        message = "no `HEALTHCHECK` in this image; add one (or `HEALTHCHECK NONE` to decide against it)"
        target = ctx.target
        target_from = None
        if target is not None:
            chain = target.chain()
            if not any(st.instruction.name == "HEALTHCHECK" and not st.in_onbuild for s in chain for st in s.steps):
                target_from = target.from_instruction
                yield ctx.at(self, target_from, message,
                             aliases=self.aliases if id(target_from) in flagged else ())
        if ctx.options.hadolint_compat:
            for ins in theirs:
                if ins is not target_from:
                    yield ctx.at(self, ins, message)


RULE = NoHealthcheck

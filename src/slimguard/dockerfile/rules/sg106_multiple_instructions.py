"""SG106: a CMD, ENTRYPOINT or HEALTHCHECK a later one of the same stage overrides (BuildKit's
MultipleInstructionsDisallowed)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext

_ONCE = ("CMD", "ENTRYPOINT", "HEALTHCHECK")


class MultipleInstructionsDisallowed(Rule):
    id = "SG106"
    title = "CMD, ENTRYPOINT or HEALTHCHECK overridden in the same stage"
    severity = Severity.WARNING
    concern = "syntax"
    aliases = ("MultipleInstructionsDisallowed",)
    default = False  # SG081, SG082 and SG031 report the same stages (on the later instruction) by default
    in_hadolint_mode = False
    docs = RuleDocs(
        what=(
            "Finds a CMD, ENTRYPOINT or HEALTHCHECK that a later instruction of the same kind in the same "
            "stage overrides, and reports the overridden (earlier) one, as BuildKit's "
            "MultipleInstructionsDisallowed check does. Each FROM starts afresh (an instruction in the "
            "stage a FROM names does not count); ONBUILD triggers do not count. Outside the default set, "
            "since SG081 (CMD), SG082 (ENTRYPOINT) and SG031 (HEALTHCHECK) report the same stages on the "
            "later instruction: run it with `--select MultipleInstructionsDisallowed` for BuildKit's view."
        ),
        why=(
            "Only the last of these instructions in a stage takes effect; the earlier one is dead code that "
            "readers take for the command that runs."
        ),
        example='FROM debian:bookworm-slim\nCMD ["sleep", "infinity"]\nCOPY app /app\nCMD ["/app"]\n',
        instead='FROM debian:bookworm-slim\nCOPY app /app\nCMD ["/app"]\n',
        fix_safety="No fix: which instruction was meant is the author's call.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        last: dict[str, object] = {}
        for ins in ctx.tree.instructions:
            if ins.name == "FROM":
                last = {}
                continue
            if ins.name not in _ONCE:
                continue
            earlier = last.get(ins.name)
            if earlier is not None:
                yield ctx.at(self, earlier, f"this {ins.name} is overridden by the {ins.name} at line "  # type: ignore[arg-type]
                                            f"{ins.start_line}: only the last {ins.name} of a stage is used; "
                                            "remove one of them")
            last[ins.name] = ins


RULE = MultipleInstructionsDisallowed

"""SG109: with the ARG defaults alone, FROM names no valid image (BuildKit's InvalidDefaultArgInFrom)."""

from __future__ import annotations

from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.analysis.buildkit import default_global_args, is_valid_reference
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.expand import ExpansionError, expand_word, references


class InvalidDefaultArgInFrom(Rule):
    id = "SG109"
    title = "FROM is invalid with the ARG defaults"
    # information: Dockerfiles built by a script that always passes the --build-arg do this on purpose
    # (precision corpus: 3 of 3 reviewed findings were noise); docker build prints the same warning
    severity = Severity.INFO
    concern = "syntax"
    aliases = ("InvalidDefaultArgInFrom",)
    docs = RuleDocs(
        what=(
            "Expands each FROM image that uses a variable with the global ARG defaults only (no "
            "--build-arg, the automatic platform args set) and finds those that then are empty or not a "
            "valid image reference (`FROM busybox:$VERSION` with `ARG VERSION` and no default gives "
            "`busybox:`), as BuildKit's InvalidDefaultArgInFrom check does. FROM lines without a variable "
            "are left to the parser."
        ),
        why=(
            "A build that forgets the --build-arg fails with an invalid reference error instead of building "
            "a sensible default, and tools that read the Dockerfile without build args (scanners, "
            "dependency bots, `docker build --check`) cannot tell which image is used."
        ),
        example="ARG VERSION\nFROM busybox:$VERSION\n",
        instead="ARG VERSION=1.36\nFROM busybox:$VERSION\n",
        fix_safety="No fix: the default value is the author's choice.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        env = None
        for ins in ctx.tree.instructions:
            if ins.name != "FROM":
                continue
            words = ins.buildkit_value()
            if not words or "$" not in words[0]:
                continue
            if env is None:
                env = default_global_args(ctx.tree)
                if env is None:
                    return
            try:
                value = expand_word(words[0], env, ctx.tree.escape).value
            except ExpansionError:
                continue
            if is_valid_reference(value):
                continue
            unset = [n for n in sorted(references(words[0], ctx.tree.escape)) if not env.get(n)]
            hint = f"; give {', '.join(unset)} a default (`ARG {unset[0]}=...`)" if unset else ""
            shown = f"'{value}'" if value else "empty"
            yield ctx.at(self, ins, f"with the ARG defaults alone, FROM {words[0]} is {shown}, not a valid "
                                    f"image name{hint}", details={"value": value})


RULE = InvalidDefaultArgInFrom

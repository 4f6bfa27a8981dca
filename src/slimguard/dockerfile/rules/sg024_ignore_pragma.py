"""SG024: inline ignore pragmas."""

from __future__ import annotations

import re
from typing import Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext
from slimguard.dockerfile.syntax import Comment, Directive

_INLINE = re.compile(r"^#\s*hadolint\s+ignore\s*=\s*(?P<codes>[^#]*)", re.IGNORECASE)
_CODE = re.compile(r"^(DL|SC)\d{4}$")


class IgnorePragma(Rule):
    id = "SG024"
    title = "Inline ignore pragma"
    severity = Severity.STYLE
    concern = "syntax"
    aliases = ("DL1001",)
    default = False
    docs = RuleDocs(
        what=("Finds inline `# hadolint ignore=...` pragmas (the ones for the next instruction; global and "
              "stage pragmas are not reported). Off by default, like hadolint's DL1001 (level `ignore` "
              "there): select it with `--select SG024` to forbid inline exceptions."),
        why=("An inline pragma silences a rule where it would fire, without review; teams that keep their "
             "exceptions in one configuration file (`--ignore`, `.hadolint.yaml`) use this rule to keep "
             "them there. `--disable-ignore-pragma` disregards the pragmas instead."),
        example="FROM debian:bookworm-slim\n# hadolint ignore=DL3008\nRUN apt-get install -y curl\n",
        instead="FROM debian:bookworm-slim\nRUN apt-get install -y curl=7.88.1-10+deb12u8\n",
        fix_safety="No fix: removing the pragma brings the finding it silences back.",
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for child in ctx.tree.children:
            if not isinstance(child, (Comment, Directive)):
                continue
            m = _INLINE.match(str(child).strip())
            if m is None:
                continue
            codes = [c.strip() for c in m.group("codes").split(",") if c.strip()]
            if not codes or not all(_CODE.match(c.upper()) for c in codes):
                continue  # hadolint disregards a pragma naming an invalid code
            assert ctx.tree.index is not None
            text = str(child)
            start = child.start_offset + (len(text) - len(text.lstrip()))
            end = child.start_offset + len(text.rstrip())
            yield ctx.finding(self, ctx.text_span(start, end),
                              "inline ignore pragma; keep exceptions in the configuration (--ignore, "
                              ".hadolint.yaml) instead of `# hadolint ignore=`")


RULE = IgnorePragma

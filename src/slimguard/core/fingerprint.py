"""One fingerprint for a finding, shared by SARIF, GitLab Code Quality and the baseline.

A finding is identified by its rule, the normalized text of what it flags (the source lines of the
instruction or YAML node, whitespace collapsed, plus the flagged span on that line) and its occurrence
index among the findings of the same rule flagging the same text in the same file. The line number is
never part of it: a comment added above, or an unrelated instruction moved, changes no fingerprint.
Findings without source text (an image, a ``docker run`` word) use their message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from slimguard.core.findings import Finding, Severity

VERSION = "v1"  # bump when the inputs of the fingerprint change

# Concerns that are about security (code scanning's security-severity, GitLab's "Security" category)
SECURITY_CONCERNS = frozenset({
    "root-user", "unknown-user", "numeric-user", "privilege-escalation", "secrets", "remote-script",
    "trusted-registry", "capabilities", "seccomp", "host-access", "read-only-rootfs",
})

# GitHub code scanning's scale: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "6.0", Severity.INFO: "3.0", Severity.STYLE: "1.0"}


def security_severity(concern: str, severity: Severity) -> str | None:
    """The code-scanning score of a security concern at *severity* (None: not a security concern)."""
    if concern not in SECURITY_CONCERNS:
        return None
    score = float(SECURITY_SEVERITY[severity])
    if concern == "secrets" and severity >= Severity.WARNING:
        score = 9.0  # a leaked credential is critical whatever else the image does
    return f"{score:.1f}"


def normalize(text: str) -> str:
    """Whitespace collapsed, line continuations dropped: what a re-indent or re-wrap does not change."""
    return " ".join(tok for tok in text.split() if tok != "\\")


def flagged_text(finding: Finding, source: str | None, lines: list[str] | None = None) -> str:
    """The normalized text *finding* flags: its lines (and its span on a one-line finding), else its message."""
    if source is not None and finding.line > 0:
        lines = lines if lines is not None else source.splitlines()
        end = max(finding.end_line, finding.line)
        if finding.line <= len(lines):
            block = normalize("\n".join(lines[finding.line - 1:end]))
            if finding.end_line <= finding.line and finding.end_column > finding.column >= 1:
                span = normalize(lines[finding.line - 1][finding.column - 1:finding.end_column - 1])
                if span and span != block:
                    block += "\0" + span
            if block:
                return block
    return normalize(finding.message)


def digest(*parts: str, algorithm: str = "sha256") -> str:
    h = hashlib.new(algorithm)
    h.update("\0".join(parts).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    """A finding's identity: ``content`` (rule + flagged text) and its ``occurrence`` (0, 1, ...)."""

    rule: str
    content: str  # hex digest of the rule and the flagged text
    occurrence: int
    excerpt: str  # the flagged text (for people reading a baseline)

    def value(self, path: str | None = None, algorithm: str = "sha256") -> str:
        """One string for the finding (with *path* when it must be unique across files)."""
        parts = [VERSION, self.content, str(self.occurrence)]
        if path is not None:
            parts.insert(1, path)
        return digest(*parts, algorithm=algorithm)


def fingerprints(findings: Iterable[Finding], sources: Mapping[str, str] | None = None) -> list[Fingerprint]:
    """The fingerprint of each of *findings*, in their order; occurrences count in line/column order."""
    findings = list(findings)
    sources = sources or {}
    split: dict[str, list[str]] = {}
    raw: list[tuple[str, str]] = []
    for f in findings:
        src = sources.get(f.file)
        if src is not None and f.file not in split:
            split[f.file] = src.splitlines()
        text = flagged_text(f, src, split.get(f.file))
        raw.append((digest(VERSION, f.rule, text), text))
    order = sorted(range(len(findings)), key=lambda i: (findings[i].line, findings[i].column, findings[i].end_line,
                                                         findings[i].end_column, findings[i].message))
    seen: dict[tuple[str, str], int] = {}
    out: list[Fingerprint | None] = [None] * len(findings)
    for i in order:
        f = findings[i]
        key = (f.file, raw[i][0])
        n = seen.get(key, 0)
        seen[key] = n + 1
        out[i] = Fingerprint(f.rule, raw[i][0], n, raw[i][1][:200].replace("\0", " | "))
    return out  # type: ignore[return-value]

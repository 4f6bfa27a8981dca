"""Baselines: record a repository's current findings so that only new ones are reported.

The baseline file is JSON (sorted keys, entries sorted, no timestamps: the same findings give the same
bytes)::

    {"version": 1, "tool": "slimguard",
     "findings": [{"path": "app/Dockerfile", "rule": "SG001", "fingerprint": "…", "count": 1,
                   "excerpt": "USER root"}]}

``path`` is relative to the baseline file's directory (``<stdin>`` and ``<docker run>`` stay as they are),
``fingerprint`` the hash of the rule and the flagged text (:mod:`slimguard.core.fingerprint`, never the line
number) and ``count`` how many identical findings the file had. A finding matches while its file, rule and
flagged text stay the same, wherever the lines move; ``count`` identical findings are suppressed and any
further one is new. A fixed finding simply no longer matches anything.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from slimguard.core.findings import Finding
from slimguard.core.fingerprint import fingerprints

FORMAT_VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be read or is not a slimguard baseline."""


Key = tuple[str, str, str]  # (path, rule, fingerprint)


def _base_dir(baseline_path: str) -> str:
    return os.path.dirname(os.path.abspath(baseline_path))


def relative_path(file: str, base_dir: str) -> str:
    """*file* (as a finding names it) relative to *base_dir*, with forward slashes."""
    if file.startswith("<") or file == "-" or ":" in file.split("/", 1)[0] and not os.path.exists(file):
        return file  # stdin, a docker run command, an image reference
    try:
        rel = os.path.relpath(os.path.abspath(file), base_dir)
    except ValueError:  # another drive (Windows)
        rel = os.path.abspath(file)
    return rel.replace(os.sep, "/")


def keys(findings: Iterable[Finding], sources: Mapping[str, str], base_dir: str) -> list[Key]:
    findings = list(findings)
    return [(relative_path(f.file, base_dir), f.rule, fp.content)
            for f, fp in zip(findings, fingerprints(findings, sources))]


def render(findings: Iterable[Finding], sources: Mapping[str, str], baseline_path: str) -> str:
    """The baseline file's text for *findings*."""
    findings = list(findings)
    base = _base_dir(baseline_path)
    counts: Counter[Key] = Counter()
    excerpts: dict[Key, str] = {}
    for f, fp in zip(findings, fingerprints(findings, sources)):
        key = (relative_path(f.file, base), f.rule, fp.content)
        counts[key] += 1
        excerpts.setdefault(key, fp.excerpt)
    entries = [{"path": p, "rule": r, "fingerprint": c, "count": n, "excerpt": excerpts[(p, r, c)]}
               for (p, r, c), n in sorted(counts.items())]
    doc = {"version": FORMAT_VERSION, "tool": "slimguard", "findings": entries}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(path: str, findings: Iterable[Finding], sources: Mapping[str, str]) -> int:
    """Write the baseline of *findings* to *path*; returns how many findings it records."""
    from slimguard.core.files import atomic_write

    findings = list(findings)
    text = render(findings, sources, path)
    try:
        if os.path.exists(path):
            atomic_write(path, text)
        else:
            with open(path, "x", encoding="utf-8") as fh:
                fh.write(text)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write the baseline ({exc.strerror})") from None
    return len(findings)


@dataclass(frozen=True)
class Baseline:
    path: str
    counts: Mapping[Key, int]

    @classmethod
    def load(cls, path: str) -> "Baseline":
        try:
            with open(path, encoding="utf-8") as fh:
                doc = json.load(fh)
        except FileNotFoundError:
            raise BaselineError(f"{path}: no such baseline file (create it with --write-baseline {path})") from None
        except OSError as exc:
            raise BaselineError(f"{path}: cannot read the baseline ({exc.strerror})") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise BaselineError(f"{path}: not a slimguard baseline (invalid JSON: {exc})") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
            raise BaselineError(f"{path}: not a slimguard baseline (no \"findings\" list)")
        if doc.get("version") != FORMAT_VERSION:
            raise BaselineError(f"{path}: baseline version {doc.get('version')!r} is not supported "
                                f"(this slimguard writes version {FORMAT_VERSION}); re-create it with --write-baseline")
        counts: Counter[Key] = Counter()
        for e in doc["findings"]:
            if not isinstance(e, dict) or not all(isinstance(e.get(k), str) for k in ("path", "rule", "fingerprint")):
                raise BaselineError(f"{path}: not a slimguard baseline (bad entry {e!r:.80})")
            n = e.get("count", 1)
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise BaselineError(f"{path}: bad count {n!r} for {e['path']} {e['rule']}")
            counts[(e["path"], e["rule"].upper(), e["fingerprint"])] += n
        return cls(path, dict(counts))

    def filter(self, findings: Iterable[Finding], sources: Mapping[str, str]) -> tuple[list[Finding], int]:
        """(the findings not in the baseline, how many it suppressed). Of *count* identical findings the
        first *count* (in line order) are suppressed; any further one is new."""
        findings = list(findings)
        left = dict(self.counts)
        fps = fingerprints(findings, sources)
        base = _base_dir(self.path)
        order = sorted(range(len(findings)), key=lambda i: fps[i].occurrence)
        keep = [True] * len(findings)
        for i in order:
            f = findings[i]
            key = (relative_path(f.file, base), f.rule, fps[i].content)
            if left.get(key, 0) > 0:
                left[key] -= 1
                keep[i] = False
        kept = [f for f, k in zip(findings, keep) if k]
        return kept, len(findings) - len(kept)

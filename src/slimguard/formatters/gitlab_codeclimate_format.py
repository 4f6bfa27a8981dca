"""GitLab Code Quality in hadolint's shape: a JSON array of Code Climate issues, each with a ``fingerprint``.

hadolint hashes the whole issue, line included, so one added comment changes every fingerprint and GitLab
reports every issue as new. Here the fingerprint (40 hex digits, as hadolint's) is the SHA-1 of the
reported path, the code and the normalized flagged text with its occurrence index
(:mod:`slimguard.core.fingerprint`): stable across runs and when unrelated lines move, different when the
flagged text, the code or the file changes. A parse error (DL1000) uses its message.
"""

from __future__ import annotations

import json

from slimguard.core.fingerprint import Fingerprint, digest, fingerprints
from slimguard.formatters import Report
from slimguard.formatters._hadolint import records, report_file
from slimguard.formatters.codeclimate_format import issue


def render(report: Report, color: bool = False) -> str:
    issues = []
    recs = records(report)
    found = [r.finding for r in recs if r.finding is not None]
    fps = dict(zip(map(id, found), fingerprints(found, report.sources)))
    for r in recs:
        entry = issue(report, r)
        fp = fps.get(id(r.finding)) if r.finding is not None else None
        if fp is None:
            fp = Fingerprint(r.code, digest(r.code, " ".join(r.message.split())), 0, r.message)
        entry["fingerprint"] = fp.value(path=f"{report_file(report, r)}\0{r.code}", algorithm="sha1")
        issues.append(entry)
    return json.dumps(issues, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"

"""GitLab Code Quality in hadolint's shape: a JSON array of Code Climate issues, each with a ``fingerprint``.

The fingerprint is the SHA-1 of the issue's compact JSON (sorted keys, without the fingerprint), so it is
stable across runs and changes when the code, message, file or line changes. The existing ``gitlab`` format
(slimguard's own fields and SHA-256 fingerprints) is unchanged.
"""

from __future__ import annotations

import hashlib
import json

from slimguard.formatters import Report
from slimguard.formatters._hadolint import compact, records
from slimguard.formatters.codeclimate_format import issue


def render(report: Report, color: bool = False) -> str:
    issues = []
    for r in records(report):
        entry = issue(report, r)
        entry["fingerprint"] = hashlib.sha1(compact(entry).encode("utf-8")).hexdigest()  # noqa: S324 - an id
        issues.append(entry)
    return json.dumps(issues, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"

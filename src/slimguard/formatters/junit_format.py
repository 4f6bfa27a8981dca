"""JUnit XML, as GitLab (``artifacts:reports:junit``), Jenkins (``junit``) and Azure Pipelines read it.

One ``<testsuite>`` per file; each finding is a ``<testcase>`` with a ``<failure>`` (``type`` = level,
``message`` = the message), a parse error a ``<testcase>`` with an ``<error>``; a file without findings gets
one passing ``<testcase>``, so a clean run still reports tests. The ``id`` attributes follow hadolint's
(``<tool>.rule.<CODE>``, ``<tool>.error``); ``name`` and ``classname``, which the CI servers display, are added.
No timestamps: the same input gives the same bytes.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from slimguard.formatters import Report
from slimguard.formatters._hadolint import files, records

TOOL = "slimguard"


def render(report: Report, color: bool = False) -> str:
    by_file: dict[str, list] = {}
    for r in records(report):
        by_file.setdefault("-" if r.file == "/dev/stdin" else r.file, []).append(r)
    suites = []
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for path in files(report):
        shown = report.report_path or path
        cases = []
        failures = errors = 0
        for r in by_file.get(path, []):
            where = f"{shown}:{r.line}"
            if r.parse_error:
                errors += 1
                body = f"Parse error in {shown}\nLine: {r.line}\nColumn: {r.column}\n{r.message}\n"
                cases.append(
                    f'<testcase classname={quoteattr(shown)} id="{TOOL}.error" name={quoteattr(f"{r.code} {where}")} '
                    f'time="0"><error message={quoteattr(f"parse error at line {r.line}, column {r.column}: {r.message}")} '
                    f'type="error">{escape(body)}</error></testcase>')
                continue
            failures += 1
            body = f"File: {shown}\nLine: {r.line}\nColumn: {r.column}\n{r.level}: {r.message}\n"
            cases.append(
                f'<testcase classname={quoteattr(shown)} id={quoteattr(f"{TOOL}.rule.{r.code}")} '
                f'name={quoteattr(f"{r.code} {where}")} time="0"><failure id={quoteattr(r.code)} '
                f'message={quoteattr(r.message)} type="{r.level}">{escape(body)}</failure></testcase>')
        if not cases:
            cases.append(f'<testcase classname={quoteattr(shown)} name={quoteattr(shown)} time="0"/>')
        tests = len(cases)
        totals["tests"] += tests
        totals["failures"] += failures
        totals["errors"] += errors
        suites.append(f'<testsuite errors="{errors}" failures="{failures}" id="{TOOL}" name={quoteattr(shown)} '
                      f'tests="{tests}" time="0">{"".join(cases)}</testsuite>')
    version = f" {report.tool_version}" if report.tool_version else ""
    head = (f'<testsuites errors="{totals["errors"]}" failures="{totals["failures"]}" id="{TOOL}" '
            f'name={quoteattr(TOOL + version)} tests="{totals["tests"]}" time="0">')
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + head + "".join(suites) + "</testsuites>\n"

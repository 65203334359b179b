"""GitHub workflow commands, so findings appear as annotations on the pull request's lines.

GitHub shows about ten annotations of each kind per step and drops the rest, so they are spent
where the contributor looks: on the files the pull request changed (when `--base` says which),
causes first, one per root-cause group with a count of what it caused. Everything else is
printed as plain log lines, and the job summary (`--format markdown`) has the full report.
"""

from __future__ import annotations

from collections import Counter

from clusterdata.core.findings import Finding, plural
from clusterdata.validation.causes import groups_of
from clusterdata.validation.pipeline import Report

#: Annotations of one kind (error, warning, notice) GitHub shows per step.
ANNOTATIONS_PER_KIND = 10


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _path(finding: Finding, prefix: str) -> str | None:
    if not finding.path:
        return None
    return f"{prefix.rstrip('/')}/{finding.path}" if prefix and prefix != "." else finding.path


def _body(finding: Finding, caused: int = 0) -> str:
    body = finding.message
    if finding.value is not None:
        body += f" Value: {finding.value!r}."
    if finding.hint:
        body += f" Fix: {finding.hint}"
    if caused:
        body += (
            f" This also causes {plural(caused, 'more finding')} "
            "(listed under it in the job summary); they go away with this fix."
        )
    return body


def annotation(finding: Finding, prefix: str = "", caused: int = 0) -> str:
    properties = []
    path = _path(finding, prefix)
    if path:
        properties.append(f"file={_escape_property(path)}")
    if finding.line is not None:
        properties.append(f"line={finding.line}")
    title = finding.check + (f" in {finding.column}" if finding.column else "")
    properties.append(f"title={_escape_property(title)}")
    return (
        f"::{finding.severity.value} {','.join(properties)}::{_escape_data(_body(finding, caused))}"
    )


def plain(finding: Finding, prefix: str = "") -> str:
    where = _path(finding, prefix) or "(package)"
    if finding.line is not None:
        where += f":{finding.line}"
    return f"{where}: {finding.severity.value} [{finding.check}] {_body(finding)}"


def render_github(report: Report, prefix: str = "") -> str:
    """One annotation per root-cause group, on its first line in a changed file."""
    # Without a changed file among the findings, the leaders are annotated wherever they are.
    changed = report.changed if any(f.path in report.changed for f in report.findings) else None
    spent: Counter[str] = Counter()
    lines: list[str] = []
    logged: list[str] = []
    for members in groups_of(report.findings):
        leader = members[0]
        own = [f for f in members if f.path in changed] if changed else [leader]
        head = own[0] if own else None
        for finding in members:
            kind = finding.severity.value
            if finding is head and spent[kind] < ANNOTATIONS_PER_KIND:
                spent[kind] += 1
                lines.append(annotation(finding, prefix, caused=len(members) - 1))
            else:
                logged.append(plain(finding, prefix))
    if logged:
        lines.append(
            f"{plural(len(logged), 'more finding')} without an annotation (caused by an "
            "annotated one, outside the changed files, or past GitHub's limit); the job "
            "summary lists every finding:"
        )
        lines.extend(f"  {line}" for line in logged)
    s = report.summary
    counts = f"{plural(s.errors, 'error')}, {plural(s.warnings, 'warning')}"
    if s.notices:
        counts += f", {plural(s.notices, 'notice')}"
    lines.append(
        f"{'valid' if report.valid else 'invalid'}: {plural(s.tables, 'table')}, "
        f"{plural(s.rows, 'row')}, {plural(s.checks_run, 'check')}, {counts}"
    )
    return "\n".join(lines) + "\n"

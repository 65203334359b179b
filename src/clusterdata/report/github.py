"""GitHub workflow commands, so findings appear as annotations on the pull request's lines."""

from __future__ import annotations

from clusterdata.core.findings import Finding, plural
from clusterdata.validation.pipeline import Report


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, prefix: str = "") -> str:
    properties = []
    if finding.path:
        path = f"{prefix.rstrip('/')}/{finding.path}" if prefix and prefix != "." else finding.path
        properties.append(f"file={_escape_property(path)}")
    if finding.line is not None:
        properties.append(f"line={finding.line}")
    title = finding.check + (f" in {finding.column}" if finding.column else "")
    properties.append(f"title={_escape_property(title)}")
    body = finding.message
    if finding.value is not None:
        body += f" Value: {finding.value!r}."
    if finding.hint:
        body += f" Fix: {finding.hint}"
    command = "error" if finding.is_error else "warning"
    return f"::{command} {','.join(properties)}::{_escape_data(body)}"


def render_github(report: Report, prefix: str = "") -> str:
    lines = [annotation(f, prefix) for f in report.findings]
    s = report.summary
    lines.append(
        f"{'valid' if report.valid else 'invalid'}: {plural(s.tables, 'table')}, "
        f"{plural(s.rows, 'row')}, {plural(s.checks_run, 'check')}, "
        f"{plural(s.errors, 'error')}, {plural(s.warnings, 'warning')}"
    )
    return "\n".join(lines) + "\n"

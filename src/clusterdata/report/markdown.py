"""The full report for a pull request's job summary: every finding, grouped by cause."""

from __future__ import annotations

from clusterdata.core.findings import Finding, Severity, plural
from clusterdata.validation.causes import groups_of
from clusterdata.validation.pipeline import Report

MAX_ROWS = 200
_ICONS = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.NOTICE: "ℹ️"}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ") if text is not None else ""


def _row(f: Finding, prefix: str, caused: bool) -> str:
    path = f"{prefix.rstrip('/')}/{f.path}" if prefix and prefix != "." and f.path else f.path
    value = f"`{_cell(f.value)}`" if f.value not in (None, "") else ""
    icon = ("↳ " if caused else "") + _ICONS[f.severity]
    return (
        f"| {icon} | {_cell(path or '')} | {f.line or ''} | {_cell(f.column or '')} | "
        f"{f.check} | {value} | {_cell(f.message)} | {_cell(f.hint or '')} |"
    )


def render_markdown(report: Report, prefix: str = "") -> str:
    s = report.summary
    verdict = "✅ valid" if report.valid else "❌ invalid"
    counts = f"**{plural(s.errors, 'error')}**, {plural(s.warnings, 'warning')}"
    if s.notices:
        counts += f", {plural(s.notices, 'notice')}"
    out = [
        f"## Data validation: {verdict}",
        "",
        f"{plural(s.tables, 'table')}, {plural(s.rows, 'row')}, "
        f"{plural(s.checks_run, 'check')} run: {counts}.",
        "",
    ]
    if s.rows_per_table:
        out += ["| table | rows |", "| --- | ---: |"]
        out += [f"| {_cell(t)} | {n} |" for t, n in s.rows_per_table.items()]
        out.append("")
    if report.findings:
        if any(f.cause and f.cause != f.cause_id for f in report.findings):
            out += [
                "Findings are grouped by cause: a row marked ↳ is caused by the row above it "
                "and goes away when that is fixed.",
                "",
            ]
        out += [
            "| | file | line | column | check | value | message | how to fix |",
            "| --- | --- | ---: | --- | --- | --- | --- | --- |",
        ]
        shown = 0
        for members in groups_of(report.findings):
            for index, f in enumerate(members):
                if shown < MAX_ROWS:
                    out.append(_row(f, prefix, caused=index > 0))
                shown += 1
        if len(report.findings) > MAX_ROWS:
            out.append("")
            out.append(f"…and {len(report.findings) - MAX_ROWS} more; the JSON report has all.")
    return "\n".join(out) + "\n"

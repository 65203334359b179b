"""A summary table for a pull request comment or a job summary."""

from __future__ import annotations

from clusterdata.core.findings import plural
from clusterdata.validation.pipeline import Report

MAX_ROWS = 200


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ") if text is not None else ""


def render_markdown(report: Report, prefix: str = "") -> str:
    s = report.summary
    verdict = "✅ valid" if report.valid else "❌ invalid"
    out = [
        f"## Data validation: {verdict}",
        "",
        f"{plural(s.tables, 'table')}, {plural(s.rows, 'row')}, "
        f"{plural(s.checks_run, 'check')} run: **{plural(s.errors, 'error')}**, "
        f"{plural(s.warnings, 'warning')}.",
        "",
    ]
    if s.rows_per_table:
        out += ["| table | rows |", "| --- | ---: |"]
        out += [f"| {_cell(t)} | {n} |" for t, n in s.rows_per_table.items()]
        out.append("")
    if report.findings:
        out += [
            "| | file | line | column | check | value | message | how to fix |",
            "| --- | --- | ---: | --- | --- | --- | --- | --- |",
        ]
        for f in report.findings[:MAX_ROWS]:
            icon = "❌" if f.is_error else "⚠️"
            path = (
                f"{prefix.rstrip('/')}/{f.path}"
                if prefix and prefix != "." and f.path
                else (f.path or "")
            )
            value = f"`{_cell(f.value)}`" if f.value not in (None, "") else ""
            out.append(
                f"| {icon} | {_cell(path)} | {f.line or ''} | {_cell(f.column or '')} | "
                f"{f.check} | {value} | {_cell(f.message)} | {_cell(f.hint or '')} |"
            )
        if len(report.findings) > MAX_ROWS:
            out.append("")
            out.append(f"…and {len(report.findings) - MAX_ROWS} more; the JSON report has all.")
    return "\n".join(out) + "\n"

"""Terminal text, grouped by file, for a person fixing a spreadsheet."""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from clusterdata.core.findings import plural
from clusterdata.validation.pipeline import Report

#: Past this many findings of one check in one file, the text shows examples and a count.
EXAMPLES_PER_CHECK = 20

_RED, _YELLOW, _GREEN, _BOLD, _DIM, _RESET = (
    "\033[31m",
    "\033[33m",
    "\033[32m",
    "\033[1m",
    "\033[2m",
    "\033[0m",
)


def render_text(report: Report, *, color: bool = False, prefix: str = "") -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    out: list[str] = []
    for path, group in groupby(report.findings, key=lambda f: f.path or ""):
        items = list(group)
        shown_path = f"{prefix.rstrip('/')}/{path}" if prefix and prefix != "." and path else path
        out.append(paint(_BOLD, shown_path or "(package)"))
        per_check: Counter[str] = Counter()
        hidden: Counter[str] = Counter()
        for f in items:
            per_check[f.check] += 1
            if per_check[f.check] > EXAMPLES_PER_CHECK:
                hidden[f.check] += 1
                continue
            where = f"line {f.line}" if f.line is not None else "file"
            if f.column:
                where += f", column {f.column}"
            label = paint(_RED, "error") if f.is_error else paint(_YELLOW, "warning")
            out.append(f"  {where}: {label} [{f.check}] {f.message}")
            if f.value not in (None, "") and repr(f.value) not in f.message:
                out.append(f"      value: {f.value!r}")
            if f.hint:
                out.append(paint(_DIM, f"      fix: {f.hint}"))
        for check, count in hidden.items():
            out.append(f"  … and {count} more [{check}] (use --format json for all)")
        out.append("")
    s = report.summary
    verdict = paint(_GREEN, "valid") if report.valid else paint(_RED, "invalid")
    tables = ", ".join(f"{t} {n}" for t, n in s.rows_per_table.items())
    out.append(
        f"{report.package.name}: {verdict} — {plural(s.tables, 'table')}, "
        f"{plural(s.rows, 'row')} ({tables}); {plural(s.checks_run, 'check')} run; "
        f"{plural(s.errors, 'error')}, {plural(s.warnings, 'warning')}."
    )
    if s.checks_skipped:
        out.extend(_skipped(report))
    return "\n".join(out) + "\n"


def _skipped(report: Report) -> list[str]:
    """Why checks were skipped: a table the package declares but that could not be read (its
    errors are above) is not a table the package lacks (issue 14: a blank header cell was
    reported as "the package lacks their tables")."""
    package = report.package
    declared = {r.name for r in package.resources} | set(package.rejected)
    skipped = report.summary.checks_skipped
    unread = {c for c, tables in skipped.items() if any(t in declared for t in tables)}
    out = []
    if unread:
        tables = sorted({t for c in unread for t in skipped[c] if t in declared})
        out.append(
            f"{plural(len(unread), 'check')} skipped, because {', '.join(tables)} could not "
            f"be read (fix the errors reported for it first): {', '.join(sorted(unread))}."
        )
    lacking = sorted(set(skipped) - unread)
    if lacking:
        out.append(
            f"{plural(len(lacking), 'check')} skipped, the package lacks their "
            f"tables: {', '.join(lacking)}."
        )
    return out

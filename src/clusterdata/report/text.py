"""Terminal text for a person fixing a spreadsheet: causes first, each with what it caused.

Findings arrive in cause order (`validation.causes`). A group's leader is shown under its file;
the findings it caused follow it, indented, with their own file, so a typo in one id reads as
one problem and not as a page of errors in other files.
"""

from __future__ import annotations

from collections import Counter

from clusterdata.core.findings import Finding, Severity, plural
from clusterdata.validation.causes import groups_of
from clusterdata.validation.pipeline import Report

#: Past this many findings of one check in one file, the text shows examples and a count.
EXAMPLES_PER_CHECK = 20

_RED, _YELLOW, _CYAN, _GREEN, _BOLD, _DIM, _RESET = (
    "\033[31m",
    "\033[33m",
    "\033[36m",
    "\033[32m",
    "\033[1m",
    "\033[2m",
    "\033[0m",
)
_COLOURS = {Severity.ERROR: _RED, Severity.WARNING: _YELLOW, Severity.NOTICE: _CYAN}


def _shown(prefix: str, path: str | None) -> str:
    return f"{prefix.rstrip('/')}/{path}" if prefix and prefix != "." and path else path or ""


def render_text(report: Report, *, color: bool = False, prefix: str = "") -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    def describe(f: Finding, indent: str, with_path: bool) -> list[str]:
        where = f"line {f.line}" if f.line is not None else "file"
        if f.column:
            where += f", column {f.column}"
        if with_path:
            where = f"{_shown(prefix, f.path) or '(package)'} {where}"
        label = paint(_COLOURS[f.severity], f.severity.value)
        lines = [f"{indent}{where}: {label} [{f.check}] {f.message}"]
        if f.value not in (None, "") and repr(f.value) not in f.message:
            lines.append(f"{indent}    value: {f.value!r}")
        if f.hint:
            lines.append(paint(_DIM, f"{indent}    fix: {f.hint}"))
        return lines

    out: list[str] = []
    current: str | None = None
    per_check: Counter[tuple[str, str]] = Counter()
    hidden: Counter[tuple[str, str]] = Counter()

    def flush_hidden() -> None:
        for (path, check), count in hidden.items():
            if path == current:
                out.append(f"  … and {count} more [{check}] (use --format json for all)")
        for key in [k for k in hidden if k[0] == current]:
            del hidden[key]

    for members in groups_of(report.findings):
        leader, caused = members[0], members[1:]
        path = leader.path or ""
        if path != current:
            if current is not None:
                flush_hidden()
                out.append("")
            current = path
            out.append(paint(_BOLD, _shown(prefix, path) or "(package)"))
        per_check[(path, leader.check)] += 1
        if per_check[(path, leader.check)] > EXAMPLES_PER_CHECK and not caused:
            hidden[(path, leader.check)] += 1
            continue
        out.extend(describe(leader, "  ", with_path=False))
        if caused:
            out.append(f"    because of this, {plural(len(caused), 'more finding')}:")
            for f in caused[:EXAMPLES_PER_CHECK]:
                out.extend(describe(f, "      ", with_path=True))
            if len(caused) > EXAMPLES_PER_CHECK:
                out.append(f"      … and {len(caused) - EXAMPLES_PER_CHECK} more")
    if current is not None:
        flush_hidden()
        out.append("")
    s = report.summary
    verdict = paint(_GREEN, "valid") if report.valid else paint(_RED, "invalid")
    tables = ", ".join(f"{t} {n}" for t, n in s.rows_per_table.items())
    counts = f"{plural(s.errors, 'error')}, {plural(s.warnings, 'warning')}"
    if s.notices:
        counts += f", {plural(s.notices, 'notice')}"
    out.append(
        f"{report.package.name}: {verdict} — {plural(s.tables, 'table')}, "
        f"{plural(s.rows, 'row')} ({tables}); {plural(s.checks_run, 'check')} run; {counts}."
    )
    if s.checks_skipped:
        out.extend(_skipped(report))
    return "\n".join(out) + "\n"


def _skipped(report: Report) -> list[str]:
    """Why checks were skipped: a table the package declares but that could not be read (its
    errors are above) is not a table the package lacks (a blank header cell was once reported
    as "the package lacks their tables")."""
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

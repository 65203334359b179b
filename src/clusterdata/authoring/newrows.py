"""Add rows written outside a CSV file (a workbook, an issue form) to a package, checked exactly
as CSV rows are: there is no second validator.

The rows are appended to a temporary copy of the package's CSV files, the project's `validate`
runs on that copy, and each finding's (file, line, column) is translated back to where the
contributor wrote the value (sheet, row and column; or the issue form's field). Only when the
copy is valid are the touched tables written back, in canonical form (`clusterdata format`'s
writer), each file atomically.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from clusterdata.core.findings import Finding, error
from clusterdata.core.package import DataPackage, UsageError, open_package


@dataclass(frozen=True)
class Origin:
    """Where a contributor wrote a row: `source` names the workbook sheet or the issue, `row`
    its row number there (None for an issue), `column` maps a field to its label there."""

    source: str
    row: int | None
    column: Callable[[str], str]


@dataclass(frozen=True)
class NewRow:
    resource: str
    #: field name → cell text, as the contributor wrote it (one meaning per cell).
    cells: dict[str, str]
    origin: Origin


@dataclass
class Outcome:
    #: Findings, located where the contributor can fix them.
    findings: list[Finding] = field(default_factory=list)
    #: Files written (empty unless valid and asked to write).
    written: list[Path] = field(default_factory=list)
    rows: int = 0

    @property
    def valid(self) -> bool:
        return not any(f.is_error for f in self.findings)


def _locate(
    finding: Finding, placed: dict[tuple[str, int], NewRow], package_prefix: str
) -> Finding:
    """The finding as the contributor sees it: in their sheet or form when it is about a new
    row, else in the package file (an existing row the new one conflicts with)."""
    row = placed.get((finding.path or "", finding.line or -1))
    if row is None:
        shown = f"{package_prefix}/{finding.path}" if finding.path else None
        return replace(finding, path=shown)
    column = row.origin.column(finding.column) if finding.column else None
    return replace(finding, path=row.origin.source, line=row.origin.row, column=column)


def add_rows(
    package: DataPackage, rows: list[NewRow], *, write: bool = True, package_prefix: str = ""
) -> Outcome:
    """Validate `package` with `rows` appended; write the touched tables when it is valid."""
    from clusterdata.authoring.canonical import FormatRefused, canonicalize, read_table
    from clusterdata.authoring.csvtable import write_rows as csv_text
    from clusterdata.core.atomic import write_bytes_atomic
    from clusterdata.validation.pipeline import default_checks_dir, validate

    if package._tempdir is not None:
        raise UsageError("rows can only be added to a package folder, not to a zipped package.")
    outcome = Outcome(rows=len(rows))
    by_resource: dict[str, list[NewRow]] = {}
    for row in rows:
        if package.resource(row.resource) is None:
            outcome.findings.append(
                error(
                    "unknown-table",
                    f"The package has no table called {row.resource!r}.",
                    path=row.origin.source,
                    line=row.origin.row,
                    hint="Use the sheets of a template made by `clusterdata template`.",
                )
            )
            continue
        by_resource.setdefault(row.resource, []).append(row)
    if not outcome.valid or not by_resource:
        return outcome
    checks_dir = default_checks_dir(package)
    with tempfile.TemporaryDirectory(prefix="clusterdata-import-") as tmp:
        copy_root = Path(tmp) / "package"
        shutil.copytree(package.root, copy_root, symlinks=True)
        copy = open_package(copy_root / package.descriptor_file.name)
        placed: dict[tuple[str, int], NewRow] = {}
        for name, new in by_resource.items():
            resource = copy.resource(name)
            assert resource is not None  # same descriptor as `package`
            raw = resource.file.read_bytes()
            try:
                header = read_table(resource, raw).header
            except FormatRefused as exc:
                outcome.findings.extend(_locate(f, {}, package_prefix) for f in exc.findings)
                continue
            if raw and not raw.endswith(b"\n"):
                raw += b"\n"
            line = raw.count(b"\n") + 1
            chunks = []
            for row in new:
                text = csv_text(resource, [[row.cells.get(h, "") for h in header]])
                for physical in range(line, line + max(1, text.count("\n"))):
                    placed[(resource.path, physical)] = row
                line += text.count("\n")
                chunks.append(text)
            write_bytes_atomic(resource.file, raw + "".join(chunks).encode("utf-8"))
        if not outcome.valid:
            return outcome
        report = validate(copy, checks_dir=checks_dir, use_default_checks=checks_dir is not None)
        new_lines = set(placed)
        outcome.findings.extend(
            _locate(f, placed, package_prefix)
            for f in report.findings
            # a warning about an existing row was there before; it is not the contributor's
            if f.is_error or (f.path or "", f.line or -1) in new_lines
        )
        if not report.valid or not write:
            return outcome
        canonical: dict[Path, bytes] = {}
        for name in by_resource:
            resource, target = copy.resource(name), package.resource(name)
            assert resource is not None and target is not None
            try:
                canonical[target.file] = canonicalize(resource).data
            except FormatRefused as exc:
                outcome.findings.extend(_locate(f, {}, package_prefix) for f in exc.findings)
        if not outcome.valid:
            return outcome
        for target_file, data in canonical.items():
            write_bytes_atomic(target_file, data)
            outcome.written.append(target_file)
    return outcome


def describe(finding: Finding) -> str:
    """One finding as lines of text: where, what, and how to fix it."""
    where = finding.path or "(package)"
    if finding.line is not None:  # a sheet has rows, a CSV file has lines
        unit = "line" if where.endswith((".csv", ".tsv")) else "row"
        where += f", {unit} {finding.line}"
    if finding.column:
        where += f", column {finding.column}"
    text = f"{where}: {finding.severity.value} [{finding.check}] {finding.message}"
    if finding.value not in (None, "") and repr(finding.value) not in finding.message:
        text += f"\n    value: {finding.value!r}"
    if finding.hint:
        text += f"\n    fix: {finding.hint}"
    return text

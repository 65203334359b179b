"""Canonical CSV: one byte layout per table, so a diff shows only what changed in the data.

The canonical form of a table is: UTF-8 without a byte order mark, LF line endings and a final
newline; the header in the schema's field order (columns are moved when the file has the same
fields in another order); rows sorted by the primary key; minimal quoting (`csv.QUOTE_MINIMAL`);
every cell in Unicode NFC with its leading and trailing whitespace trimmed (whitespace *inside*
a cell is kept); rows whose cells are all empty dropped.

Rows are sorted by the *parsed* key, field by field: `integer` and `number` key fields compare
as numbers (so 2 sorts before 10), every other type compares as text in Python's `str` order
(code point order: "Z" < "a" < "å"). A key cell that does not parse as its number type sorts
after every number, as text. The sort is stable, so rows with equal keys keep their order.

The declared dialect is kept, so the descriptor stays true: delimiter, quote and escape
characters, and the rows that are not data (`dialect_layout`). A file saved with another
separator than the declared one (a spreadsheet's `;`, told by `core.separators` as `validate`
tells it) is read with that separator and written with the declared one. A file is only rewritten when the structure layer found nothing that would make the rewrite lose
or invent data (bad encoding, ragged rows, a stray quote, a header that is not the schema's
fields); and the result is re-read and compared with the input before it is written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from clusterdata.authoring.csvtable import (
    BOM,
    FormatRefused,
    Table,
    file_encoding,
    first_difference,
    normalize_cell,
    read_saved_table,
    read_table,
    write_rows,
)
from clusterdata.authoring.dialect_layout import (
    head_text,
    refuse_moving_kept_rows,
    trimmed_into_null,
)
from clusterdata.core.findings import Finding, error
from clusterdata.core.package import DataPackage, Resource
from clusterdata.core.separators import separator_name
from clusterdata.tableschema.cells import integer_text, number_text
from clusterdata.tableschema.model import Field

__all__ = [
    "REFUSE_ON",
    "Canonical",
    "FormatRefused",
    "Table",
    "canonicalize",
    "file_encoding",
    "first_difference",
    "format_package",
    "normalize_cell",
    "read_table",
]

_NUMERIC = {"integer", "number"}
#: Structure checks after which a rewrite could lose or invent data; the file is left alone.
REFUSE_ON = frozenset(
    {
        "empty-file",
        "encoding-error",
        "nul-byte",
        "source-error",
        "swallowed-rows",
        "missing-cell",
        "extra-cell",
        "schema-error",
        "descriptor-error",
        "unsafe-path",
        "missing-file",
        "duplicate-label",
        "blank-label",
        "missing-label",
        "extra-label",
    }
)
#: Label checks frictionless reports when columns are merely in another order (fixable).
_LABEL_CHECKS = frozenset({"incorrect-label"})


def sort_key_function(resource: Resource, names: list[str]) -> Callable[[list[str]], tuple]:
    """Key of a canonical row (cells in `names` order), compared as the module doc says.

    Whether a key cell is a number is the Table Schema core's decision (`cells.number_text`,
    which also applies `bareNumber`, `groupChar` and `decimalChar`): the cell `validate` rejects
    sorts as text, after the numbers.
    """
    schema = resource.table_schema
    positions = [(names.index(k), schema.field(k)) for k in schema.primary_key]

    def parse(cell: str, field: Field | None) -> tuple[int, Any]:
        if field is None or field.type not in _NUMERIC:
            return (0, cell)
        spec = field.descriptor
        digits = integer_text(spec, cell) if field.type == "integer" else number_text(spec, cell)
        number = None if digits is None else Decimal(digits)  # the rule admits only decimals
        return (0, number) if number is not None and number.is_finite() else (1, cell)

    def key(row: list[str]) -> tuple:
        return tuple(parse(row[i], field) for i, field in positions)

    return key


@dataclass
class Canonical:
    """The canonical bytes of one table and what had to change to get there."""

    data: bytes
    #: Each difference in words a person can see ("missing final newline"), not byte dumps.
    changes: list[str] = field(default_factory=list)
    #: The canonical rows (cells in schema order), for callers that compare tables.
    rows: list[list[str]] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    #: The physical line of the first located difference, when one has a line.
    line: int | None = None


class _Changes:
    """Differences collected in reading order, each with the first line it shows on."""

    def __init__(self) -> None:
        self.items: list[tuple[str, int | None]] = []

    def add(self, text: str, line: int | None = None) -> None:
        self.items.append((text, line))

    @property
    def texts(self) -> list[str]:
        return [text for text, _ in self.items]

    @property
    def first_line(self) -> int | None:
        return min((line for _, line in self.items if line is not None), default=None)


def canonicalize(resource: Resource, data: bytes | None = None) -> Canonical:
    """The canonical form of a table; raises `FormatRefused` when it cannot be lossless."""
    raw = resource.file.read_bytes() if data is None else data
    table, as_saved, separator = read_saved_table(resource, raw)
    where = {"resource": resource.name, "path": resource.path}
    names = resource.field_names
    header = [normalize_cell(c) for c in table.header]
    changes = _Changes()
    if table.has_bom:
        changes.add("file starts with a byte-order mark", 1)
    if separator is not None:
        changes.add(f"separated by {separator_name(separator)}s ({separator!r})", 1)
    refuse_moving_kept_rows(resource, table, header == names)
    if header == names:
        order = list(range(len(names)))
    elif sorted(header) == sorted(names) and len(set(header)) == len(header):
        order = [header.index(name) for name in names]
        changes.add(f"columns are not in the schema's order ({', '.join(names)})", 1)
    else:
        raise FormatRefused(
            [
                error(
                    "format-refused",
                    "The header does not list the schema's fields, so the columns cannot be matched.",
                    **where,
                    line=1,
                    value=",".join(table.header)[:200],
                    hint="Make the header row exactly: " + ",".join(names) + ".",
                )
            ]
        )
    rows, lines, kept = _clean_rows(resource, table, header, order, changes)
    if resource.primary_key:
        key = sort_key_function(resource, names)
        for index in range(1, len(rows)):
            if key(rows[index]) < key(rows[index - 1]):
                changes.add(
                    f"line {lines[index]} is out of {', '.join(resource.primary_key)} order",
                    lines[index],
                )
                break
        rows = sorted(rows, key=key)
    out = (head_text(resource, table, names) + write_rows(resource, rows)).encode("utf-8")
    if out != raw:
        _layout_changes(as_saved, raw, table, kept, changes)
    _verify_lossless(resource, out, names, rows)
    return Canonical(
        data=out, changes=changes.texts, rows=rows, header=names, line=changes.first_line
    )


def _clean_rows(
    resource: Resource, table: Table, header: list[str], order: list[int], changes: _Changes
) -> tuple[list[list[str]], list[int], list[list[str]]]:
    """Rows in schema order with cells trimmed and in NFC; empty rows dropped.

    Returns the clean rows, their physical lines, and the kept rows as they were written (for
    telling quoting differences from cell differences), blank ones included.
    """
    rows: list[list[str]] = []
    lines: list[int] = []
    kept: list[list[str]] = []
    blank: list[int] = []
    trimmed: int | None = None
    decomposed: int | None = None
    null = resource.csv_dialect.null_sequence
    for record, line in zip(table.rows, table.lines, strict=True):
        kept.append(record)
        if not any(c.strip() for c in record):
            blank.append(line)
            continue
        if len(record) != len(header):
            raise FormatRefused(
                [
                    error(
                        "format-refused",
                        f"This row has {len(record)} cells but the header has {len(header)}.",
                        resource=resource.name,
                        path=resource.path,
                        line=line,
                        hint="Add or remove cells so the row matches the header.",
                    )
                ]
            )
        cells = []
        for index in order:
            cell = record[index]
            composed = unicodedata.normalize("NFC", cell)
            clean = composed.strip()
            if composed != cell and decomposed is None:
                decomposed = line
            if clean != composed and trimmed is None:
                trimmed = line
            if clean != cell and clean == null:
                raise trimmed_into_null(resource, line, cell)
            cells.append(clean)
        rows.append(cells)
        lines.append(line)
    if blank:
        changes.add(f"{len(blank)} empty row(s), the first on line {blank[0]}", blank[0])
    if trimmed is not None:
        changes.add(f"line {trimmed} has spaces around a cell", trimmed)
    if decomposed is not None:
        changes.add(
            f"line {decomposed} has a letter stored as two characters (not Unicode NFC)",
            decomposed,
        )
    return rows, lines, kept


def _layout_changes(
    resource: Resource, raw: bytes, table: Table, kept: list[list[str]], changes: _Changes
) -> None:
    """Differences in the bytes between the cells: line endings, final newline, quoting."""
    body = raw.removeprefix(BOM)
    if b"\r\n" in body:
        changes.add("line endings are CRLF (Windows)", 1)
    elif b"\r" in body:
        changes.add("line endings are CR", 1)
    if body and not body.endswith((b"\n", b"\r")):
        changes.add("missing final newline", body.count(b"\n") + 1)
    as_is = body.replace(b"\r\n", b"\n")
    if not as_is.endswith(b"\n"):
        as_is += b"\n"
    head = head_text(resource, table, table.header)
    rewritten = (head + write_rows(resource, kept)).encode("utf-8")
    if rewritten != as_is:
        line, _, _ = first_difference(as_is, rewritten)
        changes.add(f"cells are quoted differently, from line {line}", line)


def _verify_lossless(
    resource: Resource, out: bytes, names: list[str], rows: list[list[str]]
) -> None:
    """Re-read what would be written: the same cells must come back, or nothing is written."""
    again = read_table(resource, out)
    if again.header != names or again.rows != rows:  # pragma: no cover - a bug guard
        raise FormatRefused(
            [
                error(
                    "format-refused",
                    "Formatting would change the table's values; it was not written.",
                    resource=resource.name,
                    path=resource.path,
                    hint="This is a bug in clusterdata format; please report it with the file.",
                )
            ]
        )


@dataclass
class FileResult:
    resource: Resource
    changed: bool
    changes: list[str] = field(default_factory=list)
    #: The first line of the current file that differs from canonical form.
    line: int | None = None


@dataclass
class FormatOutcome:
    results: list[FileResult] = field(default_factory=list)
    #: Files that were refused, as located findings (errors).
    refused: list[Finding] = field(default_factory=list)


def structure_refusals(package: DataPackage) -> dict[str, list[Finding]]:
    """Per resource name: the structure layer's errors that make a rewrite unsafe."""
    from clusterdata.validation.structure.run import check_structure

    result = check_structure(package)
    refusals: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if not finding.is_error or finding.check not in REFUSE_ON or finding.resource is None:
            continue
        refusals.setdefault(finding.resource, []).append(finding)
    return refusals


def format_package(
    package: DataPackage,
    *,
    check: bool = False,
    refusals: dict[str, list[Finding]] | None = None,
) -> FormatOutcome:
    """Rewrite (or, with `check`, only inspect) every table of a package in canonical form."""
    from clusterdata.core.atomic import write_bytes_atomic

    if refusals is None:
        refusals = structure_refusals(package)
    outcome = FormatOutcome()
    outcome.refused.extend(f for f in package.findings if f.is_error and f.check in REFUSE_ON)
    for resource in package.resources:
        if not resource.is_csv:  # JSON, spreadsheets and inline rows have no CSV layout
            continue
        if resource.name in refusals:
            outcome.refused.extend(refusals[resource.name])
            continue
        try:
            raw = resource.file.read_bytes()
            canonical = canonicalize(resource, raw)
        except FormatRefused as exc:
            outcome.refused.extend(exc.findings)
            continue
        except OSError as exc:
            outcome.refused.append(
                error(
                    "format-refused",
                    f"The file cannot be read: {exc.strerror}.",
                    resource=resource.name,
                    path=resource.path,
                )
            )
            continue
        if canonical.data == raw:
            outcome.results.append(FileResult(resource, changed=False))
            continue
        line = canonical.line or first_difference(raw, canonical.data)[0]
        if not check:
            try:
                write_bytes_atomic(resource.file, canonical.data)
            except OSError as exc:
                outcome.refused.append(
                    error(
                        "format-refused",
                        f"The file cannot be written ({exc.strerror or exc}); "
                        "it was left as it was.",
                        resource=resource.name,
                        path=resource.path,
                        hint="Check that the folder is writable and the disk is not full.",
                    )
                )
                continue
        outcome.results.append(
            FileResult(
                resource,
                changed=True,
                changes=canonical.changes,
                line=line,
            )
        )
    return outcome

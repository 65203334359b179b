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

The declared dialect (delimiter, quote character) is kept, so the descriptor stays true. A
file is only rewritten when the structure layer found nothing that would make the rewrite lose
or invent data (bad encoding, ragged rows, a stray quote, a header that is not the schema's
fields); and the result is re-read and compared with the input before it is written.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from clusterdata.core.findings import Finding, error
from clusterdata.core.package import DataPackage, Resource
from clusterdata.tableschema.cells import field_type, integer_text, number_text

_UTF8 = {"utf-8", "utf8", "utf_8", "utf-8-sig"}
_BOM = b"\xef\xbb\xbf"
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


class FormatRefused(Exception):
    """The file cannot be rewritten without changing its data; carries located findings."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f.message for f in findings))
        self.findings = findings


def normalize_cell(cell: str) -> str:
    """Unicode NFC, then trim: a decomposed "å" or a trailing space breaks joins silently."""
    return unicodedata.normalize("NFC", cell).strip()


@dataclass
class Table:
    """A CSV file read as text cells, with the physical line each record starts on."""

    header: list[str]
    rows: list[list[str]]
    #: Physical start line of each data row (the header is line 1).
    lines: list[int]
    has_bom: bool = False


def file_encoding(resource: Resource) -> str:
    if resource.encoding not in _UTF8:
        raise FormatRefused(
            [
                error(
                    "format-refused",
                    f"The table is declared as {resource.encoding}; canonical CSV is UTF-8, so it is "
                    "not rewritten.",
                    resource=resource.name,
                    path=resource.path,
                    hint='Convert the file to UTF-8 and set "encoding": "utf-8" in the descriptor.',
                )
            ]
        )
    return "utf-8"


def read_table(resource: Resource, data: bytes | None = None) -> Table:
    """Parse a CSV file (or its bytes) as the csv module does, strictly, keeping line numbers."""
    raw = resource.file.read_bytes() if data is None else data
    file_encoding(resource)
    has_bom = raw.startswith(_BOM)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatRefused(
            [
                error(
                    "encoding-error",
                    "The file is not valid UTF-8.",
                    resource=resource.name,
                    path=resource.path,
                    line=raw[: exc.start].count(b"\n") + 1,
                    hint="Open the file and save it again as 'CSV UTF-8'.",
                )
            ]
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""), **_reader_options(resource))
    records: list[list[str]] = []
    starts: list[int] = []
    previous_end = 0
    try:
        for record in reader:
            starts.append(previous_end + 1)
            records.append(record)
            previous_end = reader.line_num
    except csv.Error as exc:
        raise FormatRefused(
            [
                error(
                    "source-error",
                    f"The CSV cannot be parsed: {exc}.",
                    resource=resource.name,
                    path=resource.path,
                    line=previous_end + 1,
                    hint="Look for a stray quote character on this line.",
                )
            ]
        ) from exc
    if not records:
        raise FormatRefused(
            [
                error(
                    "empty-file",
                    "The file is empty: it has no header row.",
                    resource=resource.name,
                    path=resource.path,
                    line=1,
                    hint="Write the header row on line 1.",
                )
            ]
        )
    return Table(header=records[0], rows=records[1:], lines=starts[1:], has_bom=has_bom)


def _reader_options(resource: Resource) -> dict[str, Any]:
    options: dict[str, Any] = {
        "delimiter": resource.delimiter,
        "quotechar": resource.quote_char,
        "doublequote": bool(resource.dialect.get("doubleQuote", True)),
        "skipinitialspace": bool(resource.dialect.get("skipInitialSpace", False)),
        "strict": True,
    }
    escape = resource.dialect.get("escapeChar")
    if isinstance(escape, str) and len(escape) == 1:
        options["escapechar"] = escape
    return options


def _write(resource: Resource, rows: list[list[str]]) -> str:
    """Minimal quoting: a cell is quoted only when it holds the delimiter, the quote
    character or a line break. (The csv module's QUOTE_MINIMAL with a "\n" line terminator
    leaves a lone "\r" unquoted, which reads back as a line break.)"""
    if resource.dialect.get("escapeChar") or not resource.dialect.get("doubleQuote", True):
        buffer = io.StringIO(newline="")
        csv.writer(buffer, **_writer_options(resource)).writerows(rows)
        return buffer.getvalue()
    delimiter, quote = resource.delimiter, resource.quote_char
    special = (delimiter, quote, "\n", "\r")
    lines = []
    for row in rows:
        cells = [
            quote + cell.replace(quote, quote * 2) + quote
            if any(char in cell for char in special)
            else cell
            for cell in row
        ]
        if cells == [""]:
            cells = [quote * 2]  # a lone empty cell must not read back as a blank line
        lines.append(delimiter.join(cells) + "\n")
    return "".join(lines)


def _writer_options(resource: Resource) -> dict[str, Any]:
    options = _reader_options(resource)
    options.pop("skipinitialspace")
    options.pop("strict")
    options.update(quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return options


def sort_key_function(resource: Resource, names: list[str]) -> Callable[[list[str]], tuple]:
    """Key of a canonical row (cells in `names` order), compared as the module doc says.

    Whether a key cell is a number is the Table Schema core's decision (`cells.number_text`,
    which also applies `bareNumber`, `groupChar` and `decimalChar`): the cell `validate` rejects
    sorts as text, after the numbers.
    """
    specs = {str(f.get("name")): f for f in resource.fields}
    positions = [(names.index(k), specs.get(k, {})) for k in resource.primary_key]

    def parse(cell: str, spec: dict[str, Any]) -> tuple[int, Any]:
        kind = field_type(spec)
        if kind not in _NUMERIC:
            return (0, cell)
        digits = integer_text(spec, cell) if kind == "integer" else number_text(spec, cell)
        number = None if digits is None else Decimal(digits)  # the rule admits only decimals
        return (0, number) if number is not None and number.is_finite() else (1, cell)

    def key(row: list[str]) -> tuple:
        return tuple(parse(row[i], spec) for i, spec in positions)

    return key


@dataclass
class Canonical:
    """The canonical bytes of one table and what had to change to get there."""

    data: bytes
    changes: list[str] = field(default_factory=list)
    #: The canonical rows (cells in schema order), for callers that compare tables.
    rows: list[list[str]] = field(default_factory=list)
    header: list[str] = field(default_factory=list)


def canonicalize(resource: Resource, data: bytes | None = None) -> Canonical:
    """The canonical form of a table; raises `FormatRefused` when it cannot be lossless."""
    raw = resource.file.read_bytes() if data is None else data
    table = read_table(resource, raw)
    where = {"resource": resource.name, "path": resource.path}
    names = resource.field_names
    header = [normalize_cell(c) for c in table.header]
    changes: list[str] = []
    if header == names:
        order = list(range(len(names)))
    elif sorted(header) == sorted(names) and len(set(header)) == len(header):
        order = [header.index(name) for name in names]
        changes.append("columns put in the schema's order")
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
    rows: list[list[str]] = []
    blank = 0
    trimmed = nfc = False
    for record, line in zip(table.rows, table.lines, strict=True):
        if not any(c.strip() for c in record):
            blank += 1
            continue
        if len(record) != len(header):
            raise FormatRefused(
                [
                    error(
                        "format-refused",
                        f"This row has {len(record)} cells but the header has {len(header)}.",
                        **where,
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
            nfc = nfc or composed != cell
            trimmed = trimmed or clean != composed
            cells.append(clean)
        rows.append(cells)
    if blank:
        changes.append(f"{blank} empty row(s) removed")
    if trimmed:
        changes.append("whitespace around cells trimmed")
    if nfc:
        changes.append("text put in Unicode NFC")
    if resource.primary_key:
        key = sort_key_function(resource, names)
        ordered = sorted(rows, key=key)
        if ordered != rows:
            changes.append(f"rows sorted by {', '.join(resource.primary_key)}")
        rows = ordered
    out = _write(resource, [names, *rows]).encode("utf-8")
    if table.has_bom:
        changes.append("byte order mark removed")
    if out != raw:
        changes.extend(_layout_changes(raw, bool(changes)))
    _verify_lossless(resource, out, names, rows)
    return Canonical(data=out, changes=changes, rows=rows, header=names)


def _layout_changes(raw: bytes, explained: bool) -> list[str]:
    """Why the bytes differ beyond the cells: line endings, final newline, else quoting."""
    reasons = []
    if b"\r\n" in raw or b"\r" in raw.replace(b"\r\n", b""):
        reasons.append("line endings made LF")
    if raw and not raw.endswith((b"\n", b"\r")):
        reasons.append("final newline added")
    if not reasons and not explained:
        reasons.append("quoting made minimal")
    return reasons


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


def first_difference(old: bytes, new: bytes) -> tuple[int, str, str]:
    """The first physical line (1-based) where two files differ, with both versions of it."""
    old_lines = old.split(b"\n")
    new_lines = new.split(b"\n")
    for number, (a, b) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        if a != b:
            return number, _show(a), _show(b)
    number = min(len(old_lines), len(new_lines))
    a = old_lines[number] if number < len(old_lines) else b""
    b = new_lines[number] if number < len(new_lines) else b""
    return number + 1, _show(a), _show(b)


def _show(line: bytes, limit: int = 80) -> str:
    text = line.decode("utf-8", "replace").lstrip("\ufeff")
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(shown)


@dataclass
class FileResult:
    resource: Resource
    changed: bool
    changes: list[str] = field(default_factory=list)
    #: First differing line of the current file, and that line before → after.
    line: int | None = None
    before: str = ""
    after: str = ""


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
        line, before, after = first_difference(raw, canonical.data)
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
                before=before,
                after=after,
            )
        )
    return outcome

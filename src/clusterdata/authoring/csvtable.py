"""CSV tables as text cells, read strictly and written with minimal quoting.

`clusterdata format` and the contribution rules both need the cells exactly as a CSV reader sees
them, with the physical line each record starts on; keeping the reading and writing here means
both compare the same cells.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from clusterdata.core.findings import Finding, error
from clusterdata.core.package import DataPackage, Resource

_UTF8 = {"utf-8", "utf8", "utf_8", "utf-8-sig"}
BOM = b"\xef\xbb\xbf"


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

    #: The labels (the schema's field names for `header: false`).
    header: list[str]
    rows: list[list[str]]
    #: Physical start line of each data row.
    lines: list[int]
    has_bom: bool = False
    #: For a dialect whose rows are not all records (header rows, comment rows): the file's
    #: lines before its first data row, as written; None otherwise.
    head: str | None = None
    #: Lines of rows after the first data row that are not data (comment rows).
    comment_lines: list[int] = field(default_factory=list)


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
    has_bom = raw.startswith(BOM)
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
    from clusterdata.core.lines import Records

    reader = Records(io.StringIO(text, newline=""), resource, strict=True)
    null = reader.dialect.null_sequence
    records: list[list[str]] = []
    starts: list[int] = []
    try:
        for record in reader:
            starts.append(reader.line)
            records.append(record if null is None else [null if c is None else c for c in record])
    except csv.Error as exc:
        raise FormatRefused(
            [
                error(
                    "source-error",
                    f"The CSV cannot be parsed: {exc}.",
                    resource=resource.name,
                    path=resource.path,
                    line=reader.end + 1,
                    hint="Look for a stray quote character on this line.",
                )
            ]
        ) from exc
    if not records or reader.end == 0:
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
    table = Table(header=records[0], rows=records[1:], lines=starts[1:], has_bom=has_bom)
    if reader.row_starts is not None:  # header rows or comment rows: keep them as written
        first = starts[1] if len(starts) > 1 else reader.end + 1
        table.head = "".join(_LINE.findall(text)[: first - 1])
        rows = set(starts[1:])
        table.comment_lines = [n for n in reader.row_starts if n > first and n not in rows]
    return table


def read_saved_table(resource: Resource, raw: bytes) -> tuple[Table, Resource, str | None]:
    """`read_table`, and for a file saved with another separator than the declared one
    (`core.separators`: a spreadsheet's `;`) the table read with that separator.

    Returns the table, the resource as the file was read (the declared one with the file's
    separator) and that separator, or None when the file has the declared one. Only a file
    whose header is on line 1 with no comment rows is told apart, as `validate` tells it.
    """
    table = read_table(resource, raw)
    if len(table.header) != 1 or not resource.csv_dialect.simple_records:
        return table, resource, None
    from dataclasses import replace

    from clusterdata.core.separators import saved_separator

    line = raw.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8-sig")
    separator = saved_separator(resource, line)
    if separator is None:
        return table, resource, None
    as_saved = replace(resource, dialect={**resource.dialect, "delimiter": separator})
    return read_table(as_saved, raw), as_saved, separator


#: One physical line with its ending, as the csv module splits lines (CR, LF or CRLF).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def column_values(package: DataPackage, table: str, column: str) -> list[str]:
    """The distinct non-empty values of `table.column`, sorted: what a drop-down offers (the
    spreadsheet template and the web form). Empty when the table or column cannot be read, so
    that a broken table costs the offer, never the page."""
    resource = package.resource(table)
    if resource is None:
        return []
    try:
        data = read_table(resource)
    except (FormatRefused, OSError):
        return []
    if column not in data.header:
        return []
    index = data.header.index(column)
    return sorted({row[index] for row in data.rows if index < len(row) and row[index]})


def write_rows(resource: Resource, rows: list[list[str]]) -> str:
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
    options = resource.csv_dialect.csv_options()
    options.pop("skipinitialspace")
    options.pop("strict")
    if options["escapechar"] is None:
        options.pop("escapechar")
    options.update(quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return options


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

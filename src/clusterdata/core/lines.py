"""Physical lines of CSV records, and the defects only a byte- or line-level reader can see.

frictionless-py numbers *records* (its `rowNumber`); an editor numbers *lines*. They differ as
soon as a quoted cell holds a newline, so every finding is translated through `LineMap`. The same
pass catches a stray quote that swallows the following rows into one cell, which frictionless
accepts silently.
"""

from __future__ import annotations

import codecs
import csv
import sys
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from clusterdata.core.dialect import CsvDialect
from clusterdata.core.findings import Finding, error, notice
from clusterdata.core.package import Resource

CHUNK = 1 << 20
_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}
_UTF8 = {"utf-8", "utf8", "utf_8", "utf-8-sig"}
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class ByteScan:
    """What the raw bytes of a file tell before any CSV parsing."""

    findings: list[Finding] = field(default_factory=list)
    #: True when the file cannot be parsed as text in its declared encoding.
    fatal: bool = False
    has_bom: bool = False
    crlf: int = 0
    lf: int = 0
    cr: int = 0
    size: int = 0


def scan_bytes(resource: Resource) -> ByteScan:
    """Stream the file once: encoding, BOM, NUL bytes, line endings. Memory stays bounded."""
    scan = ByteScan()
    where = {"resource": resource.name, "path": resource.path}
    utf8 = resource.encoding in _UTF8
    decoder = codecs.getincrementaldecoder("utf-8")("strict") if utf8 else None
    offset = 0
    line = 1
    previous_cr = False
    nul_reported = False
    with resource.file.open("rb") as handle:
        first = handle.read(4)
        scan.size = len(first)
        if not first:
            scan.fatal = True
            scan.findings.append(
                error(
                    "empty-file",
                    "The file is empty: it has no header row.",
                    **where,
                    line=1,
                    hint="Write the header row (the column names from the schema) on line 1.",
                )
            )
            return scan
        for bom, label in _BOMS.items():
            if first.startswith(bom):
                scan.fatal = True
                scan.findings.append(
                    error(
                        "encoding-error",
                        f"The file is saved as {label}, not {resource.encoding}.",
                        **where,
                        line=1,
                        value=label,
                        hint="Save the file again as 'CSV UTF-8' (UTF-8 without BOM).",
                    )
                )
                return scan
        if first.startswith(codecs.BOM_UTF8):
            scan.has_bom = True
            scan.findings.append(
                notice(  # layout: the project canonicalises it, never an error
                    "byte-order-mark",
                    "The file starts with a byte-order mark (Excel's CSV UTF-8 writes one).",
                    **where,
                    line=1,
                    hint="Nothing to do: `clusterdata format` removes it, and the project runs "
                    "that for you.",
                )
            )
        chunk = first + handle.read(CHUNK)
        while chunk:
            scan.size = offset + len(chunk)
            if not nul_reported and b"\x00" in chunk:
                position = chunk.index(b"\x00")
                nul_line = line + chunk.count(b"\n", 0, position)
                nul_reported = True
                scan.fatal = True
                scan.findings.append(
                    error(
                        "nul-byte",
                        "The file holds a NUL byte, so it is binary, not text.",
                        **where,
                        line=nul_line,
                        hint="Export the table again as CSV UTF-8 from your spreadsheet program.",
                    )
                )
            if decoder is not None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    bad_line = line + chunk.count(b"\n", 0, exc.start)
                    bad = chunk[exc.start : exc.start + 4]
                    scan.fatal = True
                    scan.findings.append(
                        error(
                            "encoding-error",
                            f"The file is not valid UTF-8 (byte {bad[:1].hex(' ')} at line "
                            f"{bad_line}); it looks saved as {_guess(chunk)}.",
                            **where,
                            line=bad_line,
                            value=bad.decode("cp1252", "replace"),
                            hint="Open the file and save it again as 'CSV UTF-8' (in Excel: File → "
                            "Save As → CSV UTF-8).",
                        )
                    )
                    decoder = None
            crlf = chunk.count(b"\r\n")
            scan.crlf += crlf
            scan.lf += chunk.count(b"\n") - crlf
            scan.cr += chunk.count(b"\r") - crlf
            if previous_cr and chunk.startswith(b"\n"):
                scan.cr -= 1
                scan.crlf += 1
                scan.lf -= 1
            previous_cr = chunk.endswith(b"\r")
            line += chunk.count(b"\n")
            offset += len(chunk)
            chunk = handle.read(CHUNK)
    if decoder is not None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            scan.fatal = True
            scan.findings.append(
                error(
                    "encoding-error",
                    "The file ends in the middle of a UTF-8 character.",
                    **where,
                    line=line,
                    hint="Save the file again as 'CSV UTF-8'.",
                )
            )
    kinds = sum(1 for n in (scan.crlf, scan.lf, scan.cr) if n)
    if kinds > 1:
        scan.findings.append(
            notice(
                "mixed-line-endings",
                f"The file mixes line endings (LF {scan.lf}, CRLF {scan.crlf}, CR {scan.cr}).",
                **where,
                hint="Nothing to do: `clusterdata format` writes LF throughout, and the project "
                "runs that for you.",
            )
        )
    elif scan.cr:
        scan.findings.append(
            notice(
                "line-endings",
                "The file ends its lines with CR only (old Mac style).",
                **where,
                hint="Nothing to do: `clusterdata format` writes LF line endings, and the project "
                "runs that for you.",
            )
        )
    return scan


def _guess(sample: bytes) -> str:
    """A human hint at the encoding; Swedish text that is not UTF-8 is nearly always cp1252."""
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return "an unknown encoding"
    return "Windows-1252 / Latin-1"


@dataclass
class LineMap:
    """Start line (1-based, physical) of each record; record 1 is the header.

    A line is all a person needs in a text file. Where it is not (a spreadsheet has rows, not
    lines; an inline row is one item of the descriptor's JSON), `place` words the record's place
    for the message: a template with `{row}` (the record's start: a sheet's row number) or
    `{index}` (the record number minus `index_offset`, for a JSON pointer's array index);
    `core.tables` sets it per format.
    """

    starts: array = field(default_factory=lambda: array("q"))
    total_lines: int = 0
    place: str = ""
    index_offset: int = 0
    #: Start line of each row of the file as frictionless-py numbers rows (header and comment
    #: rows included), where rows and records differ (`Records.row_starts`); else None.
    row_starts: array | None = None

    def row_line(self, row_number: int | None) -> int | None:
        """The line of a row as frictionless-py numbers rows when it reads the file itself."""
        if self.row_starts is None:
            return self.line(row_number)
        if row_number is not None and 1 <= row_number <= len(self.row_starts):
            return int(self.row_starts[row_number - 1])
        return None

    def line(self, row_number: int | None) -> int | None:
        if row_number is None:
            return None
        if 1 <= row_number <= len(self.starts):
            return int(self.starts[row_number - 1])
        return None

    def where(self, row_number: int | None) -> str:
        """The record's place in words beyond its line ("" for a text file's record)."""
        if not self.place or row_number is None or row_number < 1:
            return ""
        row = self.line(row_number) or row_number
        return self.place.format(row=row, index=max(0, row_number - self.index_offset))

    @property
    def records(self) -> int:
        return len(self.starts)


class Records:
    """A CSV's records as every layer reads them: first the header (its labels; the schema's
    field names for `header: false`), then each data record, cells as text (None for the
    dialect's null sequence). Header rows other than the header, comment rows and rows before
    the header are not records here (`core.dialect` says which rows are which).

    While iterating, `line` is the physical line the record last given starts on, `number` its
    row number in the file (as frictionless-py counts rows; 0 for field names standing in for a
    header), and `end` the last physical line read so far.
    """

    def __init__(self, handle: Any, resource: Resource, strict: bool = False) -> None:
        self.dialect = CsvDialect.of(resource.dialect, resource.format)
        self.names = resource.field_names
        self.line = 0
        self.number = 0
        self.end = 0
        #: Start line of every row of the file, header and comment rows included (kept only
        #: when rows are not all records: to place what frictionless-py numbers by row).
        self.row_starts: array | None = None if self.dialect.simple_records else array("q")
        self._first: list[str] = []
        source = _FirstLines(handle, self._first) if self.dialect.comment_char else handle
        self._reader = csv.reader(source, **self.dialect.csv_options(strict))

    def __iter__(self) -> Iterator[list[Any]]:
        dialect = self.dialect
        reader = self._reader
        number = 0
        if dialect.simple_records:  # the common case, kept tight: every row is a record
            if not dialect.has_header:
                self.line, self.number = 1, 0
                yield list(self.names)
            for cells in reader:
                number += 1
                self.line, self.end, self.number = self.end + 1, reader.line_num, number
                yield cells
            return
        starts = self.row_starts
        assert starts is not None

        def rows() -> Iterator[tuple[list[str], str]]:
            for cells in reader:
                starts.append(self.end + 1)
                self.end = reader.line_num
                first = self._first.pop() if self._first else ""
                self._first.clear()
                yield cells, first

        for number, record in dialect.records(rows(), self.names):
            if number and number > dialect.last_header_row:
                self.line, self.number = int(starts[number - 1]), number
            elif dialect.has_header:  # the header: at its first row's line
                self.line = int(starts[number - 1]) if number else 1
                self.number = dialect.header_rows[0]
            else:  # the field names standing in for a header
                self.line, self.number = 1, 0
            yield record


class _FirstLines:
    """The file's lines as the csv module reads them, noting the first line of each record
    (a comment is told by the row's first characters as written: `core.dialect`)."""

    def __init__(self, handle: Any, first: list[str]) -> None:
        self._handle = handle
        self._first = first

    def __iter__(self) -> _FirstLines:
        return self

    def __next__(self) -> str:
        line = next(self._handle)
        if not self._first:
            self._first.append(line)
        return str(line)


@contextmanager
def csv_records(resource: Resource, encoding: str, strict: bool = False) -> Iterator[Records]:
    """The records of a CSV file with the resource's dialect (`Records`): every layer and
    command that reads a CSV's records reads them here, so that record numbers, physical lines
    and cells agree everywhere."""
    with resource.file.open("r", encoding=encoding, newline="", errors="replace") as handle:
        yield Records(handle, resource, strict)


def map_lines(resource: Resource, encoding: str) -> tuple[LineMap, list[Finding]]:
    """Read the CSV once as every layer does (`csv_records`), noting where each record starts."""
    line_map = LineMap()
    findings: list[Finding] = []
    columns = 0
    with csv_records(resource, encoding) as reader:
        header: list[str] | None = None
        try:
            for record in reader:
                start = reader.line
                line_map.starts.append(start)
                if header is None:
                    header = ["" if label is None else label for label in record]
                    columns = len(record)
                elif reader.end > start:
                    findings.extend(swallowed(resource, record, header, start, reader.end, columns))
        except csv.Error as exc:
            findings.append(
                error(
                    "source-error",
                    f"The CSV cannot be parsed: {exc}.",
                    resource=resource.name,
                    path=resource.path,
                    line=reader.end + 1,
                    hint="Look for a stray quote character or an unusual delimiter on this line.",
                )
            )
        line_map.total_lines = reader.end
        line_map.row_starts = reader.row_starts
    return line_map, findings


def swallowed(
    resource: Resource,
    record: list[Any],
    header: list[str],
    start: int,
    end: int,
    columns: int,
) -> list[Finding]:
    """A cell over several lines whose lines look like rows: a quote opened by mistake."""
    threshold = max(1, columns - 1)
    for index, cell in enumerate(record):
        if cell is None or ("\n" not in cell and "\r" not in cell):
            continue
        inner = cell.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        row_like = sum(1 for part in inner[1:] if part.count(resource.delimiter) >= threshold)
        if not row_like:
            continue
        column = header[index] if index < len(header) else None
        return [
            error(
                "swallowed-rows",
                f"A quote character opens this cell and it runs over lines {start}–{end}, "
                f"swallowing {row_like} line(s) that look like rows of their own.",
                resource=resource.name,
                path=resource.path,
                line=start,
                column=column,
                value=cell[:80],
                hint='Remove the stray " in this cell, or close it; quote a cell only to hold a '
                "comma, a quote (written twice) or a line break.",
            )
        ]
    return []

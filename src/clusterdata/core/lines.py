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
    for the message: a template with `{row}` (the record number) or `{index}` (the record number
    minus `index_offset`, for a JSON pointer's array index); `core.tables` sets it per format.
    """

    starts: array = field(default_factory=lambda: array("q"))
    total_lines: int = 0
    place: str = ""
    index_offset: int = 0

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
        return self.place.format(row=row_number, index=max(0, row_number - self.index_offset))

    @property
    def records(self) -> int:
        return len(self.starts)


@contextmanager
def csv_records(resource: Resource, encoding: str) -> Iterator[Any]:
    """A csv reader over the file with the resource's dialect: every layer that reads records
    reads them this way, so that record numbers and physical lines agree across layers."""
    with resource.file.open("r", encoding=encoding, newline="", errors="replace") as handle:
        yield csv.reader(
            handle,
            delimiter=resource.delimiter,
            quotechar=resource.quote_char,
            doublequote=bool(resource.dialect.get("doubleQuote", True)),
            skipinitialspace=bool(resource.dialect.get("skipInitialSpace", False)),
            escapechar=_escape_char(resource),
            strict=False,
        )


def _escape_char(resource: Resource) -> str | None:
    value = resource.dialect.get("escapeChar")
    return value if isinstance(value, str) and len(value) == 1 else None


def map_lines(resource: Resource, encoding: str) -> tuple[LineMap, list[Finding]]:
    """Read the CSV once as the csv module does, noting where each record starts."""
    line_map = LineMap()
    findings: list[Finding] = []
    columns = 0
    previous_end = 0
    with csv_records(resource, encoding) as reader:
        header: list[str] = []
        try:
            for record in reader:
                start = previous_end + 1
                line_map.starts.append(start)
                end = reader.line_num
                if not header:
                    header = record
                    columns = len(record)
                elif end > start:
                    findings.extend(swallowed(resource, record, header, start, end, columns))
                previous_end = end
        except csv.Error as exc:
            findings.append(
                error(
                    "source-error",
                    f"The CSV cannot be parsed: {exc}.",
                    resource=resource.name,
                    path=resource.path,
                    line=previous_end + 1,
                    hint="Look for a stray quote character or an unusual delimiter on this line.",
                )
            )
    if not resource.has_header:
        # No header record: record 1 stands for the field names (`tables.records` puts them
        # first), so record n + 1 is the file's record n, and frictionless's row n is record n + 1.
        line_map.starts.insert(0, line_map.starts[0] if line_map.starts else 1)
    line_map.total_lines = previous_end
    return line_map, findings


def swallowed(
    resource: Resource, record: list[str], header: list[str], start: int, end: int, columns: int
) -> list[Finding]:
    """A cell over several lines whose lines look like rows: a quote opened by mistake."""
    threshold = max(1, columns - 1)
    for index, cell in enumerate(record):
        if "\n" not in cell and "\r" not in cell:
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

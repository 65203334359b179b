"""The record map: one vectorised scan of a CSV file's bytes finds where each record starts and
ends and on which physical line, without the csv module (`prepare`).

Only plain UTF-8 CSV is taken (anything else returns None and goes to frictionless); the few
records parsed in Python (ragged, blank, multi-line) are re-read by byte range, so the file's
bytes are never kept.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from array import array
from dataclasses import dataclass, field
from typing import Any, Protocol

from clusterdata.core.findings import Finding
from clusterdata.core.lines import LineMap, swallowed
from clusterdata.core.package import Resource
from clusterdata.validation.structure.duckdb_engine.trailing import Trailing


class PendingRead(Protocol):
    """A file being read into DuckDB (`reads._Read`), as the record map holds it: declared here
    so that this module, which `reads` imports, need not import `reads` back."""

    shared: Any
    size: int

    def result(self) -> tuple[int, list[tuple[int, str]]]: ...

    def discard(self) -> None: ...


_UTF8 = {"utf-8", "utf8", "utf_8"}


@dataclass
class Prepared:
    """A resource whose bytes are plain enough for the fast path, with its record map.

    The file's bytes are not kept: a 100 MB table would hold 100 MB for the few records that
    are ever parsed in Python (ragged, blank, multi-line); those are re-read by byte range.
    """

    resource: Resource
    line_map: LineMap
    #: Byte offset where each record starts (record 0 = header) and ends (exclusive).
    starts: Any
    ends: Any
    #: Indexes (into records) of blank records: frictionless reports them as blank rows.
    blank: list[int]
    #: Indexes of records that span several lines (quoted newlines), with their line breaks.
    multiline: list[int]
    embedded_newlines: int
    header: list[str]
    spans: dict[int, int] = field(default_factory=dict, repr=False)
    findings: list[Finding] = field(default_factory=list)
    #: The file's read into DuckDB, started while its bytes were scanned (`prepare_group`).
    read: PendingRead | None = field(default=None, repr=False)


#: Bytes scanned at a time by `prepare`: its temporaries are a few times this, not the file.
CHUNK_BYTES = 8 * 1024 * 1024
#: Bytes decoded at a time to check a chunk is UTF-8: each piece's str is freed and its memory
#: reused by the next (an 8 MB str would be fresh pages every chunk).
DECODE_BYTES = 256 * 1024


def prepare(resource: Resource) -> Prepared | None:
    """Scan the file once, in chunks, and find its records; None when only the general path is
    safe.

    Returns None (so frictionless and the byte scanner of `lines` handle the file) for anything
    but plain UTF-8 CSV: a BOM, a NUL byte, invalid UTF-8, CR-only line ends, an unusual dialect,
    or a header that differs from the schema's field names (frictionless reports label errors).

    A record ends at a newline after an even number of quote characters; the other newlines
    are *inner* (inside a quoted cell). Record i (0 = header) starts on line i + 1 plus the
    inner newlines before it, so only the record ends and the few inner newlines are kept, not
    every newline. Memory: 8 bytes per record and fixed-size chunk temporaries.
    """
    import numpy as np

    if not _plain_resource(resource):
        return None
    quote = resource.quote_char.encode("utf-8")
    quote_byte = quote[0]
    decoder = codecs.getincrementaldecoder("utf-8")()
    ends_parts: list[Any] = []
    inner_parts: list[Any] = []
    newline_count = 0
    return_count = 0
    crlf_only = True
    quotes_before = 0  # quote characters before the current chunk
    size = 0
    last = b""
    tail = b""  # the file's last bytes: its last record may end without a newline
    trailing = Trailing(resource, len(resource.table_schema.fields))
    # One buffer, and one mask over it, for every chunk: fresh temporaries per chunk cost a page
    # fault per page of every chunk (bench/results.md, "Design measurements").
    try:
        capacity = max(1, min(CHUNK_BYTES, resource.file.stat().st_size))
    except OSError:
        return None
    space = bytearray(capacity)
    view = memoryview(space)
    buffer_all = np.frombuffer(space, dtype=np.uint8)
    mask_all = np.empty(capacity, dtype=bool)
    try:
        with resource.file.open("rb") as handle:
            while length := handle.readinto(space):
                if size == 0:  # the header line is all `_head_ok` reads
                    end = space.find(b"\n", 0, length)
                    if not _head_ok(resource, bytes(view[: end + 1 if end >= 0 else length])):
                        return None
                if space.find(b"\x00", 0, length) >= 0:
                    return None
                # (a short chunk, the last, must not be judged with the bytes left behind it)
                ascii = space.isascii() if length == capacity else bytes(view[:length]).isascii()
                if not ascii or decoder.getstate()[0]:
                    try:  # the general path locates the bad byte
                        for at in range(0, length, DECODE_BYTES):  # small strs: no page faults
                            decoder.decode(view[at : min(length, at + DECODE_BYTES)])
                    except UnicodeDecodeError:
                        return None
                buffer = buffer_all[:length]
                mask = mask_all[:length]
                newlines = np.flatnonzero(np.equal(buffer, 10, out=mask))
                newline_count += len(newlines)
                # A newline ends a record when an even number of quote characters precede it.
                if space.find(quote, 0, length) >= 0:
                    quotes = np.flatnonzero(np.equal(buffer, quote_byte, out=mask))
                    inside = ((np.searchsorted(quotes, newlines) + quotes_before) & 1).astype(bool)
                    if inside.any():
                        ends = newlines[~inside]
                        inner_parts.append(newlines[inside].astype(np.int64) + size)
                    else:
                        ends = newlines
                    trailing.scan(buffer, ends, size, quotes, quotes_before)
                    quotes_before += len(quotes)
                elif quotes_before % 2 == 0:
                    ends = newlines
                    trailing.scan(buffer, ends, size, None, 0)
                else:
                    ends = newlines[:0]
                    inner_parts.append(newlines.astype(np.int64) + size)
                # (bytes.find is a memchr: far cheaper than a vector compare when there is no CR)
                if space.find(b"\r", 0, length) >= 0:
                    returns = np.flatnonzero(np.equal(buffer, 13, out=mask))
                    return_count += len(returns)
                    # Every CR must start a CRLF (CR-only and mixed line ends: `lines` reports
                    # them); a CR as a chunk's last byte is checked against the next chunk.
                    following = returns + 1
                    inner = following < length
                    if (buffer[following[inner]] != 10).any():
                        crlf_only = False
                    if not inner.all():
                        peek = handle.read(1)
                        handle.seek(-len(peek), os.SEEK_CUR)
                        if peek != b"\n":
                            crlf_only = False
                del buffer, mask
                ends_parts.append(ends.astype(np.int64) + size)
                size += length
                last = bytes(view[length - 1 : length])
                tail = (tail + bytes(view[max(0, length - 4) : length]))[-4:]
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    except OSError:
        return None
    if size == 0:
        return None
    if return_count and (not crlf_only or return_count != newline_count):
        return None  # CR-only or mixed line ends: `lines.scan_bytes` reports them
    record_ends = np.concatenate(ends_parts) if ends_parts else np.empty(0, np.int64)
    inner_newlines = np.concatenate(inner_parts) if inner_parts else np.empty(0, np.int64)
    del ends_parts, inner_parts
    starts = np.concatenate(([0], record_ends + 1))
    ends = np.concatenate((record_ends, [size]))
    del record_ends
    if starts[-1] >= size:  # the file ends with a newline: no record after it
        starts, ends = starts[:-1], ends[:-1]
    if len(starts) == 0:
        return None
    if last != b"\n" and trailing.ends_empty(tail):
        trailing.unsure.append(len(starts) - 1)
    if trailing.ragged or _any_ragged(resource, starts, ends, trailing.unsure):
        return None  # DuckDB would drop the extra empty cells: frictionless reports them
    # Physical line of each record's first byte, and the inner newlines of each record.
    lines = np.arange(1, len(starts) + 1, dtype=np.int64)
    multiline: list[int] = []
    spans: dict[int, int] = {}
    if len(inner_newlines):
        before = np.searchsorted(inner_newlines, starts)
        lines += before
        within = np.searchsorted(inner_newlines, ends) - before
        multiline = [int(i) for i in np.flatnonzero(within)]
        spans = {i: int(within[i]) for i in multiline}
    lengths = ends - starts
    blank_mask = lengths == 0
    if return_count:
        # Every CR precedes a LF here, so a one-byte record ending at a LF is a lone CR.
        blank_mask |= (lengths == 1) & (ends < size)
    blank = [int(i) for i in np.flatnonzero(blank_mask) if i > 0]
    if 0 in spans or blank_mask[0]:
        return None  # a header over several lines: leave it to the csv module
    header = _parse_header(resource, _read_range(resource, int(starts[0]), int(ends[0])))
    if header != resource.field_names:
        return None
    line_map = LineMap(starts=array("q"), total_lines=newline_count + (0 if last == b"\n" else 1))
    line_map.starts.frombytes(lines.tobytes())
    return Prepared(
        resource=resource,
        line_map=line_map,
        starts=starts,
        ends=ends,
        blank=blank,
        multiline=multiline,
        embedded_newlines=len(inner_newlines),
        header=header,
        spans=spans,
    )


def _any_ragged(resource: Resource, starts: Any, ends: Any, records: list[int]) -> bool:
    """Whether one of these records, parsed by the csv module, has not the schema's width."""
    width = len(resource.table_schema.fields)
    for index in records:
        if index < 1:
            continue
        raw = _read_range(resource, int(starts[index]), int(ends[index])) or b""
        if len(_parse(resource, raw.decode("utf-8", errors="replace"))) != width:
            return True
    return False


def _plain_resource(resource: Resource) -> bool:
    """UTF-8 CSV in a dialect DuckDB reads exactly as the csv module does."""
    if resource.encoding not in _UTF8 or resource.format not in {"csv", "tsv"}:
        return False
    if not resource.has_plain_dialect or not resource.dialect.get("header", True):
        return False
    if not resource.dialect.get("doubleQuote", True) or not resource.table_schema.fields:
        return False
    return len(resource.quote_char.encode("utf-8")) == 1


def _parse_header(resource: Resource, raw: bytes | None) -> list[str] | None:
    if raw is None:
        return None
    try:
        return _parse(resource, raw.decode("utf-8", errors="replace").rstrip("\r"))
    except csv.Error:  # e.g. a lone carriage return inside the line: the general path reports it
        return None


def _head_ok(resource: Resource, head: bytes) -> bool:
    """The first bytes of the file: no BOM, and a header (when its line holds no quote, so the
    line is the whole record) naming the schema's fields. Lets a table the fast path cannot
    take out before its file is scanned or read into DuckDB; `prepare` has the last word."""
    if head.startswith(codecs.BOM_UTF8):
        return False
    end = head.find(b"\n")
    if end < 0 or resource.quote_char.encode("utf-8") in head[:end]:
        return True
    return _parse_header(resource, head[:end]) == resource.field_names


def head_ok(resource: Resource) -> bool:
    """A cheap first look (the first 64 KiB): whether `prepare` may take the file at all."""
    if not _plain_resource(resource):
        return False
    try:
        with resource.file.open("rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return False
    return bool(head) and _head_ok(resource, head)


def _read_range(resource: Resource, start: int, end: int) -> bytes | None:
    """Bytes `start:end` of the resource's file (the few records parsed in Python)."""
    try:
        with resource.file.open("rb") as handle:
            handle.seek(start)
            return handle.read(end - start)
    except OSError:
        return None


def swallowed_findings(prepared: Prepared) -> list[Finding]:
    """The `lines.map_lines` check for stray quotes, on the few records that span lines."""
    resource = prepared.resource
    findings: list[Finding] = []
    for index in prepared.multiline:
        record = parse_record(prepared, index)
        start = int(prepared.line_map.starts[index])
        end = start + _span(prepared, index)
        findings.extend(
            swallowed(resource, record, prepared.header, start, end, len(prepared.header))
        )
    return findings


def _span(prepared: Prepared, index: int) -> int:
    """Line breaks inside record `index` (0 unless it spans several lines)."""
    return prepared.spans.get(index, 0)


def parse_record(prepared: Prepared, index: int) -> list[str]:
    resource = prepared.resource
    raw = _read_range(resource, int(prepared.starts[index]), int(prepared.ends[index])) or b""
    return _parse(resource, raw.decode("utf-8", errors="replace"))


def _parse(resource: Resource, text: str) -> list[str]:
    """One record's text parsed with the dialect's csv options, as `core.lines.Records` reads
    it (this engine takes only dialects whose rows are all records: `_plain_resource`)."""
    options = resource.csv_dialect.csv_options()
    return next(csv.reader(io.StringIO(text, newline=""), **options), [])

"""Layer 1 at scale: the same Table Schema checks as frictionless-py, evaluated in DuckDB.

Why: frictionless-py validates row by row in Python (~55 s for a 1M-row package on 2 cores) and
re-parses referenced tables for foreign keys. Here every cell is loaded as text into DuckDB and
checked column-wise, yet the findings are *the same* as frictionless's — same check ids, rows,
columns and physical lines — because frictionless stays the judge of every doubtful cell:

1. A vectorised SQL pre-filter marks a cell *clean* only when it certainly passes: a strict
   pattern per type (a subset of what frictionless accepts — never DuckDB's looser TRY_CAST,
   which turns '1987.5' into 1988), then the constraints on the cast value.
2. Every row with a cell that is not certainly clean (a *suspect*), every ragged row and every
   blank row is handed to frictionless's own `Row` with the schema's own cell readers; its
   errors are the findings. Suspects are few in real data, so Python touches few rows; a column
   the pre-filter cannot judge (an exotic type or format) simply makes all its rows suspects,
   which is slower but still exact.
3. Keys (primary key, `unique`, foreign keys) compare the *parsed* values, as frictionless does
   (`'01'` and `'1'` are the same integer): clean cells are canonicalised in SQL, suspects by
   frictionless, and duplicates / dangling references are GROUP BY and anti-join queries (or,
   for a group of small tables, the same comparisons in Python: `_PythonKeys`).

Physical lines come from one vectorised pass over the bytes (record boundaries are newlines
outside quotes), checked against DuckDB's own record count; when the two disagree — a stray
quote, an unusual dialect — the component falls back to frictionless, which is always correct.

Where the time goes (1M rows, 2 cores): DuckDB reading the text into a table and the byte
scan, each on a core of its own (`prepare_group`: neither holds the GIL), then one filtered
scan per table for the suspects and the GROUP BY / anti-join per key. A small table costs
what DuckDB spends binding its queries, so those are few: one read, one view, one query.

When: `use_fast_path` decides per group of tables linked by foreign keys (they must run in the
same engine); every group whose files and schema it supports runs here, whatever its size.
Measured on this 2-core machine (2026-11-23, `clusterdata validate`, median of 3): the bundled
package 1.0 s here against 2.0 s through frictionless + pandas, a 1,000-row generated package
with defects 1.57 s both ways, and from 10,000 rows up this path is faster (bench/results.md).
The frictionless engine needs pandas and pandera for layer 2 on every table (~0.9 s of
imports); this one only for rows it cannot certify. `CLUSTERDATA_FASTPATH=0` forces
frictionless (tests of that engine use it), `=1` the fast path.
"""

from __future__ import annotations

import codecs
import contextlib
import copy
import csv
import io
import json
import os
import re
import weakref
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clusterdata.findings import Finding
from clusterdata.lines import LineMap, _swallowed
from clusterdata.package import DataPackage, Resource, as_list

if TYPE_CHECKING:
    import duckdb

    from clusterdata.structure import StructureResult

#: Below this many bytes of CSV in a group of linked tables frictionless would be used; no size
#: was found where it is faster (see the module docstring), so none.
FAST_MIN_BYTES = 0
ENV = "CLUSTERDATA_FASTPATH"
_UTF8 = {"utf-8", "utf8", "utf_8"}
#: Types whose parsed values compare equal exactly when `str(value)` does, so keys can be
#: compared as canonical text in SQL.
_KEY_TYPES = {"string", "integer", "year", "date", "boolean"}


def mode() -> str:
    """'force', 'off' or 'auto', from the environment."""
    value = os.environ.get(ENV, "").strip().lower()
    if value in {"1", "true", "yes", "force", "on"}:
        return "force"
    if value in {"0", "false", "no", "off"}:
        return "off"
    return "auto"


def use_fast_path(group_bytes: int) -> bool:
    """Whether a group of linked tables of this total size should run in DuckDB."""
    chosen = mode()
    if chosen == "force":
        return True
    if chosen == "off":
        return False
    return group_bytes >= FAST_MIN_BYTES


# ---------------------------------------------------------------------------------------------
# Preparation: bytes → record boundaries and physical lines, without the csv module.


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
    read: _Read | None = field(default=None, repr=False)


#: Bytes scanned at a time by `prepare`: its temporaries are a few times this, not the file.
CHUNK_BYTES = 8 * 1024 * 1024


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
    try:
        with resource.file.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                if size == 0 and not _head_ok(resource, chunk):
                    return None
                if b"\x00" in chunk:
                    return None
                if not chunk.isascii() or decoder.getstate()[0]:
                    try:  # the general path locates the bad byte
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        return None
                buffer = np.frombuffer(chunk, dtype=np.uint8)
                newlines = np.flatnonzero(buffer == 10)
                newline_count += len(newlines)
                # A newline ends a record when an even number of quote characters precede it.
                if chunk.find(quote) >= 0:
                    quotes = np.flatnonzero(buffer == quote_byte)
                    inside = ((np.searchsorted(quotes, newlines) + quotes_before) & 1).astype(bool)
                    if inside.any():
                        ends = newlines[~inside]
                        inner_parts.append(newlines[inside].astype(np.int64) + size)
                    else:
                        ends = newlines
                    quotes_before += len(quotes)
                elif quotes_before % 2 == 0:
                    ends = newlines
                else:
                    ends = newlines[:0]
                    inner_parts.append(newlines.astype(np.int64) + size)
                # (bytes.find is a memchr: far cheaper than a vector compare when there is no CR)
                if chunk.find(b"\r") >= 0:
                    returns = np.flatnonzero(buffer == 13)
                    return_count += len(returns)
                    # Every CR must start a CRLF (CR-only and mixed line ends: `lines` reports
                    # them); a CR as a chunk's last byte is checked against the next chunk.
                    following = returns + 1
                    inner = following < len(chunk)
                    if (buffer[following[inner]] != 10).any():
                        crlf_only = False
                    if not inner.all():
                        peek = handle.read(1)
                        handle.seek(-len(peek), os.SEEK_CUR)
                        if peek != b"\n":
                            crlf_only = False
                del buffer
                ends_parts.append(ends.astype(np.int64) + size)
                size += len(chunk)
                last = chunk[-1:]
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


def _plain_resource(resource: Resource) -> bool:
    """UTF-8 CSV in a dialect DuckDB reads exactly as the csv module does."""
    if resource.encoding not in _UTF8 or resource.format not in {"csv", "tsv"}:
        return False
    if not resource.has_plain_dialect or not resource.dialect.get("header", True):
        return False
    if not resource.dialect.get("doubleQuote", True) or not resource.fields:
        return False
    return len(resource.quote_char.encode("utf-8")) == 1


def _parse_header(resource: Resource, raw: bytes | None) -> list[str] | None:
    if raw is None:
        return None
    text = raw.decode("utf-8", errors="replace").rstrip("\r")
    return next(csv.reader([text], delimiter=resource.delimiter, quotechar=resource.quote_char), [])


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


def prepare_group(resources: list[Resource], shared: FastPackage) -> list[Prepared] | None:
    """`prepare` every table of a linked group while DuckDB reads their files (threads of
    their own: neither numpy nor DuckDB holds the GIL, so the scan and the read share the
    cores instead of taking turns); None, and nothing left behind, when one cannot be taken.
    Check `head_ok` first: a read started for nothing costs a core for a while.
    """
    schemas = shared.new_schemas(len(resources))
    reads = [_Read(shared, r, schema) for r, schema in zip(resources, schemas, strict=True)]
    try:
        items = [prepare(resource) for resource in resources]
    except BaseException:
        for each in reads:
            each.discard()
        raise
    prepared: list[Prepared] = []
    for item, read in zip(items, reads, strict=True):
        if item is None:
            for each in reads:
                each.discard()
            return None
        item.read = read
        prepared.append(item)
    return prepared


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
        record = _parse_record(prepared, index)
        start = int(prepared.line_map.starts[index])
        end = start + _span(prepared, index)
        findings.extend(
            _swallowed(resource, record, prepared.header, start, end, len(prepared.header))
        )
    return findings


def _span(prepared: Prepared, index: int) -> int:
    """Line breaks inside record `index` (0 unless it spans several lines)."""
    return prepared.spans.get(index, 0)


def _parse_record(prepared: Prepared, index: int) -> list[str]:
    resource = prepared.resource
    raw = _read_range(resource, int(prepared.starts[index]), int(prepared.ends[index])) or b""
    text = raw.decode("utf-8", errors="replace")
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=resource.delimiter,
        quotechar=resource.quote_char,
        strict=False,
    )
    return next(reader, [])


# ---------------------------------------------------------------------------------------------
# Eligibility of a schema: keys must be comparable as canonical text.


def schema_supported(resource: Resource, package_resources: dict[str, Resource]) -> bool:
    """Keys of types whose values compare like their text; foreign keys between equal types."""
    types = {str(f.get("name")): str(f.get("type", "string")) for f in resource.fields}
    keyed = set(resource.primary_key)
    for spec in resource.fields:
        constraints = spec.get("constraints") if isinstance(spec.get("constraints"), dict) else {}
        if (constraints or {}).get("unique"):
            keyed.add(str(spec.get("name")))
    for fk in resource.foreign_keys:
        fields = as_list(fk.get("fields"))
        keyed.update(fields)
        ref = fk.get("reference") if isinstance(fk.get("reference"), dict) else {}
        target = package_resources.get(str((ref or {}).get("resource") or "") or resource.name)
        if target is None:
            continue
        target_types = {str(f.get("name")): str(f.get("type", "string")) for f in target.fields}
        for local, remote in zip(fields, as_list((ref or {}).get("fields")), strict=False):
            if types.get(local) != target_types.get(remote):
                return False
            if target_types.get(remote) not in _KEY_TYPES:
                return False
    return all(types.get(name, "string") in _KEY_TYPES for name in keyed)


# ---------------------------------------------------------------------------------------------
# The frictionless schema of a resource: parsed once per validation.

#: id(resource) → its validated frictionless `Schema`; an entry leaves with its resource.
_SCHEMAS: dict[int, Any] = {}


def parse_schema(resource: Resource) -> Any:
    """The resource's schema as a validated frictionless `Schema`, parsed once.

    Raises what `Schema.from_descriptor` raises. Layer 1 validates every schema
    (`structure._schema_findings`) and the fast path then reads each field's missing values,
    constraints and cell readers from the same object: a parse costs ~1 ms per table, and a
    package has a dozen tables.
    """
    key = id(resource)
    cached = _SCHEMAS.get(key)
    if cached is not None:
        return cached
    from frictionless import Schema

    # frictionless keeps, and may normalise, the descriptor it is given: it gets a copy.
    schema = Schema.from_descriptor(copy.deepcopy(resource.schema))
    _SCHEMAS[key] = schema
    weakref.finalize(resource, _SCHEMAS.pop, key, None)
    return schema


def _fl_schema(resource: Resource) -> Any:
    """The parsed schema (layer 1 validated it already), or a parse without validation."""
    cached = _SCHEMAS.get(id(resource))
    if cached is not None:
        return cached
    from frictionless import Schema

    return Schema.from_descriptor(copy.deepcopy(resource.schema), allow_invalid=True)


def _cell_handlers(fl_schema: Any) -> dict[str, Any]:
    """frictionless's cell handlers for the schema's fields, without their pattern checks.

    Unlike `create_cell_handlers` (which copies every field, ~0.2 ms each) the handlers share
    the schema's fields, which nothing here changes. A field's reader compiles its checks when
    it is created and reads `constraints` again only for the note of a failed check, so a
    reader made while the field's constraints lack `pattern` never runs Python's unbounded `re`
    on a hostile pattern (`patterncheck.RowPatterns` checks them, with a time limit); the field
    gets its constraints back at once.
    """
    from frictionless.table.row import _CellHandler

    handlers: dict[str, Any] = {}
    for number, fl_field in enumerate(fl_schema.fields, start=1):
        constraints = fl_field.constraints
        if "pattern" in constraints:
            fl_field.constraints = {k: v for k, v in constraints.items() if k != "pattern"}
            try:
                reader = fl_field.create_cell_reader()
            finally:
                fl_field.constraints = constraints
        else:
            reader = fl_field.create_cell_reader()
        handlers[fl_field.name] = _CellHandler(
            field=fl_field,
            field_number=number,
            reader=reader,
            writer=fl_field.create_cell_writer(),
        )
    return handlers


# ---------------------------------------------------------------------------------------------
# SQL


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


#: Patterns DuckDB's RE2 compiles (True) or rejects (False): the answer depends on the pattern
#: alone, and a package repeats its id pattern in every table.
_RE2_ACCEPTS: dict[str, bool] = {}
_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]
_URI = r"https?://[A-Za-z0-9.-]+(/[A-Za-z0-9._~/-]*)?"
_DATETIME = r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z?"


def _and(*parts: str) -> str:
    """SQL conjunction with the literal TRUE and FALSE folded away."""
    if "FALSE" in parts:
        return "FALSE"
    kept = [p for p in parts if p != "TRUE"]
    return " AND ".join(kept) if kept else "TRUE"


def _or(*parts: str) -> str:
    """SQL disjunction with the literal TRUE and FALSE folded away."""
    if "TRUE" in parts:
        return "TRUE"
    kept = [p for p in parts if p != "FALSE"]
    return "(" + " OR ".join(kept) + ")" if kept else "FALSE"


def _enum_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


class _Column:
    """SQL for one field: missing, certainly-clean, canonical key text."""

    def __init__(
        self, connection: duckdb.DuckDBPyConnection, fl_field: Any, spec: dict[str, Any], index: int
    ) -> None:
        self.index = index
        self.spec = spec
        self.kind = str(spec.get("type", "string"))
        self.fmt = str(spec.get("format", "default") or "default")
        missing = fl_field.missing_values
        if not fl_field.has_defined("missing_values") and fl_field.schema:
            missing = fl_field.schema.missing_values
        self.missing_values = [str(m) for m in missing]
        # The cell's text (NULL is the empty cell). Every check but `missing()` matters only for
        # cells that are not missing, which are never NULL when "" is a missing value.
        self.v = f"c{index}" if "" in self.missing_values else f"coalesce(c{index}, '')"
        self.constraints = dict(fl_field.constraints or {})
        self.supported = set(fl_field.supported_constraints)
        self.connection = connection
        self.fl_field = fl_field

    def missing(self) -> str:
        """TRUE when the cell is one of the field's missing values (never NULL)."""
        if not self.missing_values:
            return "FALSE"
        cell = f"c{self.index}"
        listed = ", ".join(_lit(m) for m in self.missing_values)
        if self.missing_values == [""]:
            return f"({cell} IS NULL OR {cell} = '')"
        if "" in self.missing_values:
            return f"({cell} IS NULL OR {cell} IN ({listed}))"
        return f"(coalesce({cell}, '') IN ({listed}))"

    def _type_ok(self) -> str:
        v, kind, fmt, spec = self.v, self.kind, self.fmt, self.spec
        if kind == "string":
            if fmt == "default":
                return "TRUE"
            if fmt == "uri":
                return f"regexp_full_match({v}, {_lit(_URI)})"
            return "FALSE"
        if kind == "any":
            return "TRUE"
        if kind in {"integer", "number"} and (
            {"bareNumber", "groupChar", "decimalChar"} & set(spec)
        ):
            return "FALSE"
        if kind == "integer":
            return f"regexp_full_match({v}, '-?[0-9]{{1,18}}')"
        if kind == "number":
            return f"regexp_full_match({v}, '-?[0-9]{{1,15}}(\\.[0-9]{{1,15}})?')"
        if kind == "year":
            return f"regexp_full_match({v}, '[0-9]{{4}}')"
        if kind == "boolean":
            values = [str(x) for x in (spec.get("trueValues", _TRUE) or [])] + [
                str(x) for x in (spec.get("falseValues", _FALSE) or [])
            ]
            if not values:
                return "FALSE"
            return f"({v} IN ({', '.join(_lit(x) for x in values)}))"
        if kind == "date" and fmt == "default":
            return (
                f"(regexp_full_match({v}, '[1-9][0-9]{{3}}-[0-9]{{2}}-[0-9]{{2}}') "
                f"AND TRY_CAST({v} AS DATE) IS NOT NULL)"
            )
        if kind == "datetime" and fmt == "default":
            return (
                f"(regexp_full_match({v}, {_lit(_DATETIME)}) "
                f"AND TRY_CAST(replace({v}, 'Z', '') AS TIMESTAMP) IS NOT NULL)"
            )
        return "FALSE"

    def _typed(self) -> str | None:
        """The clean cell as a comparable SQL value, for minimum/maximum."""
        if self.kind in {"integer", "year"}:
            return f"TRY_CAST({self.v} AS BIGINT)"
        if self.kind == "number":
            return f"TRY_CAST({self.v} AS DOUBLE)"
        if self.kind == "date" and self.fmt == "default":
            return f"TRY_CAST({self.v} AS DATE)"
        return None

    def _bound(self, name: str, value: Any) -> str:
        """SQL that is TRUE only when the bound certainly holds; FALSE makes a suspect."""
        typed = self._typed()
        parsed = self.fl_field.create_value_reader()(value)
        if typed is None or parsed is None:
            return "FALSE"
        if self.kind in {"integer", "year"}:
            literal = str(int(parsed))
        elif self.kind == "number":
            bound = float(parsed)
            slack = 1e-9 * max(1.0, abs(bound))
            # Values within `slack` of the bound are left to frictionless's Decimal arithmetic.
            bound = bound + slack if name in {"minimum", "exclusiveMinimum"} else bound - slack
            literal = repr(bound)
            if not re.fullmatch(r"-?[0-9.e+-]+", literal):
                return "FALSE"
        else:
            literal = f"DATE {_lit(parsed.isoformat())}"
        operator = {
            "minimum": ">=",
            "maximum": "<=",
            "exclusiveMinimum": ">",
            "exclusiveMaximum": "<",
        }[name]
        if self.kind == "number":
            operator = {
                "minimum": ">",
                "maximum": "<",
                "exclusiveMinimum": ">",
                "exclusiveMaximum": "<",
            }[name]
        return f"({typed} {operator} {literal})"

    def _pattern_ok(self, pattern: str) -> bool:
        """Whether DuckDB's RE2 accepts the pattern (asked once per pattern and process)."""
        import duckdb

        if "[:" in pattern or "\\Z" in pattern:
            return False
        known = _RE2_ACCEPTS.get(pattern)
        if known is None:
            try:
                self.connection.execute("SELECT regexp_full_match('', ?)", [pattern]).fetchall()
                known = True
            except duckdb.Error:
                known = False
            _RE2_ACCEPTS[pattern] = known
        return known

    def _constraints_ok(self) -> str:
        parts: list[str] = []
        v = self.v
        for name, value in self.constraints.items():
            if name not in self.supported or name in {"required", "unique"}:
                continue
            if name in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
                parts.append(self._bound(name, value))
            elif name == "enum" and isinstance(value, list):
                texts = [_enum_text(x) for x in value]
                parts.append(
                    f"({v} IN ({', '.join(_lit(t) for t in texts)}))" if texts else "FALSE"
                )
            elif name == "pattern" and isinstance(value, str) and self.kind == "string":
                parts.append(
                    f"regexp_full_match({v}, {_lit(value)})" if self._pattern_ok(value) else "FALSE"
                )
            elif name == "minLength" and isinstance(value, int) and not isinstance(value, bool):
                parts.append(f"(length({v}) >= {value})")
            elif name == "maxLength" and isinstance(value, int) and not isinstance(value, bool):
                parts.append(f"(length({v}) <= {value})")
            else:
                parts.append("FALSE")
        return _and(*parts)

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    def suspect(self) -> str:
        """TRUE when frictionless must look at this cell: a missing cell when the field is
        required, else a cell that is not certainly of the type and within the constraints.

        Plain boolean logic with the constant parts folded away (a plain string column costs
        nothing): DuckDB binds and optimises a CASE or coalesce per column at a cost that
        dominates a small table's query. `ok` is never NULL for a cell that is not missing
        (each cast is guarded by a pattern the cast cannot fail on), and a missing cell
        decides the result before `ok` is looked at.
        """
        missing = self.missing()
        ok = _and(self._type_ok(), self._constraints_ok())
        if ok == "TRUE":
            return missing if self.required else "FALSE"
        if ok == "FALSE":
            return "TRUE" if self.required or missing == "FALSE" else f"(NOT {missing})"
        if missing == "FALSE":
            return f"(NOT ({ok}))"
        if self.required:
            return f"({missing} OR NOT ({ok}))"
        return f"(NOT {missing} AND NOT ({ok}))"

    def rejects_newline(self) -> bool:
        """Whether a cell holding a line break is certainly a suspect (or a missing value, none
        of which holds one): its type or an enum admits no line break. Only the other columns
        need looking at for the line-break check."""
        if any("\n" in m for m in self.missing_values):
            return False
        if _and(self._type_ok(), self._constraints_ok()) == "FALSE":
            return True
        kind = self.kind
        if kind in {"integer", "number", "year", "date", "datetime"}:
            return True
        if kind == "string" and self.fmt == "uri":
            return True
        if kind == "boolean":
            values = [str(x) for x in (self.spec.get("trueValues", _TRUE) or [])]
            values += [str(x) for x in (self.spec.get("falseValues", _FALSE) or [])]
            return not any("\n" in v for v in values)
        enum = self.constraints.get("enum")
        return (
            "enum" in self.supported
            and isinstance(enum, list)
            and not any("\n" in _enum_text(x) for x in enum)
        )

    def canonical(self) -> str:
        """`str(value)` of the parsed value of a clean cell, as frictionless would compare it."""
        v = self.v
        if self.kind in {"integer", "year"}:
            body = f"CAST(TRY_CAST({v} AS BIGINT) AS VARCHAR)"
        elif self.kind == "boolean":
            trues = [str(x) for x in (self.spec.get("trueValues", _TRUE) or [])]
            body = (
                f"(CASE WHEN {v} IN ({', '.join(_lit(t) for t in trues) or 'NULL'}) "
                "THEN 'True' ELSE 'False' END)"
            )
        else:  # string, date (strict ISO form is its own str())
            if self.missing_values == [""]:
                return f"nullif(c{self.index}, '')"
            body = v
        return f"(CASE WHEN {self.missing()} THEN NULL ELSE {body} END)"


# ---------------------------------------------------------------------------------------------
# Running the checks


class FastPathUnavailable(Exception):
    """DuckDB's reading of a file disagrees with the record map: use frictionless instead."""


@dataclass
class _Table:
    prepared: Prepared
    sql: str  # the rows as text, numbered (`FastTable.sql`)
    keys_sql: str  # canonical keys table
    columns: list[_Column]
    key_fields: list[str]
    fl_schema: Any
    handlers: Any
    #: `patterncheck.RowPatterns`: the schema's patterns, checked on the rows frictionless reads
    #: (its handlers are built without them: its `re` has no time limit).
    patterns: Any
    #: Every row with its canonical keys (`k<i>`) and cells, when keys are checked in Python.
    rows: list[tuple[int, bool, dict[str, str | None], list[str | None]]] | None = None
    #: Whether `keys_sql` is a view (no key cell needed frictionless's value).
    keys_view: bool = False
    #: Quoted line breaks DuckDB must have read, and how `_cell_checks` checks them.
    breaks: _Breaks = field(default_factory=lambda: _Breaks({}, "none"))
    #: Fields other tables' foreign keys point at: their canonical values are needed too.
    referenced: list[str] = field(default_factory=list)


@dataclass
class FastTable:
    """A table layer 1 checked in DuckDB, left loaded so that layers 2 and 3 need not read its
    file again (one read per validation)."""

    resource: Resource
    #: Qualified name of the text table: columns c0…cN (VARCHAR; NULL for an empty cell), `rn`
    #: (the record number as frictionless counts it, header = 1) and `__py` (TRUE for a blank or
    #: ragged record, whose NULLs are cells the record does not have).
    sql: str
    line_map: LineMap
    #: Record numbers of the rows frictionless checked cell by cell. A cell outside them passed
    #: the strict SQL pre-filter, so it breaks no type, format or constraint rule.
    suspects: list[int] = field(default_factory=list)

    def line_sql(self, rn: str, most: int = 256) -> str | None:
        """SQL for the physical line of record number `rn`, or None when the file has too many
        records spanning several lines for an expression (then join `line_map` instead).

        A record's line is its number plus the line breaks inside earlier records, a step
        function that rises only after a multi-line record: a balanced CASE over those steps
        costs a few comparisons per row, and unlike a join keeps DuckDB's scans parallel.
        """
        import numpy as np

        starts = np.frombuffer(self.line_map.starts, dtype=np.int64)
        extra = starts - np.arange(1, len(starts) + 1, dtype=np.int64)
        rises = np.flatnonzero(np.diff(extra)) + 1
        if len(rises) > most:
            return None
        steps = [(int(i) + 1, int(extra[i])) for i in rises]  # (first record number, extra)
        return f"({rn} + {_step_sql(rn, steps, int(extra[0]) if len(extra) else 0)})"


def _step_sql(x: str, points: list[tuple[int, int]], below: int) -> str:
    """A step function of `x` as a balanced CASE: `below` until the first point, then the value
    of the last point (first x, value) whose first x is at most `x`. Points are sorted."""
    if not points:
        return str(below)
    middle = len(points) // 2
    first, value = points[middle]
    return (
        f"CASE WHEN {x} >= {first} THEN {_step_sql(x, points[middle + 1 :], value)} "
        f"ELSE {_step_sql(x, points[:middle], below)} END"
    )


@dataclass
class FastPackage:
    """The DuckDB connection holding every fast-path table; owned by whoever ran layer 1
    (`validate` closes it when the last layer is done)."""

    connection: duckdb.DuckDBPyConnection
    tables: dict[str, FastTable] = field(default_factory=dict)
    #: Tables loaded so far: each gets a DuckDB schema of its own, `__clusterdata_fast_<n>`.
    loaded: int = 0
    #: Set once layer 3 has locked the connection (no file access any more).
    locked: bool = False
    #: Files read into DuckDB (or being read) that no `check_group` has taken over yet.
    reads: list[_Read] = field(default_factory=list, repr=False)

    def close(self) -> None:
        for read in list(self.reads):  # reads layer 1 started and never used
            read.discard()
        self.tables.clear()
        self.connection.close()

    def new_schemas(self, count: int) -> list[str]:
        """`count` new DuckDB schemas, one per table (made in one statement)."""
        names = [f"__clusterdata_fast_{self.loaded + i}" for i in range(count)]
        self.loaded += count
        self.connection.execute("; ".join(f"CREATE SCHEMA {name}" for name in names)).fetchall()
        return names


def _read_csv(
    connection: duckdb.DuckDBPyConnection, resource: Resource, raw: str, first_try: bool
) -> tuple[int, list[tuple[int, str]]]:
    """Read every record after the header as text into table `raw`: DuckDB's record count and
    the records it rejected (byte position, error type), which must be ragged ones.

    Run on a cursor of its own, whose `reject_errors` table no other read shares. With a
    100 MB line limit DuckDB reads the file on one thread (its buffer outgrows the file):
    measured on 156 MB, about as fast as its parallel reader on two cores at half the CPU,
    which leaves the other core to `prepare`. With `first_try` the file is read without keeping
    rejects, which saves a query per table, and read again keeping them only when DuckDB stops
    at a record (for small files, which are rarely ragged and cheap to read twice).
    """
    import duckdb

    width = len(resource.fields)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    quote = _lit(resource.quote_char)
    source = (
        f"read_csv(?, header = false, skip = 1, auto_detect = false, "
        f"delim = {_lit(resource.delimiter)}, quote = {quote}, escape = {quote}, "
        f"columns = {columns}, max_line_size = 100000000"
    )
    if first_try:
        try:
            ((count,),) = connection.execute(
                f"CREATE TABLE {raw} AS SELECT * FROM {source})", [str(resource.file)]
            ).fetchall()
            return int(count), []
        except duckdb.Error:
            pass
    ((count,),) = connection.execute(
        f"CREATE TABLE {raw} AS SELECT * FROM {source}, store_rejects = true)",
        [str(resource.file)],
    ).fetchall()
    rejects = connection.execute(
        "SELECT line_byte_position, error_type FROM reject_errors ORDER BY line_byte_position"
    ).fetchall()
    return int(count), [(int(position), str(kind)) for position, kind in rejects]


#: Files from this size on are read into DuckDB on a thread of their own, while `prepare`
#: scans them; smaller ones are read at once (a thread would cost more than it overlaps).
BACKGROUND_BYTES = 1024 * 1024


class _Read:
    """A file being read into DuckDB (`_read_csv`), into table `raw` of `schema`, the DuckDB
    schema that holds everything of this table (dropped whole on a fall-back). A big file is
    read on a thread of its own (`BACKGROUND_BYTES`)."""

    def __init__(self, shared: FastPackage, resource: Resource, schema: str | None = None) -> None:
        import threading

        self.shared = shared
        self.schema = schema or shared.new_schemas(1)[0]
        self.raw = f"{self.schema}.raw"
        self._cursor = shared.connection.cursor()
        self._outcome: tuple[int, list[tuple[int, str]]] | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        shared.reads.append(self)
        try:
            self.size = resource.file.stat().st_size
        except OSError:
            self.size = 0
        if self.size < BACKGROUND_BYTES:
            self._run(resource, True)
            return
        self._thread = threading.Thread(
            target=self._run, args=(resource, False), name=f"clusterdata-read-{resource.name}"
        )
        self._thread.start()

    def _run(self, resource: Resource, first_try: bool) -> None:
        try:
            self._outcome = _read_csv(self._cursor, resource, self.raw, first_try)
        except BaseException as exc:  # handed to the thread that waits for the result
            self._error = exc
        finally:
            self._cursor.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def result(self) -> tuple[int, list[tuple[int, str]]]:
        """DuckDB's record count and rejected records, once the read is done."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._outcome is not None
        return self._outcome

    def discard(self) -> None:
        """Stop the read if it still runs and drop whatever it made."""
        import duckdb

        if self._thread is not None:
            if self._thread.is_alive():
                with contextlib.suppress(duckdb.Error, RuntimeError):
                    self._cursor.interrupt()
            self._thread.join()
        with contextlib.suppress(duckdb.Error):
            self.shared.connection.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        with contextlib.suppress(ValueError):
            self.shared.reads.remove(self)


def check_group(
    package: DataPackage,
    prepared: list[Prepared],
    usable_fks: dict[str, list[dict[str, Any]]],
    result: StructureResult,
) -> list[Finding]:
    """All findings for a group of linked tables; raises FastPathUnavailable to fall back.

    The group's text tables stay loaded in `result.fast` (created on first use) for the later
    layers; a group that falls back leaves nothing behind (its tables' schemas are dropped).
    """
    import duckdb

    from clusterdata.duck import connect

    shared: FastPackage | None = getattr(result, "fast", None)
    if shared is None:
        started = next((p.read.shared for p in prepared if p.read is not None), None)
        shared = started if started is not None else FastPackage(connect())
        result.fast = shared
    connection = shared.connection
    reads: list[_Read] = []
    try:
        for item in prepared:
            read = item.read
            if read is None or read.shared is not shared:
                read = _Read(shared, item.resource)
            item.read = None
            reads.append(read)
        tables, suspects, descriptors = _check_tables(connection, prepared, reads, usable_fks)
    except BaseException as exc:
        for read in reads:
            read.discard()
        if isinstance(exc, duckdb.Error):
            raise FastPathUnavailable(str(exc)) from exc
        raise
    for read in reads:
        with contextlib.suppress(ValueError):
            shared.reads.remove(read)
    for name, table in tables.items():
        shared.tables[name] = FastTable(
            resource=table.prepared.resource,
            sql=table.sql,
            line_map=table.prepared.line_map,
            suspects=suspects[name],
        )
    from clusterdata.structure import _to_finding

    findings = []
    for item in prepared:
        findings.extend(swallowed_findings(item))
    for resource, data in descriptors:
        findings.append(_to_finding(resource, data, result.line_maps[resource.name]))
    for table in tables.values():
        findings.extend(table.patterns.findings(table.prepared.line_map))
    return findings


def _check_tables(
    connection: duckdb.DuckDBPyConnection,
    prepared: list[Prepared],
    reads: list[_Read],
    usable_fks: dict[str, list[dict[str, Any]]],
) -> tuple[dict[str, _Table], dict[str, list[int]], list[tuple[Resource, dict[str, Any]]]]:
    """Load and check each table of a group: its tables, the rows frictionless checked in
    each, and frictionless's errors (cells first, then keys, table by table).

    A table's cells and own keys are checked as soon as its file is read, smallest file first:
    while DuckDB still reads a big file on one core, the other checks the small ones.
    Foreign keys wait for every table.
    """
    names = [item.resource.name for item in prepared]
    referenced = referenced_fields(set(names), usable_fks)
    python_keys = all(len(item.starts) - 1 <= SMALL_ROWS for item in prepared)
    tables: dict[str, _Table] = {}
    suspects: dict[str, list[int]] = {}
    cells: dict[str, list[dict[str, Any]]] = {}
    keys: dict[str, list[dict[str, Any]]] = {}
    order = sorted(range(len(prepared)), key=lambda i: reads[i].size)
    with _plain_plans(connection, python_keys):
        for i in order:
            name = names[i]
            table = _load(connection, prepared[i], reads[i])
            table.referenced = referenced.get(name, [])
            tables[name] = table
            cells[name], suspects[name] = _cell_checks(connection, table, python_keys)
            keys[name] = _own_key_checks(_finder(connection, table), table)
    for name, table in tables.items():
        fks = usable_fks.get(name, [])
        keys[name] += _foreign_key_checks(_finder(connection, table), table, tables, fks)
    for table in tables.values():  # canonical keys serve layer 1 only
        table.rows = None
        if not python_keys:
            kind = "VIEW" if table.keys_view else "TABLE"
            connection.execute(f"DROP {kind} IF EXISTS {table.keys_sql}").fetchall()
    descriptors: list[tuple[Resource, dict[str, Any]]] = []
    for part in (cells, keys):
        for name in names:
            descriptors.extend((tables[name].prepared.resource, d) for d in part[name])
    return {name: tables[name] for name in names}, suspects, descriptors


@contextlib.contextmanager
def _plain_plans(connection: duckdb.DuckDBPyConnection, small: bool) -> Iterator[None]:
    """Queries of small tables run unoptimised: optimising a suspect query (a dozen columns of
    patterns) takes ~2 ms, running it on a hundred rows far less. Plans differ, results not."""
    if not small:
        yield
        return
    connection.execute("PRAGMA disable_optimizer").fetchall()
    try:
        yield
    finally:
        connection.execute("PRAGMA enable_optimizer").fetchall()


#: Skipped records (blank or ragged) up to which a view numbers the rows DuckDB kept with a
#: CASE over its row id; with more, the rows are numbered once, in a copy of the table.
STEP_LIMIT = 256
#: Multi-line records up to which their rows are fetched with the suspects and their quoted
#: line breaks checked in Python (`_Breaks`); with more, DuckDB sums them in a query of its own.
MULTILINE_ROWS = 10_000


def _load(connection: duckdb.DuckDBPyConnection, prepared: Prepared, read: _Read) -> _Table:
    """Wait for the file's read and check it against the record map; blank and ragged records
    come from the record map, numbered like the rest."""
    from clusterdata.patterncheck import RowPatterns

    resource = prepared.resource
    width = len(resource.fields)
    count, rejects = read.result()
    if any(kind not in {"MISSING COLUMNS", "TOO MANY COLUMNS"} for _, kind in rejects):
        raise FastPathUnavailable(f"{resource.name}: DuckDB rejected a record")
    records = len(prepared.starts)
    blank = set(prepared.blank)
    rejected = _rejected_records(prepared, rejects, width)
    kept = records - 1 - len(blank) - len(rejected)
    if count != kept:
        raise FastPathUnavailable(
            f"{resource.name}: DuckDB read {count} records, the record map has {kept}"
        )
    breaks = _breaks(prepared, rejected)
    if breaks.how == "sum":
        total = " + ".join(
            f"coalesce(sum(CASE WHEN contains(c{i}, chr(10)) THEN "
            f"length(c{i}) - length(replace(c{i}, chr(10), '')) END), 0)"
            for i in range(width)
        )
        seen = int(connection.execute(f"SELECT {total} FROM {read.raw}").fetchall()[0][0])
        if seen != sum(breaks.per_row.values()):
            raise FastPathUnavailable(f"{resource.name}: quoted line breaks disagree")
    sql = f"{read.schema}.t"
    _number_rows(connection, prepared, read.raw, sql, sorted(blank | rejected), rejected)
    fl_schema = _fl_schema(resource)
    cols = [
        _Column(connection, f, spec, i)
        for i, (f, spec) in enumerate(zip(fl_schema.fields, resource.fields, strict=True))
    ]
    return _Table(
        prepared=prepared,
        sql=sql,
        keys_sql=f"{read.schema}.keys",
        columns=cols,
        key_fields=_key_fields(resource, prepared),
        fl_schema=fl_schema,
        handlers=_cell_handlers(fl_schema),
        patterns=RowPatterns.of(resource),
        breaks=breaks,
    )


@dataclass
class _Breaks:
    """The quoted line breaks DuckDB must have read: as many in the row of each multi-line
    record (`per_row`, by record number) as the record map counted, none in any other row.

    `how` DuckDB's rows are checked against that: "none" when there is no multi-line or blank
    record (the record counts settle it: every line is then a record, a line break in a DuckDB
    cell would have merged two into one row, and DuckDB cannot make up a row to even the
    count: it cannot split a line, and each row it rejects is placed on a record that really
    is ragged); "rows" by fetching the multi-line records' rows with the suspects; "scan" by
    fetching every row holding a line break (blank records: a blank line DuckDB read as a
    row could even the count); "sum" by one sum over the table (too many multi-line records
    to fetch, `MULTILINE_ROWS`), done in `_load`.
    """

    per_row: dict[int, int]
    how: str


def _breaks(prepared: Prepared, rejected: set[int]) -> _Breaks:
    per_row = {i + 1: _span(prepared, i) for i in prepared.multiline if i not in rejected}
    if len(prepared.multiline) > MULTILINE_ROWS:
        return _Breaks(per_row, "sum")
    if prepared.blank:
        return _Breaks(per_row, "scan")
    return _Breaks(per_row, "rows" if prepared.multiline else "none")


def _rejected_records(prepared: Prepared, rejects: list[tuple[int, str]], width: int) -> set[int]:
    """The records DuckDB rejected. A rejected record is the one holding DuckDB's byte position
    (blank lines it skipped are counted into the next record); it must really have the wrong
    number of cells."""
    import numpy as np

    records = len(prepared.starts)
    blank = set(prepared.blank)
    rejected: set[int] = set()
    for position, _ in rejects:
        record = int(np.searchsorted(prepared.starts, position, side="right")) - 1
        while record in blank:
            record += 1
        if record < 1 or record >= records or len(_parse_record(prepared, record)) == width:
            raise FastPathUnavailable(
                f"{prepared.resource.name}: a rejected record cannot be placed"
            )
        rejected.add(record)
    return rejected


def _number_rows(
    connection: duckdb.DuckDBPyConnection,
    prepared: Prepared,
    raw: str,
    sql: str,
    skipped: list[int],
    rejected: set[int],
) -> None:
    """Make `sql`: the rows of `raw` with their record number `rn` as frictionless counts it
    (the record's 1-based index, header = 1), plus one `__py` row per skipped record.

    Record order is row id order, so kept row k is record k + 1 + (records skipped before
    it): arithmetic in a view, not a copy of a million rows.
    """
    if not skipped:
        connection.execute(
            f"CREATE VIEW {sql} AS SELECT *, rowid + 2 AS rn, FALSE AS __py FROM {raw}"
        ).fetchall()
        return
    width = len(prepared.resource.fields)
    # `a` = the first kept row after the j-th skipped record, `n` = how many were skipped up
    # to there. Adjacent skipped records share their `a`; only the last (largest `n`) counts.
    after = {s - j - 1: j + 1 for j, s in enumerate(skipped)}
    values = []
    for record in skipped:
        cells = _parse_record(prepared, record) if record in rejected else []
        values.append(
            [cells[i] if i < len(cells) else None for i in range(width)] + [record + 1, True]
        )
    if len(after) <= STEP_LIMIT:
        py = f"{sql}_py"
        columns = ", ".join(f"c{i} VARCHAR" for i in range(width))
        connection.execute(f"CREATE TABLE {py} ({columns}, rn BIGINT, __py BOOLEAN)").fetchall()
        _insert(connection, py, values)
        step = _step_sql("rowid", sorted(after.items()), 0)
        connection.execute(
            f"CREATE VIEW {sql} AS SELECT *, rowid + 2 + {step} AS rn, FALSE AS __py FROM {raw} "
            f"UNION ALL SELECT * FROM {py}"
        ).fetchall()
        return
    # Too many steps for an expression: an ASOF join, once. (Python lists as parameters, not
    # Arrow: registering Arrow makes DuckDB import pandas, ~0.8 s.)
    connection.execute(
        f"CREATE TABLE {sql} AS SELECT r.* EXCLUDE (k), r.k + 2 + coalesce(g.n, 0) AS rn, "
        f"FALSE AS __py FROM (SELECT *, rowid AS k FROM {raw}) AS r ASOF LEFT JOIN "
        "(SELECT unnest(?::BIGINT[]) AS a, unnest(?::BIGINT[]) AS n) AS g ON r.k >= g.a",
        [list(after), list(after.values())],
    ).fetchall()
    _insert(connection, sql, values)
    connection.execute(f"DROP TABLE {raw}").fetchall()


def _insert(connection: duckdb.DuckDBPyConnection, table: str, rows: list[list[Any]]) -> None:
    """Insert rows with a few statements (`executemany` runs one per row, ~1 ms each)."""
    for start in range(0, len(rows), 256):
        batch = rows[start : start + 256]
        one = "(" + ", ".join("?" for _ in batch[0]) + ")"
        connection.execute(
            f"INSERT INTO {table} VALUES {', '.join(one for _ in batch)}",
            [value for row in batch for value in row],
        ).fetchall()


def _key_fields(resource: Resource, prepared: Prepared) -> list[str]:
    """Fields whose canonical values a key check of this table, or one referring to it, uses."""
    names = list(resource.primary_key)
    for spec in resource.fields:
        constraints = spec.get("constraints") if isinstance(spec.get("constraints"), dict) else {}
        if (constraints or {}).get("unique"):
            names.append(str(spec.get("name")))
    for fk in resource.foreign_keys:
        names.extend(as_list(fk.get("fields")))
    return names


#: Tables with at most this many records are fetched whole by the suspect query and filtered in
#: Python, and a group of such tables checks its keys in Python (`_PythonKeys`): DuckDB spends
#: ~2-5 ms binding each big query, which is all the cost of a small table.
SMALL_ROWS = 2000


def _cell_checks(
    connection: duckdb.DuckDBPyConnection, table: _Table, python_keys: bool
) -> tuple[list[dict[str, Any]], list[int]]:
    """Hand suspect, blank and ragged rows to frictionless's Row; the canonical keys of every
    row (SQL's, or frictionless's where they differ): in Python when `python_keys`, else a
    view or table (`_build_keys`).

    The same query returns the rows whose line breaks are to be checked (`_Table.breaks`); a
    small table (`SMALL_ROWS`) is fetched whole, and each of its rows checked. Returns
    frictionless's errors and the record numbers of the rows it checked."""
    from frictionless.table.row import Row

    prepared = table.prepared
    resource = prepared.resource
    cols = table.columns
    names = resource.field_names
    blank_row = _and(*(c.missing() for c in cols))
    if any(c.required and c.missing() != "FALSE" for c in cols):
        blank_row = "FALSE"  # a required column's missing cell makes the row a suspect anyway
    suspect = _or("__py", blank_row, *(c.suspect() for c in cols))
    breaks = table.breaks
    whole = python_keys or len(prepared.starts) - 1 <= SMALL_ROWS
    where = ""
    parameters: list[Any] = []
    if not whole:
        wanted = suspect
        if breaks.how == "rows":
            wanted = _or(suspect, "rn IN (SELECT unnest(?::BIGINT[]))")
            parameters.append(list(breaks.per_row))
        elif breaks.how == "scan":
            wanted = _or(
                suspect,
                *(f"contains(c{c.index}, chr(10))" for c in cols if not c.rejects_newline()),
            )
        where = f" WHERE {wanted}"
    key_index = {n: names.index(n) for n in dict.fromkeys(_all_key_fields(table))}
    keys = [f"k{i}" for i in key_index.values()]
    # The canonical key text SQL gives each row, to compare with frictionless's value.
    canonical = "".join(f"{cols[i].canonical()}, " for i in key_index.values())
    rows = connection.execute(
        f"SELECT rn, __py, {suspect}, {canonical}{', '.join(f'c{i}' for i in range(len(cols)))} "
        f"FROM {table.sql}{where} ORDER BY rn",
        parameters,
    ).fetchall()
    descriptors: list[dict[str, Any]] = []
    overrides: dict[str, list[Any]] = {"rn": []} | {k: [] for k in keys}
    blank = set(prepared.blank)
    checked: list[int] = []
    lines_checked = 0
    every: list[tuple[int, bool, dict[str, str | None], list[str | None]]] = []
    for rn, py, is_suspect, *fetched in rows:
        sql_keys, cells = fetched[: len(keys)], fetched[len(keys) :]
        if not py and breaks.how != "sum":
            held = sum(cell.count("\n") for cell in cells if cell)
            if held != breaks.per_row.get(rn, 0):
                raise FastPathUnavailable(f"{resource.name}: quoted line breaks disagree")
            lines_checked += rn in breaks.per_row
        if is_suspect:
            checked.append(int(rn))
            values: list[Any]
            if py:
                # A ragged or blank record: re-read with its real number of cells.
                values = _parse_record(prepared, rn - 1) if rn - 1 not in blank else []
            else:
                values = ["" if c is None else c for c in cells]
            row = Row(values, handlers=table.handlers, row_number=rn)
            for fl_error in [*row.errors, *table.patterns.errors(row)]:
                descriptors.append(fl_error.to_descriptor())
            found = [None if row[name] is None else str(row[name]) for name in key_index]
            if found != sql_keys:  # frictionless's value differs from SQL's: it wins
                sql_keys = found
                overrides["rn"].append(rn)
                for k, value in zip(keys, found, strict=True):
                    overrides[k].append(value)
        if python_keys:
            every.append((int(rn), bool(py), dict(zip(keys, sql_keys, strict=True)), cells))
    if breaks.how in {"rows", "scan"} and lines_checked != len(breaks.per_row):
        raise FastPathUnavailable(f"{resource.name}: a multi-line record is not where expected")
    if python_keys:
        table.rows = every
    else:
        _build_keys(connection, table, key_index, overrides)
    return descriptors, checked


def _all_key_fields(table: _Table) -> list[str]:
    """Own key fields plus fields other tables' foreign keys point at."""
    return table.key_fields + table.referenced


def _build_keys(
    connection: duckdb.DuckDBPyConnection,
    table: _Table,
    key_index: dict[str, int],
    overrides: dict[str, list[Any]],
) -> None:
    """The canonical key text of every row: SQL's, or frictionless's where the two differ (a
    view when they never do: most tables, whose key cells are all certainly clean)."""
    if not key_index:
        return
    if not overrides["rn"]:
        select = ", ".join(f"{table.columns[i].canonical()} AS k{i}" for i in key_index.values())
        connection.execute(
            f"CREATE VIEW {table.keys_sql} AS SELECT rn, {select} FROM {table.sql}"
        ).fetchall()
        table.keys_view = True
        return
    listed = list(overrides)
    columns = ", ".join(
        f"unnest(?::{'BIGINT' if k == 'rn' else 'VARCHAR'}[]) AS {k}" for k in listed
    )
    select = ", ".join(
        f"CASE WHEN o.rn IS NOT NULL THEN o.k{i} ELSE {table.columns[i].canonical()} END AS k{i}"
        for i in key_index.values()
    )
    connection.execute(
        f"CREATE TABLE {table.keys_sql} AS SELECT t.rn, {select} FROM {table.sql} AS t "
        f"LEFT JOIN (SELECT {columns}) AS o ON o.rn = t.rn",
        [overrides[k] for k in listed],
    )


def _finder(connection: duckdb.DuckDBPyConnection, table: _Table) -> _SqlKeys | _PythonKeys:
    """Keys compare as their canonical text (`_Column.canonical`, or frictionless's value), in
    DuckDB (`_SqlKeys`) or, for a group of small tables, in Python (`_PythonKeys`)."""
    return _PythonKeys(table) if table.rows is not None else _SqlKeys(connection, table)


def _own_key_checks(find: _SqlKeys | _PythonKeys, table: _Table) -> list[dict[str, Any]]:
    """Repeated unique values and primary keys: frictionless's errors."""
    resource = table.prepared.resource
    names = resource.field_names
    out: list[dict[str, Any]] = []
    for spec in resource.fields:
        constraints = spec.get("constraints") if isinstance(spec.get("constraints"), dict) else {}
        if not (constraints or {}).get("unique"):
            continue
        name = str(spec.get("name"))
        repeats = find.unique(f"k{names.index(name)}")
        cells = find.cells([rn for rn, _ in repeats], [name])
        for rn, prev in repeats:
            row_cells = cells.get(rn, [])
            index = names.index(name)
            out.append(
                {
                    "type": "unique-error",
                    "rowNumber": rn,
                    "fieldName": name,
                    "fieldNumber": index + 1,
                    "cell": row_cells[index] if index < len(row_cells) else "",
                    "cells": row_cells,
                    "note": f"the same as in the row at position {prev}",
                }
            )
    if resource.primary_key:
        found = find.primary([f"k{names.index(n)}" for n in resource.primary_key])
        cells = find.cells([rn for rn, _ in found], resource.primary_key)
        for rn, earlier in found:
            note = (
                'cells composing the primary keys are all "None"'
                if earlier is None
                else f"the same as in the row at position {earlier}"
            )
            out.append(
                {"type": "primary-key", "rowNumber": rn, "cells": cells.get(rn, []), "note": note}
            )
    return out


def _foreign_key_checks(
    find: _SqlKeys | _PythonKeys,
    table: _Table,
    tables: dict[str, _Table],
    fks: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Dangling foreign keys: frictionless's errors."""
    resource = table.prepared.resource
    names = resource.field_names
    out: list[dict[str, Any]] = []
    for fk in fks:
        fields = as_list(fk.get("fields"))
        ref = fk.get("reference") if isinstance(fk.get("reference"), dict) else {}
        target_name = str((ref or {}).get("resource") or "") or resource.name
        target_fields = as_list((ref or {}).get("fields"))
        target = tables.get(target_name)
        if target is None:
            continue
        target_names = target.prepared.resource.field_names
        dangling = find.dangling(
            [f"k{names.index(f)}" for f in fields],
            target,
            [f"k{target_names.index(f)}" for f in target_fields],
        )
        cells = find.cells([row[0] for row in dangling], fields)
        for rn, *values in dangling:
            shown = ", ".join("None" if v is None else str(v) for v in values)
            note = (
                f'for "{", ".join(fields)}": values "{shown}" not found in the lookup table '
                f'"{target_name}" as "{", ".join(target_fields)}"'
            )
            out.append(
                {
                    "type": "foreign-key",
                    "rowNumber": rn,
                    "cells": cells.get(rn, []),
                    "fieldNames": fields,
                    "note": note,
                    "referenceName": target_name,
                    "referenceFieldNames": target_fields,
                }
            )
    return out


class _SqlKeys:
    """Key checks over the canonical keys table (`_Table.keys_sql`), in DuckDB."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, table: _Table) -> None:
        self.connection = connection
        self.table = table

    def unique(self, col: str) -> list[tuple[int, int]]:
        """(row, the previous row with the same value) for every repeat of a non-null value."""
        keys = self.table.keys_sql
        return self.connection.execute(
            f"WITH d AS (SELECT {col} FROM {keys} WHERE {col} IS NOT NULL "
            f"GROUP BY {col} HAVING count(*) > 1) "
            f"SELECT rn, prev FROM (SELECT rn, lag(rn) OVER (PARTITION BY {col} ORDER BY rn) "
            f"AS prev FROM {keys} SEMI JOIN d USING ({col})) WHERE prev IS NOT NULL "
            "ORDER BY rn"
        ).fetchall()

    def primary(self, cols: list[str]) -> list[tuple[int, int | None]]:
        """(row, previous row with the same key) for repeats, (row, None) for all-null keys."""
        keys = self.table.keys_sql
        all_null = " AND ".join(f"{c} IS NULL" for c in cols)
        listed = ", ".join(cols)
        same = " AND ".join(f"k.{c} IS NOT DISTINCT FROM d.{c}" for c in cols)
        return self.connection.execute(
            f"WITH d AS (SELECT {listed} FROM {keys} WHERE NOT ({all_null}) "
            f"GROUP BY ALL HAVING count(*) > 1) "
            f"SELECT rn, NULL FROM {keys} WHERE {all_null} UNION ALL "
            f"SELECT rn, prev FROM (SELECT rn, lag(rn) OVER (PARTITION BY {listed} "
            f"ORDER BY rn) AS prev FROM {keys} AS k SEMI JOIN d ON {same}) "
            "WHERE prev IS NOT NULL ORDER BY rn"
        ).fetchall()

    def dangling(self, local: list[str], target: _Table, remote: list[str]) -> list[Any]:
        """(row, *key) for rows whose not-all-null key no row of `target` has."""
        on = " AND ".join(
            f"l.{a} IS NOT DISTINCT FROM r.{b}" for a, b in zip(local, remote, strict=True)
        )
        local_null = " AND ".join(f"l.{a} IS NULL" for a in local)
        remote_null = " AND ".join(f"{b} IS NULL" for b in remote)
        return self.connection.execute(
            f"SELECT l.rn, {', '.join(f'l.{a}' for a in local)} FROM {self.table.keys_sql} AS l "
            f"ANTI JOIN (SELECT * FROM {target.keys_sql} WHERE NOT ({remote_null})) AS r "
            f"ON {on} WHERE NOT ({local_null}) ORDER BY l.rn"
        ).fetchall()

    def cells(self, rns: list[int], wanted: list[str]) -> dict[int, list[str]]:
        """The cells of these rows; only the `wanted` columns are read (a finding shows those),
        the others are left empty."""
        if not rns:
            return {}
        names = self.table.prepared.resource.field_names
        positions = [names.index(n) for n in dict.fromkeys(wanted)]
        fetched = self.connection.execute(
            f"SELECT t.rn, t.__py, {', '.join(f't.c{i}' for i in positions)} "
            f"FROM {self.table.sql} AS t SEMI JOIN (SELECT unnest(?::BIGINT[]) AS rn) AS w "
            "ON t.rn = w.rn",
            [rns],
        ).fetchall()
        return {
            rn: _shown_cells(self.table, rn, py, dict(zip(positions, values, strict=True)))
            for rn, py, *values in fetched
        }


class _PythonKeys:
    """The answers of `_SqlKeys`, from the rows `_cell_checks` fetched whole (`_Table.rows`,
    in record order): SQL's NULL is None, IS NOT DISTINCT FROM is tuple equality, and `lag`
    over the record order is the last row seen with the same key."""

    def __init__(self, table: _Table) -> None:
        assert table.rows is not None
        self.table = table
        self.rows = table.rows

    def unique(self, col: str) -> list[tuple[int, int]]:
        last: dict[str, int] = {}
        found = []
        for rn, _, keys, _ in self.rows:
            value = keys[col]
            if value is None:
                continue
            if value in last:
                found.append((rn, last[value]))
            last[value] = rn
        return found

    def primary(self, cols: list[str]) -> list[tuple[int, int | None]]:
        last: dict[tuple[str | None, ...], int] = {}
        found: list[tuple[int, int | None]] = []
        for rn, _, keys, _ in self.rows:
            key = tuple(keys[c] for c in cols)
            if all(v is None for v in key):
                found.append((rn, None))
                continue
            if key in last:
                found.append((rn, last[key]))
            last[key] = rn
        return found

    def dangling(self, local: list[str], target: _Table, remote: list[str]) -> list[Any]:
        assert target.rows is not None
        present = {tuple(keys[c] for c in remote) for _, _, keys, _ in target.rows}
        found = []
        for rn, _, keys, _ in self.rows:
            key = tuple(keys[c] for c in local)
            if not all(v is None for v in key) and key not in present:
                found.append((rn, *key))
        return found

    def cells(self, rns: list[int], wanted: list[str]) -> dict[int, list[str]]:
        if not rns:
            return {}
        names = self.table.prepared.resource.field_names
        positions = [names.index(n) for n in dict.fromkeys(wanted)]
        wanted_rns = set(rns)
        return {
            rn: _shown_cells(self.table, rn, py, {i: cells[i] for i in positions})
            for rn, py, _, cells in self.rows
            if rn in wanted_rns
        }


def _shown_cells(table: _Table, rn: int, py: bool, values: dict[int, str | None]) -> list[str]:
    """A key finding's cells: a ragged record's own, none for a blank one, else the row with
    only the given columns filled in."""
    if py:
        return _parse_record(table.prepared, rn - 1) if rn - 1 not in table.prepared.blank else []
    row = [""] * len(table.prepared.resource.field_names)
    for i, value in values.items():
        row[i] = "" if value is None else value
    return row


def referenced_fields(
    names: set[str], usable_fks: dict[str, list[dict[str, Any]]]
) -> dict[str, list[str]]:
    """Per table of the group, the fields other tables' foreign keys point at: their table
    builds canonical keys for them too."""
    out: dict[str, list[str]] = {}
    for name, fks in usable_fks.items():
        if name not in names:
            continue
        for fk in fks:
            ref = fk.get("reference") if isinstance(fk.get("reference"), dict) else {}
            target = str((ref or {}).get("resource") or "") or name
            if target in names:
                out.setdefault(target, []).extend(as_list((ref or {}).get("fields")))
    return out


def groups(
    resources: list[Resource], usable_fks: dict[str, list[dict[str, Any]]]
) -> list[list[Resource]]:
    """Tables linked by foreign keys, in either direction, must run in the same engine."""
    parent = {r.name: r.name for r in resources}

    def find(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for resource in resources:
        for fk in usable_fks.get(resource.name, []):
            ref = fk.get("reference") if isinstance(fk.get("reference"), dict) else {}
            target = str((ref or {}).get("resource") or "") or resource.name
            if target in parent:
                parent[find(resource.name)] = find(target)
    out: dict[str, list[Resource]] = {}
    for resource in resources:
        out.setdefault(find(resource.name), []).append(resource)
    return list(out.values())

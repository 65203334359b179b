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
   frictionless, and duplicates / dangling references are GROUP BY and anti-join queries.

Physical lines come from one vectorised pass over the bytes (record boundaries are newlines
outside quotes), checked against DuckDB's own record count; when the two disagree — a stray
quote, an unusual dialect — the component falls back to frictionless, which is always correct.

When: `use_fast_path` decides per group of tables linked by foreign keys (they must run in the
same engine). Measured on this 2-core machine (bench/results.md): DuckDB's fixed start-up
(import + connect, ~0.25 s) only pays off once frictionless needs longer than that, which is
about `FAST_MIN_BYTES` of CSV (~5,000 rows of our shape). `CLUSTERDATA_FASTPATH=1` forces the
fast path (tests use it on tiny inputs), `=0` disables it.
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
from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clusterdata.findings import Finding
from clusterdata.lines import LineMap, _swallowed
from clusterdata.package import DataPackage, Resource, as_list

if TYPE_CHECKING:
    import duckdb

    from clusterdata.structure import StructureResult

#: Below this many bytes of CSV in a group of linked tables frictionless is faster than DuckDB's
#: start-up; measured with bench/run.py (see the module docstring and bench/results.md).
FAST_MIN_BYTES = 512 * 1024
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


#: Bytes scanned at a time by `prepare`: its temporaries are a few times this, not the file.
CHUNK_BYTES = 8 * 1024 * 1024


def prepare(resource: Resource) -> Prepared | None:
    """Scan the file once, in chunks, and find its records; None when only the general path is
    safe.

    Returns None (so frictionless and the byte scanner of `lines` handle the file) for anything
    but plain UTF-8 CSV: a BOM, a NUL byte, invalid UTF-8, CR-only line ends, an unusual dialect,
    or a header that differs from the schema's field names (frictionless reports label errors).
    Memory: the newline positions (8 bytes per line) and fixed-size chunk temporaries; the
    quote characters are counted per chunk, never stored.
    """
    import numpy as np

    if resource.encoding not in _UTF8 or resource.format not in {"csv", "tsv"}:
        return None
    if not resource.has_plain_dialect or not resource.dialect.get("header", True):
        return None
    if not resource.dialect.get("doubleQuote", True) or not resource.fields:
        return None
    quote = resource.quote_char.encode("utf-8")
    if len(quote) != 1:
        return None
    quote_byte = quote[0]
    decoder = codecs.getincrementaldecoder("utf-8")()
    newline_parts: list[Any] = []
    ends_parts: list[Any] = []
    return_count = 0
    crlf_only = True
    quotes_before = 0  # quote characters before the current chunk
    size = 0
    last = b""
    try:
        with resource.file.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                if (size == 0 and chunk.startswith(codecs.BOM_UTF8)) or b"\x00" in chunk:
                    return None
                if not chunk.isascii() or decoder.getstate()[0]:
                    try:  # the general path locates the bad byte
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        return None
                buffer = np.frombuffer(chunk, dtype=np.uint8)
                newlines = np.flatnonzero(buffer == 10)
                # A newline ends a record when an even number of quote characters precede it.
                if chunk.find(quote) >= 0:
                    quotes = np.flatnonzero(buffer == quote_byte)
                    inside = ((np.searchsorted(quotes, newlines) + quotes_before) & 1).astype(bool)
                    ends = newlines[~inside]
                    quotes_before += len(quotes)
                else:
                    ends = newlines if quotes_before % 2 == 0 else newlines[:0]
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
                newline_parts.append(newlines.astype(np.int64) + size)
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
    newlines = np.concatenate(newline_parts) if newline_parts else np.empty(0, np.int64)
    record_ends = np.concatenate(ends_parts) if ends_parts else np.empty(0, np.int64)
    del newline_parts, ends_parts
    if return_count and (not crlf_only or return_count != len(newlines)):
        return None  # CR-only or mixed line ends: `lines.scan_bytes` reports them
    starts = np.concatenate(([0], record_ends + 1))
    ends = np.concatenate((record_ends, [size]))
    if starts[-1] >= size:  # the file ends with a newline: no record after it
        starts, ends = starts[:-1], ends[:-1]
    if len(starts) == 0:
        return None
    lengths = ends - starts
    # Physical line of each record's first byte.
    lines = np.searchsorted(newlines, starts) + 1
    spans = np.searchsorted(newlines, ends) - (lines - 1)
    blank_mask = lengths == 0
    if return_count:
        # Every CR precedes a LF here, so a one-byte record ending at a LF is a lone CR.
        blank_mask |= (lengths == 1) & (ends < size)
    blank = [int(i) for i in np.flatnonzero(blank_mask) if i > 0]
    multiline = [int(i) for i in np.flatnonzero(spans > 0)]
    if 0 in multiline or 0 in blank:
        return None  # a header over several lines: leave it to the csv module
    header_bytes = _read_range(resource, int(starts[0]), int(ends[0]))
    if header_bytes is None:
        return None
    header_text = header_bytes.decode("utf-8").rstrip("\r")
    header = next(
        csv.reader([header_text], delimiter=resource.delimiter, quotechar=resource.quote_char), []
    )
    if header != resource.field_names:
        return None
    line_map = LineMap(
        starts=array("q"),
        total_lines=int(len(newlines) + (0 if last == b"\n" else 1)),
    )
    line_map.starts.frombytes(lines.astype(np.int64).tobytes())
    return Prepared(
        resource=resource,
        line_map=line_map,
        starts=starts,
        ends=ends,
        blank=blank,
        multiline=multiline,
        embedded_newlines=int(spans.sum()),
        header=header,
        spans={i: int(spans[i]) for i in multiline},
    )


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
# SQL


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]
_URI = r"https?://[A-Za-z0-9.-]+(/[A-Za-z0-9._~/-]*)?"
_DATETIME = r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z?"


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
        self.v = f"coalesce(c{index}, '')"
        missing = fl_field.missing_values
        if not fl_field.has_defined("missing_values") and fl_field.schema:
            missing = fl_field.schema.missing_values
        self.missing_values = [str(m) for m in missing]
        self.constraints = dict(fl_field.constraints or {})
        self.supported = set(fl_field.supported_constraints)
        self.connection = connection
        self.fl_field = fl_field

    def missing(self) -> str:
        if not self.missing_values:
            return "FALSE"
        return f"({self.v} IN ({', '.join(_lit(m) for m in self.missing_values)}))"

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
        import duckdb

        if "[:" in pattern or "\\Z" in pattern:
            return False
        try:
            self.connection.execute("SELECT regexp_full_match('', ?)", [pattern]).fetchall()
        except duckdb.Error:
            return False
        return True

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
        return " AND ".join(parts) if parts else "TRUE"

    def suspect(self) -> str:
        """TRUE when frictionless must look at this cell."""
        required = bool(self.constraints.get("required"))
        when_missing = "TRUE" if required else "FALSE"
        return (
            f"(CASE WHEN {self.missing()} THEN {when_missing} "
            f"ELSE NOT coalesce({self._type_ok()} AND {self._constraints_ok()}, FALSE) END)"
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
            body = v
        return f"(CASE WHEN {self.missing()} THEN NULL ELSE {body} END)"


# ---------------------------------------------------------------------------------------------
# Running the checks


class FastPathUnavailable(Exception):
    """DuckDB's reading of a file disagrees with the record map: use frictionless instead."""


@dataclass
class _Table:
    prepared: Prepared
    sql: str  # raw table
    keys_sql: str  # canonical keys table
    columns: list[_Column]
    key_fields: list[str]
    fl_schema: Any
    handlers: Any
    #: `patterncheck.RowPatterns`: the schema's patterns, checked on the rows frictionless reads
    #: (its handlers are built without them: its `re` has no time limit).
    patterns: Any
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

        def step(points: list[tuple[int, int]], below: int) -> str:
            if not points:
                return str(below)
            middle = len(points) // 2
            first, value = points[middle]
            return (
                f"CASE WHEN {rn} >= {first} THEN {step(points[middle + 1 :], value)} "
                f"ELSE {step(points[:middle], below)} END"
            )

        return f"({rn} + {step(steps, int(extra[0]) if len(extra) else 0)})"


@dataclass
class FastPackage:
    """The DuckDB connection holding every fast-path table; owned by whoever ran layer 1
    (`validate` closes it when the last layer is done)."""

    connection: duckdb.DuckDBPyConnection
    tables: dict[str, FastTable] = field(default_factory=dict)
    groups: int = 0
    #: Set once layer 3 has locked the connection (no file access any more).
    locked: bool = False

    def close(self) -> None:
        self.tables.clear()
        self.connection.close()


def check_group(
    package: DataPackage,
    prepared: list[Prepared],
    usable_fks: dict[str, list[dict[str, Any]]],
    result: StructureResult,
) -> list[Finding]:
    """All findings for a group of linked tables; raises FastPathUnavailable to fall back.

    The group's text tables stay loaded in `result.fast` (created on first use) for the later
    layers; a group that falls back leaves nothing behind (its own schema is dropped).
    """
    import duckdb

    from clusterdata.duck import connect

    shared: FastPackage | None = getattr(result, "fast", None)
    if shared is None:
        shared = FastPackage(connect())
        result.fast = shared
    connection = shared.connection
    schema = f"__clusterdata_fast_{shared.groups}"
    shared.groups += 1
    try:
        connection.execute(f"CREATE SCHEMA {schema}").fetchall()
        tables: dict[str, _Table] = {}
        descriptors: list[tuple[Resource, dict[str, Any]]] = []
        for index, item in enumerate(prepared):
            tables[item.resource.name] = _load(connection, item, f"{schema}.t{index}")
        link_referenced(tables, usable_fks)
        suspects: dict[str, list[int]] = {}
        for name, table in tables.items():
            found, suspects[name] = _cell_checks(connection, table)
            descriptors.extend((table.prepared.resource, d) for d in found)
        for name, table in tables.items():
            descriptors.extend(
                (table.prepared.resource, d)
                for d in _key_checks(connection, table, tables, usable_fks.get(name, []))
            )
        for table in tables.values():  # canonical keys serve layer 1 only
            connection.execute(f"DROP TABLE IF EXISTS {table.keys_sql}").fetchall()
    except BaseException as exc:
        with contextlib.suppress(duckdb.Error):
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE").fetchall()
        if isinstance(exc, duckdb.Error):
            raise FastPathUnavailable(str(exc)) from exc
        raise
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


def _load(connection: duckdb.DuckDBPyConnection, prepared: Prepared, name: str) -> _Table:
    """Read all cells as text into table `name` (schema-qualified); ragged and blank records
    come from the record map."""
    import numpy as np
    from frictionless import Schema
    from frictionless.table.row import create_cell_handlers

    from clusterdata.patterncheck import RowPatterns
    from clusterdata.patterns import has_patterns, without_patterns

    resource = prepared.resource
    width = len(resource.fields)
    raw = f"{name}_raw"
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    quote = _lit(resource.quote_char)
    connection.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
    connection.execute(
        f"CREATE TABLE {raw} AS SELECT * FROM read_csv(?, header = false, skip = 1, "
        f"auto_detect = false, delim = {_lit(resource.delimiter)}, quote = {quote}, "
        f"escape = {quote}, columns = {columns}, store_rejects = true, "
        "max_line_size = 100000000)",
        [str(resource.file)],
    ).fetchall()
    rejects = connection.execute(
        "SELECT line_byte_position, error_type FROM reject_errors ORDER BY line_byte_position"
    ).fetchall()
    if any(kind not in {"MISSING COLUMNS", "TOO MANY COLUMNS"} for _, kind in rejects):
        raise FastPathUnavailable(f"{resource.name}: DuckDB rejected a record")
    records = len(prepared.starts)
    count = int(connection.execute(f"SELECT count(*) FROM {raw}").fetchall()[0][0])
    blank = set(prepared.blank)
    # A rejected record is the one holding DuckDB's byte position (blank lines it skipped are
    # counted into the next record); it must really have the wrong number of cells.
    non_blank = (
        np.array([i for i in range(1, records) if i not in blank], dtype=np.int64)
        if blank
        else np.arange(1, records, dtype=np.int64)
    )
    rejected: set[int] = set()
    for position, _ in rejects:
        record = int(np.searchsorted(prepared.starts, int(position), side="right")) - 1
        while record in blank:
            record += 1
        if record < 1 or record >= records or len(_parse_record(prepared, record)) == width:
            raise FastPathUnavailable(f"{resource.name}: a rejected record cannot be placed")
        rejected.add(record)
    kept = (
        non_blank
        if not rejected
        else np.array([i for i in non_blank.tolist() if i not in rejected], dtype=np.int64)
    )
    if count != len(kept):
        raise FastPathUnavailable(
            f"{resource.name}: DuckDB read {count} records, the record map has {len(kept)}"
        )
    # The quoted line breaks DuckDB saw must be the ones the record map counted.
    newline_sum = " + ".join(
        f"coalesce(sum(CASE WHEN contains(c{i}, chr(10)) THEN "
        f"length(c{i}) - length(replace(c{i}, chr(10), '')) END), 0)"
        for i in range(width)
    )
    seen = int(connection.execute(f"SELECT {newline_sum} FROM {raw}").fetchall()[0][0])
    expected = sum(_span(prepared, i) for i in prepared.multiline if i not in rejected)
    if seen != expected:
        raise FastPathUnavailable(f"{resource.name}: quoted line breaks disagree")
    sql = name
    # Row number as frictionless counts it: the record's 1-based index (header = 1).
    if not blank and not rejected:
        # A view, not a copy: record order is rowid order, so the row number is arithmetic.
        connection.execute(
            f"CREATE VIEW {sql} AS SELECT *, rowid + 2 AS rn, FALSE AS __py FROM {raw}"
        )
    else:
        # Kept row k is record k + 1 + (records skipped before it); `a` = the first kept row
        # after the j-th skipped record, `n` = how many were skipped up to there. (Python lists
        # as parameters, not Arrow: registering Arrow makes DuckDB import pandas, ~0.8 s.)
        skipped = sorted(blank | rejected)
        # Adjacent skipped records share their `a`; only the last (largest `n`) may stay, or the
        # ASOF join picks one of them at random and later rows get too small a number.
        after = {s - j - 1: j + 1 for j, s in enumerate(skipped)}
        connection.execute(
            f"CREATE TABLE {sql} AS SELECT r.* EXCLUDE (k), r.k + 2 + coalesce(g.n, 0) AS rn, "
            f"FALSE AS __py FROM (SELECT *, rowid AS k FROM {raw}) AS r ASOF LEFT JOIN "
            "(SELECT unnest(?::BIGINT[]) AS a, unnest(?::BIGINT[]) AS n) AS g ON r.k >= g.a",
            [list(after), list(after.values())],
        )
        values = []
        for record in skipped:
            cells = _parse_record(prepared, record) if record in rejected else []
            values.append(
                [cells[i] if i < len(cells) else None for i in range(width)] + [record + 1, True]
            )
        connection.executemany(
            f"INSERT INTO {sql} VALUES ({', '.join('?' for _ in range(width + 2))})", values
        )
        connection.execute(f"DROP TABLE {raw}")
    # Layer 1 has validated this schema already (`structure._schema_findings`); skipping the
    # metadata validation saves ~20 ms per table.
    fl_schema = Schema.from_descriptor(copy.deepcopy(resource.schema), allow_invalid=True)
    plain = fl_schema
    if has_patterns(resource.schema):
        plain = Schema.from_descriptor(without_patterns(resource.schema), allow_invalid=True)
    handlers = create_cell_handlers(plain.fields)
    cols = [
        _Column(connection, f, spec, i)
        for i, (f, spec) in enumerate(zip(fl_schema.fields, resource.fields, strict=True))
    ]
    key_fields = _key_fields(resource, prepared)
    return _Table(
        prepared=prepared,
        sql=sql,
        keys_sql=f"{name}_keys",
        columns=cols,
        key_fields=key_fields,
        fl_schema=fl_schema,
        handlers=handlers,
        patterns=RowPatterns.of(resource),
    )


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


def _cell_checks(
    connection: duckdb.DuckDBPyConnection, table: _Table
) -> tuple[list[dict[str, Any]], list[int]]:
    """Hand suspect, blank and ragged rows to frictionless's Row; build the canonical keys.

    Returns frictionless's errors and the record numbers of the rows it checked."""
    from frictionless.table.row import Row

    resource = table.prepared.resource
    cols = table.columns
    names = resource.field_names
    blank = " AND ".join(c.missing() for c in cols)
    suspect = " OR ".join(c.suspect() for c in cols)
    rows = connection.execute(
        f"SELECT rn, __py, {', '.join(f'c{i}' for i in range(len(cols)))} FROM {table.sql} "
        f"WHERE __py OR ({blank}) OR {suspect} ORDER BY rn"
    ).fetchall()
    descriptors: list[dict[str, Any]] = []
    key_index = {n: names.index(n) for n in dict.fromkeys(_all_key_fields(table))}
    overrides: dict[str, list[Any]] = {"rn": []} | {f"k{i}": [] for i in key_index.values()}
    for rn, py, *cells in rows:
        if py:
            # A ragged or blank record: re-read with its real number of cells.
            record = (
                _parse_record(table.prepared, rn - 1)
                if rn - 1 not in set(table.prepared.blank)
                else []
            )
            values: list[Any] = record
        else:
            values = ["" if c is None else c for c in cells]
        row = Row(values, handlers=table.handlers, row_number=rn)
        for fl_error in [*row.errors, *table.patterns.errors(row)]:
            descriptors.append(fl_error.to_descriptor())
        overrides["rn"].append(rn)
        for name, i in key_index.items():
            value = row[name]
            overrides[f"k{i}"].append(None if value is None else str(value))
    _build_keys(connection, table, key_index, overrides)
    return descriptors, [int(rn) for rn, *_ in rows]


def _all_key_fields(table: _Table) -> list[str]:
    """Own key fields plus fields other tables' foreign keys point at."""
    return table.key_fields + table.referenced


def _build_keys(
    connection: duckdb.DuckDBPyConnection,
    table: _Table,
    key_index: dict[str, int],
    overrides: dict[str, list[Any]],
) -> None:
    if not key_index:
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


def _key_checks(
    connection: duckdb.DuckDBPyConnection,
    table: _Table,
    tables: dict[str, _Table],
    fks: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    resource = table.prepared.resource
    names = resource.field_names
    out: list[dict[str, Any]] = []

    blank = set(table.prepared.blank)

    def raw_cells(rns: list[int], wanted: list[str]) -> dict[int, list[str]]:
        """The cells of these rows; only the `wanted` columns are read (a finding shows those),
        the others are left empty."""
        if not rns:
            return {}
        positions = [names.index(n) for n in dict.fromkeys(wanted)]
        fetched = connection.execute(
            f"SELECT t.rn, t.__py, {', '.join(f't.c{i}' for i in positions)} "
            f"FROM {table.sql} AS t SEMI JOIN (SELECT unnest(?::BIGINT[]) AS rn) AS w "
            "ON t.rn = w.rn",
            [rns],
        ).fetchall()
        cells: dict[int, list[str]] = {}
        for rn, py, *values in fetched:
            if py and rn - 1 not in blank:
                cells[rn] = _parse_record(table.prepared, rn - 1)
            elif py:
                cells[rn] = []
            else:
                row = [""] * len(names)
                for i, value in zip(positions, values, strict=True):
                    row[i] = "" if value is None else value
                cells[rn] = row
        return cells

    def k(name: str) -> str:
        return f"k{names.index(name)}"

    for spec in resource.fields:
        constraints = spec.get("constraints") if isinstance(spec.get("constraints"), dict) else {}
        if not (constraints or {}).get("unique"):
            continue
        name = str(spec.get("name"))
        col = k(name)
        found = connection.execute(
            f"WITH d AS (SELECT {col} FROM {table.keys_sql} WHERE {col} IS NOT NULL "
            f"GROUP BY {col} HAVING count(*) > 1) "
            f"SELECT rn, prev FROM (SELECT rn, lag(rn) OVER (PARTITION BY {col} ORDER BY rn) "
            f"AS prev FROM {table.keys_sql} SEMI JOIN d USING ({col})) WHERE prev IS NOT NULL "
            "ORDER BY rn"
        ).fetchall()
        cells = raw_cells([rn for rn, _ in found], [name])
        for rn, prev in found:
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
        cols = [k(n) for n in resource.primary_key]
        all_null = " AND ".join(f"{c} IS NULL" for c in cols)
        listed = ", ".join(cols)
        same = " AND ".join(f"k.{c} IS NOT DISTINCT FROM d.{c}" for c in cols)
        found = connection.execute(
            f"WITH d AS (SELECT {listed} FROM {table.keys_sql} WHERE NOT ({all_null}) "
            f"GROUP BY ALL HAVING count(*) > 1) "
            f"SELECT rn, NULL FROM {table.keys_sql} WHERE {all_null} UNION ALL "
            f"SELECT rn, prev FROM (SELECT rn, lag(rn) OVER (PARTITION BY {listed} "
            f"ORDER BY rn) AS prev FROM {table.keys_sql} AS k SEMI JOIN d ON {same}) "
            "WHERE prev IS NOT NULL ORDER BY rn"
        ).fetchall()
        cells = raw_cells([rn for rn, _ in found], resource.primary_key)
        for rn, prev in found:
            note = (
                'cells composing the primary keys are all "None"'
                if prev is None
                else f"the same as in the row at position {prev}"
            )
            out.append(
                {"type": "primary-key", "rowNumber": rn, "cells": cells.get(rn, []), "note": note}
            )
    for fk in fks:
        fields = as_list(fk.get("fields"))
        ref = fk.get("reference") if isinstance(fk.get("reference"), dict) else {}
        target_name = str((ref or {}).get("resource") or "") or resource.name
        target_fields = as_list((ref or {}).get("fields"))
        target = tables.get(target_name)
        if target is None:
            continue
        target_names = target.prepared.resource.field_names
        local = [k(f) for f in fields]
        remote = [f"k{target_names.index(f)}" for f in target_fields]
        on = " AND ".join(
            f"l.{a} IS NOT DISTINCT FROM r.{b}" for a, b in zip(local, remote, strict=True)
        )
        local_null = " AND ".join(f"l.{a} IS NULL" for a in local)
        remote_null = " AND ".join(f"{b} IS NULL" for b in remote)
        found = connection.execute(
            f"SELECT l.rn, {', '.join(f'l.{a}' for a in local)} FROM {table.keys_sql} AS l "
            f"ANTI JOIN (SELECT * FROM {target.keys_sql} WHERE NOT ({remote_null})) AS r "
            f"ON {on} WHERE NOT ({local_null}) ORDER BY l.rn"
        ).fetchall()
        cells = raw_cells([row[0] for row in found], fields)
        for rn, *values in found:
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


def link_referenced(tables: dict[str, _Table], usable_fks: dict[str, list[dict[str, Any]]]) -> None:
    """Mark target fields of foreign keys so their table builds canonical keys for them."""
    for name, fks in usable_fks.items():
        if name not in tables:
            continue
        for fk in fks:
            ref = fk.get("reference") if isinstance(fk.get("reference"), dict) else {}
            target = tables.get(str((ref or {}).get("resource") or "") or name)
            if target is not None:
                target.referenced.extend(as_list((ref or {}).get("fields")))


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

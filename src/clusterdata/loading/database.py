"""Load a data package's tables into DuckDB, typed from their Table Schemas.

One loader serves every consumer: layer 3 of `validate` (which needs each record's *physical*
line and must tolerate bad cells), `publish` and the consumer API (which want typed tables with
their primary and foreign keys declared).

How a table gets in, and why:

* Every cell is read as text first. Casting while reading (``read_csv`` with types, or
  ``store_rejects``) drops or mangles the rows with a bad cell, and they then look like dangling
  references elsewhere (design.md, "Pitfalls").
* The text is cast per the Table Schema with ``TRY_CAST`` *behind a pattern that follows Table
  Schema's own syntax*: DuckDB's casts are looser (``'1987.5'`` becomes 1988 as BIGINT, ``' 12'``
  and ``'1e3'`` are integers), so a cell that is not a Table Schema value becomes NULL instead of a
  wrong value. Layer 1 reports such cells; layer 3 only needs not to be misled by them.
* The record's physical line is a hidden column (`LINE_COLUMN`), taken from the line map that
  layer 1 built with the csv module and joined by position. DuckDB's own reader is ~15× faster
  than the csv module (0.21 s against 3.2 s for 1M rows on 2 cores), so it is used whenever its
  records provably match the line map (same count, plain dialect, UTF-8); anything else is read
  with the same csv settings as the line map, which keeps the alignment exact by construction.
* Table and column names come from an untrusted descriptor: they are always quoted.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clusterdata.core.findings import Finding, error
from clusterdata.core.lines import LineMap, csv_records, map_lines
from clusterdata.core.package import DataPackage, Resource, as_list

if TYPE_CHECKING:
    import duckdb

    from clusterdata.validation.structure.result import StructureResult

#: The text-only copy of the table being loaded; in the temp schema, so no resource name (which
#: lives in main) can collide with it.
_RAW_NAME = '"__clusterdata_raw"'
_RAW = f"temp.main.{_RAW_NAME}"

#: Hidden column holding each record's 1-based physical line in its file (header = line 1).
LINE_COLUMN = "__line"

_UTF8 = {"utf-8", "utf8", "utf_8", "utf-8-sig"}
_LINE_ENDING_CHECKS = {"mixed-line-endings", "line-endings"}
#: Layer 1's text tables up to this many records are typed into tables of their own, larger
#: ones into views. Measured on the bundled package (14 tables, 255 rows): its 9 SQL checks take
#: 0.16 s over views (DuckDB binds every view's casts in every query) and 0.05 s over tables,
#: and the copies cost less than the views did to create; at 1M rows copying the text costs more
#: than casting the few columns each query reads.
MATERIALIZE_MAX_RECORDS = 100_000

# Table Schema's lexical forms (https://specs.frictionlessdata.io/table-schema/#types-and-formats).
_INTEGER = r"[+-]?[0-9]+"
_NUMBER = r"[+-]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|NaN|INF)"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_DATETIME = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_OFFSET = r"(Z|[+-][0-9]{2}:?[0-9]{2})$"
_TIME = r"[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
_YEAR = r"-?[0-9]{4}"
_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]


class LoadError(Exception):
    """The tables could not be loaded with their keys declared (the data breaks a key)."""


def quote_ident(name: str) -> str:
    """A SQL identifier for any string: names come from an untrusted descriptor."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def duck_type(spec: dict[str, Any]) -> str:
    """The DuckDB type a Table Schema field is loaded as."""
    kind = str(spec.get("type", "string"))
    return {
        "integer": "BIGINT",
        "number": "DOUBLE",
        "boolean": "BOOLEAN",
        "date": "DATE",
        "datetime": "TIMESTAMP",
        "time": "TIME",
        "year": "INTEGER",
    }.get(kind, "VARCHAR")


def missing_values(schema: dict[str, Any]) -> list[str]:
    values = schema.get("missingValues", [""])
    return [str(v) for v in values] if isinstance(values, list) else [""]


def cast_expression(spec: dict[str, Any], text: str, missing: Iterable[str] = ("",)) -> str:
    """SQL turning the text column `text` into the field's type; NULL where Table Schema would fail.

    Each cast is guarded by the lexical form Table Schema accepts, so DuckDB's more lenient casts
    never turn a bad cell into a plausible value.
    """
    others = [m for m in missing if m != ""]
    value = text
    if others:
        listed = ", ".join(quote_literal(m) for m in others)
        value = f"(CASE WHEN {text} IN ({listed}) THEN NULL ELSE {text} END)"
    kind = str(spec.get("type", "string"))
    fmt = str(spec.get("format", "default") or "default")

    def guarded(pattern: str, target: str, subject: str = value) -> str:
        return (
            f"(CASE WHEN regexp_full_match({subject}, {quote_literal(pattern)}) "
            f"THEN TRY_CAST({subject} AS {target}) END)"
        )

    if kind == "integer":
        return guarded(_INTEGER, "BIGINT")
    if kind == "number":
        subject = value
        group = spec.get("groupChar")
        if isinstance(group, str) and group:
            subject = f"replace({subject}, {quote_literal(group)}, '')"
        decimal = spec.get("decimalChar")
        if isinstance(decimal, str) and decimal and decimal != ".":
            subject = f"replace({subject}, {quote_literal(decimal)}, '.')"
        return guarded(_NUMBER, "DOUBLE", subject)
    if kind == "boolean":
        trues = spec.get("trueValues", _TRUE)
        falses = spec.get("falseValues", _FALSE)
        true_sql = ", ".join(quote_literal(str(v)) for v in trues) or "NULL"
        false_sql = ", ".join(quote_literal(str(v)) for v in falses) or "NULL"
        return (
            f"(CASE WHEN {value} IN ({true_sql}) THEN TRUE "
            f"WHEN {value} IN ({false_sql}) THEN FALSE END)"
        )
    if kind in {"date", "datetime", "time"}:
        target = duck_type(spec)
        if fmt == "any":
            return f"TRY_CAST({value} AS {target})"
        if fmt != "default":
            return f"TRY_CAST(try_strptime({value}, {quote_literal(fmt)}) AS {target})"
        pattern = {"date": _DATE, "datetime": _DATETIME, "time": _TIME}[kind]
        if kind == "datetime":
            # A cell with a UTC offset is the instant it names, held in UTC: TIMESTAMP alone
            # drops the offset, which made `…T15:00:00Z` and `…T15:00:00+03:00` one key
            # (issue 14). Table Schema: a datetime is an XML Schema dateTime, whose offset is
            # part of the value.
            aware = f"timezone('UTC', TRY_CAST({value} AS TIMESTAMPTZ))"
            return (
                f"(CASE WHEN NOT regexp_full_match({value}, {quote_literal(_DATETIME)}) THEN NULL "
                f"WHEN regexp_matches({value}, {quote_literal(_OFFSET)}) THEN {aware} "
                f"ELSE TRY_CAST({value} AS TIMESTAMP) END)"
            )
        return guarded(pattern, target)
    if kind == "year":
        return guarded(_YEAR, "INTEGER")
    return value


@dataclass
class LoadedTable:
    """A resource as a DuckDB table named like the resource."""

    resource: Resource
    rows: int
    #: Name of the hidden physical-line column, or None when lines were not loaded.
    line_column: str | None
    #: "duckdb" (DuckDB's CSV reader), "python" (the csv module, as the line map reads it) or
    #: "fastpath" (the text table layer 1 loaded, reused without reading the file again).
    reader: str
    #: A view over layer 1's text table (casts on read) rather than a table of its own.
    view: bool = False

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def sql_name(self) -> str:
        return quote_ident(self.resource.name)


@dataclass
class LoadedPackage:
    """An in-memory DuckDB database holding a package's tables."""

    connection: duckdb.DuckDBPyConnection
    tables: dict[str, LoadedTable] = field(default_factory=dict)
    #: Tables that could not be loaded, as findings (layer 1 normally reports them first).
    findings: list[Finding] = field(default_factory=list)
    locked: bool = False
    #: False when the connection is borrowed from layer 1 (`fastpath.FastPackage`): closing
    #: then drops only the tables loaded here and leaves the connection to its owner.
    owned: bool = True

    def close(self) -> None:
        if self.owned:
            self.connection.close()
            return
        import duckdb

        for table in self.tables.values():
            kind = "VIEW" if table.view else "TABLE"
            with contextlib.suppress(duckdb.Error):  # the owner may have closed it already
                self.connection.execute(f"DROP {kind} IF EXISTS main.{table.sql_name}").fetchall()
        self.tables.clear()

    def __enter__(self) -> LoadedPackage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect() -> duckdb.DuckDBPyConnection:
    """A private in-memory database (no file is written, nothing is read until we ask)."""
    import duckdb

    connection = duckdb.connect(":memory:")
    connection.execute("SET autoinstall_known_extensions = false").fetchall()
    connection.execute("SET autoload_known_extensions = false").fetchall()
    return connection


def lock_down(connection: duckdb.DuckDBPyConnection) -> None:
    """From here on nothing read through this connection can touch a file, URL or extension.

    Locking the configuration keeps a later statement from switching access back on.
    """
    connection.execute("SET enable_external_access = false").fetchall()
    connection.execute("SET lock_configuration = true").fetchall()


def load_package(
    package: DataPackage,
    structure: StructureResult | None = None,
    *,
    lines: bool = True,
    declare_keys: bool = False,
    lock: bool = True,
) -> LoadedPackage:
    """Load every readable table of `package`, typed from its Table Schema.

    With `structure` (layer 1's result) only the tables it could parse are loaded, with its
    encodings and line maps; without it every admitted resource is read as declared.
    `declare_keys` creates the tables with PRIMARY KEY, UNIQUE, NOT NULL and FOREIGN KEY
    constraints (for publishing and consumers, on data that already validated) and raises
    `LoadError` when the data breaks one. `lock` disables external access once loaded.
    """
    import duckdb

    # Tables layer 1 already holds as text in DuckDB are typed from there, not read again.
    # (A connection that was locked by an earlier load cannot read the other files any more.)
    fast = getattr(structure, "fast", None)
    if fast is not None and (declare_keys or getattr(fast, "locked", False)):
        fast = None
    connection = fast.connection if fast is not None else connect()
    loaded = LoadedPackage(connection=connection, owned=fast is None)
    resources = structure.readable if structure is not None else list(package.resources)
    seen: dict[str, str] = {}
    order = _dependency_order(resources) if declare_keys else resources
    try:
        for resource in order:
            folded = resource.name.casefold()
            if folded in seen:
                loaded.findings.append(
                    error(
                        "resource-name",
                        f"Resource {resource.name!r} cannot be told apart from {seen[folded]!r} "
                        "in SQL (names differ only in case), so cross-table checks skip it.",
                        resource=resource.name,
                        path=resource.path,
                        hint="Give every resource a distinct lower-case name.",
                    )
                )
                continue
            fields_folded = [n.casefold() for n in resource.field_names]
            if len(set(fields_folded)) != len(fields_folded):
                loaded.findings.append(
                    error(
                        "duplicate-label",
                        f"Table {resource.name!r} has field names that differ only in case, so "
                        "cross-table checks skip it.",
                        resource=resource.name,
                        path=resource.path,
                        line=1,
                        hint="Give every column a distinct name.",
                    )
                )
                continue
            seen[folded] = resource.name
            fast_table = fast.tables.get(resource.name) if fast is not None else None
            if fast_table is not None and lines:
                try:
                    loaded.tables[resource.name] = _adopt_fast_table(
                        connection, resource, fast_table
                    )
                except duckdb.Error as exc:
                    loaded.findings.append(
                        error(
                            "load-error",
                            f"Table {resource.name!r} cannot be loaded for the "
                            f"cross-table checks: {str(exc).splitlines()[0]}",
                            resource=resource.name,
                            path=resource.path,
                            hint="Fix the errors reported for this file first.",
                        )
                    )
                continue
            encoding = (structure.encodings.get(resource.name) if structure else None) or (
                "utf-8-sig" if resource.encoding in _UTF8 else resource.encoding
            )
            line_map = structure.line_maps.get(resource.name) if structure else None
            if lines and line_map is None:
                line_map, _ = map_lines(resource, encoding)
            plain = structure is None or not any(
                f.check in _LINE_ENDING_CHECKS and f.resource == resource.name
                for f in structure.findings
            )
            try:
                table = _load_table(
                    connection,
                    resource,
                    encoding,
                    line_map if lines else None,
                    plain,
                    loaded.tables if declare_keys else None,
                )
            except duckdb.Error as exc:
                if declare_keys:
                    raise LoadError(
                        f"Table {resource.name!r} cannot be loaded: {str(exc).splitlines()[0]}"
                    ) from exc
                loaded.findings.append(
                    error(
                        "load-error",
                        f"Table {resource.name!r} cannot be loaded for the cross-table "
                        f"checks: {str(exc).splitlines()[0]}",
                        resource=resource.name,
                        path=resource.path,
                        hint="Fix the errors reported for this file first.",
                    )
                )
                continue
            loaded.tables[resource.name] = table
    except Exception:
        loaded.close()
        raise
    if lock:
        lock_down(connection)
        loaded.locked = True
        if fast is not None:
            fast.locked = True
    return loaded


def _adopt_fast_table(
    connection: duckdb.DuckDBPyConnection, resource: Resource, fast_table: Any
) -> LoadedTable:
    """Type a table from the text layer 1 loaded (`fastpath.FastTable`), with its lines.

    A view for a large table whose lines can be computed from the record number: copying a
    million rows of text costs more than casting, in each query, the few columns it reads; a
    table otherwise (`MATERIALIZE_MAX_RECORDS`).
    The text table holds NULL for an empty cell and, in blank or ragged records (`__py`), for a
    cell the record lacks; the view gives each cell the text the csv-module reader would give,
    so the table is the same whichever way it came in.
    """
    names = resource.field_names
    line_column = _line_column(names)
    missing = missing_values(resource.schema)
    texts = []
    for i in range(len(resource.fields)):
        cell = f"t.{quote_ident(f'c{i}')}"
        text = f"(CASE WHEN t.__py THEN {cell} ELSE coalesce({cell}, '') END)"
        if "" in missing:
            text = f"nullif({text}, '')"
        texts.append(f"{text} AS {quote_ident(f'c{i}')}")
    casts, where = _typed_select(resource)
    target = "main." + quote_ident(resource.name)
    line = fast_table.line_sql("t.rn")
    source = f"{fast_table.sql} AS t"
    if line is None:  # many multi-line records: join the line map once, into a table
        source += " JOIN __lines AS l ON l.rn = t.rn"
        line = "l.line"
        connection.register("__lines", _record_lines(fast_table.line_map))
    small = fast_table.line_map.records <= MATERIALIZE_MAX_RECORDS
    kind = "VIEW" if line != "l.line" and not small else "TABLE"
    try:
        connection.execute(
            f"CREATE {kind} {target} AS SELECT {casts}, r.__line AS {quote_ident(line_column)} "
            f"FROM (SELECT {line} AS __line, {', '.join(texts)} FROM {source}) AS r{where}"
        ).fetchall()
    finally:
        if kind == "TABLE":
            connection.unregister("__lines")
    return LoadedTable(
        resource=resource,
        rows=count_rows(connection, target),
        line_column=line_column,
        reader="fastpath",
        view=kind == "VIEW",
    )


def _record_lines(line_map: LineMap) -> Any:
    """(record number, physical line) of every data record, as an Arrow table (no copy of the
    lines): record number r (header = 1) starts at `line_map.starts[r - 1]`."""
    import numpy as np
    import pyarrow as pa

    count = max(0, len(line_map.starts) - 1)
    numbers = pa.array(np.arange(2, count + 2, dtype=np.int64))
    return pa.table({"rn": numbers, "line": _line_table(line_map).column("line")})


def _dependency_order(resources: list[Resource]) -> list[Resource]:
    """Referenced tables first, so FOREIGN KEY clauses can name them (cycles keep file order)."""
    by_name = {r.name: r for r in resources}
    done: list[Resource] = []
    visiting: set[str] = set()

    def visit(resource: Resource) -> None:
        if resource in done or resource.name in visiting:
            return
        visiting.add(resource.name)
        for fk in resource.foreign_keys:
            ref = fk.get("reference") if isinstance(fk.get("reference"), dict) else {}
            target = by_name.get(str((ref or {}).get("resource") or ""))
            if target is not None and target is not resource:
                visit(target)
        visiting.discard(resource.name)
        done.append(resource)

    for resource in resources:
        visit(resource)
    return done


def _load_table(
    connection: duckdb.DuckDBPyConnection,
    resource: Resource,
    encoding: str,
    line_map: LineMap | None,
    plain: bool,
    keyed: dict[str, LoadedTable] | None,
) -> LoadedTable:
    names = resource.field_names
    line_column = _line_column(names) if line_map is not None else None
    expected = None if line_map is None else max(0, line_map.records - 1)
    raw = _RAW
    connection.execute(f"DROP TABLE IF EXISTS {raw}").fetchall()
    reader = "duckdb"
    if not _read_with_duckdb(connection, resource, encoding, plain, raw, expected):
        reader = "python"
        _read_with_python(connection, resource, encoding, raw)
    raw_sql = raw
    source = f"{raw_sql} AS r"
    select_line = ""
    if line_map is not None and line_column is not None:
        connection.register("__lines", _line_table(line_map))
        source = f"{raw_sql} AS r POSITIONAL JOIN __lines AS l"
        select_line = f", l.line AS {quote_ident(line_column)}"
    casts, where = _typed_select(resource)
    target = "main." + quote_ident(resource.name)
    try:
        if keyed is None:
            connection.execute(
                f"CREATE TABLE {target} AS SELECT {casts}{select_line} FROM {source}{where}"
            ).fetchall()
        else:
            connection.execute(_create_keyed(resource, keyed, line_column)).fetchall()
            connection.execute(
                f"INSERT INTO {target} SELECT {casts}{select_line} FROM {source}{where}"
            ).fetchall()
    except Exception as exc:
        import duckdb

        if isinstance(exc, duckdb.ConstraintException):
            raise LoadError(f"Table {resource.name!r} breaks a declared key: {exc}") from exc
        raise
    finally:
        if line_map is not None and line_column is not None:
            connection.unregister("__lines")
        connection.execute(f"DROP TABLE IF EXISTS {raw_sql}").fetchall()
    return LoadedTable(
        resource=resource,
        rows=count_rows(connection, target),
        line_column=line_column,
        reader=reader,
    )


def count_rows(connection: duckdb.DuckDBPyConnection, table_sql: str) -> int:
    """Row count of a (quoted) table; fetches fully, as DuckDB 2 requires before the next call."""
    rows = connection.execute(f"SELECT count(*) FROM {table_sql}").fetchall()
    return int(rows[0][0]) if rows else 0


def _line_column(names: list[str]) -> str:
    """`LINE_COLUMN`, lengthened in the unlikely case a field already has that name."""
    folded = {n.casefold() for n in names}
    name = LINE_COLUMN
    while name.casefold() in folded:
        name += "_"
    return name


def _line_table(line_map: LineMap) -> Any:
    """The data records' start lines as a one-column Arrow table, without copying the array."""
    import pyarrow as pa

    count = max(0, len(line_map.starts) - 1)
    if count == 0:
        return pa.table({"line": pa.array([], pa.int64())})
    buffer = pa.py_buffer(line_map.starts)
    return pa.table({"line": pa.Array.from_buffers(pa.int64(), count, [None, buffer], offset=1)})


def _read_with_duckdb(
    connection: duckdb.DuckDBPyConnection,
    resource: Resource,
    encoding: str,
    plain: bool,
    raw: str,
    expected: int | None,
) -> bool:
    """DuckDB's fast reader, used only where its records are sure to be the csv module's."""
    import duckdb

    dialect_plain = (
        resource.has_plain_dialect
        and bool(resource.dialect.get("doubleQuote", True))
        and resource.dialect.get("header", True)
    )
    if not (
        plain
        and dialect_plain
        and encoding in _UTF8
        and "" in missing_values(resource.schema)
        and resource.fields
    ):
        return False
    columns = (
        "{"
        + ", ".join(f"{quote_literal(f'c{i}')}: 'VARCHAR'" for i in range(len(resource.fields)))
        + "}"
    )
    quote = quote_literal(resource.quote_char)
    sql = (
        f"CREATE TEMP TABLE {_RAW_NAME} AS SELECT * FROM read_csv(?, header = true, "
        f"auto_detect = false, delim = {quote_literal(resource.delimiter)}, quote = {quote}, "
        f"escape = {quote}, columns = {columns}, strict_mode = true)"
    )
    try:
        connection.execute(sql, [str(resource.file)]).fetchall()
    except duckdb.Error:
        connection.execute(f"DROP TABLE IF EXISTS {raw}").fetchall()
        return False
    if expected is not None and count_rows(connection, raw) != expected:
        # Blank lines (DuckDB skips them) or a record boundary the two readers disagree on.
        connection.execute(f"DROP TABLE {raw}").fetchall()
        return False
    return True


def _read_with_python(
    connection: duckdb.DuckDBPyConnection, resource: Resource, encoding: str, raw: str
) -> None:
    """Read with exactly the csv settings of `lines.map_lines`, so record i has line i's start."""
    import pyarrow as pa

    width = len(resource.fields)
    missing = set(missing_values(resource.schema)) & {""}
    columns: list[list[str | None]] = [[] for _ in range(width)]
    with csv_records(resource, encoding) as reader:
        first = True
        try:
            for record in reader:
                if first:
                    first = False
                    continue
                for index in range(width):
                    cell = record[index] if index < len(record) else None
                    columns[index].append(None if cell is None or cell in missing else cell)
        except csv.Error:
            pass  # layer 1 reports the line; the records read so far stay aligned
    table = pa.table({f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)})
    connection.register("__raw_arrow", table)
    try:
        connection.execute(f"CREATE TEMP TABLE {_RAW_NAME} AS SELECT * FROM __raw_arrow").fetchall()
    finally:
        connection.unregister("__raw_arrow")


def _create_keyed(
    resource: Resource, created: dict[str, LoadedTable], line_column: str | None
) -> str:
    """CREATE TABLE with the schema's keys; FOREIGN KEYs only to tables already created.

    DuckDB checks a FOREIGN KEY against rows already stored, so a table referring to itself
    cannot be loaded in one statement: such keys (and keys closing a cycle) are left undeclared.
    """
    parts = []
    required_pk = set(resource.primary_key)
    for spec in resource.fields:
        name = str(spec.get("name"))
        constraints = spec.get("constraints") if isinstance(spec.get("constraints"), dict) else {}
        clause = f"{quote_ident(name)} {duck_type(spec)}"
        if (constraints or {}).get("required") or name in required_pk:
            clause += " NOT NULL"
        if (constraints or {}).get("unique") and [name] != resource.primary_key:
            clause += " UNIQUE"
        parts.append(clause)
    if line_column is not None:
        parts.append(f"{quote_ident(line_column)} BIGINT")
    if resource.primary_key:
        parts.append(
            "PRIMARY KEY (" + ", ".join(quote_ident(k) for k in resource.primary_key) + ")"
        )
    for fk in resource.foreign_keys:
        fields = as_list(fk.get("fields"))
        ref = fk.get("reference") if isinstance(fk.get("reference"), dict) else {}
        target_name = str((ref or {}).get("resource") or "")
        target_fields = as_list((ref or {}).get("fields"))
        target = created.get(target_name)
        if target is None or target_name == resource.name or len(fields) != len(target_fields):
            continue
        if not _is_key(target.resource, target_fields):
            continue
        parts.append(
            "FOREIGN KEY ("
            + ", ".join(quote_ident(f) for f in fields)
            + ") REFERENCES "
            + quote_ident(target_name)
            + " ("
            + ", ".join(quote_ident(f) for f in target_fields)
            + ")"
        )
    return f"CREATE TABLE main.{quote_ident(resource.name)} (" + ", ".join(parts) + ")"


def _is_key(resource: Resource, fields: list[str]) -> bool:
    """DuckDB can only reference a PRIMARY KEY or UNIQUE column set."""
    if fields == resource.primary_key:
        return True
    if len(fields) == 1:
        spec = next((f for f in resource.fields if f.get("name") == fields[0]), {})
        constraints = spec.get("constraints") if isinstance(spec.get("constraints"), dict) else {}
        return bool((constraints or {}).get("unique"))
    return False


@contextmanager
def loaded(package: DataPackage, **options: Any) -> Iterator[LoadedPackage]:
    """`with loaded(package) as db: db.connection.sql(...)` — closes the database afterwards."""
    result = load_package(package, **options)
    try:
        yield result
    finally:
        result.close()


def _typed_select(resource: Resource) -> tuple[str, str]:
    """The typed columns over raw text columns `r.c0…`, and the filter on blank records.

    A blank record (an empty line, or only empty cells) is layer 1's `blank-row`; it holds
    nothing for a cross-table rule, so it is left out rather than reported again as a key.
    """
    missing = missing_values(resource.schema)
    casts = ", ".join(
        f"{cast_expression(spec, 'r.' + quote_ident(f'c{i}'), missing)} AS "
        f"{quote_ident(str(spec.get('name')))}"
        for i, spec in enumerate(resource.fields)
    )
    cells = ", ".join(f"r.{quote_ident(f'c{i}')}" for i in range(len(resource.fields)))
    where = f" WHERE coalesce({cells}) IS NOT NULL" if resource.fields else ""
    return casts, where

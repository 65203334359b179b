"""One resource into DuckDB as a typed table: read as text, then cast per its Table Schema.

Every cell is read as text first (casting while reading drops or mangles the rows with a bad
cell, which then look like dangling references elsewhere) and cast with
`clusterdata.tableschema.sql.cast_expression`, the SQL rendering of the Table Schema core. The
record's physical line is a hidden column, joined by position from layer 1's line map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clusterdata.core.lines import LineMap
from clusterdata.core.package import Resource
from clusterdata.loading.csv_readers import RAW, count_rows, read_with_duckdb, read_with_python
from clusterdata.loading.keyed import LoadError, create_keyed, first_bad_cell
from clusterdata.tableschema.sql import cast_expression, quote_ident

if TYPE_CHECKING:
    import duckdb

#: Hidden column holding each record's 1-based physical line in its file (header = line 1).
LINE_COLUMN = "__line"


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


def adopt_fast_table(
    connection: duckdb.DuckDBPyConnection,
    resource: Resource,
    fast_table: Any,
    materialize_max: int,
) -> LoadedTable:
    """Type a table from the text layer 1 loaded (`fastpath.FastTable`), with its lines.

    A view for a large table whose lines can be computed from the record number: copying a
    million rows of text costs more than casting, in each query, the few columns it reads; a
    table otherwise (up to `materialize_max` records: `database.MATERIALIZE_MAX_RECORDS`).
    The text table holds NULL for an empty cell and, in blank or ragged records (`__py`), for a
    cell the record lacks; the view gives each cell the text the csv-module reader would give,
    so the table is the same whichever way it came in.
    """
    names = resource.field_names
    line_column = line_column_name(names)
    texts = []
    schema = resource.table_schema
    for i, field in enumerate(schema.fields):
        cell = f"t.{quote_ident(f'c{i}')}"
        text = f"(CASE WHEN t.__py THEN {cell} ELSE coalesce({cell}, '') END)"
        if "" in schema.missing_values_of(field):
            text = f"nullif({text}, '')"
        texts.append(f"{text} AS {quote_ident(f'c{i}')}")
    casts, where = typed_select(resource)
    target = "main." + quote_ident(resource.name)
    line = fast_table.line_sql("t.rn")
    source = f"{fast_table.sql} AS t"
    if line is None:  # many multi-line records: join the line map once, into a table
        source += " JOIN __lines AS l ON l.rn = t.rn"
        line = "l.line"
        connection.register("__lines", record_lines(fast_table.line_map))
    small = fast_table.line_map.records <= materialize_max
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


def record_lines(line_map: LineMap) -> Any:
    """(record number, physical line) of every data record, as an Arrow table (no copy of the
    lines): record number r (header = 1) starts at `line_map.starts[r - 1]`."""
    import numpy as np
    import pyarrow as pa

    count = max(0, len(line_map.starts) - 1)
    numbers = pa.array(np.arange(2, count + 2, dtype=np.int64))
    return pa.table({"rn": numbers, "line": line_table(line_map).column("line")})


def load_table(
    connection: duckdb.DuckDBPyConnection,
    resource: Resource,
    encoding: str,
    line_map: LineMap | None,
    plain: bool,
    keyed: dict[str, LoadedTable] | None,
) -> LoadedTable:
    names = resource.field_names
    line_column = line_column_name(names) if line_map is not None else None
    expected = None if line_map is None else max(0, line_map.records - 1)
    raw = RAW
    connection.execute(f"DROP TABLE IF EXISTS {raw}").fetchall()
    reader = "duckdb"
    if not read_with_duckdb(connection, resource, encoding, plain, raw, expected):
        reader = "python"
        read_with_python(connection, resource, encoding, raw)
    raw_sql = raw
    source = f"{raw_sql} AS r"
    select_line = ""
    if line_map is not None and line_column is not None:
        connection.register("__lines", line_table(line_map))
        source = f"{raw_sql} AS r POSITIONAL JOIN __lines AS l"
        select_line = f", l.line AS {quote_ident(line_column)}"
    casts, where = typed_select(resource)
    target = "main." + quote_ident(resource.name)
    try:
        if keyed is None:
            connection.execute(
                f"CREATE TABLE {target} AS SELECT {casts}{select_line} FROM {source}{where}"
            ).fetchall()
        else:
            bad = first_bad_cell(connection, resource, raw_sql, encoding)
            if bad is not None:  # it would load as NULL: a consumer must not get it silently
                raise bad
            connection.execute(create_keyed(resource, keyed, line_column)).fetchall()
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


def line_column_name(names: list[str]) -> str:
    """`LINE_COLUMN`, lengthened in the unlikely case a field already has that name."""
    folded = {n.casefold() for n in names}
    name = LINE_COLUMN
    while name.casefold() in folded:
        name += "_"
    return name


def line_table(line_map: LineMap) -> Any:
    """The data records' start lines as a one-column Arrow table, without copying the array."""
    import pyarrow as pa

    count = max(0, len(line_map.starts) - 1)
    if count == 0:
        return pa.table({"line": pa.array([], pa.int64())})
    buffer = pa.py_buffer(line_map.starts)
    return pa.table({"line": pa.Array.from_buffers(pa.int64(), count, [None, buffer], offset=1)})


def typed_select(resource: Resource) -> tuple[str, str]:
    """The typed columns over raw text columns `r.c0…`, and the filter on blank records.

    A blank record (an empty line, or only empty cells) is layer 1's `blank-row`; it holds
    nothing for a cross-table rule, so it is left out rather than reported again as a key.
    """
    schema = resource.table_schema
    casts = ", ".join(
        f"{cast_expression(field.descriptor, f'r.c{i}', schema.missing_values_of(field))} "
        f"AS {quote_ident(field.name)}"
        for i, field in enumerate(schema.fields)
    )
    cells = ", ".join(f"r.{quote_ident(f'c{i}')}" for i in range(len(schema.fields)))
    where = f" WHERE coalesce({cells}) IS NOT NULL" if schema.fields else ""
    return casts, where

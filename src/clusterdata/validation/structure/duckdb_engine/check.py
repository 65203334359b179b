"""Checking a group of linked tables (`check_group`): each table loaded and its cells checked
as soon as its file is read, suspects handed to frictionless's `Row` (`_cell_checks`), then
keys; the group's text tables stay loaded for the later layers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from clusterdata.core.findings import Finding
from clusterdata.core.package import DataPackage, Resource
from clusterdata.core.tableerrors import TableError
from clusterdata.tableschema.model import ForeignKey
from clusterdata.validation.structure.duckdb_engine.columns import _and, _or
from clusterdata.validation.structure.duckdb_engine.keys import (
    _all_key_fields,
    _build_keys,
    _finder,
    _foreign_key_checks,
    _own_key_checks,
    referenced_fields,
)
from clusterdata.validation.structure.duckdb_engine.reads import _load, _Read
from clusterdata.validation.structure.duckdb_engine.records import (
    Prepared,
    parse_record,
    swallowed_findings,
)
from clusterdata.validation.structure.duckdb_engine.tables import (
    FastPackage,
    FastPathUnavailable,
    FastTable,
    _Table,
)
from clusterdata.validation.structure.errors import to_finding

if TYPE_CHECKING:
    import duckdb

    from clusterdata.validation.structure.result import StructureResult


def check_group(
    package: DataPackage,
    prepared: list[Prepared],
    usable_fks: dict[str, list[ForeignKey]],
    result: StructureResult,
) -> list[Finding]:
    """All findings for a group of linked tables; raises FastPathUnavailable to fall back.

    The group's text tables stay loaded in `result.fast` (created on first use) for the later
    layers; a group that falls back leaves nothing behind (its tables' schemas are dropped).
    """
    import duckdb

    from clusterdata.loading.database import connect

    shared: FastPackage | None = getattr(result, "fast", None)
    if shared is None:
        started = next((p.read.shared for p in prepared if p.read is not None), None)
        shared = started if started is not None else FastPackage(connect())
        result.fast = shared
    connection = shared.connection
    reads: list[_Read] = []
    try:
        for item in prepared:
            read = item.read if isinstance(item.read, _Read) else None
            if read is None or read.shared is not shared:
                read = _Read(shared, item.resource)
            item.read = None
            reads.append(read)
        tables, suspects, records = _check_tables(connection, prepared, reads, usable_fks)
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
    findings = []
    for item in prepared:
        findings.extend(swallowed_findings(item))
    for resource, record in records:
        findings.append(to_finding(resource, record, result.line_maps[resource.name]))
    for table in tables.values():
        findings.extend(table.patterns.findings(table.prepared.line_map))
    return findings


def _check_tables(
    connection: duckdb.DuckDBPyConnection,
    prepared: list[Prepared],
    reads: list[_Read],
    usable_fks: dict[str, list[ForeignKey]],
) -> tuple[dict[str, _Table], dict[str, list[int]], list[tuple[Resource, TableError]]]:
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
    cells: dict[str, list[TableError]] = {}
    keys: dict[str, list[TableError]] = {}
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
    records: list[tuple[Resource, TableError]] = []
    for part in (cells, keys):
        for name in names:
            records.extend((tables[name].prepared.resource, r) for r in part[name])
    return {name: tables[name] for name in names}, suspects, records


@contextlib.contextmanager
def _plain_plans(connection: duckdb.DuckDBPyConnection, small: bool) -> Iterator[None]:
    """Queries of small tables run unoptimised: optimising a suspect query (a dozen columns of
    patterns) takes longer than running it on a hundred rows. Plans differ, results not."""
    if not small:
        yield
        return
    connection.execute("PRAGMA disable_optimizer").fetchall()
    try:
        yield
    finally:
        connection.execute("PRAGMA enable_optimizer").fetchall()


#: Tables with at most this many records are fetched whole by the suspect query and filtered in
#: Python, and a group of such tables checks its keys in Python (`_PythonKeys`): DuckDB spends
#: longer binding each big query than a small table costs to check.
SMALL_ROWS = 2000


def _cell_checks(
    connection: duckdb.DuckDBPyConnection, table: _Table, python_keys: bool
) -> tuple[list[TableError], list[int]]:
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
    errors: list[TableError] = []
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
                values = parse_record(prepared, rn - 1) if rn - 1 not in blank else []
            else:
                values = ["" if c is None else c for c in cells]
            row = Row(values, handlers=table.handlers, row_number=rn)
            for fl_error in [*row.errors, *table.patterns.errors(row)]:
                errors.append(TableError.from_frictionless(fl_error.to_descriptor()))
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
    return errors, checked

"""Reading a file into DuckDB as text (`_read_csv`, on a thread of its own for a big file while
`prepare` scans its bytes: `prepare_group`) and checking DuckDB's reading against the record
map (`_load`): the same records, the rows numbered as frictionless counts them, the quoted
line breaks where the byte scan found them. Any disagreement raises `FastPathUnavailable`.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from clusterdata.core.package import Resource
from clusterdata.validation.structure.duckdb_engine.columns import _Column, _lit
from clusterdata.validation.structure.duckdb_engine.keys import _key_fields
from clusterdata.validation.structure.duckdb_engine.records import (
    Prepared,
    _span,
    parse_record,
    prepare,
)
from clusterdata.validation.structure.duckdb_engine.schema import _cell_handlers, _fl_schema
from clusterdata.validation.structure.duckdb_engine.tables import (
    FastPackage,
    FastPathUnavailable,
    _Breaks,
    _step_sql,
    _Table,
)

if TYPE_CHECKING:
    import duckdb


def _read_csv(
    connection: duckdb.DuckDBPyConnection, resource: Resource, raw: str, first_try: bool
) -> tuple[int, list[tuple[int, str]]]:
    """Read every record after the header as text into table `raw`: DuckDB's record count and
    the records it rejected (byte position, error type), which must be ragged ones.

    Run on a cursor of its own, whose `reject_errors` table no other read shares. With a
    100 MB line limit DuckDB reads the file on one thread (its buffer outgrows the file), about
    as fast as its parallel reader on two cores at half the CPU (bench/results.md),
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


#: Skipped records (blank or ragged) up to which a view numbers the rows DuckDB kept with a
#: CASE over its row id; with more, the rows are numbered once, in a copy of the table.
STEP_LIMIT = 256
#: Multi-line records up to which their rows are fetched with the suspects and their quoted
#: line breaks checked in Python (`_Breaks`); with more, DuckDB sums them in a query of its own.
MULTILINE_ROWS = 10_000


def _load(connection: duckdb.DuckDBPyConnection, prepared: Prepared, read: _Read) -> _Table:
    """Wait for the file's read and check it against the record map; blank and ragged records
    come from the record map, numbered like the rest."""
    from clusterdata.validation.structure.patterncheck import RowPatterns

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
        for i, (f, spec) in enumerate(
            zip(fl_schema.fields, resource.table_schema.fields, strict=True)
        )
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
        if record < 1 or record >= records or len(parse_record(prepared, record)) == width:
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
        cells = parse_record(prepared, record) if record in rejected else []
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
    # Arrow: registering Arrow makes DuckDB import pandas, which costs more than the join.)
    connection.execute(
        f"CREATE TABLE {sql} AS SELECT r.* EXCLUDE (k), r.k + 2 + coalesce(g.n, 0) AS rn, "
        f"FALSE AS __py FROM (SELECT *, rowid AS k FROM {raw}) AS r ASOF LEFT JOIN "
        "(SELECT unnest(?::BIGINT[]) AS a, unnest(?::BIGINT[]) AS n) AS g ON r.k >= g.a",
        [list(after), list(after.values())],
    ).fetchall()
    _insert(connection, sql, values)
    connection.execute(f"DROP TABLE {raw}").fetchall()


def _insert(connection: duckdb.DuckDBPyConnection, table: str, rows: list[list[Any]]) -> None:
    """Insert rows with a few statements (`executemany` runs one statement per row)."""
    for start in range(0, len(rows), 256):
        batch = rows[start : start + 256]
        one = "(" + ", ".join("?" for _ in batch[0]) + ")"
        connection.execute(
            f"INSERT INTO {table} VALUES {', '.join(one for _ in batch)}",
            [value for row in batch for value in row],
        ).fetchall()

"""What the fast path holds: a table while layer 1 checks it (`_Table`), the text tables it
leaves loaded for layers 2 and 3 (`FastTable`, `FastPackage`), and the signal to fall back to
frictionless (`FastPathUnavailable`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clusterdata.core.lines import LineMap
from clusterdata.core.package import Resource

if TYPE_CHECKING:
    import duckdb

    from clusterdata.validation.structure.duckdb_engine.columns import _Column
    from clusterdata.validation.structure.duckdb_engine.records import PendingRead, Prepared


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
    reads: list[PendingRead] = field(default_factory=list, repr=False)

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

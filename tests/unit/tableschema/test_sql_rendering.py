"""The SQL rendering of the Table Schema rules means what the Python rules mean, cell for cell.

`cast_expression` (what `connect()`, `publish` and layer 3 load) must give the value the Python
parser gives (what `validate`, `load()` and `diff` read), and NULL exactly where the parser says
the text is not a value. The DuckDB engine's *certain* patterns must stay inside the rules.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest
from fixtures.tableschema_cells import CELLS, FIELDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterdata.tableschema import lexical
from clusterdata.tableschema.cells import BAD, cell_parser
from clusterdata.tableschema.sql import CERTAIN, bad_cell_condition, cast_expression

_BIGINT = range(-(2**63), 2**63)


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(":memory:")
    yield connection
    connection.close()


def sql_values(con: duckdb.DuckDBPyConnection, field: dict, cells: list[str]) -> list[Any]:
    rows = con.execute(
        f"SELECT {cast_expression(field, 'c')}, {bad_cell_condition(field, 'c')} "
        "FROM (SELECT unnest(?::VARCHAR[]) AS c, generate_subscripts(?::VARCHAR[], 1) AS i) "
        "ORDER BY i",
        [cells, cells],
    ).fetchall()
    for value, bad in rows:
        assert bad == (value is None)
    return [value for value, _ in rows]


def same(python: Any, sql: Any) -> bool:
    if isinstance(python, float) and isinstance(sql, float):
        return (math.isnan(python) and math.isnan(sql)) or python == sql
    return type(python) is type(sql) and python == sql


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(FIELDS)), cells=st.lists(CELLS, min_size=1, max_size=8))
def test_sql_cast_gives_the_python_value_or_null_where_python_says_bad(
    con: duckdb.DuckDBPyConnection, name: str, cells: list[str]
) -> None:
    field = FIELDS[name]
    parse = cell_parser(field)
    assert parse is not None
    for cell, sql in zip(cells, sql_values(con, field, cells), strict=True):
        python = parse(cell)
        if python is BAD:
            assert sql is None, f"{name}: SQL reads {cell!r} as {sql!r}, Python rejects it"
        elif isinstance(python, int) and not isinstance(python, bool) and python not in _BIGINT:
            assert sql is None  # beyond BIGINT: NULL, and `connect()` raises for it
        else:
            assert same(python, sql), f"{name}: {cell!r} is {python!r} in Python, {sql!r} in SQL"


@pytest.mark.parametrize(
    "name,cell,expected",
    [
        ("integer", " 12", 12),
        ("integer", "\u00a012", None),
        ("number", "\t1.5 ", 1.5),
        ("integer", "1e3", None),
        ("integer", "+5", 5),
        ("number", "-INF", -math.inf),
        ("number", "+INF", None),
        ("date", "0000-01-01", None),
        ("time", "24:00:00", None),
        ("datetime", "2020-01-01T00:00:00+0100", None),
    ],
)
def test_sql_cast_rejects_what_duckdb_alone_would_accept(
    con: duckdb.DuckDBPyConnection, name: str, cell: str, expected: Any
) -> None:
    assert sql_values(con, FIELDS[name], [cell]) == [expected]


def test_an_offset_is_converted_to_utc_not_dropped(con: duckdb.DuckDBPyConnection) -> None:
    [value] = sql_values(con, FIELDS["datetime"], ["2020-01-01T00:30:00+01:00"])
    assert value.isoformat() == "2019-12-31T23:30:00"


def test_schema_missing_values_are_null_and_not_bad(con: duckdb.DuckDBPyConnection) -> None:
    field = {"type": "integer"}
    rows = con.execute(
        f"SELECT {cast_expression(field, 'c', ['', 'NA'])}, "
        f"{bad_cell_condition(field, 'c', ['', 'NA'])} FROM (VALUES ('NA'), ('x')) AS t(c)"
    ).fetchall()
    assert rows == [(None, False), (None, True)]


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(sorted(CERTAIN)), data=st.data())
def test_every_certainly_clean_cell_of_the_duckdb_engine_is_a_value(
    con: duckdb.DuckDBPyConnection, kind: str, data: st.DataObject
) -> None:
    cell = data.draw(st.from_regex(CERTAIN[kind], fullmatch=True))
    field = {"type": "string", "format": "uri"} if kind == "uri" else {"type": kind}
    parse = cell_parser(field)
    assert parse is not None
    if kind in {"date", "datetime"}:  # the engine adds the cast: certain only where it holds
        target = "DATE" if kind == "date" else "TIMESTAMP"
        cast = con.execute(f"SELECT TRY_CAST(replace(?, 'Z', '') AS {target})", [cell]).fetchone()
        if cast is None or cast[0] is None:
            return
    assert parse(cell) is not BAD, f"the DuckDB engine certifies {cell!r} as {kind}"
    assert lexical.full({"uri": "uri"}.get(kind, kind), cell)

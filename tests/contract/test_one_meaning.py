"""One meaning per cell: `validate`, `load()`, `connect()` and `diff` agree on every cell.

Issue 13: the integer cells ``1e3`` and `` 12`` were flagged by `validate`, loaded as 1000 and
12 by `load()`, as NULL by `connect()`, and kept as text by `diff`. Now all four read cells
through the Table Schema core (`clusterdata.tableschema`), and this test holds them to it on
generated cells: a cell `validate` rejects is a located `DataError` for `load()` and
`connect()` (never another value, never a silent NULL) and stays text in `diff`; a cell it
accepts is the same value for all three readers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fixtures.packages import write_package
from fixtures.tableschema_cells import CELLS, FIELDS
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import clusterdata
from clusterdata.core.package import open_package
from clusterdata.diff import parse_cell, read_table
from clusterdata.loading.api import DataError

_BIGINT = range(-(2**63), 2**63)


def _package(folder: Path, field: dict, cells: list[str]) -> Path:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerows([["id", "v"], *([f"r{i}", cell] for i, cell in enumerate(cells))])
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "v", **field}]}
    return write_package(folder, {"t": (schema, text.getvalue())})


def _plain(value: Any) -> Any:
    """A reader's value in one comparable form (NaN as the string "NaN")."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.tz_convert(None) if value.tzinfo else value
        value = value.to_pydatetime()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if hasattr(value, "item") and not isinstance(value, dt.date | dt.time):
        value = value.item()  # numpy scalars
    return value


def _date_like(kind: str, value: Any) -> Any:
    """`load()` gives dates as midnight timestamps (datetime64); the others give dates."""
    if kind == "date" and isinstance(value, dt.datetime):
        return value.date()
    return value


def _rejected_lines(source: Path) -> set[int]:
    """The lines whose cell `validate` rejects (and nothing else may be wrong)."""
    report = clusterdata.validate(source, use_default_checks=False)
    others = [f for f in report.findings if f.is_error and f.column != "v"]
    assert not others, f"unrelated findings: {others}"
    lines = {f.line for f in report.findings if f.is_error}
    assert None not in lines
    return {line for line in lines if line is not None}


def _values(source: Path, field: dict) -> tuple[list[Any], list[Any] | None]:
    """Column v as `load()` and as `connect()` read it (None for connect when BIGINT cannot
    hold a value: then it raises, never loads NULL)."""
    loaded = [_plain(v) for v in clusterdata.load(source)["t"]["v"].tolist()]
    try:
        connection = clusterdata.connect(source)
    except DataError:
        assert field["type"] == "integer"
        assert any(v not in _BIGINT for v in loaded if v is not None)
        return loaded, None
    try:
        rows = connection.execute("SELECT v FROM t ORDER BY id").fetchall()
    finally:
        connection.close()
    return loaded, [_plain(row[0]) for row in rows]


@pytest.mark.slow
@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(name=st.sampled_from(sorted(FIELDS)), cells=st.lists(CELLS, min_size=1, max_size=6))
@example(name="integer", cells=["1e3", " 12", "+5"])
@example(name="datetime", cells=["2020-01-01T00:00:00+01:00", "2020-01-01T00:00:00+0100"])
@example(name="number", cells=["-INF", "NaN", "nan", "+INF", ""])
def test_validate_load_connect_and_diff_give_a_cell_one_meaning(
    name: str, cells: list[str]
) -> None:
    field = FIELDS[name]
    kind = field["type"]
    with tempfile.TemporaryDirectory() as tmp:
        source = _package(Path(tmp) / "all", field, cells)
        rejected = _rejected_lines(source)
        resource = open_package(source).resources[0]
        diffed = [parse_cell(field, row[1]) for row in read_table(resource).rows]
        for line, cell, value in zip(range(2, len(cells) + 2), cells, diffed, strict=True):
            if line in rejected:  # not a value: the diff compares it as its text
                assert value == cell, f"diff reads the rejected {cell!r} as {value!r}"

        # BIGINT cannot hold these: connect() raises for them too (never a silent NULL).
        too_big = {
            line
            for line, value in zip(range(2, len(cells) + 2), diffed, strict=True)
            if isinstance(value, int) and not isinstance(value, bool) and value not in _BIGINT
        }
        if rejected:  # the first rejected cell stops load() and connect(), located
            for read, stops in (
                (clusterdata.load, rejected),
                (clusterdata.connect, rejected | too_big),
            ):
                first = min(stops)
                with pytest.raises(DataError) as raised:
                    read(source)
                error = raised.value
                assert (error.path, error.line, error.column, error.value) == (
                    "t.csv",
                    first,
                    "v",
                    cells[first - 2],
                ), f"{read.__name__} for {cells!r}: {error}"

        kept = [i for i in range(len(cells)) if i + 2 not in rejected]
        if not kept:
            return
        # Every accepted cell is one value for all three readers.
        source = _package(Path(tmp) / "accepted", field, [cells[i] for i in kept])
        loaded, connected = _values(source, field)
        expected = [None if cells[i] == "" else _date_like(kind, _plain(diffed[i])) for i in kept]
        loaded = [_date_like(kind, v) for v in loaded]
        assert loaded == expected, f"{name}: load() {loaded!r}, diff {expected!r}"
        if connected is not None:
            assert connected == expected, f"{name}: connect() {connected!r}, diff {expected!r}"

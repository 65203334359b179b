"""A CSV whose dialect says `header: false` ("header ... Defaults to true", Table Dialect,
https://datapackage.org/standard/table-dialect/): every record is data, named by the schema's
fields, and every layer and reader locates a record at its own line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.packages import write_package

import clusterdata
from clusterdata.loading.api import DataError
from clusterdata.validation.pipeline import validate
from clusterdata.validation.structure import duckdb_engine

ENGINES = pytest.mark.parametrize("engine", ["1", "0"], ids=["duckdb", "frictionless"])
SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"unique": True}},
        {"name": "n", "type": "integer"},
    ]
}


def _package(tmp_path: Path, text: str) -> Path:
    descriptor = write_package(tmp_path, {"t": (SCHEMA, text)})
    data = json.loads(descriptor.read_text("utf-8"))
    data["resources"][0]["dialect"] = {"header": False}
    descriptor.write_text(json.dumps(data), "utf-8")
    return descriptor


def _findings(descriptor: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(descriptor, use_default_checks=False)
    return [(f.line, f.column, f.check, f.value) for f in report.findings if f.is_error]


@ENGINES
def test_without_a_header_the_first_line_is_data_and_errors_keep_their_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    from frictionless import Package

    descriptor = _package(tmp_path, "a,1\nb,x\na,3\n")
    assert _findings(descriptor, engine, monkeypatch) == [
        (2, "n", "type-error", "x"),
        (3, "id", "unique-error", "a"),
    ]
    report = Package(str(descriptor)).validate()
    rows = sorted((e.row_number, e.type) for e in report.tasks[0].errors)
    assert rows == [(2, "type-error"), (3, "unique-error")]  # frictionless-py agrees


@ENGINES
def test_a_repeated_value_without_a_header_names_the_line_it_repeats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(_package(tmp_path, "a,1\nb,2\na,3\n"), use_default_checks=False)
    [finding] = [f for f in report.findings if f.is_error]
    assert finding.line == 3
    assert "line 1" in finding.message


def test_every_record_is_counted_as_a_row(tmp_path: Path) -> None:
    report = validate(_package(tmp_path, "a,1\nb,2\nc,3\n"), use_default_checks=False)
    assert report.valid
    assert report.summary.rows_per_table == {"t": 3}


def test_load_and_connect_read_every_record_as_data(tmp_path: Path) -> None:
    descriptor = _package(tmp_path, "a,1\nb,2\n")
    assert clusterdata.load(descriptor)["t"].to_dict("list") == {"id": ["a", "b"], "n": [1, 2]}
    connection = clusterdata.connect(descriptor)
    try:
        assert connection.execute("SELECT id, n FROM t ORDER BY id").fetchall() == [
            ("a", 1),
            ("b", 2),
        ]
    finally:
        connection.close()


def test_load_locates_a_bad_cell_at_its_own_line(tmp_path: Path) -> None:
    with pytest.raises(DataError) as raised:
        clusterdata.load(_package(tmp_path, "a,1\nb,x\n"))
    assert (raised.value.line, raised.value.column, raised.value.value) == (2, "n", "x")


@ENGINES
def test_an_escape_character_is_read_alike_by_every_layer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """`escapeChar` with `doubleQuote: false`: a quote inside a cell is written \\"."""
    text = 'id,n\n"say \\"hi\\", then",1\nb,x\n'
    descriptor = write_package(tmp_path, {"t": (SCHEMA, text)})
    data = json.loads(descriptor.read_text("utf-8"))
    data["resources"][0]["dialect"] = {"escapeChar": "\\", "doubleQuote": False}
    descriptor.write_text(json.dumps(data), "utf-8")
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(descriptor, use_default_checks=False)
    assert [(f.line, f.column, f.check) for f in report.findings if f.is_error] == [
        (3, "n", "type-error")
    ]

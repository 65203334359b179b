"""Table Dialect for JSON rows: `itemKeys` and `itemType` (v2), and frictionless's `json.keys`.

Table Dialect (https://datapackage.org/standard/table-dialect/): `itemKeys` "specifies the way
of extracting rows from data arrays with `itemType` is `object`", and `itemType` "specifies
whether the data `property` contains an array of arrays or an array of objects". frictionless-py
5.21 reads the keys from its own `json.keys` control, which is where the engine hands them over,
so both engines and frictionless-py read the same cells.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fixtures.tableformats import ENGINES, SCHEMA, ours, theirs, write_descriptor

from clusterdata.validation.pipeline import validate
from clusterdata.validation.structure import duckdb_engine

#: The order of keys in each object differs, and each carries a key the table does not have.
OBJECTS: list[dict[str, Any]] = [
    {"name": "Göteborg", "id": 1, "note": "x", "n": 2},
    {"n": "x", "id": 2, "name": "Luleå", "note": "y"},
]


def _json_table(folder: Path, dialect: dict[str, Any], items: list[Any] = OBJECTS) -> Path:
    body = ",\n".join("  " + json.dumps(item, ensure_ascii=False) for item in items)
    (folder / "t.json").write_text("[\n" + body + "\n]\n", "utf-8")
    resource = {"name": "t", "type": "table", "path": "t.json", "schema": SCHEMA}
    resource["dialect"] = dialect
    return write_descriptor(folder, resource)


@ENGINES
@pytest.mark.parametrize(
    "dialect", [{"itemKeys": ["id", "n", "name"]}, {"json": {"keys": ["id", "n", "name"]}}]
)
def test_item_keys_pick_and_order_the_cells_of_object_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str, dialect: dict[str, Any]
) -> None:
    """Without the keys, the first object's keys (name, id, note, n) would be the header and
    every label would be wrong; with them, only the real defect remains: 'x' in n on line 3."""
    descriptor = _json_table(tmp_path, dialect)
    found = ours(descriptor, engine, monkeypatch)
    assert found == {("t", 3, "n", "type-error")}
    if "json" in dialect:  # frictionless-py reads its own spelling only
        assert found == theirs(descriptor)


@ENGINES
def test_without_item_keys_the_first_objects_keys_are_the_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    descriptor = _json_table(tmp_path, {})
    found = ours(descriptor, engine, monkeypatch)
    assert any(check == "incorrect-label" for *_, check in found)
    # A label finding names the label as written in the file; frictionless-py names the
    # schema's field at that position: the lines and kinds are the same.
    assert {(line, check) for _, line, _, check in found} == {
        (line, check) for _, line, _, check in theirs(descriptor)
    }


@ENGINES
@pytest.mark.parametrize(
    ("declared", "items", "found"),
    [
        ("array", OBJECTS, "objects"),
        ("object", [["id", "n", "name"], [1, 2, "a"]], "arrays"),
    ],
)
def test_rows_that_are_not_the_declared_item_type_are_one_located_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    engine: str,
    declared: str,
    items: list[Any],
    found: str,
) -> None:
    descriptor = _json_table(tmp_path, {"itemType": declared}, items)
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(descriptor, use_default_checks=False)
    assert not report.valid
    (finding,) = report.findings
    assert (finding.check, finding.path, finding.line) == ("source-error", "t.json", 2)
    assert f'"itemType": "{declared}"' in finding.message and found in finding.message


@ENGINES
@pytest.mark.parametrize("declared", ["array", "object"])
def test_rows_of_the_declared_item_type_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str, declared: str
) -> None:
    rows = [["id", "n", "name"], [1, 2, "a"], [2, 0, "b"]]
    items: list[Any] = (
        rows if declared == "array" else [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    )
    descriptor = _json_table(tmp_path, {"itemType": declared}, items)
    assert ours(descriptor, engine, monkeypatch) == set()


@ENGINES
def test_item_keys_apply_to_rows_inline_in_the_descriptor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    resource = {
        "name": "t",
        "type": "table",
        "data": OBJECTS,
        "schema": SCHEMA,
        "dialect": {"itemKeys": ["id", "n", "name"]},
    }
    descriptor = write_descriptor(tmp_path, resource)
    found = ours(descriptor, engine, monkeypatch)
    assert {(check, column) for *_, column, check in found} == {("type-error", "n")}

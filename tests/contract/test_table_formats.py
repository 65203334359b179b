"""Issue 14 item 3: every table format frictionless-py reads is checked, on both engines.

JSON (arrays and objects), NDJSON, rows inline in the descriptor and spreadsheet tables (.xlsx,
.xls, .ods) are checked by layer 1 like CSV; each format has a failing and a passing fixture,
written by `fixtures.tableformats`, and
the findings (table, place, column, kind) equal frictionless-py's own report on the same
package. A format whose reader library is missing stays a located `unchecked-table` error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fixtures.tableformats import (
    BAD,
    ENGINES,
    FORMATS,
    GOOD,
    HEADER,
    SCHEMA,
    as_objects,
    json_lines,
    ours,
    theirs,
    write_descriptor,
    write_table,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterdata.validation.pipeline import validate
from clusterdata.validation.structure import duckdb_engine


@ENGINES
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_bad_table_in_every_format_is_reported_as_frictionless_py_reports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, engine: str
) -> None:
    descriptor = write_descriptor(tmp_path, write_table(tmp_path, fmt, BAD))
    found = ours(descriptor, engine, monkeypatch)
    assert {(check, column) for _, _, column, check in found} == {
        ("type-error", "n"),
        ("constraint-minimum", "n"),
        ("primary-key", "id"),
    }
    assert found == theirs(descriptor)


@ENGINES
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_good_table_in_every_format_is_valid_and_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, engine: str
) -> None:
    descriptor = write_descriptor(tmp_path, write_table(tmp_path, fmt, GOOD))
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(descriptor, use_default_checks=False)
    assert [f for f in report.findings if f.is_error] == []
    assert report.valid
    assert report.summary.rows_per_table == {"t": 3}
    assert theirs(descriptor) == set()


@pytest.mark.parametrize(
    ("fmt", "line"),
    [
        ("json-arrays", 4),  # the array of the 3rd record ([2, "x", …]) starts on line 4
        ("json-objects", 3),  # the 2nd object (record 3: the header is implied) on line 3
        ("ndjson", 2),  # one row per line
    ],
)
def test_a_json_row_is_placed_on_the_line_it_starts_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, line: int
) -> None:
    descriptor = write_descriptor(tmp_path, write_table(tmp_path, fmt, BAD))
    found = ours(descriptor, "0", monkeypatch)
    assert ("t", line, "n", "type-error") in found
    text = (tmp_path / ("t.ndjson" if fmt == "ndjson" else "t.json")).read_text("utf-8")
    assert '"x"' in text.splitlines()[line - 1]


@pytest.mark.parametrize("fmt", ["inline-arrays", "inline-objects"])
def test_an_inline_row_is_placed_in_the_descriptor_with_its_json_pointer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    descriptor = write_descriptor(tmp_path, write_table(tmp_path, fmt, BAD))
    monkeypatch.setenv(duckdb_engine.ENV, "1")
    report = validate(descriptor, use_default_checks=False)
    (bad,) = [f for f in report.findings if f.check == "type-error"]
    index = 2 if fmt == "inline-arrays" else 1  # the header is item 0 of an array of arrays
    assert bad.path == "datapackage.json"
    assert f"/resources/0/data/{index}" in bad.message
    lines = descriptor.read_text("utf-8").splitlines()
    assert bad.line is not None
    # The row starts on its line: the opening bracket or brace, then its cells follow.
    assert lines[bad.line - 1].strip() in {"[", "{"}
    assert '"x"' in "\n".join(lines[bad.line - 1 : bad.line + 4])


def test_an_xlsx_row_is_named_by_sheet_and_excel_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    descriptor = write_descriptor(tmp_path, write_table(tmp_path, "xlsx", BAD))
    monkeypatch.setenv(duckdb_engine.ENV, "1")
    report = validate(descriptor, use_default_checks=False)
    (bad,) = [f for f in report.findings if f.check == "type-error"]
    assert (bad.path, bad.line) == ("t.xlsx", 3)
    assert "row 3 of sheet 'Data'" in bad.message
    (repeat,) = [f for f in report.findings if f.check == "primary-key"]
    assert repeat.message == (
        "At row 4 of sheet 'Data': This row's id repeats the id of row 2 of sheet 'Data'."
    )


def test_an_xlsx_table_on_a_named_sheet_is_read_from_that_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["not", "this", "sheet"])
    sheet = book.create_sheet("Data")
    for row in [HEADER, *BAD]:
        sheet.append(row)
    book.save(tmp_path / "t.xlsx")
    resource = {"name": "t", "path": "t.xlsx", "schema": SCHEMA, "dialect": {"sheet": "Data"}}
    descriptor = write_descriptor(tmp_path, resource)
    found = ours(descriptor, "1", monkeypatch)
    assert ("t", 3, "n", "type-error") in found
    assert not any(check.endswith("label") for *_, check in found)


@ENGINES
@pytest.mark.parametrize("fmt", ["json-objects", "inline-arrays", "xlsx"])
def test_foreign_keys_between_a_csv_table_and_another_format_are_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, engine: str
) -> None:
    """A CSV child refers to a parent in another format, and that parent to the CSV table."""
    parent = write_table(tmp_path, fmt, GOOD)
    parent["schema"] = {
        **SCHEMA,
        "foreignKeys": [{"fields": ["n"], "reference": {"resource": "c", "fields": ["ref"]}}],
    }
    (tmp_path / "c.csv").write_text("ref\n1\n9\n0\n2\n7\n", encoding="utf-8")
    child = {
        "name": "c",
        "path": "c.csv",
        "schema": {
            "fields": [{"name": "ref", "type": "integer"}],
            "foreignKeys": [{"fields": ["ref"], "reference": {"resource": "t", "fields": ["id"]}}],
        },
    }
    descriptor = write_descriptor(tmp_path, parent, child)
    found = ours(descriptor, engine, monkeypatch)
    # 9, 0 and 7 are no id of t; every n of t (2, 0, 7) is a ref of c.
    assert found == {
        ("c", 3, "ref", "foreign-key"),
        ("c", 4, "ref", "foreign-key"),
        ("c", 6, "ref", "foreign-key"),
    }
    assert found == theirs(descriptor)


@ENGINES
def test_domain_checks_run_on_a_json_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """Layer 2 reads the JSON table through the same records, so its checks are placed too."""
    schema = {
        "fields": [{"name": "start", "type": "string"}, {"name": "end", "type": "string"}],
        "x-checks": [{"check": "date-order", "start": "start", "end": "end"}],
    }
    items = [{"start": "2019-01-01", "end": "2020-01-01"}, {"start": "2019-05-20", "end": "2019"}]
    items.append({"start": "2019-05-20", "end": "2019-05-19"})
    (tmp_path / "d.json").write_text(json_lines(items), encoding="utf-8")
    descriptor = write_descriptor(tmp_path, {"name": "d", "path": "d.json", "schema": schema})
    found = ours(descriptor, engine, monkeypatch)
    assert found == {("d", 4, "end", "date-order")}


def test_load_and_connect_read_a_json_table_typed(tmp_path: Path) -> None:
    import clusterdata

    descriptor = write_descriptor(tmp_path, write_table(tmp_path, "json-objects", GOOD))
    frame = clusterdata.load(descriptor)["t"]
    assert frame["id"].tolist() == [1, 2, 3]
    assert frame["name"].tolist()[:2] == ["Göteborg", "Luleå"]
    connection = clusterdata.connect(descriptor)
    try:
        assert connection.execute('SELECT sum(n) FROM "t"').fetchall() == [(9,)]
    finally:
        connection.close()


def test_a_json_file_that_is_not_json_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "t.json").write_text('[\n  ["id", "n", "name"],\n  [1, 2 "a"]\n]\n', "utf-8")
    descriptor = write_descriptor(tmp_path, {"name": "t", "path": "t.json", "schema": SCHEMA})
    monkeypatch.setenv(duckdb_engine.ENV, "1")
    report = validate(descriptor, use_default_checks=False)
    assert not report.valid
    assert [(f.check, f.path, f.line) for f in report.findings if f.is_error] == [
        ("source-error", "t.json", 3)
    ]


def test_a_format_whose_reader_is_not_installed_is_a_located_unchecked_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """frictionless-py reads .ods with ezodf: an installation without it says so, per table."""
    import importlib.util

    from clusterdata.core import resource

    real = importlib.util.find_spec
    monkeypatch.setattr(
        resource.importlib.util,
        "find_spec",
        lambda name, *args: None if name == "ezodf" else real(name, *args),
    )
    write_table(tmp_path, "ods", GOOD)
    descriptor = write_descriptor(tmp_path, {"name": "t", "path": "t.ods", "schema": SCHEMA})
    report = validate(descriptor, use_default_checks=False)
    assert not report.valid
    (found,) = report.findings
    assert (found.check, found.resource, found.path) == ("unchecked-table", "t", "t.ods")
    assert "'ezodf'" in found.message and "not checked" in found.message


def test_publishing_a_package_with_a_json_table_is_refused_as_misuse(
    tmp_path: Path, cli: Any
) -> None:
    """A release ships CSV tables and their exports; it never converts a table silently."""
    descriptor = write_descriptor(tmp_path, write_table(tmp_path, "json-objects", GOOD))
    result = cli("publish", str(descriptor), "--out", str(tmp_path / "dist"))
    assert result.code == 2
    assert "t (json)" in result.err
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())


def test_diff_compares_the_rows_of_a_json_table(tmp_path: Path, cli: Any) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    write_descriptor(old, write_table(old, "json-objects", GOOD))
    write_descriptor(new, write_table(new, "json-objects", [GOOD[0], [2, 5, "Luleå"], GOOD[2]]))
    result = cli("diff", str(old), str(new), "--format", "json")
    (table,) = result.json()["tables"]
    assert table["counts"] == {"added": 0, "removed": 0, "modified": 1}
    assert table["modified"][0]["changes"] == [{"field": "n", "old": "0", "new": "5"}]


@pytest.mark.parametrize(
    ("name", "content", "line", "words"),
    [
        ("t.ndjson", b'{"id": 1}\n\n{"id": 2}\n', 2, "line 2 is blank"),
        ("t.ndjson", b'{"id": 1}\n{"id": 2}\n\n', 3, "line 3 is blank"),
        ("t.json", b'\xef\xbb\xbf[{"id": 1}]', 1, "byte-order mark"),
    ],
)
def test_what_frictionless_py_cannot_read_is_one_located_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: bytes,
    line: int,
    words: str,
) -> None:
    """frictionless-py refuses these files (a `source-error` without a line); so do we, at the
    line, with the fix."""
    (tmp_path / name).write_bytes(content)
    schema = {"fields": [{"name": "id", "type": "integer"}]}
    resource = {"name": "t", "type": "table", "path": name, "schema": schema}
    descriptor = write_descriptor(tmp_path, resource)
    from frictionless import Package

    theirs_report = Package(str(descriptor)).validate()
    assert [e.type for t in theirs_report.tasks for e in t.errors] == ["source-error"]
    monkeypatch.setenv(duckdb_engine.ENV, "1")
    report = validate(descriptor, use_default_checks=False)
    (found,) = [f for f in report.findings if f.is_error]
    assert (found.check, found.path, found.line) == ("source-error", name, line)
    assert words in found.message and found.hint


def test_inline_data_without_a_schema_is_not_a_table_and_checks_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Non-tabular inline data (settings, a lookup object) is legal in a data package; it is
    left alone, and a package with nothing else is still never valid."""
    meta = {"name": "meta", "data": {"colour": "blue"}}
    descriptor = write_descriptor(tmp_path, meta)
    report = validate(descriptor, use_default_checks=False)
    assert [f.check for f in report.findings if f.is_error] == ["no-table-checked"]
    descriptor = write_descriptor(tmp_path, meta, write_table(tmp_path, "inline-objects", GOOD))
    assert validate(descriptor, use_default_checks=False).valid


@ENGINES
@pytest.mark.parametrize(
    "dialect", [{"property": "rows"}, {"json": {"property": "rows"}}], ids=["v2", "frictionless"]
)
def test_json_rows_under_a_property_are_read_there_and_placed_on_their_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str, dialect: dict[str, Any]
) -> None:
    """Table Dialect v2: `property` is "the location of the data within a JSON document".
    frictionless-py 5.21 reads only its own spelling (`{"json": {"property": …}}`) and calls
    the rows missing under the spec's; we read both, so only its spelling is compared."""
    rows = json_lines(as_objects(BAD)).replace("\n", "\n  ").rstrip()
    (tmp_path / "t.json").write_text('{\n  "note": [1, 2],\n  "rows": ' + rows + "\n}\n", "utf-8")
    resource = {
        "name": "t",
        "type": "table",
        "path": "t.json",
        "schema": SCHEMA,
        "dialect": dialect,
    }
    descriptor = write_descriptor(tmp_path, resource)
    found = ours(descriptor, engine, monkeypatch)
    assert ("t", 5, "n", "type-error") in found
    assert '"x"' in (tmp_path / "t.json").read_text("utf-8").splitlines()[4]
    assert len(found) == 3
    if "json" in dialect:
        assert found == theirs(descriptor)


@ENGINES
def test_spreadsheet_dates_and_datetimes_keep_their_meaning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """Excel stores a date as a datetime at midnight: a date field reads it as the date, a
    datetime field as midnight, in validation and in load()."""
    import datetime

    import openpyxl

    import clusterdata

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["day", "at"])
    sheet.append([datetime.datetime(2024, 5, 17), datetime.datetime(2024, 5, 17)])
    sheet.append([datetime.date(2024, 6, 6), datetime.datetime(2024, 6, 6, 12, 30)])
    book.save(tmp_path / "t.xlsx")
    schema = {"fields": [{"name": "day", "type": "date"}, {"name": "at", "type": "datetime"}]}
    descriptor = write_descriptor(tmp_path, {"name": "t", "path": "t.xlsx", "schema": schema})
    assert ours(descriptor, engine, monkeypatch) == set() == theirs(descriptor)
    frame = clusterdata.load(descriptor)["t"]
    assert [str(d.date()) for d in frame["day"]] == ["2024-05-17", "2024-06-06"]
    assert [str(t) for t in frame["at"]] == ["2024-05-17 00:00:00", "2024-06-06 12:30:00"]


@ENGINES
def test_a_domain_finding_in_a_sheet_names_its_sheet_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Perioder"
    for row in [["start", "end"], ["2019-01-01", "2020-01-01"], ["2019-05-20", "2019-05-19"]]:
        sheet.append(row)
    book.save(tmp_path / "d.xlsx")
    schema = {
        "fields": [{"name": "start", "type": "string"}, {"name": "end", "type": "string"}],
        "x-checks": [{"check": "date-order", "start": "start", "end": "end"}],
    }
    descriptor = write_descriptor(tmp_path, {"name": "d", "path": "d.xlsx", "schema": schema})
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    (found,) = [f for f in validate(descriptor, use_default_checks=False).findings if f.is_error]
    assert (found.check, found.path, found.line) == ("date-order", "d.xlsx", 3)
    assert found.message.startswith("At row 3 of sheet 'Perioder': ")


#: JSON values a cell is drawn from: valid integers, near misses of every JSON kind, null.
_VALUES = st.sampled_from([0, 1, 2, -1, 7, "3", "x", "", 1.5, 2.0, True, None, [1], "å"])


@settings(
    max_examples=int(os.environ.get("CLUSTERDATA_FORMAT_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    fmt=st.sampled_from(["json-arrays", "json-objects", "ndjson", "inline-arrays"]),
    rows=st.lists(st.lists(_VALUES, min_size=2, max_size=4), min_size=0, max_size=6),
)
def test_random_json_tables_get_frictionless_py_findings_on_both_engines(
    tmp_path_factory: pytest.TempPathFactory, fmt: str, rows: list[list[Any]]
) -> None:
    """Random rows (ragged, every JSON kind of value, repeated and missing keys) in each JSON
    format: both engines report what frictionless-py reports, at the same places."""
    folder = tmp_path_factory.mktemp("random")
    if fmt == "json-objects" or fmt == "ndjson":  # objects cannot be ragged: cut to the header
        rows = [[*row, None, None, None][:3] for row in rows]
    descriptor = write_descriptor(folder, write_table(folder, fmt, rows))
    reference = theirs(descriptor)
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert ours(descriptor, "0", monkeypatch) == reference, "frictionless engine"
        assert ours(descriptor, "1", monkeypatch) == reference, "DuckDB engine"


@settings(
    max_examples=int(os.environ.get("CLUSTERDATA_FORMAT_EXAMPLES", "60")) // 2,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(
        st.lists(st.sampled_from([0, 1, 2, -1, "3", "x", 1.5, 2.0, True, None]), max_size=4),
        max_size=6,
    )
)
def test_random_sheets_get_frictionless_py_findings_on_both_engines(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[Any]]
) -> None:
    """Random rows in an .xlsx sheet (short, long and blank rows, numbers, text, booleans)."""
    folder = tmp_path_factory.mktemp("sheet")
    descriptor = write_descriptor(folder, write_table(folder, "xlsx", rows))
    reference = theirs(descriptor)
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert ours(descriptor, "0", monkeypatch) == reference, "frictionless engine"
        assert ours(descriptor, "1", monkeypatch) == reference, "DuckDB engine"

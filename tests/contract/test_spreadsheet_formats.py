"""Issue 14 item 3, spreadsheets: .xls and .ods tables are checked like .xlsx, on both engines.

frictionless-py reads Excel 97-2003 workbooks with xlrd and OpenDocument spreadsheets with
ezodf; the project keeps both, so neither format is "unchecked". The failing and passing
fixtures of every format are in test_table_formats.py (`FORMATS`); here: where a finding in
such a sheet points, which sheet is read, what an unreadable file gives, and random sheets
against frictionless-py's own report. The workbooks are written in each test (xlwt, ezodf).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fixtures.tableformats import (
    BAD,
    ENGINES,
    GOOD,
    HEADER,
    SCHEMA,
    ours,
    theirs,
    write_descriptor,
    write_sheet,
    write_table,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterdata.validation.pipeline import validate
from clusterdata.validation.structure import duckdb_engine

SHEETS = pytest.mark.parametrize("fmt", ["xls", "ods"])


@ENGINES
@SHEETS
def test_a_sheet_row_is_named_by_sheet_and_row_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, engine: str
) -> None:
    descriptor = write_descriptor(tmp_path, write_table(tmp_path, fmt, BAD))
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(descriptor, use_default_checks=False)
    (bad,) = [f for f in report.findings if f.check == "type-error"]
    assert (bad.path, bad.line, bad.column, bad.value) == (f"t.{fmt}", 3, "n", "x")
    assert "row 3 of sheet 'Data'" in bad.message
    (repeat,) = [f for f in report.findings if f.check == "primary-key"]
    assert repeat.message == (
        "At row 4 of sheet 'Data': This row's id repeats the id of row 2 of sheet 'Data'."
    )


#: What BAD's rows give wherever they are read from: frictionless-py's report (pinned equal in
#: test_table_formats.py), here written out so every spelling of the sheet can be held to it.
BAD_FOUND = {
    ("t", 3, "n", "type-error"),
    ("t", 4, "n", "constraint-minimum"),
    ("t", 4, "id", "primary-key"),
}


@SHEETS
@pytest.mark.parametrize(
    "dialect",
    [
        {"sheetName": "Data"},  # v2: "specifies a sheet name of a table in the spreadsheet file"
        {"sheetNumber": 3},  # v2: "specifies a sheet number …", default 1
        {"sheet": "Data"},  # frictionless-py before v5, flat
        {"excel": {"sheet": 3}},  # frictionless v5's control (for .ods: `ods`)
    ],
    ids=["sheetName", "sheetNumber", "sheet", "control"],
)
def test_a_sheet_table_is_read_from_the_sheet_its_dialect_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, dialect: dict[str, Any]
) -> None:
    """The sheet, by name or 1-based number, in every spelling; the other sheets hold no
    table (reading the first would give label errors)."""
    if "excel" in dialect and fmt == "ods":
        dialect = {"ods": dialect["excel"]}
    write_sheet(tmp_path / f"t.{fmt}", [HEADER, *BAD], before=2)
    resource = {"name": "t", "path": f"t.{fmt}", "schema": SCHEMA, "dialect": dialect}
    descriptor = write_descriptor(tmp_path, resource)
    for engine in ("0", "1"):
        assert ours(descriptor, engine, monkeypatch) == BAD_FOUND
    if "excel" in dialect or "ods" in dialect:
        assert theirs(descriptor) == BAD_FOUND  # frictionless-py 5.21 reads only its control


@SHEETS
def test_a_sheet_the_workbook_lacks_is_one_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    write_sheet(tmp_path / f"t.{fmt}", [HEADER, *GOOD])
    resource = {"name": "t", "path": f"t.{fmt}", "schema": SCHEMA, "dialect": {"sheet": "Nej"}}
    descriptor = write_descriptor(tmp_path, resource)
    for engine in ("0", "1"):
        monkeypatch.setenv(duckdb_engine.ENV, engine)
        report = validate(descriptor, use_default_checks=False)
        assert not report.valid
        (found,) = report.findings
        assert (found.check, found.path) == ("source-error", f"t.{fmt}")
        assert "no sheet 'Nej'" in found.message and "'Data'" in found.message


@SHEETS
def test_a_file_that_is_not_a_workbook_is_one_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    (tmp_path / f"t.{fmt}").write_text("id,n,name\n1,2,a\n", "utf-8")  # a CSV, renamed
    descriptor = write_descriptor(tmp_path, {"name": "t", "path": f"t.{fmt}", "schema": SCHEMA})
    for engine in ("0", "1"):
        monkeypatch.setenv(duckdb_engine.ENV, engine)
        report = validate(descriptor, use_default_checks=False)
        assert not report.valid
        assert [(f.check, f.path) for f in report.findings] == [("source-error", f"t.{fmt}")]
        assert "cannot be read" in report.findings[0].message


@SHEETS
def test_load_reads_a_sheet_table_typed(tmp_path: Path, fmt: str) -> None:
    from clusterdata.loading.api import load

    descriptor = write_descriptor(tmp_path, write_table(tmp_path, fmt, GOOD))
    frame = load(descriptor)["t"]
    assert frame["id"].tolist() == [1, 2, 3]
    assert frame["name"].tolist()[:2] == ["Göteborg", "Luleå"]


@settings(
    max_examples=int(os.environ.get("CLUSTERDATA_FORMAT_EXAMPLES", "60")) // 2,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    fmt=st.sampled_from(["xls", "ods"]),
    rows=st.lists(
        st.lists(st.sampled_from([0, 1, 2, -1, "3", "x", 1.5, 2.0, True, None, ""]), max_size=4),
        max_size=6,
    ),
)
def test_random_xls_and_ods_sheets_get_frictionless_py_findings_on_both_engines(
    tmp_path_factory: pytest.TempPathFactory, fmt: str, rows: list[list[Any]]
) -> None:
    """Random rows (short, long and blank rows, whole and fractional numbers, text, booleans,
    empty cells) in a sheet: both engines report what frictionless-py reports, at its rows."""
    folder = tmp_path_factory.mktemp("sheet")
    descriptor = write_descriptor(folder, write_table(folder, fmt, rows))
    reference = theirs(descriptor)
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert ours(descriptor, "0", monkeypatch) == reference, "frictionless engine"
        assert ours(descriptor, "1", monkeypatch) == reference, "DuckDB engine"


def _with_doctype(ods: Path, doctype: str, cell: str) -> None:
    """Rewrite the .ods so its content.xml declares `doctype` and its second row's cell holds
    `cell` (an entity reference) in place of the text "PLACEHOLDER"."""
    import zipfile

    original = ods.with_suffix(".orig")
    ods.rename(original)
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(ods, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "content.xml":
                text = data.decode("utf-8")
                end = text.index("?>") + 2
                text = text[:end] + doctype + text[end:].replace("PLACEHOLDER", cell)
                data = text.encode("utf-8")
            target.writestr(item, data)
    original.unlink()


@pytest.mark.parametrize(
    ("doctype", "cell"),
    [
        # an external entity: the file beside the package must never be read into a cell
        ('<!DOCTYPE x [<!ENTITY e SYSTEM "{secret}">]>', "&e;"),
        # a billion laughs: nested entities that would expand to gigabytes
        (
            '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            + "".join(
                f'<!ENTITY {n} "{("&" + p + ";") * 10}">'
                for p, n in zip("abcdefgh", "bcdefghi", strict=True)
            )
            + "]>",
            "&i;",
        ),
    ],
    ids=["external-entity", "billion-laughs"],
)
def test_an_ods_with_hostile_xml_entities_is_one_located_error_and_reads_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, doctype: str, cell: str
) -> None:
    """.ods is zipped XML, parsed by lxml (libxml2): it resolves no external entity and
    refuses entity amplification, so the table is one `source-error` and the secret stays out."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", "utf-8")
    package = tmp_path / "package"
    package.mkdir()
    write_sheet(package / "t.ods", [HEADER, [1, 2, "PLACEHOLDER"]])
    _with_doctype(package / "t.ods", doctype.replace("{secret}", secret.as_uri()), cell)
    descriptor = write_descriptor(package, {"name": "t", "path": "t.ods", "schema": SCHEMA})
    for engine in ("0", "1"):
        monkeypatch.setenv(duckdb_engine.ENV, engine)
        report = validate(descriptor, use_default_checks=False)
        assert [(f.check, f.path) for f in report.findings] == [("source-error", "t.ods")]
        assert "TOPSECRET" not in repr(report.findings)


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
@pytest.mark.parametrize(
    "dialect",
    [{"headerRows": "2"}, {"commentRows": [0]}, {"header": "no"}, {"headerRows": []}],
    ids=["header-rows-text", "comment-row-zero", "header-text", "header-rows-empty"],
)
def test_a_sheet_s_row_role_outside_the_spec_is_one_unsupported_dialect_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, dialect: dict[str, Any]
) -> None:
    """Row roles are followed in sheets (tests/contract/test_row_roles_not_csv.py); a value
    the spec does not allow ("an array of positive integers starting from 1", a boolean) is
    not guessed at: the table is reported unchecked, never "valid"."""
    descriptor = write_descriptor(tmp_path, write_table(tmp_path, fmt, GOOD, dialect=dialect))
    for engine in ("0", "1"):
        monkeypatch.setenv(duckdb_engine.ENV, engine)
        report = validate(descriptor, use_default_checks=False)
        assert not report.valid
        assert [(f.check, f.resource) for f in report.findings] == [("unsupported-dialect", "t")]
        assert next(iter(dialect)) in report.findings[0].message


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_a_sheet_with_the_default_row_roles_spelled_out_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    dialect = {"header": True, "headerRows": [1]}
    descriptor = write_descriptor(tmp_path, write_table(tmp_path, fmt, BAD, dialect=dialect))
    assert ours(descriptor, "1", monkeypatch) == BAD_FOUND

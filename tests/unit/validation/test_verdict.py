"""Issue 14, "one verdict you can trust": the defects found by trying the tool as a new user
would, each pinned on every engine (`CLUSTERDATA_FASTPATH=1` DuckDB, `=0` frictionless)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.packages import write_package

from clusterdata.validation.pipeline import validate
from clusterdata.validation.structure import duckdb_engine

ENGINES = pytest.mark.parametrize("engine", ["1", "0"], ids=["duckdb", "frictionless"])

WHEN_KEY = {
    "fields": [{"name": "when", "type": "datetime"}, {"name": "v", "type": "string"}],
    "primaryKey": ["when"],
}


def errors(descriptor: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> set[tuple]:
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(descriptor, use_default_checks=False)
    return {(f.line, f.column, f.check) for f in report.findings if f.is_error}


@ENGINES
def test_datetimes_with_different_utc_offsets_are_different_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """15:00Z and 15:00+03:00 are different instants, so different keys (a false positive of
    layer 3, which cast both to the same naive TIMESTAMP)."""
    text = "when,v\n2020-01-01T15:00:00Z,a\n2020-01-01T15:00:00+03:00,b\n"
    assert errors(write_package(tmp_path, {"t": (WHEN_KEY, text)}), engine, monkeypatch) == set()


@ENGINES
def test_the_same_instant_written_with_two_offsets_is_a_repeated_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """15:00+03:00 is 12:00Z: one instant, one key (frictionless-py says so too). 13:00+0100
    is the same instant for frictionless-py, whose key it stays, but its offset lacks XML
    Schema's colon, so the spec makes it a type error as well (`spec_cells`)."""
    text = (
        "when,v\n2020-01-01T15:00:00+03:00,a\n2020-01-01T12:00:00Z,b\n2020-01-01T13:00:00+0100,c\n"
    )
    found = errors(write_package(tmp_path, {"t": (WHEN_KEY, text)}), engine, monkeypatch)
    assert found == {
        (3, "when", "primary-key"),
        (4, "when", "primary-key"),
        (4, "when", "type-error"),
    }


PLAIN = {"fields": [{"name": "id", "type": "string"}], "primaryKey": ["id"]}


def _boom(*args: object, **kwargs: object) -> object:
    raise RuntimeError("forced crash")


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("clusterdata.validation.structure.run", "check_structure"),
        ("clusterdata.validation.rules.run", "check_frames"),
        ("clusterdata.validation.rules.run", "check_table_in_duckdb"),
        ("clusterdata.validation.rules.run", "check_table"),
        ("clusterdata.validation.integrity.run", "run_integrity"),
    ],
    ids=["layer1", "layer2", "layer2-duckdb-table", "layer2-pandas-table", "layer3"],
)
def test_a_forced_crash_in_any_layer_is_an_error_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli, module: str, name: str
) -> None:
    """Issue 13: a crash used to be a warning (layer 2) and the package reported valid."""
    import importlib

    monkeypatch.setenv(duckdb_engine.ENV, "0" if name == "check_table" else "1")
    monkeypatch.setattr(importlib.import_module(module), name, _boom)
    descriptor = write_package(tmp_path, {"t": (PLAIN, "id\na\nb\n")})
    result = cli("validate", descriptor, "--no-checks", "--format", "json")
    assert result.code == 2
    report = result.json()
    assert not report["valid"]
    crashed = [f for f in report["findings"] if f["check"] == "internal-error"]
    assert crashed and crashed[0]["severity"] == "error"
    assert "forced crash" in crashed[0]["message"]


def test_a_valid_package_exits_0_with_no_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli
) -> None:
    descriptor = write_package(tmp_path, {"t": (PLAIN, "id\na\nb\n")})
    assert cli("validate", descriptor, "--no-checks").code == 0


def _descriptor(folder: Path, resource: dict) -> Path:
    import json

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "datapackage.json").write_text(
        json.dumps({"name": "p", "resources": [resource]}), "utf-8"
    )
    return folder / "datapackage.json"


@pytest.mark.parametrize("kind", ["inline", "json", "xlsx"])
def test_a_table_in_another_format_is_checked_never_skipped_as_valid(
    tmp_path: Path, cli, kind: str
) -> None:
    """Issue 14: `valid — 0 tables` with exit 0 for a package of JSON, inline or .xlsx tables.
    Their rows are now checked (tests/contract/test_table_formats.py has every format); a file
    that cannot be read in its format is a located error, never a table counted as valid."""
    schema = {"fields": [{"name": "id", "type": "integer"}]}
    resource: dict = {"name": "t", "schema": schema}
    if kind == "inline":
        resource["data"] = [{"id": 1}, {"id": "one"}]
    else:
        (tmp_path / f"t.{kind}").write_bytes(
            b'[{"id": 1}, {"id": "one"}]' if kind == "json" else b"PK\x03\x04"
        )
        resource["path"] = f"t.{kind}"
    result = cli("validate", _descriptor(tmp_path, resource), "--no-checks", "--format", "json")
    assert result.code == 1
    found = [(f["check"], f["resource"], f["severity"]) for f in result.json()["findings"]]
    if kind == "xlsx":  # not a workbook: nothing to count, so a located source error
        assert found == [("source-error", "t", "error")]
        assert "not an Excel workbook" in result.json()["findings"][0]["message"]
    else:
        assert found == [("type-error", "t", "error")]
        assert result.json()["summary"]["rows_per_table"] == {"t": 2}


def test_a_package_with_no_table_checked_is_never_valid(tmp_path: Path, cli) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4\n")
    resource = {"name": "notes", "path": "notes.pdf", "type": "file"}
    result = cli("validate", _descriptor(tmp_path, resource), "--no-checks", "--format", "json")
    assert result.code == 1
    assert [f["check"] for f in result.json()["findings"]] == ["no-table-checked"]


@pytest.fixture
def bundled_copy(tmp_path: Path) -> Path:
    import shutil

    from fixtures.packages import BUNDLED, SCHEMAS

    shutil.copytree(BUNDLED, tmp_path / "datapackage")
    shutil.copytree(SCHEMAS, tmp_path / "schemas")
    return tmp_path / "datapackage"


@ENGINES
def test_a_semicolon_separated_file_is_one_error_naming_the_separator(
    bundled_copy: Path, monkeypatch: pytest.MonkeyPatch, cli, engine: str
) -> None:
    """Issue 14, item 6: Swedish Excel saves "CSV" with `;`; that used to give 85 errors on
    other files (every foreign key into the table) and none naming the cause."""
    regions = bundled_copy / "data" / "regions.csv"
    regions.write_text(regions.read_text("utf-8").replace(",", ";"), "utf-8")
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    result = cli("validate", bundled_copy, "--format", "json")
    assert result.code == 1
    found = [f for f in result.json()["findings"] if f["severity"] == "error"]
    assert [(f["check"], f["path"], f["line"]) for f in found] == [
        ("wrong-separator", "data/regions.csv", 1)
    ]
    assert "semicolon" in found[0]["message"]
    assert "Comma delimited" in found[0]["hint"]


def test_a_tab_separated_file_declared_as_comma_separated_names_the_tab(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}]}
    descriptor = write_package(tmp_path, {"t": (schema, "a\tb\nx\ty\n")})
    report = validate(descriptor, use_default_checks=False)
    assert [(f.check, f.line) for f in report.findings] == [("wrong-separator", 1)]
    assert '"delimiter": "\\t"' in (report.findings[0].hint or "")


def test_a_semicolon_inside_one_header_label_is_not_a_wrong_separator(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "a;b", "type": "string"}]}
    report = validate(
        write_package(tmp_path, {"t": (schema, "a;b\nx\n")}), use_default_checks=False
    )
    assert report.valid


def test_a_blank_header_cell_names_the_column_and_does_not_say_the_table_is_missing(
    bundled_copy: Path, cli
) -> None:
    """Issue 14, item 6: the checks that need the table said "the package lacks their tables"
    although the table was there, only not readable."""
    regions = bundled_copy / "data" / "regions.csv"
    lines = regions.read_text("utf-8").split("\n")
    lines[0] = lines[0].replace(",name,", ",,")
    regions.write_text("\n".join(lines), "utf-8")
    result = cli("validate", bundled_copy)
    assert result.code == 1
    assert "Header cell 2 is empty; the schema names this column 'name'." in result.out
    assert "lacks" not in result.out
    assert "because regions could not be read" in result.out

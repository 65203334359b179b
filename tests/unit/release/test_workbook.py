"""The Excel workbook of a release, read back: one sheet per table with typed cells, codes kept as
text (leading zeros, and text that looks like a formula), a data-dictionary sheet, and the same
bytes on every build. Also the DuckDB file's storage version, which older clients depend on."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from pathlib import Path

import pytest
from fixtures.packages import write_package
from fixtures.releasekit import publish_release, release_folder

from clusterdata.core.package import open_package
from clusterdata.release import exports, workbook

CODES = {
    "fields": [
        {"name": "code", "type": "string", "constraints": {"required": True}},
        {"name": "label", "type": "string"},
        {"name": "count", "type": "integer"},
        {"name": "share", "type": "number"},
        {"name": "day", "type": "date"},
        {"name": "open", "type": "boolean"},
    ],
    "primaryKey": ["code"],
}
CODES_CSV = """code,label,count,share,day,open
01,=SUM(A1:A9),7,0.25,2024-05-31,true
0042,+46 text,,,,false
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return release_folder(publish_release(tmp_path_factory.mktemp("workbook")))


def _data_tables(folder: Path) -> list:  # type: ignore[type-arg]
    """The release's own tables (not the delta it adds against the previous release)."""
    import json

    spec = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    delta = {r["name"] for r in spec["resources"] if r.get("x-release") == "delta"}
    return [r for r in open_package(folder).resources if r.name not in delta]


def _book(path: Path):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    return load_workbook(path)


def test_every_table_of_a_release_round_trips_through_the_workbook(published: Path) -> None:
    [xlsx] = list(published.glob("*.xlsx"))
    book = _book(xlsx)
    tables = _data_tables(published)
    assert book.sheetnames == [r.name for r in tables] + ["data-dictionary"]
    for resource in tables:
        sheet = book[resource.name]
        with resource.file.open(encoding="utf-8", newline="") as handle:
            records = list(csv.reader(handle))
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        assert rows[0] == records[0], resource.name
        assert len(rows) == len(records), resource.name
        types = {f.name: f.type for f in resource.table_schema.fields}
        for text_row, cells in zip(records[1:], rows[1:], strict=True):
            for name, text, value in zip(records[0], text_row, cells, strict=True):
                assert _as_text(value, types[name]) == text, (resource.name, name, text, value)


def _as_text(value: object, kind: str) -> str:
    """A cell's value written back the way the CSV writes it."""
    if value is None:
        return ""
    if kind == "date":
        assert isinstance(value, dt.datetime)  # Excel dates read back as datetimes
        return value.date().isoformat()
    if kind == "integer":
        assert isinstance(value, int)
    return str(value)


def test_codes_stay_text_and_formulas_stay_text(tmp_path: Path) -> None:
    package = open_package(write_package(tmp_path / "pkg", {"codes": (CODES, CODES_CSV)}))
    loaded = exports.load(package, package.resources)
    try:
        workbook.write_workbook(loaded, tmp_path / "codes.xlsx", dt.date(2024, 6, 1))
    finally:
        loaded.close()
    sheet = _book(tmp_path / "codes.xlsx")["codes"]
    first, second = sheet[2], sheet[3]
    assert [c.value for c in first] == [
        "01",
        "=SUM(A1:A9)",
        7,
        0.25,
        dt.datetime(2024, 5, 31),
        True,
    ]
    assert first[0].data_type == "s" and first[0].number_format == "@"
    assert first[1].data_type == "s"  # text, not a formula
    assert first[4].number_format == "yyyy-mm-dd"
    assert [c.value for c in second] == ["0042", "+46 text", None, None, None, False]


def test_the_data_dictionary_sheet_describes_every_field_in_words(published: Path) -> None:
    [xlsx] = list(published.glob("*.xlsx"))
    sheet = _book(xlsx)["data-dictionary"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(values_only=False)]
    header, body = rows[0], rows[1:]
    assert tuple(header) == workbook.DICTIONARY_HEADER
    assert len(body) == sum(len(r.table_schema.fields) for r in _data_tables(published))
    by_field = {(r[0], r[2]): dict(zip(header, r, strict=True)) for r in body}
    cluster_id = by_field[("clusters", "id")]
    assert cluster_id["required"] == "yes"
    assert "joined by single hyphens" in cluster_id["format in words"]
    assert cluster_id["beskrivning"] == "Klustrets id."
    assert by_field[("clusters", "region_id")]["references"] == "regions.id"
    assert by_field[("clusters", "members")]["type"] == "integer"


def test_the_workbook_bytes_depend_only_on_the_data_and_the_date(tmp_path: Path) -> None:
    package = open_package(write_package(tmp_path / "pkg", {"codes": (CODES, CODES_CSV)}))
    loaded = exports.load(package, package.resources)
    try:
        workbook.write_workbook(loaded, tmp_path / "a.xlsx", dt.date(2024, 6, 1))
        time.sleep(1.1)  # openpyxl stamps entries and properties with the clock
        workbook.write_workbook(loaded, tmp_path / "b.xlsx", dt.date(2024, 6, 1))
        workbook.write_workbook(loaded, tmp_path / "c.xlsx", dt.date(2024, 6, 2))
    finally:
        loaded.close()
    a, b, c = ((tmp_path / n).read_bytes() for n in ("a.xlsx", "b.xlsx", "c.xlsx"))
    assert a == b and a != c
    import zipfile

    with zipfile.ZipFile(io.BytesIO(a)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2024, 6, 1, 0, 0, 0)}
        assert b"2024-06-01T00:00:00Z</dcterms:modified>" in archive.read("docProps/core.xml")


def test_sheet_names_fit_excel_limits() -> None:
    names = workbook.sheet_names(["a" * 40, "a" * 39 + "b", "x/y", "data-dictionary"])
    assert all(len(n) <= 31 for n in names.values())
    assert len(set(names.values())) == 4
    assert names["x/y"] == "x_y" and names["data-dictionary"] != "data-dictionary"


def test_the_release_database_is_written_in_a_storage_format_duckdb_1_reads(
    published: Path,
) -> None:
    import duckdb

    [database] = list(published.glob("*.duckdb"))
    con = duckdb.connect()
    con.execute("ATTACH ? AS release (READ_ONLY)", [str(database)])
    [(tags,)] = con.execute(
        "SELECT tags FROM duckdb_databases() WHERE database_name = 'release'"
    ).fetchall()
    assert tags["storage_version"] == exports.DUCKDB_STORAGE_VERSION + "+"
    assert con.execute("SELECT count(*) FROM release.clusters").fetchone() == (5,)

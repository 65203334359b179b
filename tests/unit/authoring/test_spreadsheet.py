"""The spreadsheet route: `clusterdata template` writes a workbook, `clusterdata import` reads it
back, validates it as CSV rows are validated, and writes canonical rows only when valid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clusterdata.authoring.spreadsheet import FIRST_DATA_ROW, NAME_ROW, SV_ROW
from clusterdata.authoring.spreadsheet_import import cell_text
from clusterdata.core.package import open_package

SOURCE = {
    "id": "exempelkalla-robotik",
    "title": "Om exempelklustret",
    "publisher": "Exempelklustret",
    "published_date": dt.datetime(2019, 3, 1),  # typed as an Excel date
    "language": "sv",
    "kind": "web_page",
    "url": "https://example.org/om-oss",
    "provenance": "stated",
}
#: Solna kommun is taken out of the package copy and typed back in (see `without_solna`).
REGION_ID = "solna-kommun"
CLUSTER = {
    "id": "exempelklustret",
    "name": "Exempelklustret Väst & Öst",
    "region_id": REGION_ID,
    "description": "Ett kluster för robotik, med å, ä och ö.",
    "flagged": False,  # typed as an Excel boolean
    "source_id": "exempelkalla-robotik",
    "provenance": "stated",
}
INITIATIVE = {
    "id": "exempeldagen",
    "name": "Exempeldagen",
    "kind": "event",
    "start_date": dt.datetime(2018, 9, 5),  # a date typed into a partial-date text column
    "flagged": False,
    "source_id": "exempelkalla-robotik",
    "provenance": "stated",
}


def without_solna(package: Path) -> tuple[bytes, dict[str, object]]:
    """Remove Solna kommun (referenced by no other row) from the copy; returns the original
    bytes of regions.csv and the row as a person would type it: the code with its leading zero
    in a text cell, the date it was last checked as an Excel date."""
    import csv

    path = package / "data" / "regions.csv"
    original = path.read_bytes()
    with path.open(encoding="utf-8", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["id"] == REGION_ID)
    assert row["municipality_code"] == "0184"
    lines = original.decode("utf-8").splitlines(keepends=True)
    path.write_text("".join(x for x in lines if not x.startswith(REGION_ID + ",")), "utf-8")
    typed: dict[str, object] = {k: v for k, v in row.items() if v}
    if row.get("last_checked"):
        typed["last_checked"] = dt.datetime.fromisoformat(row["last_checked"])
    return original, typed


def fill(template: Path, out: Path, rows: dict[str, list[dict[str, object]]]) -> None:
    """Type rows into the template as a person would in Excel (openpyxl keeps cell types)."""
    from openpyxl import load_workbook

    book = load_workbook(template)
    for sheet_name, records in rows.items():
        sheet = book[sheet_name]
        header = [c.value for c in sheet[NAME_ROW]]
        for offset, record in enumerate(records):
            for name, value in record.items():
                sheet.cell(FIRST_DATA_ROW + offset, header.index(name) + 1, value)
    book.save(out)


@pytest.fixture
def template(package_copy: Path, tmp_path: Path, cli) -> Path:
    out = tmp_path / "mall.xlsx"
    result = cli("template", package_copy, "--out", out)
    assert result.code == 0, result.out + result.err
    return out


def read_csv_row(package: Path, table: str, key: str) -> dict[str, str]:
    import csv

    with (package / "data" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return next(r for r in csv.DictReader(handle) if r["id"] == key)


def test_template_has_a_sheet_per_table_bilingual_headers_dropdowns_and_a_dictionary(
    template: Path, package_copy: Path
):
    from openpyxl import load_workbook

    book = load_workbook(template)
    package = open_package(package_copy)
    assert [r.name for r in package.resources] == book.sheetnames[: len(package.resources)]
    assert {"dictionary", "lists"} <= set(book.sheetnames)
    assert book["lists"].sheet_state == "hidden"
    clusters = book["clusters"]
    assert [c.value for c in clusters[NAME_ROW]][:3] == ["id", "name", "region_id"]
    assert clusters.cell(SV_ROW, 2).value.startswith("sv: Klustrets namn")
    assert clusters.cell(SV_ROW + 1, 2).value.startswith("en: Name of the cluster")
    assert clusters.cell(FIRST_DATA_ROW, 1).number_format == "@"  # codes keep leading zeros
    validations = {str(v.sqref).split(":")[0]: v for v in clusters.data_validations.dataValidation}
    provenance = validations["J4"]  # enum: other values are refused
    assert provenance.errorStyle == "stop"
    lists = book["lists"]
    column = provenance.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
    assert [lists[f"{column}{i}"].value for i in (2, 3, 4)] == ["stated", "derived", "inferred"]
    region = validations["C4"]  # foreign key: every current region id, a warning only
    assert region.errorStyle == "warning"
    column = region.formula1.split("!")[1][1]
    region_ids = {lists.cell(i, ord(column) - 64).value for i in range(2, lists.max_row + 1)}
    assert {"varmlands-lan", "gavle-kommun", "sverige"} <= region_ids
    dictionary = [[c.value for c in row] for row in book["dictionary"].iter_rows()]
    assert dictionary[[r[:2] for r in dictionary].index(["clusters", "region_id"])][:3] == [
        "clusters",
        "region_id",
        "string",
    ]


def test_rows_round_trip_through_the_template_with_dates_leading_zeros_and_swedish_letters(
    template: Path, package_copy: Path, tmp_path: Path, cli
):
    filled = tmp_path / "ifylld.xlsx"
    original_regions, region = without_solna(package_copy)
    fill(
        template,
        filled,
        {
            "sources": [SOURCE],
            "regions": [region],
            "clusters": [CLUSTER],
            "initiatives": [INITIATIVE],
        },
    )
    result = cli("import", filled, package_copy)
    assert result.code == 0, result.out
    assert "imported 4 row(s)" in result.out
    assert read_csv_row(package_copy, "sources", SOURCE["id"])["published_date"] == "2019-03-01"
    # the region comes back byte for byte: leading zero, ISO date, canonical position
    assert (package_copy / "data" / "regions.csv").read_bytes() == original_regions
    cluster = read_csv_row(package_copy, "clusters", "exempelklustret")
    assert cluster["name"] == "Exempelklustret Väst & Öst"
    assert cluster["description"] == "Ett kluster för robotik, med å, ä och ö."
    assert cluster["flagged"] == "false"
    assert read_csv_row(package_copy, "initiatives", "exempeldagen")["start_date"] == "2018-09-05"
    # written in canonical form, and the package is valid with them
    assert cli("format", package_copy, "--check").code == 0
    assert cli("validate", package_copy).code == 0


def test_invalid_rows_are_reported_by_sheet_row_and_column_and_nothing_is_written(
    template: Path, package_copy: Path, tmp_path: Path, cli
):
    filled = tmp_path / "fel.xlsx"
    _, region = without_solna(package_copy)
    bad_region = dict(region, municipality_code=184)  # typed as a number: the zero is gone
    bad_cluster = dict(CLUSTER, id="Annat Kluster", name="Annat kluster", region_id="okand-region")
    fill(
        template,
        filled,
        {"sources": [SOURCE], "regions": [bad_region], "clusters": [CLUSTER, {}, bad_cluster]},
    )
    before = {p.name: p.read_bytes() for p in (package_copy / "data").iterdir()}
    result = cli("import", filled, package_copy)
    assert result.code == 1
    out = result.out
    assert (
        "fel.xlsx › regions, row 4, column G (municipality_code): error [constraint-pattern]" in out
    )
    assert "fel.xlsx › clusters, row 6, column A (id): error [constraint-pattern]" in out
    assert "fel.xlsx › clusters, row 6, column C (region_id): error [foreign-key]" in out
    # the valid row is not blamed; the empty row 5 is skipped but counted
    assert "fel.xlsx › clusters, row 4, column" not in out
    assert "nothing imported" in out
    assert {p.name: p.read_bytes() for p in (package_copy / "data").iterdir()} == before


def test_a_row_that_repeats_an_existing_id_is_located_in_the_sheet(
    template: Path, package_copy: Path, tmp_path: Path, cli
):
    filled = tmp_path / "dubblett.xlsx"
    existing = read_csv_row(package_copy, "clusters", "compare")
    fill(
        template,
        filled,
        {"clusters": [dict(CLUSTER, id="compare", source_id=existing["source_id"], region_id="")]},
    )
    result = cli("import", filled, package_copy, "--check")
    assert result.code == 1
    assert "dubblett.xlsx › clusters, row 4, column A (id): error [primary-key]" in result.out


def test_a_formula_is_imported_as_text_and_reported_as_a_formula_risk(
    template: Path, package_copy: Path, tmp_path: Path, cli
):
    filled = tmp_path / "formel.xlsx"
    fill(
        template,
        filled,
        {"sources": [SOURCE], "clusters": [dict(CLUSTER, region_id="", description="=1+1")]},
    )
    result = cli("import", filled, package_copy, "--check")
    assert result.code == 1
    assert "clusters, row 4, column D (description): error [formula-injection]" in result.out


def test_check_writes_nothing_even_when_valid(
    template: Path, package_copy: Path, tmp_path: Path, cli
):
    filled = tmp_path / "ok.xlsx"
    fill(template, filled, {"sources": [SOURCE], "clusters": [dict(CLUSTER, region_id="")]})
    before = (package_copy / "data" / "clusters.csv").read_bytes()
    result = cli("import", filled, package_copy, "--check")
    assert result.code == 0, result.out
    assert (package_copy / "data" / "clusters.csv").read_bytes() == before


def test_a_renamed_header_or_sheet_is_reported_before_validation(
    template: Path, package_copy: Path, tmp_path: Path, cli
):
    from openpyxl import load_workbook

    book = load_workbook(template)
    book["clusters"].cell(NAME_ROW, 3, "region")
    book["regions"].title = "regioner"
    book.save(tmp_path / "omdopt.xlsx")
    result = cli("import", tmp_path / "omdopt.xlsx", package_copy)
    assert result.code == 1
    assert "omdopt.xlsx › clusters, row 1, column C: error [unknown-column]" in result.out
    assert "omdopt.xlsx › regioner: error [unknown-sheet]" in result.out


def test_a_file_that_is_not_a_workbook_is_a_located_error_not_a_traceback(
    package_copy: Path, tmp_path: Path, cli
):
    fake = tmp_path / "inte.xlsx"
    fake.write_text("id,name\n", encoding="utf-8")
    result = cli("import", fake, package_copy)
    assert result.code == 1
    assert "inte.xlsx: error [workbook-error]" in result.out
    assert cli("import", tmp_path / "saknas.xlsx", package_copy).code == 2
    assert cli("import", fake.with_suffix(".csv"), package_copy).code == 2
    assert cli("template", package_copy, "--out", tmp_path / "mall.csv").code == 2


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (42.0, "42"),
        (3.5, "3.5"),
        (dt.datetime(2018, 9, 5), "2018-09-05"),
        (dt.datetime(2018, 9, 5, 13, 30), "2018-09-05T13:30:00"),
        (dt.date(2018, 9, 5), "2018-09-05"),
        ("0184", "0184"),
        ("Stål & Verkstad", "Stål & Verkstad"),
    ],
)
def test_each_excel_cell_value_becomes_the_csv_text_with_one_meaning(value: object, text: str):
    assert cell_text(value) == text

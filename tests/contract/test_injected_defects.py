"""Each defect a contributor can make, injected into a copy of the bundled package, is reported
by `--format json` at the right file, line and column, with exit code 1."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest


def read(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return rows[0], rows[1:]


def write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def edit(package: Path, table: str, row: int, column: str, value: str) -> int:
    """Set one cell (row 0 = first data row); returns its physical line (no multi-line cells)."""
    path = package / "data" / f"{table}.csv"
    header, rows = read(path)
    rows[row][header.index(column)] = value
    write(path, header, rows)
    return row + 2


def first_row(package: Path, table: str, column: str, predicate: Callable[[str], bool]) -> int:
    header, rows = read(package / "data" / f"{table}.csv")
    return next(i for i, r in enumerate(rows) if predicate(r[header.index(column)]))


def findings(cli, package: Path) -> tuple[int, list[dict]]:
    result = cli("validate", package, "--format", "json")
    assert "Traceback" not in result.err
    return result.code, result.json()["findings"]


def assert_reported(cli, package: Path, check: str, path: str, line: int, column: str | None):
    code, found = findings(cli, package)
    located = [
        (f["check"], f["path"], f["line"], f["column"]) for f in found if f["severity"] == "error"
    ]
    assert (check, path, line, column) in located, located
    assert code == 1


def test_bundled_package_is_valid(cli, package_copy: Path):
    code, found = findings(cli, package_copy)
    assert code == 0, [f for f in found if f["severity"] == "error"]


def test_duplicate_id(cli, package_copy: Path):
    first_id = read(package_copy / "data" / "clusters.csv")[1][0][0]
    line = edit(package_copy, "clusters", 1, "id", first_id)
    assert_reported(cli, package_copy, "primary-key", "data/clusters.csv", line, "id")


def test_dangling_region_reference_is_reported_with_line(cli, package_copy: Path):
    line = edit(package_copy, "clusters", 2, "region_id", "atlantis")
    assert_reported(cli, package_copy, "foreign-key", "data/clusters.csv", line, "region_id")


def test_unknown_iso_code(cli, package_copy: Path):
    row = first_row(package_copy, "regions", "iso_3166_2", lambda v: v.startswith("SE-"))
    line = edit(package_copy, "regions", row, "iso_3166_2", "SE-QQ")
    assert_reported(cli, package_copy, "iso-3166-2", "data/regions.csv", line, "iso_3166_2")


def test_invalid_organisation_number(cli, package_copy: Path):
    line = edit(package_copy, "clusters", 0, "organisation_number", "556000-4616")
    assert_reported(cli, package_copy, "se-orgnr", "data/clusters.csv", line, "organisation_number")


def test_decomposed_a_ring(cli, package_copy: Path):
    line = edit(package_copy, "clusters", 3, "name", unicodedata.normalize("NFD", "Smått & gött"))
    assert_reported(cli, package_copy, "unicode-nfc", "data/clusters.csv", line, "name")


def test_stray_whitespace(cli, package_copy: Path):
    line = edit(package_copy, "clusters", 4, "name", "Paper  Province ")
    assert_reported(cli, package_copy, "whitespace", "data/clusters.csv", line, "name")


def test_end_before_start(cli, package_copy: Path):
    row = first_row(package_copy, "initiatives", "start_date", lambda v: len(v) == 10)
    line = edit(package_copy, "initiatives", row, "end_date", "2001-01-01")
    assert_reported(cli, package_copy, "date-order", "data/initiatives.csv", line, "end_date")


def test_formula_like_cell(cli, package_copy: Path):
    line = edit(package_copy, "clusters", 5, "description", '=HYPERLINK("http://x.example","y")')
    assert_reported(
        cli, package_copy, "formula-injection", "data/clusters.csv", line, "description"
    )


def test_email_address_in_a_description(cli, package_copy: Path):
    line = edit(package_copy, "clusters", 6, "description", "Kontakta anna.svensson@example.se.")
    assert_reported(cli, package_copy, "personal-data", "data/clusters.csv", line, "description")


def test_ragged_row(cli, package_copy: Path):
    path = package_copy / "data" / "clusters.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3] + ",extra"
    path.write_text("\n".join(lines), encoding="utf-8")
    code, found = findings(cli, package_copy)
    assert code == 1
    assert ("extra-cell", 4) in [(f["check"], f["line"]) for f in found]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_file_saved_as_windows_1252(cli, package_copy: Path, encoding: str):
    path = package_copy / "data" / "clusters.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode(encoding, errors="replace"))
    first_non_ascii = next(
        i for i, line in enumerate(text.split("\n"), 1) if any(ord(c) > 127 for c in line)
    )
    assert_reported(cli, package_copy, "encoding-error", "data/clusters.csv", first_non_ascii, None)

"""Region codes in the dataset agree with the authorities' lists, not with a list kept here.

The county/NUTS table is the project's archived reference text
(`datapackage/sources/regional-classifications.txt`, cited by the regions rows and hash-checked by
validation); the municipality codes are SCB's list shipped with the library
(`clusterdata/reference/se_municipalities.tsv`), against which validation checks every code.
"""

from __future__ import annotations

import csv
import re
from collections import Counter

import pycountry
from fixtures.packages import REPO

from clusterdata.validation.rules import domain

DATA = REPO / "datapackage" / "data"
REGIONS = DATA / "regions.csv"
COUNTY_TABLE = REPO / "datapackage" / "sources" / "regional-classifications.txt"


def rows(level: str | None = None) -> list[dict[str, str]]:
    with REGIONS.open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if level is None or r["level"] == level]


def test_all_21_counties_have_the_iso_code_and_county_code_pycountry_gives():
    subdivisions = pycountry.subdivisions.get(country_code="SE")
    expected = {}
    for sub in subdivisions:
        match = re.search(r"\[SE-(\d{2})\]", sub.name)
        assert match, sub.name
        expected[sub.code] = (sub.name.split(" [")[0], match.group(1))
    counties = rows("county")
    assert len(counties) == 21
    actual = {r["iso_3166_2"]: (r["name"], r["county_code"]) for r in counties}
    assert actual == expected


def test_foreign_codes_exist_in_pycountry():
    for row in rows():
        if row["country_code"]:
            assert pycountry.countries.get(alpha_2=row["country_code"]), row["id"]
        if row["iso_3166_2"]:
            assert pycountry.subdivisions.get(code=row["iso_3166_2"]), row["id"]


def test_county_nuts_codes_and_parents_agree_with_the_archived_county_table():
    table = {}
    nuts2 = ""
    for line in COUNTY_TABLE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or not re.fullmatch(r"SE-[A-Z]{1,2}", cells[4]):
            continue
        if cells[1]:
            nuts2 = cells[1].split()[0]
        table[cells[4]] = (cells[5], nuts2)
    assert len(table) == 21
    by_id = {r["id"]: r for r in rows()}
    for county in rows("county"):
        parent = by_id[county["parent_id"]]
        assert (county["nuts_code"], parent["nuts_code"]) == table[county["iso_3166_2"]]


def test_municipality_codes_start_with_their_county_code():
    by_id = {r["id"]: r for r in rows()}
    for municipality in rows("municipality"):
        county = by_id[municipality["parent_id"]]
        assert county["level"] == "county"
        if municipality["municipality_code"]:
            assert municipality["municipality_code"][:2] == county["county_code"]


def _reference() -> list[list[str]]:
    from importlib.resources import files

    text = files("clusterdata").joinpath("reference/se_municipalities.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    assert rows[0] == ["code", "name", "county_code"]
    return rows[1:]


def _fact(fact_id: str) -> dict[str, str]:
    with (DATA / "facts.csv").open(encoding="utf-8", newline="") as handle:
        [row] = [r for r in csv.DictReader(handle) if r["id"] == fact_id]
    return row


def test_all_290_municipalities_are_present_as_scb_states():
    stated = _fact("sverige-municipalities")
    assert stated["source_id"] == "scb-geografiska-indelningar"
    assert "290 kommuner" in stated["quote"]
    municipalities = rows("municipality")
    assert len(municipalities) == len(_reference()) == int(stated["value"]) == 290
    assert len({r["municipality_code"] for r in municipalities}) == 290
    assert len({r["id"] for r in municipalities}) == 290


def test_every_municipality_has_scbs_code_and_county():
    reference = {code: (name, county) for code, name, county in _reference()}
    by_id = {r["id"]: r for r in rows()}
    for municipality in rows("municipality"):
        name, county = reference[municipality["municipality_code"]]
        assert by_id[municipality["parent_id"]]["county_code"] == county, municipality["id"]
        assert municipality["name"] in (name, f"{name} kommun", f"{name}s kommun"), municipality


def test_the_reference_list_is_consistent_with_the_county_codes():
    reference = _reference()
    assert all(re.fullmatch(r"\d{4}", code) and code[:2] == county for code, _, county in reference)
    counts = Counter(county for *_, county in reference)
    assert set(counts) == domain.se_county_codes()
    assert counts["01"] == 26 and counts["12"] == 33 and counts["14"] == 49 and counts["09"] == 1
    assert len({name for _, name, _ in reference}) == 290


def test_a_well_formed_but_wrong_municipality_code_fails_validation(package_copy, cli):
    regions = package_copy / "data" / "regions.csv"
    text = regions.read_text(encoding="utf-8")
    assert ",2584," in text  # Kiruna
    regions.write_text(text.replace(",2584,", ",2548,"), encoding="utf-8")
    result = cli("validate", package_copy / "datapackage.json", "--format", "json")
    assert result.code == 1
    found = [
        (f["check"], f["column"], f["value"])
        for f in result.json()["findings"]
        if f["severity"] == "error"
    ]
    assert found == [("se-municipality-code", "municipality_code", "2548")]


def test_county_and_nuts_rows_quote_their_own_codes_from_the_archived_table():
    """Validation proves each quote is in the archived table (quote-not-in-source); this proves
    each quote states the row's own codes, so a code edited in regions.csv alone is caught."""
    for row in rows():
        if row["level"] == "county":
            expected = (
                f"{row['name']} | {row['county_code']} | {row['iso_3166_2']} | {row['nuts_code']}"
            )
        elif row["level"] in ("nuts1", "nuts2"):
            expected = f"{row['nuts_code']} {row['name']}"
        else:
            continue
        assert row["quote"] == expected, row["id"]
        assert expected in " ".join(COUNTY_TABLE.read_text(encoding="utf-8").split())


def test_the_archived_scb_list_is_the_list_the_library_checks_codes_against():
    from importlib.resources import files

    shipped = files("clusterdata").joinpath("reference/se_municipalities.tsv").read_bytes()
    with (DATA / "sources.csv").open(encoding="utf-8", newline="") as handle:
        [source] = [
            r for r in csv.DictReader(handle) if r["id"] == "scb-kommuner-i-kodnummerordning"
        ]
    assert (DATA.parent / source["archive"]).read_bytes() == shipped


def test_every_municipality_citing_the_scb_list_is_in_it_with_its_name_and_county():
    by_code = {code: (name, county) for code, name, county in _reference()}
    counties = {r["id"]: r["county_code"] for r in rows("county")}
    cited = [r for r in rows("municipality") if r["source_id"] == "scb-kommuner-i-kodnummerordning"]
    assert len(cited) > 250
    for row in cited:
        assert by_code[row["municipality_code"]] == (row["name"], counties[row["parent_id"]]), row


def test_seat_coordinates_keep_the_precision_rule_and_cite_a_page_that_was_read():
    with (DATA / "sources.csv").open(encoding="utf-8", newline="") as handle:
        sources = {r["id"]: r for r in csv.DictReader(handle)}
    seats = [r for r in rows() if r["latitude"] or r["longitude"]]
    assert len(seats) >= 30
    for row in seats:
        assert row["level"] == "municipality", row["id"]
        for column in ("latitude", "longitude"):
            # the schema's rule: 3 decimals for whole minutes, 5 for seconds
            assert re.fullmatch(r"\d{2}\.(\d{3}|\d{5})", row[column]), (row["id"], row[column])
        source = sources[row["coordinates_source_id"]]
        assert source["url"] and source["retrieved"], row["id"]
        # the note says which article the stored copy is and repeats the stated coordinates
        degrees = row["latitude"].split(".")[0] + "°"
        assert degrees in source["provenance_note"], (row["id"], source["id"])

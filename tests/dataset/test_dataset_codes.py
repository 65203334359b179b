"""Region codes in the dataset agree with the authorities' lists, not with a list kept here."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pycountry
import pytest
from fixtures.packages import REPO

REGIONS = REPO / "datapackage" / "data" / "regions.csv"
DOMAIN_NOTES = Path(os.environ.get("CLUSTERDATA_SHARED", REPO.parent / "shared")) / "domain.md"


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


@pytest.mark.skipif(not DOMAIN_NOTES.is_file(), reason="shared/domain.md is not beside the repo")
def test_county_nuts_codes_and_parents_agree_with_the_checked_table_in_the_domain_notes():
    table = {}
    nuts2 = ""
    for line in DOMAIN_NOTES.read_text(encoding="utf-8").splitlines():
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

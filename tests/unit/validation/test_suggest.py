"""Suggestions: near-miss ids, dates in a local form, codes a spreadsheet stripped of zeros."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.packages import write_package

from clusterdata.validation.pipeline import validate
from clusterdata.validation.suggest import IdIndex, closest_ids, fold, iso_date

REGION_IDS = ["norrbottens-lan", "vasterbottens-lan", "varmlands-lan", "vastra-gotalands-lan"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("norrbotten", ["norrbottens-lan"]),  # the suffix left off
        ("Västra Götaland", ["vastra-gotalands-lan"]),  # case, accents and spaces folded
        ("varmlands-lna", ["varmlands-lan"]),  # two letters swapped
        ("VÄRMLANDS-LAN", ["varmlands-lan"]),
    ],
)
def test_near_miss_id_suggests_the_existing_one(typed: str, meant: list[str]):
    assert closest_ids(typed, REGION_IDS) == meant


@pytest.mark.parametrize("typed", ["stockholm", "x", "", "norrbottens-lan"])
def test_far_or_exact_id_suggests_nothing(typed: str):
    assert closest_ids(typed, REGION_IDS) == []


def test_fold_folds_case_and_accents():
    assert fold("Åre Östersund") == "are ostersund"


def test_the_nearest_ids_win_and_ties_come_in_order():
    """One edit beats two; equally near ids are all offered, sorted, at most three."""
    ids = ["kluster-0001", "kluster-0002", "kluster-0003", "kluster-0004", "kluster-0100"]
    assert closest_ids("kluster-0005", ids) == ["kluster-0001", "kluster-0002", "kluster-0003"]
    assert closest_ids("kluster-0109", ids) == ["kluster-0100"]


def test_an_index_answers_as_the_plain_list_does_and_is_reusable():
    index = IdIndex(REGION_IDS)
    for typed in ["norrbotten", "Västra Götaland", "varmlands-lna", "stockholm", "nor"]:
        assert closest_ids(typed, index) == closest_ids(typed, REGION_IDS)


def test_a_prefix_is_one_edit_dearer_than_the_whole_id():
    """`vasterbotten` is `vasterbottens-lan` without its suffix (prefix distance 0, score 1);
    it is also one edit from the whole id `vasterbotten1`, which scores the same."""
    ids = ["vasterbottens-lan", "vasterbotten1"]
    assert closest_ids("vasterbotten", ids) == ["vasterbotten1", "vasterbottens-lan"]


@pytest.mark.parametrize(
    ("local", "iso"),
    [
        ("05/09/2018", "2018-09-05"),  # day first, as Swedish writes it
        ("5.9.2018", "2018-09-05"),
        ("5 september 2018", "2018-09-05"),
        ("den 5 sept. 2018", "2018-09-05"),
        ("5th September 2018", "2018-09-05"),
        ("september 2018", "2018-09"),
        ("2018/09/05", "2018-09-05"),
        ("31/02/2018", None),  # no such day
        ("Den 5 september", None),  # no year: nothing to suggest
        ("hösten 2012", None),
    ],
)
def test_local_date_forms_are_read_as_iso(local: str, iso: str | None):
    assert iso_date(local) == iso


SCHEMA = {
    "fields": [
        {"name": "id", "type": "string"},
        {
            "name": "start_date",
            "type": "string",
            "constraints": {"pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"},
        },
        {
            "name": "county_code",
            "type": "string",
            "x-domain": "se-county-code",
            "constraints": {"pattern": "^[0-9]{2}$"},
        },
        {
            "name": "municipality_code",
            "type": "string",
            "x-domain": "se-municipality-code",
            "constraints": {"pattern": "^[0-9]{4}$"},
        },
    ],
    "primaryKey": ["id"],
}


def _hints(tmp_path: Path, row: str) -> dict[str, list[str]]:
    path = write_package(
        tmp_path, {"t": (SCHEMA, f"id,start_date,county_code,municipality_code\n{row}\n")}
    )
    report = validate(path, use_default_checks=False)
    out: dict[str, list[str]] = {}
    for finding in report.findings:
        out.setdefault(finding.column or "", []).append(finding.hint or "")
    return out


def test_local_date_is_answered_with_its_iso_form_not_a_pattern(tmp_path: Path):
    hints = _hints(tmp_path, "a,05/09/2018,,")
    assert hints["start_date"]
    assert all(h.startswith("Did you mean 2018-09-05?") for h in hints["start_date"])


def test_codes_without_leading_zeros_get_a_spreadsheet_hint(tmp_path: Path):
    hints = _hints(tmp_path, "a,,1,180")
    assert hints["county_code"] and hints["municipality_code"]
    assert all(h.startswith("Did you mean '01'?") for h in hints["county_code"])
    assert all(h.startswith("Did you mean '0180'?") for h in hints["municipality_code"])
    assert all("spreadsheet" in h for h in hints["municipality_code"])


def test_correct_cells_get_no_suggestion(tmp_path: Path):
    assert _hints(tmp_path, "a,2018-09-05,01,0180") == {}


def test_a_wrong_code_that_is_not_a_lost_zero_gets_no_zero_hint(tmp_path: Path):
    hints = _hints(tmp_path, "a,,99,9999")
    assert hints["county_code"] and not any("leading zero" in h for h in hints["county_code"])


@pytest.mark.parametrize("engine", ["0", "1"], ids=["frictionless", "duckdb"])
def test_both_layer_one_engines_give_the_same_did_you_mean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
):
    from clusterdata.validation.structure import duckdb_engine

    monkeypatch.setenv(duckdb_engine.ENV, engine)
    regions = {"fields": [{"name": "id", "type": "string"}], "primaryKey": ["id"]}
    clusters = {
        "fields": [{"name": "id", "type": "string"}, {"name": "region_id", "type": "string"}],
        "primaryKey": ["id"],
        "foreignKeys": [
            {"fields": ["region_id"], "reference": {"resource": "regions", "fields": ["id"]}}
        ],
    }
    path = write_package(
        tmp_path,
        {
            "regions": (regions, "id\nnorrbottens-lan\nvarmlands-lan\n"),
            "clusters": (clusters, "id,region_id\na,norrbotten\nb,varmlands-lan\nc,stockholm\n"),
        },
    )
    report = validate(path, use_default_checks=False)
    found = [(f.check, f.line, (f.hint or "")[:35]) for f in report.findings]
    assert found == [
        ("foreign-key", 2, "Did you mean 'norrbottens-lan'? Use"),
        ("foreign-key", 4, "Use a value that exists in the id c"),
    ]

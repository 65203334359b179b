"""The DuckDB fast path of layer 1: frictionless's meaning, DuckDB's speed, physical lines.

Each test forces the fast path on a tiny package, pins the findings it must give, and checks
they are the ones the frictionless path gives (same check, line and column).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterdata import fastpath
from clusterdata.package import open_package
from clusterdata.structure import check_structure
from tests.conftest import write_package

Found = set[tuple[int | None, str | None, str]]


@pytest.fixture
def used(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the tables the fast path checked (it may fall back to frictionless)."""
    names: list[str] = []
    original = fastpath.check_group

    def spy(package, prepared, usable, result):  # type: ignore[no-untyped-def]
        found = original(package, prepared, usable, result)
        names.extend(p.resource.name for p in prepared)
        return found

    monkeypatch.setattr(fastpath, "check_group", spy)
    return names


def run(descriptor: Path, monkeypatch: pytest.MonkeyPatch, mode: str = "1") -> Found:
    monkeypatch.setenv(fastpath.ENV, mode)
    result = check_structure(open_package(descriptor))
    return {(f.line, f.column, f.check) for f in result.findings if f.is_error}


def both(descriptor: Path, monkeypatch: pytest.MonkeyPatch) -> Found:
    fast = run(descriptor, monkeypatch, "1")
    assert fast == run(descriptor, monkeypatch, "0")
    return fast


INT = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "n", "type": "integer", "constraints": {"minimum": 0}},
    ]
}


def test_integer_lookalikes_are_type_errors_as_in_frictionless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    text = "id,n\n1,1987.5\n2,1e3\n3, 12\n4,+5\n5,0x10\n6,-1\n7,\n"
    found = both(write_package(tmp_path, {"t": (INT, text)}), monkeypatch)
    assert found == {
        (2, "n", "type-error"),
        (3, "n", "type-error"),
        (6, "n", "type-error"),
        (7, "n", "constraint-minimum"),
    }
    assert used == ["t"]


def test_defect_after_a_quoted_line_break_is_reported_at_its_physical_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {"fields": [{"name": "text", "type": "string"}, {"name": "year", "type": "integer"}]}
    text = 'text,year\n"två\nrader",2001\nok,nittio\n'
    assert both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch) == {
        (4, "year", "type-error")
    }
    assert used == ["t"]


def test_ragged_rows_report_missing_and_extra_cells_with_their_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {
        "fields": [
            {"name": "a", "type": "string"},
            {"name": "b", "type": "string", "constraints": {"required": True}},
        ]
    }
    text = 'a,b\nx,y\nonly\n"p\nq",r,extra\nz,w\n'
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert (3, "b", "missing-cell") in found
    assert (3, "b", "constraint-required") in found
    assert (4, "(column 3)", "extra-cell") in found
    assert used == ["t"]


def test_blank_line_is_a_blank_row_and_an_empty_primary_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {
        "fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}],
        "primaryKey": ["id"],
    }
    text = "id,n\na,1\n\nb,2\n,\n"
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert {
        (3, None, "blank-row"),
        (3, "id", "primary-key"),
        (5, None, "blank-row"),
        (5, "id", "primary-key"),
    } <= found
    assert used == ["t"]


def test_every_repeated_key_is_reported_and_01_repeats_1_for_integers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "code", "type": "string", "constraints": {"unique": True}},
        ],
        "primaryKey": ["id"],
    }
    text = "id,code\n1,a\n01,b\n2,a\n1,a\n"
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert {
        (3, "id", "primary-key"),
        (5, "id", "primary-key"),
        (4, "code", "unique-error"),
        (5, "code", "unique-error"),
    } == found
    assert used == ["t"]


def test_dangling_foreign_key_is_reported_and_missing_reference_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    regions = {"fields": [{"name": "id", "type": "string"}], "primaryKey": ["id"]}
    clusters = {
        "fields": [{"name": "id", "type": "string"}, {"name": "region", "type": "string"}],
        "foreignKeys": [
            {"fields": ["region"], "reference": {"resource": "regions", "fields": ["id"]}}
        ],
    }
    descriptor = write_package(
        tmp_path,
        {
            "regions": (regions, "id\nSE-S\nSE-T\n"),
            "clusters": (clusters, "id,region\na,SE-S\nb,SE-XX\nc,\nd,SE-T\n"),
        },
    )
    assert both(descriptor, monkeypatch) == {(3, "region", "foreign-key")}
    assert sorted(used) == ["clusters", "regions"]


def test_pattern_enum_and_lengths_follow_table_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {
        "fields": [
            {"name": "slug", "type": "string", "constraints": {"pattern": "[a-z]+"}},
            {"name": "kind", "type": "string", "constraints": {"enum": ["kluster", "nätverk"]}},
            {"name": "name", "type": "string", "constraints": {"minLength": 2, "maxLength": 4}},
        ]
    }
    text = "slug,kind,name\nabc,kluster,åäö\nabc1,nätverk,å\nok,okänd,ååååå\n"
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert found == {
        (3, "slug", "constraint-pattern"),
        (3, "name", "constraint-min-length"),
        (4, "kind", "constraint-enum"),
        (4, "name", "constraint-max-length"),
    }
    assert used == ["t"]


def test_formats_the_fast_path_cannot_judge_are_left_to_frictionless_cell_by_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {
        "fields": [
            {"name": "mail", "type": "string", "format": "email"},
            {"name": "when", "type": "date", "format": "%d/%m/%Y"},
            {"name": "url", "type": "string", "format": "uri"},
        ]
    }
    text = (
        "mail,when,url\na@example.se,04/07/2018,https://example.se/a\n"
        "nej,2018-07-04,www.example.se\n"
    )
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert found == {(3, "mail", "type-error"), (3, "when", "type-error"), (3, "url", "type-error")}
    assert used == ["t"]


def test_windows_line_endings_take_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    descriptor = write_package(tmp_path, {"t": (INT, "id,n\r\n1,2\r\n2,x\r\n")})
    assert both(descriptor, monkeypatch) == {(3, "n", "type-error")}
    assert used == ["t"]


def test_a_stray_quote_sends_the_table_back_to_frictionless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {"fields": [{"name": "a", "type": "string"}, {"name": "n", "type": "integer"}]}
    text = 'a,n\nab"c,1\nd,x\n'
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert (3, "n", "type-error") in found
    assert used == []


def test_header_that_differs_from_the_schema_is_left_to_frictionless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    descriptor = write_package(tmp_path, {"t": (INT, "id,count\n1,2\n")})
    assert (1, "count", "incorrect-label") in both(descriptor, monkeypatch)
    assert used == []


def test_small_packages_use_frictionless_unless_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    descriptor = write_package(tmp_path, {"t": (INT, "id,n\n1,2\n")})
    monkeypatch.delenv(fastpath.ENV, raising=False)
    assert fastpath.use_fast_path(fastpath.FAST_MIN_BYTES)
    assert not fastpath.use_fast_path(fastpath.FAST_MIN_BYTES - 1)
    run(descriptor, monkeypatch, "auto")
    assert used == []
    run(descriptor, monkeypatch, "1")
    assert used == ["t"]


def test_rows_after_adjacent_ragged_and_blank_records_keep_their_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    text = "id,n\n1,1\n2\n3,3,3\n\n4,x\n5,-1\n"
    found = both(write_package(tmp_path, {"t": (INT, text)}), monkeypatch)
    assert {(6, "n", "type-error"), (7, "n", "constraint-minimum")} <= found
    assert used == ["t"]

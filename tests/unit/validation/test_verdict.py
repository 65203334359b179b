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
    """15:00+03:00 is 12:00Z: one instant, one key (frictionless-py says so too)."""
    text = (
        "when,v\n2020-01-01T15:00:00+03:00,a\n2020-01-01T12:00:00Z,b\n2020-01-01T13:00:00+0100,c\n"
    )
    found = errors(write_package(tmp_path, {"t": (WHEN_KEY, text)}), engine, monkeypatch)
    assert found == {(3, "when", "primary-key"), (4, "when", "primary-key")}

"""A table that is not CSV is read once per validation and once per `load()` / `connect()`:
layer 1, the records for layers 2 and 3, evidence and the loaders share one reading
(`core.tables.read_once`). The reading lasts as long as the run: nothing outlives it, so the
next run reads the file as it is then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fixtures.tableformats import BAD, ENGINES, GOOD, write_descriptor, write_table

from clusterdata.core import tables
from clusterdata.core.package import open_package
from clusterdata.validation.pipeline import validate
from clusterdata.validation.structure import duckdb_engine


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the tables read from their files, in order."""
    done: list[str] = []
    real = tables._read_table

    def counted(resource: Any) -> tables.TextTable:
        done.append(resource.name)
        return real(resource)

    monkeypatch.setattr(tables, "_read_table", counted)
    return done


@ENGINES
@pytest.mark.parametrize("fmt", ["xlsx", "json-arrays", "inline-objects"])
def test_a_table_that_is_not_csv_is_read_once_per_validation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[str], fmt: str, engine: str
) -> None:
    """BAD has findings in every layer's reach (a type error, a repeated key), so every
    reader runs; each asks for the table, one reads it."""
    descriptor = write_descriptor(tmp_path, write_table(tmp_path, fmt, BAD))
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    assert not validate(descriptor, use_default_checks=False).valid
    assert reads == ["t"]
    validate(descriptor, use_default_checks=False)
    assert reads == ["t", "t"]  # the next run reads it again


@pytest.mark.parametrize("fmt", ["xlsx", "json-arrays"])
def test_load_and_connect_read_a_table_that_is_not_csv_once_each(
    tmp_path: Path, reads: list[str], fmt: str
) -> None:
    from clusterdata.loading.api import connect, load

    descriptor = write_descriptor(tmp_path, write_table(tmp_path, fmt, GOOD))
    assert load(descriptor)["t"]["id"].tolist() == [1, 2, 3]
    assert reads == ["t"]
    connect(descriptor).close()
    assert reads == ["t", "t"]


def test_outside_a_run_nothing_is_kept(tmp_path: Path, reads: list[str]) -> None:
    """No module-wide cache: a caller outside `read_once` gets the file as it is now."""
    descriptor = write_descriptor(tmp_path, write_table(tmp_path, "json-arrays", GOOD))
    resource = open_package(descriptor).resources[0]
    assert tables.read_table(resource).records[1] == ["1", "2", "Göteborg"]
    write_table(tmp_path, "json-arrays", BAD[::-1])
    assert tables.read_table(resource).records[1] == ["1", "-1", "Umeå"]
    assert reads == ["t", "t"]


def test_a_file_changed_between_validations_is_read_as_it_is_then(
    tmp_path: Path, reads: list[str]
) -> None:
    descriptor = write_descriptor(tmp_path, write_table(tmp_path, "xlsx", GOOD))
    assert validate(descriptor, use_default_checks=False).valid
    write_table(tmp_path, "xlsx", BAD)
    assert not validate(descriptor, use_default_checks=False).valid


def test_within_one_run_each_resource_object_has_its_own_reading(
    tmp_path: Path, reads: list[str]
) -> None:
    """Keyed by the resource object, not its name: two packages in one block do not share."""
    descriptor = write_descriptor(tmp_path, write_table(tmp_path, "json-arrays", GOOD))
    first, second = (open_package(descriptor).resources[0] for _ in range(2))
    with tables.read_once():
        assert tables.read_table(first) is tables.read_table(first)
        assert tables.read_table(second) is not tables.read_table(first)
    assert reads == ["t", "t"]


@ENGINES
def test_frictionless_is_handed_the_sheet_read_not_the_workbook_to_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """The workbook is opened once in a validation: frictionless-py checks the values our
    reader (which makes its parser's calls) read, rather than opening it a second time."""
    import openpyxl

    opened: list[object] = []
    real = openpyxl.load_workbook

    def counted(*args: Any, **kwargs: Any) -> Any:
        opened.append(args[0] if args else kwargs.get("filename"))
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", counted)
    monkeypatch.setattr("frictionless.platform.openpyxl.load_workbook", counted, raising=False)
    descriptor = write_descriptor(tmp_path, write_table(tmp_path, "xlsx", BAD))
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(descriptor, use_default_checks=False)
    assert {(f.line, f.check) for f in report.findings if f.is_error} == {
        (3, "type-error"),
        (4, "constraint-minimum"),
        (4, "primary-key"),
    }
    assert len(opened) == 1

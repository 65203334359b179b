"""Where frictionless-py reads a cell with Python and the Table Schema spec does not accept it,
both engines follow the spec (`validation/structure/spec_cells.py`): each case below is one
frictionless-py accepts (checked here, so a change upstream is noticed) and the spec rejects."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.packages import write_package

from clusterdata.validation.pipeline import validate
from clusterdata.validation.structure import duckdb_engine

ENGINES = pytest.mark.parametrize("engine", ["1", "0"], ids=["duckdb", "frictionless"])

#: (type, cell, the spec's words): cells Python's int()/Decimal()/strptime take.
SPEC_REJECTS = [
    ("integer", "1_000", '"in the standard way for any valid integer": no digit-group "_"'),
    ("integer", "\u0661\u0662", "ASCII digits: Arabic-Indic digits are Python's int(), not XSD's"),
    ("integer", "\u00a012", "a no-break space is not XML Schema whitespace"),
    ("number", "Infinity", '"The following special string values are permitted": NaN, INF, -INF'),
    ("number", "+INF", "INF and -INF only; +INF is not listed"),
    ("number", "sNaN", "NaN only"),
    ("number", "1_0.5", "XML Schema decimal has no digit-group underscores"),
    ("date", "2020-1-1", '"The lexical representation MUST be in the form YYYY-MM-DD"'),
    ("datetime", "2020-01-01T12:00:00+0100", "XML Schema's timezone is ±hh:mm, with the colon"),
    ("datetime", "2020-01-01 12:00:00", "XML Schema's dateTime has a T between date and time"),
]

#: Cells both the spec and frictionless-py accept although they are not canonical.
BOTH_ACCEPT = [
    ("integer", " 12"),
    ("integer", "12\t"),
    ("number", " 1.5 "),
    ("integer", "+5"),
    ("duration", "-P1D"),
]


def _package(tmp_path: Path, kind: str, cell: str) -> Path:
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "v", "type": kind}]}
    return write_package(tmp_path, {"t": (schema, f"id,v\na,{cell}\n")})


def _errors(descriptor: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(descriptor, use_default_checks=False)
    return [(f.line, f.column, f.check, f.value) for f in report.findings if f.is_error]


def _frictionless_py_accepts(descriptor: Path) -> bool:
    from frictionless import Package

    return bool(Package(str(descriptor)).validate().valid)


@ENGINES
@pytest.mark.parametrize(("kind", "cell", "why"), SPEC_REJECTS)
def test_a_cell_python_reads_but_the_spec_does_not_is_a_located_type_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str, kind: str, cell: str, why: str
) -> None:
    descriptor = _package(tmp_path, kind, cell)
    assert _frictionless_py_accepts(descriptor), f"frictionless-py now rejects {cell!r} too"
    assert _errors(descriptor, engine, monkeypatch) == [(2, "v", "type-error", cell)], why


@ENGINES
@pytest.mark.parametrize(("kind", "cell"), BOTH_ACCEPT)
def test_blanks_around_a_number_and_a_signed_value_are_values_for_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str, kind: str, cell: str
) -> None:
    """Number "follows that of decimal in XMLSchema", whose whiteSpace facet is collapse (and
    integer is derived from decimal); XML Schema's duration has an optional leading minus."""
    descriptor = _package(tmp_path, kind, cell)
    assert _frictionless_py_accepts(descriptor)
    assert _errors(descriptor, engine, monkeypatch) == []


def test_load_reads_a_blank_padded_integer_as_the_value_validate_accepts(tmp_path: Path) -> None:
    import clusterdata

    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "v", "type": "integer"}]}
    descriptor = write_package(tmp_path, {"t": (schema, "id,v\na, 12\n")})
    assert clusterdata.load(descriptor)["t"]["v"].tolist() == [12]

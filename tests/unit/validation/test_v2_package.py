"""Data Package v2 (2024) in `clusterdata validate`, package and schema level: `$schema`,
resource `type`, `fieldsMatch`, `uniqueKeys`, labelled and per-field `missingValues`, and v1
packages keeping v1 rules. Each feature has a package that passes and one that fails, on both
layer-1 engines, each test quoting the sentence of the standard it implements
(https://datapackage.org/standard/table-schema/, https://datapackage.org/standard/data-resource/).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fixtures.packages import write_package
from fixtures.v2packages import (
    ENGINES,
    EXCLUSIVE,
    FIELD_MISSING,
    FIELDS_MATCH,
    LABELLED,
    MATCH_FIELDS,
    RESOURCE_V2,
    UNIQUE,
    found,
    schema_errors,
)

from clusterdata.validation.pipeline import validate
from clusterdata.validation.structure import duckdb_engine


@ENGINES
def test_a_v2_package_is_read_under_the_v2_profile_and_a_v1_package_under_v1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """`$schema`: "The default value is `https://datapackage.org/profiles/1.0/...` and the
    recommended value is `https://datapackage.org/profiles/2.0/...`". A package naming the 2.0
    profile may use v2 constraints; one without `$schema` is v1, which has no
    `exclusiveMinimum` (a schema error, as frictionless-py says)."""
    text = "id,n\na,1\n"
    assert found(tmp_path / "v2", monkeypatch, engine, EXCLUSIVE, text) == set()
    v1 = schema_errors(tmp_path / "v1", monkeypatch, engine, EXCLUSIVE, text, **{"$schema": None})
    assert v1 and "exclusiveMinimum" in v1[0] and "v2" in v1[0]


@ENGINES
def test_a_resource_declaring_v2_and_type_table_is_checked_as_v2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """Data Resource v2: a resource's `$schema` names its profile, and `type: "table"` replaces
    v1's `profile: "tabular-data-resource"` (https://datapackage.org/standard/data-resource/).
    The resource's own `$schema` makes it v2 even in a package without one."""
    folder = tmp_path / "ok"
    folder.mkdir()
    (folder / "t.csv").write_text("id,n\na,1\nb,0\n", encoding="utf-8")
    resource = {"$schema": RESOURCE_V2, "name": "t", "type": "table", "path": "t.csv"}
    descriptor = {"name": "p", "resources": [{**resource, "schema": EXCLUSIVE}]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(folder / "datapackage.json", use_default_checks=False)
    assert {(f.line, f.column, f.check) for f in report.findings if f.is_error} == {
        (3, "n", "constraint-exclusive-minimum")
    }
    # A table resource without its schema is not valid: it is reported, never "valid".
    del descriptor["resources"][0]["schema"]
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = validate(folder / "datapackage.json", use_default_checks=False)
    assert not report.valid
    assert any(f.check == "schema-error" and f.resource == "t" for f in report.findings)


@ENGINES
@pytest.mark.parametrize("mode", list(FIELDS_MATCH))
def test_fields_match_maps_the_header_to_the_fields_as_the_mode_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str, mode: str
) -> None:
    """`fieldsMatch`: "Using different options of the `fieldsMatch` property, a data producer
    can relax requirements for the data source" (quoted per mode in `FIELDS_MATCH`). Cells are
    read by name in every mode but `exact`: the integer column `a` is found wherever it is."""
    good, bad, expected = FIELDS_MATCH[mode]
    schema = {"fields": MATCH_FIELDS, "fieldsMatch": mode}

    def row(header: str) -> str:
        return ",".join("1" if c == "a" else "x" for c in header.split(","))

    assert found(tmp_path / "ok", monkeypatch, engine, schema, f"{good}\n{row(good)}\n") == set()
    assert found(tmp_path / "bad", monkeypatch, engine, schema, f"{bad}\n{row(bad)}\n") == expected
    if mode != "exact":
        # Mapped by name: a bad integer is reported in column a, wherever a stands.
        text = f"{good}\n{row(good).replace('1', 'one')}\n"
        assert found(tmp_path / "named", monkeypatch, engine, schema, text) == {
            (2, "a", "type-error")
        }


@ENGINES
def test_unique_keys_report_a_repeated_combination_and_skip_keys_with_a_null(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """`uniqueKeys`: "each row has a unique set of logical values in the fields" of each key,
    and "field values that are on the logical level are considered to be `null` values MUST be
    excluded from the uniqueness check". Logical values: "01" and "1" are the same integer."""
    ok = "a,b,c\n1,x,y\n2,x,z\n,x,\n,x,\n"
    assert found(tmp_path / "ok", monkeypatch, engine, UNIQUE, ok) == set()
    bad = "a,b,c\n1,x,y\n01,x,z\n3,x,y\n"
    assert found(tmp_path / "bad", monkeypatch, engine, UNIQUE, bad) == {
        (3, "a", "unique-key"),
        (4, "b", "unique-key"),
    }


@ENGINES
def test_unique_keys_compare_logical_values_of_any_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """ "unique logical values": the numbers 1.0 and 1.00 are one value, and so are two
    datetimes naming the same instant with different offsets."""
    schema = {
        "fields": [{"name": "x", "type": "number"}, {"name": "t", "type": "datetime"}],
        "uniqueKeys": [["x"], ["t"]],
    }
    text = "x,t\n1.0,2024-01-01T12:00:00Z\n1.00,2024-01-01T15:00:00+03:00\n2,2024-01-01T13:00:00Z\n"
    assert found(tmp_path, monkeypatch, engine, schema, text) == {
        (3, "x", "unique-key"),
        (3, "t", "unique-key"),
    }


@ENGINES
def test_a_unique_key_naming_an_unknown_field_is_a_schema_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """ "A `uniqueKey` MUST be an array of strings with each string corresponding to one of the
    field `name` values in the `fields` array"."""
    schema = {"fields": [{"name": "a"}], "uniqueKeys": [["a", "nope"]]}
    problems = schema_errors(tmp_path, monkeypatch, engine, schema, "a\n1\n")
    assert problems and "nope" in problems[0]


def test_connect_declares_unique_keys_as_sql_unique_constraints(tmp_path: Path) -> None:
    """`uniqueKeys` "is directly modeled on the concept of unique constraint in SQL": `connect()`
    declares each as UNIQUE, which lets keys holding a null repeat and refuses a repeated key."""
    from clusterdata.core.package import UsageError
    from clusterdata.loading.api import connect

    ok = write_package(tmp_path / "ok", {"t": (UNIQUE, "a,b,c\n1,x,y\n2,x,\n3,x,\n")})
    connection = connect(ok)
    try:
        assert connection.execute("SELECT count(*) FROM t").fetchall() == [(3,)]
        sql = connection.execute(
            "SELECT sql FROM duckdb_tables() WHERE table_name = 't'"
        ).fetchall()
        assert "UNIQUE(b, c)" in sql[0][0].replace('"', "")
    finally:
        connection.close()
    bad = write_package(tmp_path / "bad", {"t": (UNIQUE, "a,b,c\n1,x,y\n2,x,y\n")})
    with pytest.raises(UsageError, match="breaks a declared key"):
        connect(bad)


@ENGINES
def test_labelled_missing_values_are_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """`missingValues`: "`missingValues` MUST be an `array` where each entry is a unique
    `string`, or an `array` where each entry is an `object`" with a `value` and a `label`."""
    assert found(tmp_path / "ok", monkeypatch, engine, LABELLED, "id,n\na,-99\nb,\nc,3\n") == set()
    bad = found(tmp_path / "bad", monkeypatch, engine, LABELLED, "id,n\na,n/a\n")
    assert bad == {(2, "n", "type-error")}


@ENGINES
def test_a_fields_own_missing_values_replace_the_schemas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """Field `missingValues`: "If this property is defined, it takes precedence over the
    schema-level property and completely replaces it for the field without combining the
    values": "" and NA are missing in column1, only "-" in column2."""
    ok = "id,column1,column2\na,NA,-\nb,,-\nc,1,2\n"
    assert found(tmp_path / "ok", monkeypatch, engine, FIELD_MISSING, ok) == set()
    bad = "id,column1,column2\na,-,NA\nb,1,\n"
    assert found(tmp_path / "bad", monkeypatch, engine, FIELD_MISSING, bad) == {
        (2, "column1", "type-error"),
        (2, "column2", "type-error"),
        (3, "column2", "type-error"),
    }


@ENGINES
def test_a_v1_package_keeps_v1_missing_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """A v1 package (no `$schema`) reads string `missingValues` as before, and labelled ones,
    which v1 lacks ("`missingValues` MUST be an `array` where each entry is a `string`", Table
    Schema v1), are a schema error, as frictionless-py says."""
    schema = {"fields": [{"name": "id"}, {"name": "n", "type": "integer"}], "missingValues": ["-"]}
    v1: dict[str, Any] = {"$schema": None}
    assert found(tmp_path / "ok", monkeypatch, engine, schema, "id,n\na,-\nb,1\n", **v1) == set()
    assert found(tmp_path / "bad", monkeypatch, engine, schema, "id,n\na,\n", **v1) == {
        (2, "n", "type-error")
    }
    assert schema_errors(tmp_path / "labels", monkeypatch, engine, LABELLED, "id,n\na,1\n", **v1)


@ENGINES
def test_a_self_referencing_foreign_key_omits_its_resource(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """`foreignKeys`: "For self-referencing, i.e. references between fields in this Table
    Schema, the `resource` property MUST be omitted" (v1 wrote `"resource": ""`)."""
    schema = {
        "fields": [{"name": "id"}, {"name": "parent"}],
        "primaryKey": ["id"],
        "foreignKeys": [{"fields": ["parent"], "reference": {"fields": ["id"]}}],
    }
    assert found(tmp_path / "ok", monkeypatch, engine, schema, "id,parent\na,\nb,a\n") == set()
    bad = found(tmp_path / "bad", monkeypatch, engine, schema, "id,parent\na,\nb,zz\n")
    assert bad == {(3, "parent", "foreign-key")}


@ENGINES
def test_properties_only_v2_defines_are_checked_in_a_v1_package_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """v1 has no `categories` or `uniqueKeys`, so a v1 package that writes them means the v2
    properties: they are checked without `$schema` too."""
    schema = {
        "fields": [{"name": "a", "categories": ["x", "y"]}, {"name": "b"}],
        "uniqueKeys": [["a", "b"]],
    }
    v1: dict[str, Any] = {"$schema": None}
    text = "a,b\nx,1\nz,2\nx,1\n"
    assert found(tmp_path, monkeypatch, engine, schema, text, **v1) == {
        (3, "a", "constraint-categories"),
        (4, "a", "unique-key"),
    }


@ENGINES
def test_a_pattern_and_a_spec_type_error_name_the_cell_of_their_field_when_mapped_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """With `fieldsMatch` other than exact, "Fields MUST be mapped by their names": the cell a
    pattern or integer finding shows is the one under that field's label, not the cell at the
    field's place in the schema."""
    schema = {
        "fields": [
            {"name": "code", "constraints": {"pattern": "[a-z]+"}},
            {"name": "n", "type": "integer"},
        ],
        "fieldsMatch": "equal",
    }
    descriptor = write_package(tmp_path, {"t": (schema, "n,code\n1_0,ABC\n")})
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(descriptor, use_default_checks=False)
    assert {(f.line, f.column, f.check, f.value) for f in report.findings if f.is_error} == {
        (2, "n", "type-error", "1_0"),
        (2, "code", "constraint-pattern", "ABC"),
    }

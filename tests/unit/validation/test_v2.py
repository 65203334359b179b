"""Data Package v2 (2024) in `clusterdata validate`: each feature with a package that passes and
one that fails, on both layer-1 engines (`CLUSTERDATA_FASTPATH=1` DuckDB, `=0` frictionless),
each test quoting the sentence of the standard it implements
(https://datapackage.org/standard/table-schema/, https://datapackage.org/standard/data-resource/).

Where frictionless-py 5.21 disagrees with the standard (categories, uniqueKeys, jsonSchema,
groupChar on integers, list items), the standard is followed and the test shows what
frictionless-py itself says (`test_frictionless_py_*`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fixtures.packages import write_package

from clusterdata.validation.pipeline import validate
from clusterdata.validation.structure import duckdb_engine

ENGINES = pytest.mark.parametrize("engine", ["1", "0"], ids=["duckdb", "frictionless"])

PACKAGE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_V2 = "https://datapackage.org/profiles/2.0/dataresource.json"

Found = set[tuple[int | None, str | None, str]]


def found(
    folder: Path, monkeypatch: pytest.MonkeyPatch, engine: str, schema: dict, text: str, **meta: Any
) -> Found:
    """The errors `validate` reports for a one-table package: (line, column, check)."""
    meta.setdefault("$schema", PACKAGE_V2)
    if meta["$schema"] is None:
        del meta["$schema"]
    descriptor = write_package(folder, {"t": (schema, text)}, **meta)
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(descriptor, use_default_checks=False)
    return {(f.line, f.column, f.check) for f in report.findings if f.is_error}


def schema_errors(
    folder: Path, monkeypatch: pytest.MonkeyPatch, engine: str, schema: dict, text: str, **meta: Any
) -> list[str]:
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    meta.setdefault("$schema", PACKAGE_V2)
    if meta["$schema"] is None:
        del meta["$schema"]
    report = validate(
        write_package(folder, {"t": (schema, text)}, **meta), use_default_checks=False
    )
    return [f.message for f in report.findings if f.check == "schema-error"]


# --- $schema and resource type -----------------------------------------------------------------

EXCLUSIVE = {
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "n", "type": "integer", "constraints": {"exclusiveMinimum": 0}},
    ]
}


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


# --- fieldsMatch -------------------------------------------------------------------------------

MATCH_FIELDS = [{"name": "a", "type": "integer"}, {"name": "b", "type": "string"}]

#: mode → (a header that passes, a header that fails, what the failing one reports)
FIELDS_MATCH = {
    # "exact (default): ... MUST have exactly the same fields ... mapped by their order."
    "exact": (
        "a,b",
        "b,a",
        {(1, "a", "incorrect-label"), (1, "b", "incorrect-label"), (2, "a", "type-error")},
    ),
    # "equal: ... exactly the same fields ... mapped by their names."
    "equal": ("b,a", "a", {(1, "b", "missing-label")}),
    # "subset: ... MUST have all the fields defined in the fields array, but MAY have more."
    "subset": ("b,a,c", "b,c", {(1, "a", "missing-label")}),
    # "superset: ... MUST only have fields defined in the fields array, but MAY have fewer."
    "superset": ("a", "b,c", {(1, "c", "extra-label")}),
    # "partial: ... MUST have at least one field defined in the fields array."
    "partial": ("c,a", "c", {(1, None, "unmatched-header")}),
}


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


# --- uniqueKeys --------------------------------------------------------------------------------

UNIQUE = {
    "fields": [{"name": "a", "type": "integer"}, {"name": "b"}, {"name": "c"}],
    "uniqueKeys": [["a"], ["b", "c"]],
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
def test_a_unique_key_naming_an_unknown_field_is_a_schema_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """ "A `uniqueKey` MUST be an array of strings with each string corresponding to one of the
    field `name` values in the `fields` array"."""
    schema = {"fields": [{"name": "a"}], "uniqueKeys": [["a", "nope"]]}
    problems = schema_errors(tmp_path, monkeypatch, engine, schema, "a\n1\n")
    assert problems and "nope" in problems[0]


# --- missingValues with labels ----------------------------------------------------------------

LABELLED = {
    "fields": [{"name": "id"}, {"name": "n", "type": "integer"}],
    "missingValues": [{"value": "", "label": "OMITTED"}, {"value": "-99", "label": "REFUSED"}],
}


@ENGINES
def test_labelled_missing_values_are_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """`missingValues`: "`missingValues` MUST be an `array` where each entry is a unique
    `string`, or an `array` where each entry is an `object`" with a `value` and a `label`."""
    assert found(tmp_path / "ok", monkeypatch, engine, LABELLED, "id,n\na,-99\nb,\nc,3\n") == set()
    bad = found(tmp_path / "bad", monkeypatch, engine, LABELLED, "id,n\na,n/a\n")
    assert bad == {(2, "n", "type-error")}


FIELD_MISSING = {
    "fields": [
        {"name": "id"},
        {"name": "column1", "type": "integer"},
        {"name": "column2", "type": "integer", "missingValues": [{"value": "-", "label": "n/a"}]},
    ],
    "missingValues": ["", "NA"],
}


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


# --- categories and categoriesOrdered ----------------------------------------------------------

CATEGORIES = {
    "fields": [
        {"name": "fruit", "type": "string", "categories": ["apple", "orange", "banana"]},
        {
            "name": "level",
            "type": "integer",
            "categories": [{"value": 1, "label": "low"}, {"value": 2}, {"value": 3, "label": "hi"}],
            "categoriesOrdered": True,
        },
    ]
}


@ENGINES
def test_a_value_outside_the_categories_is_a_constraint_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """`categories`: "The logical representation of data in the field MUST exactly match one of
    the values in `categories`" (plain values, or objects with a `value`). frictionless-py
    ignores categories (`test_frictionless_py_ignores_categories`)."""
    ok = "fruit,level\napple,1\nbanana,03\n,2\n"
    assert found(tmp_path / "ok", monkeypatch, engine, CATEGORIES, ok) == set()
    bad = "fruit,level\npear,2\nApple,4\n"
    assert found(tmp_path / "bad", monkeypatch, engine, CATEGORIES, bad) == {
        (2, "fruit", "constraint-categories"),
        (3, "fruit", "constraint-categories"),
        (3, "level", "constraint-categories"),
    }


@ENGINES
@pytest.mark.parametrize(
    ("field", "words"),
    [
        ({"name": "x", "type": "number", "categories": [1]}, "string and integer"),
        ({"name": "x", "type": "integer", "categories": ["1"]}, "must be a integer"),
        ({"name": "x", "categories": ["a", "a"]}, "repeat"),
        ({"name": "x", "categories": ["a"], "constraints": {"enum": ["b"]}}, "subset"),
        (
            {
                "name": "x",
                "categories": [{"value": "a", "label": "A"}, {"value": "b", "label": "A"}],
            },
            "labels",
        ),
    ],
    ids=["number", "wrong-type", "repeated", "enum-outside", "repeated-label"],
)
def test_categories_that_break_the_standard_are_a_schema_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str, field: dict, words: str
) -> None:
    """ "`string` and `integer` field types MAY include a `categories` property"; "MUST be either
    (a) an array of unique values or (b) an array of objects, each with a unique `value`";
    "Labels MUST be unique"; "the `enum` values MUST be a subset of the values in
    `categories`"."""
    problems = schema_errors(tmp_path, monkeypatch, engine, {"fields": [field]}, "x\n1\n")
    assert problems and words in problems[0]


@ENGINES
def test_categories_ordered_must_be_a_boolean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """`categoriesOrdered`: "When present, the `categoriesOrdered` property MUST be
    `boolean`"."""
    schema = {"fields": [{"name": "x", "categories": ["a"], "categoriesOrdered": "yes"}]}
    assert schema_errors(tmp_path / "bad", monkeypatch, engine, schema, "x\na\n")
    schema["fields"][0]["categoriesOrdered"] = False
    assert found(tmp_path / "ok", monkeypatch, engine, schema, "x\na\n") == set()


def test_load_gives_categories_as_a_categorical_ordered_as_declared(tmp_path: Path) -> None:
    """ "When `categoriesOrdered` is `true`, implementations SHOULD regard the order of
    appearance of the values in the `categories` property as their natural order"; the field
    "MAY be loaded as a categorical data type"."""
    from clusterdata.loading.api import load
    from clusterdata.tableschema.errors import DataError

    descriptor = write_package(tmp_path / "ok", {"t": (CATEGORIES, "fruit,level\napple,3\n,1\n")})
    frame = load(descriptor)["t"]
    assert list(frame["level"].cat.categories) == [1, 2, 3] and frame["level"].cat.ordered
    assert list(frame["fruit"].cat.categories) == ["apple", "orange", "banana"]
    assert not frame["fruit"].cat.ordered
    assert frame["level"].iloc[0] > frame["level"].iloc[1]
    bad = write_package(tmp_path / "bad", {"t": (CATEGORIES, "fruit,level\npear,3\n")})
    with pytest.raises(DataError, match="pear"):
        load(bad)


# --- list --------------------------------------------------------------------------------------

LIST = {
    "fields": [
        {"name": "ids", "type": "list", "itemType": "integer", "delimiter": ";"},
        {"name": "days", "type": "list", "itemType": "date"},
        {"name": "tags", "type": "list", "constraints": {"maxLength": 2}},
    ]
}


@ENGINES
def test_list_items_are_read_as_values_of_the_item_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """`list`: "the field MUST contain a string with values separated by a delimiter which is
    `,` (comma) by default", and "A data consumer MUST process list items as it were individual
    values of the corresponding data type" ("only default formats are supported"). One bad
    item makes the cell a type error; `maxLength` counts items."""
    ok = 'ids,days,tags\n1;2;3,"2024-01-26,2024-02-29","a,b"\n7,2024-01-01,x\n'
    assert found(tmp_path / "ok", monkeypatch, engine, LIST, ok) == set()
    bad = 'ids,days,tags\n1;x,"2024-01-26,26/01/2024","a,b,c"\n1; 2,2023-02-29,\n'
    assert found(tmp_path / "bad", monkeypatch, engine, LIST, bad) == {
        (2, "ids", "type-error"),
        (2, "days", "type-error"),
        (2, "tags", "constraint-max-length"),
        (3, "ids", "type-error"),
        (3, "days", "type-error"),
    }


def test_load_and_connect_read_list_fields_as_lists(tmp_path: Path) -> None:
    """`list` "is directly modelled on the concept of SQL typed collections": `load()` gives
    Python lists of the item values, `connect()` DuckDB LISTs of the item type, and neither
    accepts what `validate` rejects."""
    from clusterdata.loading.api import connect, load
    from clusterdata.tableschema.errors import DataError

    text = 'ids,days,tags\n1;2,"2024-01-26,2024-02-29",a\n,2024-01-01,x\n'
    descriptor = write_package(tmp_path / "ok", {"t": (LIST, text)})
    frame = load(descriptor)["t"]
    assert frame["ids"].tolist() == [[1, 2], None]
    assert [str(d) for d in frame["days"].iloc[0]] == ["2024-01-26", "2024-02-29"]
    connection = connect(descriptor)
    try:
        types = dict(
            connection.execute("SELECT column_name, column_type FROM (DESCRIBE t)").fetchall()
        )
        assert (
            types["ids"] == "BIGINT[]"
            and types["days"] == "DATE[]"
            and types["tags"] == "VARCHAR[]"
        )
        assert connection.execute("SELECT ids FROM t ORDER BY 1 NULLS LAST").fetchall()[0] == (
            [1, 2],
        )
    finally:
        connection.close()
    bad = write_package(tmp_path / "bad", {"t": (LIST, "ids,days,tags\n1;x,2024-01-01,a\n")})
    with pytest.raises(DataError, match="1;x"):
        load(bad)
    with pytest.raises(DataError, match="1;x"):
        connect(bad)


# --- jsonSchema --------------------------------------------------------------------------------

JSON_SCHEMA = {
    "fields": [
        {
            "name": "point",
            "type": "object",
            "constraints": {
                "jsonSchema": {
                    "type": "object",
                    "required": ["x"],
                    "properties": {"x": {"type": "number"}},
                }
            },
        },
        {
            "name": "names",
            "type": "array",
            "constraints": {"jsonSchema": {"type": "array", "items": {"type": "string"}}},
        },
    ]
}


@ENGINES
def test_a_json_value_that_does_not_conform_to_its_json_schema_is_a_constraint_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """`jsonSchema` (fields: array, object): "A valid JSON Schema object to validate field
    values. If a field value conforms to the provided JSON Schema then this field value is
    valid." frictionless-py rejects such a schema outright
    (`test_frictionless_py_rejects_json_schema_constraints`)."""
    ok = 'point,names\n"{""x"": 1.5}","[""a""]"\n,[]\n'
    assert found(tmp_path / "ok", monkeypatch, engine, JSON_SCHEMA, ok) == set()
    bad = 'point,names\n"{""y"": 1}","[1]"\n"{""x"": ""1""}","[""a""]"\n'
    assert found(tmp_path / "bad", monkeypatch, engine, JSON_SCHEMA, bad) == {
        (2, "point", "constraint-json-schema"),
        (2, "names", "constraint-json-schema"),
        (3, "point", "constraint-json-schema"),
    }


@ENGINES
def test_a_json_schema_constraint_that_is_not_json_schema_is_a_schema_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """ "A valid JSON Schema object": `{"type": 5}` is not one."""
    schema = {
        "fields": [{"name": "o", "type": "object", "constraints": {"jsonSchema": {"type": 5}}}]
    }
    problems = schema_errors(tmp_path, monkeypatch, engine, schema, 'o\n"{}"\n')
    assert problems and "jsonSchema" in problems[0]


# --- exclusiveMinimum / exclusiveMaximum -------------------------------------------------------

BOUNDS = {
    "fields": [
        {
            "name": "n",
            "type": "integer",
            "constraints": {"exclusiveMinimum": 0, "exclusiveMaximum": 10},
        },
        {"name": "x", "type": "number", "constraints": {"exclusiveMaximum": 1.5}},
        {"name": "d", "type": "date", "constraints": {"exclusiveMinimum": "2024-01-01"}},
    ]
}


@ENGINES
def test_exclusive_bounds_reject_the_bound_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """`exclusiveMinimum`: "As for `minimum`, but for expressing exclusive range" (and
    `exclusiveMaximum` likewise): the bound itself is outside."""
    ok = "n,x,d\n1,1.4,2024-01-02\n9,-3,2025-01-01\n"
    assert found(tmp_path / "ok", monkeypatch, engine, BOUNDS, ok) == set()
    bad = "n,x,d\n0,1.5,2024-01-01\n10,2,2023-12-31\n"
    assert found(tmp_path / "bad", monkeypatch, engine, BOUNDS, bad) == {
        (2, "n", "constraint-exclusive-minimum"),
        (2, "x", "constraint-exclusive-maximum"),
        (2, "d", "constraint-exclusive-minimum"),
        (3, "n", "constraint-exclusive-maximum"),
        (3, "x", "constraint-exclusive-maximum"),
        (3, "d", "constraint-exclusive-minimum"),
    }


# --- groupChar on integers ---------------------------------------------------------------------

GROUPED = {
    "fields": [
        {"name": "people", "type": "integer", "groupChar": " "},
        {"name": "jobs", "type": "integer", "groupChar": ",", "constraints": {"maximum": 5000}},
    ]
}


@ENGINES
def test_integers_may_group_their_digits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """`integer`: "groupChar: A string whose value is used to group digits within the
    integer". frictionless-py 5.21 applies groupChar to numbers only
    (`test_frictionless_py_ignores_group_char_on_integers`); the standard is followed."""
    ok = 'people,jobs\n1 234 567,"4,000"\n12,5000\n'
    assert found(tmp_path / "ok", monkeypatch, engine, GROUPED, ok) == set()
    bad = 'people,jobs\n1.234,"5,001"\n1 2x,"1,5"\n'
    assert found(tmp_path / "bad", monkeypatch, engine, GROUPED, bad) == {
        (2, "people", "type-error"),
        (2, "jobs", "constraint-maximum"),
        (3, "people", "type-error"),
    }


def test_load_and_connect_read_grouped_integers(tmp_path: Path) -> None:
    """The same rule in `load()` and `connect()` (`tableschema.cells.integer_text`)."""
    from clusterdata.loading.api import connect, load

    descriptor = write_package(tmp_path, {"t": (GROUPED, 'people,jobs\n1 234 567,"4,000"\n')})
    assert load(descriptor)["t"].iloc[0].tolist() == [1234567, 4000]
    connection = connect(descriptor)
    try:
        assert connection.execute("SELECT people, jobs FROM t").fetchall() == [(1234567, 4000)]
    finally:
        connection.close()


# --- v1 keeps working --------------------------------------------------------------------------


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


# --- where frictionless-py disagrees with the standard -----------------------------------------


def _frictionless_py(descriptor: Path) -> set[tuple[str, str | None]]:
    """frictionless-py 5.21 alone, as it ships (outside layer 1's `v2fields.active`)."""
    from frictionless import Package

    report = Package(str(descriptor)).validate(limit_errors=10**6)
    return {
        (e.type, getattr(e, "field_name", None)) for task in report.tasks for e in task.errors
    } | {(e.type, None) for e in report.errors}


def test_frictionless_py_ignores_categories(tmp_path: Path) -> None:
    """frictionless-py calls a value outside `categories` valid; the standard says it "MUST
    exactly match one of the values" (`test_a_value_outside_the_categories_is_a_constraint_error`)."""
    descriptor = write_package(
        tmp_path, {"t": (CATEGORIES, "fruit,level\npear,9\n")}, **{"$schema": PACKAGE_V2}
    )
    assert _frictionless_py(descriptor) == set()


def test_frictionless_py_ignores_unique_keys(tmp_path: Path) -> None:
    """frictionless-py does not check `uniqueKeys` (`test_unique_keys_report_...`)."""
    descriptor = write_package(
        tmp_path, {"t": (UNIQUE, "a,b,c\n1,x,y\n1,x,y\n")}, **{"$schema": PACKAGE_V2}
    )
    assert _frictionless_py(descriptor) == set()


def test_frictionless_py_rejects_json_schema_constraints(tmp_path: Path) -> None:
    """frictionless-py refuses a package whose schema has `jsonSchema` ('constraint
    "jsonSchema" is not supported by type "object"'); the standard defines the constraint for
    object and array fields (`test_a_json_value_that_does_not_conform_...`)."""
    from frictionless import FrictionlessException, Package

    descriptor = write_package(
        tmp_path, {"t": (JSON_SCHEMA, 'point,names\n"{}",[]\n')}, **{"$schema": PACKAGE_V2}
    )
    with pytest.raises(FrictionlessException, match="jsonSchema"):
        Package(str(descriptor)).validate()


def test_frictionless_py_ignores_group_char_on_integers(tmp_path: Path) -> None:
    """frictionless-py reads "1 234" with `groupChar: " "` on an integer as a type error."""
    descriptor = write_package(
        tmp_path, {"t": (GROUPED, "people,jobs\n1 234,1\n")}, **{"$schema": PACKAGE_V2}
    )
    assert _frictionless_py(descriptor) == {("type-error", "people")}


def test_frictionless_py_strips_blanks_around_list_items(tmp_path: Path) -> None:
    """frictionless-py reads the integer item " 2" of "1; 2" as 2; an integer is "indicated in
    the standard way", without blanks, as every other integer here
    (`test_list_items_are_read_as_values_of_the_item_type`, line 3)."""
    schema = {"fields": [LIST["fields"][0]]}
    descriptor = write_package(tmp_path, {"t": (schema, "ids\n1; 2\n")}, **{"$schema": PACKAGE_V2})
    assert _frictionless_py(descriptor) == set()


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
def test_a_hostile_regex_in_a_json_schema_ends_in_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """SECURITY.md promise 8 holds inside `jsonSchema` too: its `pattern` runs under the time
    budget of `tableschema.patterns`, the value that exhausts it is reported, later values are
    not held up."""
    import time

    hostile = {"type": "array", "items": {"type": "string", "pattern": "^(a|aa)+$"}}
    schema = {"fields": [{"name": "v", "type": "array", "constraints": {"jsonSchema": hostile}}]}
    cell = '"[""' + "a" * 60 + 'b""]"'
    started = time.perf_counter()
    errors = found(tmp_path, monkeypatch, engine, schema, f"v\n{cell}\n{cell}\n")
    assert time.perf_counter() - started < 30
    assert (2, "v", "constraint-json-schema") in errors


@ENGINES
def test_a_json_schema_referring_outside_itself_is_a_schema_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """Validation reads only the package's own files: a `$ref` to another document is not
    followed but reported; one into the schema's own `$defs` works."""
    outside = {"$ref": "https://example.org/point.json"}
    schema = {"fields": [{"name": "o", "type": "object", "constraints": {"jsonSchema": outside}}]}
    problems = schema_errors(tmp_path / "out", monkeypatch, engine, schema, 'o\n"{}"\n')
    assert problems and "refers outside" in problems[0]
    inside = {"$defs": {"p": {"required": ["x"]}}, "$ref": "#/$defs/p"}
    schema["fields"][0]["constraints"]["jsonSchema"] = inside
    text = 'o\n"{""x"": 1}"\n"{}"\n'
    assert found(tmp_path / "in", monkeypatch, engine, schema, text) == {
        (3, "o", "constraint-json-schema")
    }

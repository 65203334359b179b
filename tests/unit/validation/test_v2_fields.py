"""Data Package v2 (2024) in `clusterdata validate`, field level: `categories`,
`categoriesOrdered`, the `list` type, the `jsonSchema` constraint, `exclusiveMinimum` /
`exclusiveMaximum` and `groupChar` on integers, and how `load()` / `connect()` read them. Each
feature has a package that passes and one that fails, on both layer-1 engines, each test quoting
the sentence of the standard it implements (https://datapackage.org/standard/table-schema/).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.packages import write_package
from fixtures.v2packages import (
    BOUNDS,
    CATEGORIES,
    ENGINES,
    GROUPED,
    JSON_SCHEMA,
    LIST,
    found,
    schema_errors,
)


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


def test_connect_gives_string_categories_as_an_enum_ordered_as_declared(tmp_path: Path) -> None:
    """The field "MAY be loaded as a categorical data type": `connect()` makes a string field's
    categories a DuckDB ENUM, which sorts in the declared order when `categoriesOrdered` is true
    and in text order otherwise; integer categories stay integers. A cell outside the
    categories is the located `DataError` `load()` raises, not a bare SQL error."""
    from clusterdata.loading.api import connect
    from clusterdata.tableschema.errors import DataError

    schema = {
        "fields": [
            {"name": "size", "categories": ["small", "medium", "large"], "categoriesOrdered": True},
            {"name": "fruit", "categories": ["pear", "apple"]},
            {"name": "level", "type": "integer", "categories": [1, 2, 3]},
        ]
    }
    text = "size,fruit,level\nlarge,pear,3\nsmall,apple,1\nmedium,,2\n"
    connection = connect(write_package(tmp_path / "ok", {"t": (schema, text)}))
    types = dict(
        connection.execute("SELECT column_name, data_type FROM duckdb_columns()").fetchall()
    )
    assert types["size"] == "ENUM('small', 'medium', 'large')"
    assert types["fruit"] == "ENUM('apple', 'pear')"
    assert types["level"] == "BIGINT"
    by_size = connection.execute("SELECT size FROM t ORDER BY size").fetchall()
    assert [r[0] for r in by_size] == ["small", "medium", "large"]
    assert connection.execute("SELECT min(size), max(size) FROM t").fetchall() == [
        ("small", "large")
    ]
    by_fruit = connection.execute("SELECT fruit FROM t WHERE fruit IS NOT NULL ORDER BY fruit")
    assert [r[0] for r in by_fruit.fetchall()] == ["apple", "pear"]
    assert connection.execute("SELECT fruit FROM t WHERE level = 2").fetchall() == [(None,)]
    bad = write_package(tmp_path / "bad", {"t": (schema, "size,fruit,level\nhuge,pear,1\n")})
    with pytest.raises(DataError, match="'huge' is not a valid category of") as caught:
        connect(bad)
    assert (caught.value.line, caught.value.column) == (2, "size")
    bad_level = write_package(tmp_path / "level", {"t": (schema, "size,fruit,level\n,,4\n")})
    with pytest.raises(DataError, match="'4' is not a valid category of \\[1, 2, 3\\]"):
        connect(bad_level)


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
    bad = 'ids,days,tags\n1;x,"2024-01-26,26/01/2024","a,b,c"\n1_0;2,2023-02-29,\n'
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

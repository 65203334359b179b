"""Table Schema → pandera converter: strict parsing per cell, then constraints on parsed values."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.errors
import pandera.pandas as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterdata.tableschema.model import Field, Schema
from clusterdata.validation.rules.schema_rules import (
    Flagged,
    TableRules,
    missing_values,
    rule_for,
    table_rules,
    text_frame,
    to_pandera,
)


def pandera_of(descriptor: dict[str, Any], **options: Any) -> pa.DataFrameSchema:
    """The pandera schema of a schema descriptor, parsed as a resource's is."""
    return to_pandera(Schema.from_descriptor(descriptor), **options)


def rules_of(descriptor: dict[str, Any], **options: Any) -> TableRules:
    return table_rules(Schema.from_descriptor(descriptor), **options)


def frame(
    columns: dict[str, list[str | None]], schema: dict[str, Any] | None = None
) -> pd.DataFrame:
    return text_frame(columns, Schema.from_descriptor(schema or {}))


def pandera_failures(
    schema: dict[str, Any], columns: dict[str, list[str | None]]
) -> list[tuple[str, str | None, int]]:
    """(finding check id, column, row index) of every failure pandera reports."""
    pandera_schema = pandera_of(schema)
    out = []
    try:
        pandera_schema.validate(frame(columns, schema), lazy=True)
    except pandera.errors.SchemaErrors as exc:
        for column, check, index in zip(
            exc.failure_cases["column"],
            exc.failure_cases["check"],
            exc.failure_cases["index"],
            strict=True,
        ):
            column = column if isinstance(column, str) else None
            rule = rule_for(pandera_schema, column, str(check))
            assert rule is not None, (column, check)
            out.append((rule.check, rule.column or column, int(index)))
    return sorted(set(out), key=lambda x: (x[2], x[1] or "", x[0]))


def plain_failures(
    schema: dict[str, Any], columns: dict[str, list[str | None]]
) -> list[tuple[str, str | None, int]]:
    """The same, from `TableRules.evaluate` on plain columns (the DuckDB engine's runner):
    cells as that engine reads them, the schema's missing values as None."""
    missing = set(missing_values(schema))
    plain = {
        n: [None if c is None or c in missing else c for c in cells] for n, cells in columns.items()
    }
    out = []
    for failed in rules_of(schema, columns=list(columns)).evaluate(plain):
        assert isinstance(failed, Flagged), failed
        out.append((failed.rule.check, failed.rule.column or failed.column, failed.position))
    return sorted(set(out), key=lambda x: (x[2], x[1] or "", x[0]))


def failures(
    schema: dict[str, Any], columns: dict[str, list[str | None]]
) -> list[tuple[str, str | None, int]]:
    """Every failure, as layer 2 reports them; both runners of the checks must agree."""
    found = pandera_failures(schema, columns)
    assert plain_failures(schema, columns) == found
    return found


def one_field(
    field: dict[str, Any], cells: list[str | None], **schema: Any
) -> list[tuple[str, int]]:
    found = failures({"fields": [{"name": "x", **field}], **schema}, {"x": cells})
    return [(check, index) for check, _, index in found]


def test_pandera_own_reader_lets_an_impossible_date_pass_where_ours_reports_it() -> None:
    from pandera.io.pandas_io import from_frictionless_schema

    schema = {"fields": [{"name": "d", "type": "date"}]}
    theirs = from_frictionless_schema(schema)
    assert str(theirs.columns["d"].dtype).startswith("string")  # a date becomes text
    assert theirs.coerce is True  # the pitfall design.md measured
    theirs.validate(pd.DataFrame({"d": ["2020-02-30", "not a date"]}))  # no error raised
    assert one_field({"type": "date"}, ["2020-02-30", "not a date", "2020-02-29"]) == [
        ("type-error", 0),
        ("type-error", 1),
    ]


def test_pandera_own_reader_ignores_missing_values_and_formats() -> None:
    from pandera.io.pandas_io import from_frictionless_schema

    schema = {
        "fields": [
            {"name": "e", "type": "string", "format": "email", "constraints": {"required": True}}
        ],
        "missingValues": ["NA"],
    }
    theirs = from_frictionless_schema(schema)
    theirs.validate(pd.DataFrame({"e": ["NA", "not an address"]}))  # both pass there
    assert failures(schema, {"e": ["NA", "not an address", "a@b.se"]}) == [
        ("constraint-required", "e", 0),
        ("type-error", "e", 1),
    ]


def test_converter_never_coerces() -> None:
    schema = pandera_of({"fields": [{"name": "n", "type": "integer"}]})
    assert schema.coerce is False
    assert all(column.coerce is False for column in schema.columns.values())


@pytest.mark.parametrize("text", ["1.5", "1e3", "1 2", "\u00a012", "1_000", "١٢", "0x1F", "", "+"])
def test_integer_rejects_what_table_schema_does_not_allow(text: str) -> None:
    assert one_field({"type": "integer"}, [text], missingValues=[]) == [("type-error", 0)]


@pytest.mark.parametrize(
    "text", ["12", "-3", "+4", "007", "123456789012345678901234567890", " 12", "12\t"]
)
def test_integer_accepts_plain_integers(text: str) -> None:
    """Including blanks around it: XML Schema's whiteSpace collapse (`tableschema.lexical`)."""
    assert one_field({"type": "integer"}, [text]) == []


def test_integer_bare_number_false_strips_currency_and_percent() -> None:
    field = {"type": "integer", "bareNumber": False}
    assert one_field(field, ["€95", "95%", "1.5"]) == [("type-error", 2)]


@pytest.mark.parametrize(
    "text,ok",
    [
        ("1e3", True),
        ("-1.5", True),
        (".5", True),
        ("NaN", True),
        ("INF", True),
        ("-INF", True),
        ("1,5", False),
        ("abc", False),
        ("1.5.2", False),
        (" 1", True),  # XML Schema's whiteSpace collapse (tableschema.lexical)
        ("\u00a01", False),
        # "The following special string values are permitted (case need not be respected)"
        ("inf", True),
        ("nan", True),
        ("-Inf", True),
        ("+INF", False),
    ],
)
def test_number_follows_table_schema_lexical_rules(text: str, ok: bool) -> None:
    assert one_field({"type": "number"}, [text]) == ([] if ok else [("type-error", 0)])


def test_number_honours_group_and_decimal_characters() -> None:
    field = {"type": "number", "groupChar": " ", "decimalChar": ","}
    assert one_field(field, ["1 234,5", "1234.5"]) == [("type-error", 1)]


def test_boolean_uses_the_schema_true_and_false_values() -> None:
    field = {"type": "boolean", "trueValues": ["ja"], "falseValues": ["nej"]}
    assert one_field(field, ["ja", "nej", "true", "Ja"]) == [("type-error", 2), ("type-error", 3)]
    assert one_field({"type": "boolean"}, ["true", "FALSE", "1", "0", "yes"]) == [("type-error", 4)]


@pytest.mark.parametrize(
    "field,good,bad",
    [
        ({"type": "date"}, ["2018-07-04", "2020-02-29"], ["2018-7-4", "04/07/2018", "2019-02-29"]),
        ({"type": "date", "format": "%d/%m/%Y"}, ["04/07/2018"], ["2018-07-04"]),
        (
            {"type": "datetime"},
            ["2018-07-04T10:00:00Z", "2018-07-04T10:00:00+02:00"],
            ["2018-07-04", "2018-07-04 10:00:00"],
        ),
        ({"type": "time"}, ["10:00:00"], ["10:00", "25:00:00"]),
        ({"type": "year"}, ["2018"], ["18", "2018-01"]),
        ({"type": "yearmonth"}, ["2018-07"], ["2018-13", "2018-7"]),
        ({"type": "string", "format": "email"}, ["info@example.se"], ["info@", "a b@c.se"]),
        (
            {"type": "string", "format": "uri"},
            ["https://example.se", "urn:isbn:0451"],
            ["example.se", "http://a b"],
        ),
        (
            {"type": "string", "format": "uuid"},
            ["123e4567-e89b-12d3-a456-426614174000"],
            ["123e4567e89b12d3a456426614174000"],
        ),
        ({"type": "object"}, ['{"a": 1}'], ["[1]", "{a:1}"]),
        ({"type": "array"}, ["[1, 2]"], ['{"a": 1}']),
        ({"type": "duration"}, ["P1Y2M", "PT1H"], ["P", "1Y"]),
    ],
)
def test_each_type_accepts_its_lexical_form_only(
    field: dict[str, Any], good: list[str], bad: list[str]
) -> None:
    found = one_field(field, good + bad)
    assert found == [("type-error", len(good) + i) for i in range(len(bad))]


def test_missing_values_are_not_type_errors_but_break_required() -> None:
    field = {"type": "integer", "constraints": {"required": True}}
    assert one_field(field, ["NA", "-", "3", None], missingValues=["NA", "-", ""]) == [
        ("constraint-required", 0),
        ("constraint-required", 1),
        ("constraint-required", 3),
    ]


def test_constraints_are_evaluated_on_parsed_values_only() -> None:
    field = {"type": "integer", "constraints": {"minimum": 10, "maximum": 20, "enum": [10, 15]}}
    # "x" is a type error and nothing else; "5" is below the minimum and not in the enum
    assert one_field(field, ["x", "5", "15", "010", "21"]) == [
        ("type-error", 0),
        ("constraint-enum", 1),
        ("constraint-minimum", 1),
        ("constraint-enum", 4),
        ("constraint-maximum", 4),
    ]


def test_date_bounds_compare_dates_not_text() -> None:
    field = {"type": "date", "constraints": {"minimum": "2000-01-01", "maximum": "2030-12-31"}}
    assert one_field(field, ["1999-12-31", "2000-01-01", "2031-01-01"]) == [
        ("constraint-minimum", 0),
        ("constraint-maximum", 2),
    ]


def test_exclusive_bounds_have_their_own_ids() -> None:
    field = {"type": "number", "constraints": {"exclusiveMinimum": 0}}
    assert one_field(field, ["0", "0.1"]) == [("constraint-exclusive-minimum", 0)]


def test_lengths_count_characters_not_bytes() -> None:
    field = {"type": "string", "constraints": {"minLength": 2, "maxLength": 3}}
    assert one_field(field, ["å", "åäö", "åäöx"]) == [
        ("constraint-min-length", 0),
        ("constraint-max-length", 2),
    ]


def test_pattern_must_match_the_whole_cell() -> None:
    field = {"type": "string", "constraints": {"pattern": "[a-z]+|[0-9]+"}}
    assert one_field(field, ["abc", "123", "abc123", "abc\n"]) == [
        ("constraint-pattern", 2),
        ("constraint-pattern", 3),
    ]


def test_unique_reports_every_repeat_after_the_first_on_parsed_values() -> None:
    field = {"type": "integer", "constraints": {"unique": True}}
    assert one_field(field, ["1", "2", "01", None, None, "1"]) == [
        ("unique-error", 2),
        ("unique-error", 5),
    ]


def test_primary_key_reports_repeated_and_incomplete_composite_keys() -> None:
    schema = {
        "fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "integer"}],
        "primaryKey": ["a", "b"],
    }
    found = failures(schema, {"a": ["x", "x", "x", "y", None], "b": ["1", "2", "01", "1", "1"]})
    assert found == [("primary-key", "a", 2), ("primary-key", "a", 4)]


def test_every_bad_cell_is_its_own_failure_with_its_row() -> None:
    cells = ["1", "x", "2", "y", "3.5"] * 2
    assert [i for _, i in one_field({"type": "integer"}, cells)] == [1, 3, 4, 6, 8, 9]


def test_a_schema_can_validate_two_frames_without_stale_parses() -> None:
    schema = pandera_of(
        {"fields": [{"name": "n", "type": "integer", "constraints": {"minimum": 0}}]}
    )
    schema.validate(frame({"n": ["1", "2"]}))
    with pytest.raises(pandera.errors.SchemaErrors) as caught:
        schema.validate(frame({"n": ["-1", "2"]}), lazy=True)
    assert list(caught.value.failure_cases["index"]) == [0]


def test_schema_limited_to_present_columns_and_counts_its_checks() -> None:
    table = {
        "fields": [
            {"name": "a", "type": "integer", "constraints": {"required": True}},
            {"name": "b", "type": "string"},
        ]
    }
    schema = pandera_of(table, columns=["a"])
    assert list(schema.columns) == ["a"]
    assert rules_of(table, columns=["a"]).count() == 2  # type + required


def test_extra_checks_are_attached_with_their_rules() -> None:
    from clusterdata.validation.rules.schema_rules import Rule, ruled_check

    extra = ruled_check(
        "shouting", Rule("shouting", lambda f: "loud"), lambda s: s.str.isupper().fillna(False)
    )
    schema = pandera_of({"fields": [{"name": "t"}]}, extra_column_checks=lambda f: [extra])
    assert isinstance(schema.columns["t"].checks[0], pa.Check)
    rule = rule_for(schema, "t", "shouting")
    assert rule is not None and rule.check == "shouting"


def test_odd_schemas_do_not_break_the_converter() -> None:
    schema = pandera_of(
        {
            "fields": [
                {"name": "a", "type": "integer", "constraints": {"minimum": "ten", "pattern": "("}},
                {"no": "name"},
                "junk",
            ],
            "primaryKey": ["missing"],
            "missingValues": "NA",
        }
    )
    assert list(schema.columns) == ["a"]
    schema.validate(frame({"a": ["1"]}))


# --- both runners, one meaning ---------------------------------------------------------------

_CELLS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            "1",
            "01",
            "-3",
            "+4",
            " 12",
            "1.5",
            "1e3",
            "NaN",
            "-INF",
            "1,5",
            "€95",
            "95%",
            "2020-02-29",
            "2020-02-30",
            "1899-12-31",
            "2024",
            "2024-05",
            "true",
            "ja",
            "Nej",
            "a@b.se",
            "a@b",
            "abc",
            "ABC",
            "a-b",
            "å",
            "a\u030a",
            "x" * 30,
            "NA",
            "00:00:00",
        ]
    ),
    st.text(alphabet="0123456789-+.,eE aAå@", max_size=8),
)

_FIELDS = st.sampled_from(
    [
        {"type": "integer", "constraints": {"minimum": 0, "maximum": 100}},
        {"type": "integer", "constraints": {"unique": True, "required": True}},
        {"type": "integer", "bareNumber": False, "constraints": {"enum": [1, 2, "3"]}},
        {"type": "number", "constraints": {"exclusiveMinimum": 0, "unique": True}},
        {"type": "number", "groupChar": " ", "decimalChar": ","},
        {"type": "string", "constraints": {"pattern": "[a-z]+(-[a-z]+)*", "maxLength": 5}},
        {"type": "string", "constraints": {"minLength": 2, "enum": ["abc", "å", "NA"]}},
        {"type": "string", "format": "email", "constraints": {"unique": True}},
        {
            "type": "date",
            "constraints": {"minimum": "1900-01-01", "exclusiveMaximum": "2025-01-01"},
        },
        {"type": "boolean", "trueValues": ["ja", "true"], "falseValues": ["nej"]},
        {"type": "year", "constraints": {"minimum": 2000, "required": True}},
        {"type": "yearmonth", "constraints": {"maximum": "2024-04"}},
        {"type": "time"},
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fields=st.lists(_FIELDS, min_size=1, max_size=3),
    rows=st.integers(min_value=0, max_value=12),
    data=st.data(),
    missing=st.sampled_from([None, ["", "NA"], []]),
    key=st.sampled_from([None, 1, 2]),
)
def test_pandera_and_the_plain_runner_report_the_same_failures(
    fields: list[dict[str, Any]],
    rows: int,
    data: st.DataObject,
    missing: list[str] | None,
    key: int | None,
) -> None:
    """The DuckDB engine runs the Table Schema checks without pandas (`TableRules.evaluate`);
    on any cells it must report exactly what pandera does with the same checks."""
    named = [{"name": f"f{i}", **field} for i, field in enumerate(fields)]
    schema: dict[str, Any] = {"fields": named}
    if missing is not None:
        schema["missingValues"] = missing
    if key is not None:
        schema["primaryKey"] = [f["name"] for f in named[:key]]
    columns = {f["name"]: data.draw(st.lists(_CELLS, min_size=rows, max_size=rows)) for f in named}
    assert plain_failures(schema, columns) == pandera_failures(schema, columns)


def test_the_plain_runner_reports_a_broken_check_instead_of_raising() -> None:
    from clusterdata.validation.rules.schema_rules import Broken, ColumnParser, Rule, cells_check

    def boom(cells: Any) -> list[bool]:
        raise ValueError("no")

    rules = rules_of({"fields": [{"name": "n", "type": "integer"}]})
    rules.columns["n"].append(
        cells_check(
            "boom",
            Rule("boom", lambda f: "x"),
            ColumnParser(Field.from_descriptor({"name": "n"})),
            boom,
        )
    )
    found = rules.evaluate({"n": ["1", "x"]})
    assert [type(f).__name__ for f in found] == ["Flagged", "Broken"]
    assert isinstance(found[1], Broken) and found[1].name == "boom"

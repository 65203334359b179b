"""The Table Schema core's cell rules, pinned to the spec sentences they follow (see `lexical`)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from clusterdata.tableschema.cells import (
    BAD,
    cell_parser,
    field_missing_values,
    missing_values,
    number_text,
    parse,
)
from clusterdata.tableschema.keys import dependency_order, key_fields
from clusterdata.tableschema.model import Schema


@pytest.mark.parametrize(
    "text,value",
    [
        ("12", 12),
        ("+5", 5),
        ("-0", 0),
        ("007", 7),
        (" 12", 12),
        ("12\t", 12),
        ("\r\n12 ", 12),
        ("\u00a012", BAD),
        ("1 2", BAD),
        ("1e3", BAD),
        ("1.0", BAD),
        ("", BAD),
        ("1_000", BAD),
        ("\u0661\u0662", BAD),
    ],
)
def test_an_integer_is_an_optional_sign_and_digits_only(text: str, value: Any) -> None:
    """Blanks around it are XML Schema whitespace (whiteSpace collapse) and dropped; a no-break
    space, digit-group underscores and other scripts' digits are Python's, not the spec's."""
    assert parse({"type": "integer"}, text) == value


@pytest.mark.parametrize(
    "text,value",
    [
        ("1.5", 1.5),
        ("-.5", -0.5),
        ("1E3", 1000.0),
        ("1e-2", 0.01),
        ("INF", math.inf),
        ("-inf", -math.inf),
        ("Infinity", BAD),
        ("+INF", BAD),
        ("1,5", BAD),
        (" 1", 1.0),
        ("1_0", BAD),
        ("sNaN", BAD),
    ],
)
def test_a_number_is_an_xml_schema_decimal_with_exponent_or_a_special_value(
    text: str, value: Any
) -> None:
    assert parse({"type": "number"}, text) == value


def test_nan_in_any_case_is_a_number() -> None:
    """ "NaN ... (case need not be respected)"."""
    for text in ("NaN", "nan", "NAN"):
        assert math.isnan(parse({"type": "number"}, text))


def test_group_and_decimal_characters_are_applied_before_the_rule() -> None:
    field = {"type": "number", "groupChar": " ", "decimalChar": ","}
    assert number_text(field, "1 234,5") == "1234.5"
    assert parse(field, "1.5") is BAD  # a point where the decimal character is a comma


def test_bare_number_false_allows_surrounding_text() -> None:
    assert parse({"type": "integer", "bareNumber": False}, "€ 95") == 95
    assert parse({"type": "number", "bareNumber": False}, "12.5 %") == 12.5


@pytest.mark.parametrize(
    "text,value",
    [
        ("2020-02-29", dt.date(2020, 2, 29)),
        ("2021-02-29", BAD),
        ("0000-01-01", BAD),
        ("2020-1-1", BAD),
        ("20200101", BAD),
    ],
)
def test_a_date_is_yyyy_mm_dd_and_a_real_day(text: str, value: Any) -> None:
    assert parse({"type": "date"}, text) == value


@pytest.mark.parametrize(
    "text,value",
    [
        ("2020-01-01T12:00:00", dt.datetime(2020, 1, 1, 12)),
        ("2020-01-01T12:00:00Z", dt.datetime(2020, 1, 1, 12)),
        ("2020-01-01T12:00:00+01:00", dt.datetime(2020, 1, 1, 11)),
        ("2020-01-01T12:00:00.5-05:00", dt.datetime(2020, 1, 1, 17, 0, 0, 500000)),
        ("2020-01-01T12:00:00+0100", BAD),  # XML Schema's offset has its colon
        ("2020-01-01 12:00:00", BAD),
        ("2020-01-01T24:00:00", BAD),
    ],
)
def test_a_datetime_offset_needs_its_colon_and_is_read_as_utc(text: str, value: Any) -> None:
    assert parse({"type": "datetime"}, text) == value


def test_time_year_and_yearmonth_follow_their_forms() -> None:
    assert parse({"type": "time"}, "23:59:59") == dt.time(23, 59, 59)
    assert parse({"type": "time"}, "24:00:00") is BAD
    assert parse({"type": "year"}, "2020") == 2020
    assert parse({"type": "year"}, "20") is BAD
    assert parse({"type": "yearmonth"}, "2018-09") == (2018, 9)
    assert parse({"type": "yearmonth"}, "2018-13") is BAD


def test_boolean_uses_the_fields_true_and_false_values_only() -> None:
    field = {"type": "boolean", "trueValues": ["ja"], "falseValues": ["nej"]}
    assert [parse(field, t) for t in ("ja", "nej", "true")] == [True, False, BAD]
    assert parse({"type": "boolean"}, "TRUE") is True


def test_a_plain_string_has_no_parser_and_any_text_is_a_value() -> None:
    assert cell_parser({"type": "string"}) is None
    assert parse({"type": "string"}, " 12") == " 12"


def test_missing_values_read_v1_strings_and_v2_objects() -> None:
    assert missing_values({}) == [""]
    assert missing_values({"missingValues": ["NA", {"value": "-"}, 3]}) == ["NA", "-"]
    assert missing_values({"missingValues": "NA"}) == [""]
    schema = {"missingValues": ["NA"]}
    assert field_missing_values(schema, {"name": "x", "missingValues": ["?"]}) == ["?"]
    assert field_missing_values(schema, {"name": "x"}) == ["NA"]


def test_key_fields_accept_a_name_or_a_list() -> None:
    assert key_fields("id") == ["id"]
    assert key_fields(["a", 1, "b"]) == ["a", "b"]
    assert key_fields(None) == []


def test_dependency_order_puts_referenced_tables_first() -> None:
    class R:  # the two attributes `dependency_order` reads
        def __init__(self, name: str, refs: list[str]) -> None:
            self.name = name
            self.table_schema = Schema.from_descriptor(
                {"foreignKeys": [{"fields": ["x"], "reference": {"resource": r}} for r in refs]}
            )

    child, parent, root = R("child", ["parent"]), R("parent", ["root", ""]), R("root", [])
    order = dependency_order([child, parent, root])  # type: ignore[list-item]
    assert [r.name for r in order] == ["root", "parent", "child"]

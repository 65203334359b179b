"""One cell's text → its Table Schema value: the parsers every consumer uses.

`validate` (layer 2 and the DuckDB engine's suspect rows), `load()` and `diff` all read a cell
through `cell_parser`, so a text is a value for all of them or for none (see `lexical` for the
rules and the spec sentences they follow). A parser returns the value, or `BAD` when the text is
not a value of the field's type; it never raises.

Values: int (integer, year), float (number), bool, `datetime.date`, `datetime.datetime` (naive,
in UTC: a cell with an offset is converted, so equal instants are equal values), `datetime.time`,
(year, month) for yearmonth, and the text itself for string formats, duration, object and array
(lower-cased for uuid), and a Python list of item values for the v2 `list` type.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from clusterdata.core.lazy import lazy_module
from clusterdata.tableschema.lexical import (
    BARE_STRIP_RE,
    BLANKS,
    COMPILED,
    DEFAULT_FALSE,
    DEFAULT_MISSING,
    DEFAULT_TRUE,
    full,
)
from clusterdata.tableschema.model import missing_value_list

if TYPE_CHECKING:
    import pandas as pd
else:  # only format "any" needs it
    pd = lazy_module("pandas")


class _Bad:
    def __repr__(self) -> str:
        return "BAD"


#: What a parser returns for a text that is not a value of the type.
BAD: Any = _Bad()

Parser = Callable[[str], Any]

#: Types whose cells are parsed here; others (geopoint, geojson, any) are left to frictionless.
CHECKED_TYPES = frozenset(
    {
        "string",
        "integer",
        "number",
        "boolean",
        "date",
        "datetime",
        "time",
        "year",
        "yearmonth",
        "duration",
        "object",
        "array",
        "list",
    }
)

#: A v2 `list` field's item types: "If present, it MUST be one of `string`, `integer`,
#: `boolean`, `number`, `datetime`, `date`, and `time`. If not present, the default is `string`"
#: (https://datapackage.org/standard/table-schema/#list).
LIST_ITEM_TYPES = frozenset({"string", "integer", "boolean", "number", "datetime", "date", "time"})


def field_type(field: Mapping[str, Any]) -> str:
    return str(field.get("type") or "string")


def field_format(field: Mapping[str, Any]) -> str:
    return str(field.get("format") or "default")


def missing_values(schema: Mapping[str, Any]) -> list[str]:
    """The schema's `missingValues` (default ``[""]``): strings (v1) or ``{"value": ...}``
    objects (v2); anything else in the list is ignored, a list that is not a list is the default.
    """
    return list(missing_value_list(schema.get("missingValues", list(DEFAULT_MISSING))))


def field_missing_values(schema: Mapping[str, Any], field: Mapping[str, Any]) -> list[str]:
    """A field's own `missingValues` (v2) when it declares them, else the schema's."""
    own = field.get("missingValues")
    if own is not None:
        return list(missing_value_list(own))
    return missing_values(schema)


def true_values(field: Mapping[str, Any]) -> frozenset[str]:
    return _str_set(field.get("trueValues"), DEFAULT_TRUE)


def false_values(field: Mapping[str, Any]) -> frozenset[str]:
    return _str_set(field.get("falseValues"), DEFAULT_FALSE)


def _str_set(value: Any, default: Sequence[str]) -> frozenset[str]:
    if isinstance(value, list):
        return frozenset(v for v in value if isinstance(v, str))
    return frozenset(default)


def bare(field: Mapping[str, Any]) -> bool:
    """`bareNumber` (default true): false lets text surround the number ("€ 12", "12 %")."""
    return field.get("bareNumber", True) is not False


def integer_text(field: Mapping[str, Any], text: str) -> str | None:
    """The integer's digits (with sign) when `text` is an integer of this field, else None.

    Data Package v2 gives integers a `groupChar` too ("A string whose value is used to group
    digits within the integer"; https://datapackage.org/standard/table-schema/#integer): it is
    removed, as for numbers. frictionless-py 5.21 ignores it on integers; see
    `validation/structure/v2fields.py`."""
    text = text.strip(BLANKS)
    if not bare(field):
        text = BARE_STRIP_RE.sub("", text)
    group = field.get("groupChar")
    if isinstance(group, str) and group:
        text = text.replace(group, "")
    return text if full("integer", text) else None


def number_text(field: Mapping[str, Any], text: str) -> str | None:
    """`text` as a plain decimal number ("1234.5", "NaN") when it is a number of this field,
    else None: `bareNumber`, `groupChar` and `decimalChar` applied. Exact consumers (`diff`)
    read it as a Decimal, the others as a float."""
    group = field.get("groupChar")
    decimal = field.get("decimalChar")
    text = text.strip(BLANKS)
    if not bare(field):
        text = BARE_STRIP_RE.sub("", text)
    if isinstance(group, str) and group:
        text = text.replace(group, "")
    if isinstance(decimal, str) and decimal and decimal != ".":
        if "." in text:
            return None
        text = text.replace(decimal, ".")
    return text if full("number", text) else None


def _strptime_format(fmt: str) -> str:
    return fmt[4:] if fmt.startswith("fmt:") else fmt


def to_utc_naive(moment: datetime) -> datetime:
    """Aware and naive datetimes cannot be compared; naive ones are taken as UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def cell_parser(field: Mapping[str, Any]) -> Parser | None:
    """A function text → value (or `BAD`), or None when any text is a value (plain strings and
    the types this module leaves to frictionless)."""
    ftype = field_type(field)
    fmt = field_format(field)
    if ftype == "string":
        return _string_parser(fmt)
    if ftype == "integer":
        return lambda t: BAD if (d := integer_text(field, t)) is None else int(d)
    if ftype == "number":
        return lambda t: BAD if (d := number_text(field, t)) is None else float(d)
    if ftype == "boolean":
        trues, falses = true_values(field), false_values(field)
        return lambda t: True if t in trues else (False if t in falses else BAD)
    if ftype == "date":
        return _date_parser(fmt)
    if ftype == "datetime":
        return _datetime_parser(fmt)
    if ftype == "time":
        return _time_parser(fmt)
    if ftype == "year":
        return lambda t: int(t) if full("year", t) else BAD
    if ftype == "yearmonth":

        def parse_yearmonth(text: str) -> Any:
            match = COMPILED["yearmonth"].fullmatch(text)
            return (int(match.group(1)), int(match.group(2))) if match else BAD

        return parse_yearmonth
    if ftype == "duration":
        return lambda t: t if full("duration", t) else BAD
    if ftype == "list":
        return _list_parser(field)
    if ftype in {"object", "array"}:
        wanted = dict if ftype == "object" else list

        def parse_json(text: str) -> Any:
            try:
                value = json.loads(text)
            except (ValueError, RecursionError):
                return BAD
            return text if isinstance(value, wanted) else BAD

        return parse_json
    return None


def list_delimiter(field: Mapping[str, Any]) -> str:
    """A `list` field's delimiter: "If not present, the default is `,` (comma)"."""
    delimiter = field.get("delimiter")
    return delimiter if isinstance(delimiter, str) and delimiter else ","


def list_item_field(field: Mapping[str, Any]) -> dict[str, Any]:
    """The field each item of a `list` field is read as: its `itemType` in the default format
    ("on lexical level only default formats are supported")."""
    item = field.get("itemType")
    return {
        "name": str(field.get("name") or ""),
        "type": item if isinstance(item, str) else "string",
    }


def _list_parser(field: Mapping[str, Any]) -> Parser:
    """The v2 `list` type: "values separated by a delimiter", each item read "as it were
    individual values of the corresponding data type"; one bad item makes the cell bad."""
    delimiter = list_delimiter(field)
    item = list_item_field(field)
    if item["type"] not in LIST_ITEM_TYPES:
        return lambda t: BAD
    parse_item = cell_parser(item)

    def parse_list(text: str) -> Any:
        items = text.split(delimiter)
        if parse_item is None:
            return items
        values = [parse_item(i) for i in items]
        return BAD if any(v is BAD for v in values) else values

    return parse_list


def parse(field: Mapping[str, Any], text: str) -> Any:
    """One cell's value (`BAD` when it is not one); the text itself for untyped fields."""
    parser = cell_parser(field)
    return text if parser is None else parser(text)


def _string_parser(fmt: str) -> Parser | None:
    if fmt == "email":
        return lambda t: t if full("email", t) else BAD
    if fmt == "uri":
        return lambda t: t if full("uri", t) else BAD
    if fmt == "uuid":
        return lambda t: t.lower() if full("uuid", t) else BAD
    if fmt == "binary":
        return _parse_binary
    return None


def _parse_binary(text: str) -> Any:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return BAD
    return text


def _date_parser(fmt: str) -> Parser:
    def parse_date(text: str) -> Any:
        try:
            if fmt == "default":
                return date.fromisoformat(text) if full("date", text) else BAD
            if fmt == "any":
                return pd.Timestamp(text).date()
            return datetime.strptime(text, _strptime_format(fmt)).date()
        except (ValueError, TypeError, OverflowError):
            return BAD

    return parse_date


def _datetime_parser(fmt: str) -> Parser:
    def parse_datetime(text: str) -> Any:
        try:
            if fmt == "default":
                if not full("datetime", text):
                    return BAD
                return to_utc_naive(datetime.fromisoformat(text))
            if fmt == "any":
                return to_utc_naive(pd.Timestamp(text).to_pydatetime())
            return to_utc_naive(datetime.strptime(text, _strptime_format(fmt)))
        except (ValueError, TypeError, OverflowError):
            return BAD

    return parse_datetime


def _time_parser(fmt: str) -> Parser:
    def parse_time(text: str) -> Any:
        try:
            if fmt == "default":
                return time.fromisoformat(text) if full("time", text) else BAD
            if fmt == "any":
                return pd.Timestamp(text).time()
            return datetime.strptime(text, _strptime_format(fmt)).time()
        except (ValueError, TypeError, OverflowError):
            return BAD

    return parse_time

"""The Table Schema rules of `lexical` and `cells`, rendered as DuckDB SQL.

`cast_expression` turns a text column into the field's type with the meaning `cells.cell_parser`
gives each cell: the value where the parser returns one, NULL where it returns `BAD` (a caller
that must not lose a cell silently, `connect()`, asks `bad_cell_condition` first). DuckDB's own
casts are looser than Table Schema (``'1987.5'`` becomes 1988 as BIGINT, ``' 12'`` and ``'1e3'``
are integers, ``'24:00:00'`` is a time, an offset is dropped from a TIMESTAMP), so every cast
runs behind the same pattern the Python parser checks. The property test
`tests/unit/tableschema/test_sql_rendering.py` holds both renderings equal on generated cells.

Also here: the *certainly clean* subsets the DuckDB validation engine uses (`CERTAIN`), and SQL
quoting (names and values come from untrusted descriptors: always quoted).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from clusterdata.tableschema import lexical
from clusterdata.tableschema.cells import (
    LIST_ITEM_TYPES,
    bare,
    false_values,
    field_format,
    field_type,
    list_delimiter,
    list_item_field,
    true_values,
)


def quote_ident(name: str) -> str:
    """A SQL identifier for any string: names come from an untrusted descriptor."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_DUCK_TYPES = {
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "time": "TIME",
    "year": "INTEGER",
}


def duck_type(field: Mapping[str, Any]) -> str:
    """The DuckDB type a Table Schema field is loaded as (datetimes as UTC TIMESTAMP, a v2
    `list` as a LIST of its item type)."""
    if field_type(field) == "list":
        return f"{duck_type(list_item_field(field))}[]"
    return _DUCK_TYPES.get(field_type(field), "VARCHAR")


def _matches(subject: str, pattern: str) -> str:
    return f"regexp_full_match({subject}, {quote_literal(pattern)})"


def _guarded(subject: str, pattern: str, cast: str) -> str:
    return f"(CASE WHEN {_matches(subject, pattern)} THEN {cast} END)"


def _in_list(subject: str, values: Iterable[str]) -> str:
    listed = ", ".join(quote_literal(v) for v in sorted(values))
    return f"({subject} IN ({listed}))" if listed else "FALSE"


def without_missing(text: str, missing: Iterable[str]) -> str:
    """`text` with the schema's missing values (other than "", which the reader already made
    NULL) turned into NULL."""
    others = sorted({m for m in missing if m != ""})
    if not others:
        return text
    return f"(CASE WHEN {_in_list(text, others)} THEN NULL ELSE {text} END)"


#: `lexical.BLANKS` as a DuckDB expression (chr() keeps tabs and line breaks out of the SQL).
_BLANKS_SQL = " || ".join(f"chr({ord(c)})" for c in lexical.BLANKS)


def _bare_strip(field: Mapping[str, Any], subject: str) -> str:
    """The text `cells` checks for a number: blanks dropped, and with `bareNumber: false` the
    surrounding text too."""
    subject = f"trim({subject}, {_BLANKS_SQL})"
    if bare(field):
        return subject
    return f"regexp_replace({subject}, {quote_literal(lexical.BARE_STRIP)}, '', 'g')"


def _number_subject(field: Mapping[str, Any], subject: str) -> tuple[str, str | None]:
    """The text `cells.number_text` checks, and a condition that makes the cell bad."""
    subject = _bare_strip(field, subject)
    group = field.get("groupChar")
    if isinstance(group, str) and group:
        subject = f"replace({subject}, {quote_literal(group)}, '')"
    decimal = field.get("decimalChar")
    if isinstance(decimal, str) and decimal and decimal != ".":
        return f"replace({subject}, {quote_literal(decimal)}, '.')", f"contains({subject}, '.')"
    return subject, None


def cast_expression(field: Mapping[str, Any], text: str, missing: Iterable[str] = ("",)) -> str:
    """SQL turning the text column `text` into the field's type; NULL where `cells` says BAD
    (and where the value does not fit the SQL type: an integer beyond 64 bits)."""
    value = without_missing(text, missing)
    kind = field_type(field)
    fmt = field_format(field)
    if kind == "integer":
        subject = _bare_strip(field, value)
        group = field.get("groupChar")
        if isinstance(group, str) and group:  # as `cells.integer_text`
            subject = f"replace({subject}, {quote_literal(group)}, '')"
        return _guarded(subject, lexical.INTEGER, f"TRY_CAST({subject} AS BIGINT)")
    if kind == "number":
        subject, bad = _number_subject(field, value)
        cast = _guarded(subject, lexical.NUMBER, f"TRY_CAST({subject} AS DOUBLE)")
        return cast if bad is None else f"(CASE WHEN NOT {bad} THEN {cast} END)"
    if kind == "boolean":
        return (
            f"(CASE WHEN {_in_list(value, true_values(field))} THEN TRUE "
            f"WHEN {_in_list(value, false_values(field))} THEN FALSE END)"
        )
    if kind in {"date", "datetime", "time"}:
        target = duck_type(field)
        if fmt == "any":
            return f"TRY_CAST({value} AS {target})"
        if fmt != "default":
            pattern = fmt[4:] if fmt.startswith("fmt:") else fmt
            return f"TRY_CAST(try_strptime({value}, {quote_literal(pattern)}) AS {target})"
        if kind == "date":
            return _guarded(value, lexical.DATE, f"TRY_CAST({value} AS DATE)")
        if kind == "time":
            return _guarded(value, lexical.TIME, f"TRY_CAST({value} AS TIME)")
        # An offset is converted to UTC (as `cells` does); a TIMESTAMP cast would drop it.
        utc = (
            f"(CASE WHEN {_matches(value, lexical.DATETIME_WITH_OFFSET)} "
            f"THEN timezone('UTC', TRY_CAST({value} AS TIMESTAMPTZ)) "
            f"ELSE TRY_CAST({value} AS TIMESTAMP) END)"
        )
        return _guarded(value, lexical.DATETIME, utc)
    if kind == "year":
        return _guarded(value, lexical.YEAR, f"TRY_CAST({value} AS INTEGER)")
    if kind == "list":
        return _list_cast(field, value)
    return value


def _list_cast(field: Mapping[str, Any], value: str) -> str:
    """`cells`' `list` rule in SQL: split on the delimiter, each item cast as its item type; a
    bad item makes the whole cell NULL."""
    item = list_item_field(field)
    if item["type"] not in LIST_ITEM_TYPES:
        return f"CAST(NULL AS {duck_type(field)})"
    items = f"string_split({value}, {quote_literal(list_delimiter(field))})"
    if item["type"] == "string":
        return items
    cast = f"list_transform({items}, lambda __item: {cast_expression(item, '__item', ())})"
    return f"(CASE WHEN len(list_filter({cast}, lambda __v: __v IS NULL)) = 0 THEN {cast} END)"


def bad_cell_condition(
    field: Mapping[str, Any], text: str, missing: Iterable[str] = ("",)
) -> str | None:
    """SQL that is TRUE for a present cell `cast_expression` turns into NULL (a cell that is not
    a value), or None when the field's SQL keeps every text (string and the other text types)."""
    if field_type(field) not in _DUCK_TYPES and field_type(field) != "list":
        return None
    value = without_missing(text, missing)
    return f"({value} IS NOT NULL AND {cast_expression(field, text, missing)} IS NULL)"


def enum_type(values: Iterable[str]) -> str:
    """A DuckDB ENUM of these strings. DuckDB compares and sorts an ENUM by the order its
    values are listed in."""
    return "ENUM(" + ", ".join(quote_literal(v) for v in dict.fromkeys(values)) + ")"


def outside_condition(value: str, allowed: Iterable[str | int]) -> str:
    """SQL that is TRUE when the typed value `value` is present and not one of `allowed`
    (strings or integers: the values v2 `categories` may have)."""
    listed = ", ".join(
        str(v) if isinstance(v, int) else quote_literal(v) for v in dict.fromkeys(allowed)
    )
    return f"({value} IS NOT NULL AND {value} NOT IN ({listed}))"


#: Subsets of the rules that DuckDB can certify without a cast that might fail, for the DuckDB
#: validation engine: a cell matching one is certainly a value (for frictionless-py too, which
#: judges every other cell). Each is a subset of its rule in `lexical` (a property test holds
#: it): integers of at most 18 digits fit BIGINT; numbers without exponent of at most 15+15
#: digits survive a DOUBLE round trip; dates and datetimes are checked by the cast as well.
CERTAIN = {
    "integer": r"-?[0-9]{1,18}",
    "number": r"-?[0-9]{1,15}(\.[0-9]{1,15})?",
    "year": r"[0-9]{4}",
    "date": r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}",
    "datetime": r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z?",
    "uri": r"https?://[A-Za-z0-9.-]+(/[A-Za-z0-9._~/-]*)?",
}

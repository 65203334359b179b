"""Reading a table's cells as their Table Schema types, so both sides compare as parsed.

"1.50" and "1.5" are the same number and "TRUE" and "true" the same boolean, so a purely cosmetic
reformatting is not a change. Reading never fails on bad data: a cell that does not parse stays
text and compares as text (rejecting it is the validator's business, not the diff's).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from clusterdata.core.package import Resource

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DEFAULT_TRUE = ("true", "True", "TRUE", "1")
_DEFAULT_FALSE = ("false", "False", "FALSE", "0")


def parse_cell(spec: dict[str, Any], text: str | None, missing: Sequence[str] = ("",)) -> Any:
    """The typed value of one cell, or the text itself when it does not parse.

    Returns None for a missing value, int for integer/year, Decimal for number, bool, date,
    datetime or time for those types, and str otherwise. Never raises: a bad cell is the
    validator's business, here it simply stays text (so it still compares as text).
    """
    if text is None:
        return None
    field_missing = spec.get("missingValues")
    missing_values = field_missing if isinstance(field_missing, list) else missing
    if text in missing_values:
        return None
    kind = str(spec.get("type") or "string")
    try:
        if kind in ("integer", "year"):
            if _INTEGER.match(text):
                return int(text)
            if spec.get("bareNumber") is False:
                stripped = re.sub(r"^\D+|\D+$", "", text)
                if _INTEGER.match(stripped):
                    return int(stripped)
            return text
        if kind == "number":
            return _parse_number(spec, text)
        if kind == "boolean":
            trues = spec.get("trueValues") or _DEFAULT_TRUE
            falses = spec.get("falseValues") or _DEFAULT_FALSE
            if text in trues:
                return True
            if text in falses:
                return False
            return text
        if kind == "date":
            fmt = spec.get("format") or "default"
            if fmt in ("default", "any"):
                return dt.date.fromisoformat(text) if len(text) == 10 else text
            return dt.datetime.strptime(text, str(fmt)).date()
        if kind == "datetime":
            fmt = spec.get("format") or "default"
            if fmt in ("default", "any"):
                return dt.datetime.fromisoformat(text)
            return dt.datetime.strptime(text, str(fmt))
        if kind == "time":
            fmt = spec.get("format") or "default"
            if fmt in ("default", "any"):
                return dt.time.fromisoformat(text)
            return dt.datetime.strptime(text, str(fmt)).time()
    except (ValueError, TypeError, OverflowError):
        return text
    return text


def _parse_number(spec: dict[str, Any], text: str) -> Decimal | str:
    value = text
    group = spec.get("groupChar")
    if isinstance(group, str) and group:
        value = value.replace(group, "")
    decimal = spec.get("decimalChar")
    if isinstance(decimal, str) and decimal and decimal != ".":
        value = value.replace(decimal, ".")
    if spec.get("bareNumber") is False:
        value = re.sub(r"^[^\d+\-.]+|[^\d.]+$", "", value)
    if value in ("NaN", "INF", "-INF", "+INF"):
        return Decimal(value.replace("INF", "Infinity"))
    if not _NUMBER.match(value):
        return text
    try:
        return Decimal(value)
    except InvalidOperation:
        return text


def canonical(value: Any) -> str | None:
    """A text form equal for equal values: how two sides' cells are compared."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        normal = value.normalize()
        return format(normal, "f") if normal == normal.to_integral() else str(normal)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


@dataclass
class Table:
    """The rows of one resource as text, in file order, with the schema that types them."""

    resource: Resource
    fields: list[str]
    rows: list[list[str | None]]

    def canonical_rows(self, names: Sequence[str]) -> list[tuple[str | None, ...]]:
        specs = {str(f.get("name")): f for f in self.resource.fields}
        missing = self.resource.schema.get("missingValues")
        missing_values = missing if isinstance(missing, list) else [""]
        positions = [self.fields.index(n) for n in names]
        return [
            tuple(
                canonical(parse_cell(specs.get(n, {}), row[p], missing_values))
                for n, p in zip(names, positions, strict=True)
            )
            for row in self.rows
        ]


def read_table(resource: Resource) -> Table:
    """Read a CSV resource as text cells aligned to the schema's field names.

    Columns are matched by header name when the header names the schema's fields, by position
    otherwise (as frictionless does); short rows are padded with None, long rows cut.
    """
    csv.field_size_limit(sys.maxsize)
    names = resource.field_names
    encoding = (
        "utf-8-sig"
        if resource.encoding.replace("_", "-") in ("utf-8", "utf8")
        else resource.encoding
    )
    try:
        handle = open(resource.file, encoding=encoding, errors="replace", newline="")  # noqa: SIM115
    except LookupError:
        handle = open(resource.file, encoding="utf-8-sig", errors="replace", newline="")  # noqa: SIM115
    with handle:
        reader = csv.reader(
            (line.replace("\x00", "") for line in handle),
            delimiter=resource.delimiter,
            quotechar=resource.quote_char,
        )
        header = next(reader, [])
        if set(names) <= set(header):
            positions: list[int | None] = [header.index(n) for n in names]
        else:
            positions = [i if i < len(header) else None for i in range(len(names))]
        rows = []
        for record in reader:
            if not record:
                continue
            rows.append(
                [record[p] if p is not None and p < len(record) else None for p in positions]
            )
    return Table(resource=resource, fields=names, rows=rows)

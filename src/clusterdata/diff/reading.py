"""Reading a table's cells as their Table Schema types, so both sides compare as parsed.

"1.50" and "1.5" are the same number and "TRUE" and "true" the same boolean, so a purely cosmetic
reformatting is not a change. Reading never fails on bad data: a cell that does not parse stays
text and compares as text (rejecting it is the validator's business, not the diff's).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from clusterdata.core.package import Resource
from clusterdata.tableschema.cells import (
    BAD,
    cell_parser,
    field_missing_values,
    field_type,
    number_text,
)


def parse_cell(spec: Mapping[str, Any], text: str | None, missing: Sequence[str] = ("",)) -> Any:
    """The typed value of one cell, or the text itself when it is not a value of its type.

    The Table Schema core (`clusterdata.tableschema.cells`) decides, so a cell is a value here
    exactly when `validate` and `load()` take it for one. Returns None for a missing value (the
    field's own `missingValues` when it declares them, else `missing`), int for integer/year,
    Decimal for number (exact: "1.50" and "1.5" are one value), bool, date, datetime (UTC) or
    time for those types, and str otherwise. Never raises: a bad cell is the validator's
    business, here it simply stays text (so it still compares as text).
    """
    if text is None:
        return None
    own = spec.get("missingValues")
    if text in (field_missing_values({}, spec) if own is not None else missing):
        return None
    kind = field_type(spec)
    if kind == "number":
        digits = number_text(spec, text)
        if digits is None:
            return text
        try:
            return Decimal(digits)
        except InvalidOperation:
            return text
    if kind not in _TYPED:
        return text
    parser = cell_parser(spec)
    value = BAD if parser is None else parser(text)
    return text if value is BAD else value


#: Types read as values; any other cell compares as its text.
_TYPED = frozenset({"integer", "year", "boolean", "date", "datetime", "time"})


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
        schema = self.resource.table_schema
        by_name = {f.name: f for f in schema.fields}
        read = [
            (f.descriptor, schema.missing_values_of(f)) if f else ({}, schema.missing_values)
            for f in (by_name.get(n) for n in names)
        ]
        positions = [self.fields.index(n) for n in names]
        return [
            tuple(
                canonical(parse_cell(spec, row[p], missing))
                for (spec, missing), p in zip(read, positions, strict=True)
            )
            for row in self.rows
        ]


def read_table(resource: Resource) -> Table:
    """Read a CSV resource as text cells aligned to the schema's field names.

    Columns are matched by header name when the header names the schema's fields, by position
    otherwise (as frictionless does); short rows are padded with None, long rows cut.
    """
    from clusterdata.core.tables import records as table_records

    names = resource.field_names
    encoding = (
        "utf-8-sig"
        if resource.encoding.replace("_", "-") in ("utf-8", "utf8")
        else resource.encoding
    )
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "utf-8-sig"
    # Every format and dialect as validation reads it (header rows, comments, `header: false`,
    # the null sequence): one records reader, so a row diff names the rows `validate` saw.
    labels: list[str] = []
    rows: list[list[str | None]] = []
    with table_records(resource, encoding) as reader:
        try:
            first = next(reader, None)
            labels = ["" if label is None else label for label in first or []]
            rows = _aligned(names, labels, reader)
        except csv.Error:
            pass  # validation reports where the file stops parsing
    return Table(resource=resource, fields=names, rows=rows)


def _aligned(
    names: list[str], header: list[str], records: Iterable[Sequence[str | None]]
) -> list[list[str | None]]:
    """Records' cells in the schema's field order (see `read_table`); empty records dropped."""
    if set(names) <= set(header):
        positions: list[int | None] = [header.index(n) for n in names]
    else:
        positions = [i if i < len(header) else None for i in range(len(names))]
    rows = []
    for record in records:
        if not record:
            continue
        rows.append([record[p] if p is not None and p < len(record) else None for p in positions])
    return rows

"""Tables created with their Table Schema keys declared (PRIMARY KEY, UNIQUE, NOT NULL,
FOREIGN KEY) and v2 string `categories` as ENUMs, for `connect()` and `publish`, and the check
that no cell is lost on the way: a cell the Table Schema core rejects would otherwise load as
NULL, and one outside its categories would stop the load with a bare SQL error."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterdata.core.package import Resource
from clusterdata.loading.csv_readers import line_of_cell
from clusterdata.tableschema.cells import BAD, parse
from clusterdata.tableschema.errors import DataError
from clusterdata.tableschema.model import Field
from clusterdata.tableschema.sql import (
    bad_cell_condition,
    cast_expression,
    duck_type,
    enum_type,
    outside_condition,
    quote_ident,
)

if TYPE_CHECKING:
    import duckdb


class LoadError(Exception):
    """The tables could not be loaded with their keys declared (the data breaks a key)."""


def create_keyed(
    resource: Resource,
    created: dict[str, Any],
    line_column: str | None,
) -> str:
    """CREATE TABLE with the schema's keys; FOREIGN KEYs only to tables already created.

    DuckDB checks a FOREIGN KEY against rows already stored, so a table referring to itself
    cannot be loaded in one statement: such keys (and keys closing a cycle) are left undeclared.
    """
    parts = []
    schema = resource.table_schema
    for field in schema.fields:
        clause = f"{quote_ident(field.name)} {column_type(field)}"
        if field.constraints.required or field.name in schema.primary_key:
            clause += " NOT NULL"
        if field.constraints.unique and (field.name,) != schema.primary_key:
            clause += " UNIQUE"
        parts.append(clause)
    if line_column is not None:
        parts.append(f"{quote_ident(line_column)} BIGINT")
    if schema.primary_key:
        parts.append("PRIMARY KEY (" + ", ".join(quote_ident(k) for k in schema.primary_key) + ")")
    for key in schema.unique_keys:  # v2 `uniqueKeys`: SQL's UNIQUE, nulls apart
        if key != schema.primary_key:
            parts.append("UNIQUE (" + ", ".join(quote_ident(k) for k in key) + ")")
    for fk in schema.foreign_keys:
        fields, target_fields = fk.fields, fk.reference.fields
        target_name = fk.reference.resource
        target = created.get(target_name)
        if target is None or target_name == resource.name or len(fields) != len(target_fields):
            continue
        if not target.resource.table_schema.is_unique_key(target_fields):
            continue
        parts.append(
            "FOREIGN KEY ("
            + ", ".join(quote_ident(f) for f in fields)
            + ") REFERENCES "
            + quote_ident(target_name)
            + " ("
            + ", ".join(quote_ident(f) for f in target_fields)
            + ")"
        )
    return f"CREATE TABLE main.{quote_ident(resource.name)} (" + ", ".join(parts) + ")"


def column_type(field: Field) -> str:
    """The SQL type of a keyed table's column: v2 `categories` of a string field are an ENUM
    ("the field MAY be loaded as a categorical data type",
    https://datapackage.org/standard/table-schema/#categories). DuckDB sorts an ENUM in the
    order its values are listed: the declared order when `categoriesOrdered` is true ("the
    order of appearance of the values in the `categories` property as their natural order"),
    else the values' text order, so an unordered column sorts as the text it would otherwise
    be. Integer categories stay integers (an ENUM's values are strings)."""
    values = field.category_values
    if field.type == "string" and values:
        texts = [str(v) for v in values]
        return enum_type(texts if field.categories_ordered else sorted(texts))
    return duck_type(field.descriptor)


def first_bad_cell(
    connection: duckdb.DuckDBPyConnection, resource: Resource, raw: str, encoding: str
) -> DataError | None:
    """The first cell (in file order) of the text table `raw` (columns c0…) that is not a value
    of its field, located like a validation finding; None when every cell is a value.

    """
    first: tuple[int, int, str] | None = None
    schema = resource.table_schema
    for index, field in enumerate(schema.fields):
        missing = list(schema.missing_values_of(field))
        conditions = [bad_cell_condition(field.descriptor, f"c{index}", missing)]
        if field.category_values:  # the same cells `load()` refuses (`api.convert`)
            typed = cast_expression(field.descriptor, f"c{index}", missing)
            conditions.append(outside_condition(typed, field.category_values))
        condition = " OR ".join(c for c in conditions if c is not None)
        if not condition:
            continue
        rows = connection.execute(
            f"SELECT rowid, c{index} FROM {raw} WHERE {condition} ORDER BY rowid LIMIT 1"
        ).fetchall()
        if rows and (first is None or int(rows[0][0]) < first[0]):
            first = (int(rows[0][0]), index, str(rows[0][1]))
    if first is None:
        return None
    _, index, value = first
    field = schema.fields[index]
    kind = field.type
    if field.category_values and parse(field.descriptor, value) is not BAD:
        kind = f"category of {field.category_values}"  # as `load()` words it
    return DataError(
        resource.name,
        resource.path,
        field.name,
        line_of_cell(resource, encoding, index, value),
        value,
        kind,
    )

"""Tables created with their Table Schema keys declared (PRIMARY KEY, UNIQUE, NOT NULL,
FOREIGN KEY), for `connect()` and `publish`, and the check that no cell is lost on the way: a
cell the Table Schema core rejects would otherwise load as NULL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterdata.core.package import Resource
from clusterdata.loading.csv_readers import line_of_cell
from clusterdata.tableschema.errors import DataError
from clusterdata.tableschema.sql import bad_cell_condition, duck_type, quote_ident

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
        clause = f"{quote_ident(field.name)} {duck_type(field.descriptor)}"
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
        condition = bad_cell_condition(field.descriptor, f"c{index}", missing)
        if condition is None:
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
    return DataError(
        resource.name,
        resource.path,
        field.name,
        line_of_cell(resource, encoding, index, value),
        value,
        field.type,
    )

"""Tables created with their Table Schema keys declared (PRIMARY KEY, UNIQUE, NOT NULL,
FOREIGN KEY), for `connect()` and `publish`, and the check that no cell is lost on the way: a
cell the Table Schema core rejects would otherwise load as NULL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterdata.core.package import Resource, as_list
from clusterdata.loading.csv_readers import line_of_cell
from clusterdata.tableschema.cells import field_missing_values, field_type
from clusterdata.tableschema.errors import DataError
from clusterdata.tableschema.sql import bad_cell_condition, duck_type, quote_ident
from clusterdata.tableschema.v2 import unique_keys

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
    required_pk = set(resource.primary_key)
    for spec in resource.fields:
        name = str(spec.get("name"))
        constraints = spec.get("constraints") if isinstance(spec.get("constraints"), dict) else {}
        clause = f"{quote_ident(name)} {duck_type(spec)}"
        if (constraints or {}).get("required") or name in required_pk:
            clause += " NOT NULL"
        if (constraints or {}).get("unique") and [name] != resource.primary_key:
            clause += " UNIQUE"
        parts.append(clause)
    if line_column is not None:
        parts.append(f"{quote_ident(line_column)} BIGINT")
    if resource.primary_key:
        parts.append(
            "PRIMARY KEY (" + ", ".join(quote_ident(k) for k in resource.primary_key) + ")"
        )
    for key in unique_keys(resource.schema):  # v2 `uniqueKeys`: SQL's UNIQUE, nulls apart
        if key != resource.primary_key:
            parts.append("UNIQUE (" + ", ".join(quote_ident(k) for k in key) + ")")
    for fk in resource.foreign_keys:
        fields = as_list(fk.get("fields"))
        ref = fk.get("reference") if isinstance(fk.get("reference"), dict) else {}
        target_name = str((ref or {}).get("resource") or "")
        target_fields = as_list((ref or {}).get("fields"))
        target = created.get(target_name)
        if target is None or target_name == resource.name or len(fields) != len(target_fields):
            continue
        if not _is_key(target.resource, target_fields):
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


def _is_key(resource: Resource, fields: list[str]) -> bool:
    """DuckDB can only reference a PRIMARY KEY or UNIQUE column set."""
    if fields == resource.primary_key or fields in unique_keys(resource.schema):
        return True
    if len(fields) == 1:
        spec = next((f for f in resource.fields if f.get("name") == fields[0]), {})
        constraints = spec.get("constraints") if isinstance(spec.get("constraints"), dict) else {}
        return bool((constraints or {}).get("unique"))
    return False


def first_bad_cell(
    connection: duckdb.DuckDBPyConnection, resource: Resource, raw: str, encoding: str
) -> DataError | None:
    """The first cell (in file order) of the text table `raw` (columns c0…) that is not a value
    of its field, located like a validation finding; None when every cell is a value.

    """
    first: tuple[int, int, str] | None = None
    for index, spec in enumerate(resource.fields):
        missing = field_missing_values(resource.schema, spec)
        condition = bad_cell_condition(spec, f"c{index}", missing)
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
    spec = resource.fields[index]
    return DataError(
        resource.name,
        resource.path,
        str(spec.get("name")),
        line_of_cell(resource, encoding, index, value),
        value,
        field_type(spec),
    )

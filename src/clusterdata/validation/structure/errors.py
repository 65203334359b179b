"""Layer 1's error records as findings: `to_finding`, the one conversion both engines use.

Each engine reports `core.tableerrors.TableError` records (record numbers, typed facts); this
module places them on physical lines (`LineMap`) and words them for a person, with a fix.
"""

from __future__ import annotations

from clusterdata.core.findings import Finding, Severity
from clusterdata.core.lines import LineMap
from clusterdata.core.package import Resource
from clusterdata.core.tableerrors import TableError
from clusterdata.tableschema.cells import list_delimiter, list_item_field
from clusterdata.validation.hints import hint_for

__all__ = ["check_id", "to_finding"]


def check_id(record: TableError) -> str:
    """The finding's check id: frictionless's kind, a constraint error split per constraint."""
    if record.kind == "constraint-error":
        return f"constraint-{_kebab(record.constraint or 'constraint')}"
    return record.kind


def to_finding(resource: Resource, record: TableError, line_map: LineMap) -> Finding:
    """The finding for one error record of `resource`, at its physical line."""
    kind = record.kind
    check = check_id(record)
    column = record.field
    value = record.cell
    field_spec = resource.table_schema.field(column) if column else None
    if kind in {"foreign-key", "primary-key", "unique-key"}:
        names = list(record.key_fields) or (resource.primary_key if kind == "primary-key" else [])
        column = names[0] if names else column
        positions = [resource.field_names.index(n) for n in names if n in resource.field_names]
        value = ", ".join(record.cells[i] for i in positions if i < len(record.cells)) or None
    if kind == "unique-error":
        value = _text_in_file(record)
    if kind == "extra-cell" and not column:
        column = f"(column {record.field_number})"
    line: int | None
    row = record.row
    if kind.endswith("label") or kind.endswith("-header") or kind == "header-error":
        row = 1
        line = line_map.line(1) or 1
        column = record.label or column
        value = record.label
    else:
        line = line_map.line(record.row)
    message = _message(record, resource, line_map)
    place = line_map.where(row)  # a spreadsheet row, an inline row's JSON pointer
    return Finding(
        check=check,
        severity=Severity.ERROR,
        message=f"At {place}: {message}" if place else message,
        resource=resource.name,
        path=resource.path,
        line=line,
        column=column,
        value=value,
        hint=hint_for(check, field_spec, resource, {"fieldNames": list(record.key_fields)}),
    )


def _kebab(name: str) -> str:
    out = []
    for char in name:
        if char.isupper():
            out.append("-" + char.lower())
        else:
            out.append(char)
    return "".join(out).strip("-")


_TYPE_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "datetime": "a date and time",
    "year": "a year",
    "yearmonth": "a year and month (YYYY-MM)",
}
_CONSTRAINT_WORDS = {
    "required": "must not be empty",
    "unique": "must be unique",
    "pattern": "does not have the required form",
    "enum": "is not one of the allowed values",
    "minimum": "is below the minimum",
    "maximum": "is above the maximum",
    "minLength": "is too short",
    "maxLength": "is too long",
    "exclusiveMinimum": "is not above the exclusive minimum",
    "exclusiveMaximum": "is not below the exclusive maximum",
    "categories": "is not one of the field's categories",
    "jsonSchema": "does not conform to the field's JSON Schema",
}


def _text_in_file(record: TableError) -> str | None:
    """The cell as written in the file. frictionless-py puts the parsed value of a repeated
    cell in its unique-error ('True', '1 years, 0:00:00'); a contributor needs the text that is
    in the file ('true', 'P1Y'), which the row's cells hold."""
    number = record.field_number
    if number and 0 < number <= len(record.cells):
        return record.cells[number - 1]
    return record.cell


def _message(record: TableError, resource: Resource, line_map: LineMap) -> str:
    """One plain sentence; the technical detail stays in the check id and the hint."""
    kind = record.kind
    column = record.field
    cell = _text_in_file(record) if kind == "unique-error" else record.cell
    field_spec = resource.table_schema.field(column) if column else None
    if kind == "type-error":
        ftype = field_spec.type if field_spec is not None else "string"
        wanted = _TYPE_WORDS.get(ftype, f"a valid {ftype}")
        if ftype == "list" and field_spec is not None:
            descriptor = field_spec.descriptor
            item = list_item_field(descriptor)["type"]
            wanted = f"a list of {item} values separated by {list_delimiter(descriptor)!r}"
        return f"{cell!r} in column {column!r} is not {wanted}."
    if kind == "constraint-error":
        constraint = record.constraint or ""
        words = _CONSTRAINT_WORDS.get(constraint, f"breaks the {record.note}")
        if constraint == "required":
            return f"Column {column!r} {words}."
        return f"{cell!r} in column {column!r} {words}."
    if kind == "foreign-key":
        names = ", ".join(record.key_fields)
        return f"The value in {names!r} refers to a row that does not exist ({record.note})."
    if kind == "primary-key":
        if record.earlier_row is not None:
            return f"This row's id repeats the id of {_earlier(line_map, record.earlier_row)}."
        if record.empty_key:
            return "This row has no id."
        return f"This row's id repeats another row's id ({record.note})."
    if kind == "unique-key":
        names = ", ".join(record.key_fields)
        other = _earlier(line_map, record.earlier_row)
        repeat = f"; they repeat {other}." if other else "."
        if len(record.key_fields) == 1:
            return f"The value in column {names!r} must be unique (uniqueKeys)" + repeat.replace(
                "they repeat", "it repeats"
            )
        return f"The values in ({names}) must be unique together (uniqueKeys)" + repeat
    if kind == "unique-error":
        other = _earlier(line_map, record.earlier_row)
        return f"{cell!r} in column {column!r} must be unique" + (
            f"; it repeats {other}." if other else "."
        )
    if kind == "missing-cell":
        return f"This row has fewer cells than the header: column {column!r} is missing."
    if kind == "extra-cell":
        return f"This row has more cells than the header: {cell!r} is extra."
    if kind == "blank-row":
        return "This row is empty."
    if kind == "blank-label" and record.field_number:
        labels = resource.field_names
        expected = labels[record.field_number - 1] if record.field_number <= len(labels) else None
        return f"Header cell {record.field_number} is empty" + (
            f"; the schema names this column {expected!r}." if expected else "."
        )
    return record.message or record.note or kind


def _earlier(line_map: LineMap, row: int | None) -> str | None:
    """The earlier row a repeat points at, as a person finds it: its line in a text file, its
    sheet row or JSON pointer where the format has one (`LineMap.where`)."""
    if row is None:
        return None
    place = line_map.where(row)
    if place:
        return place
    line = line_map.line(row)
    return f"line {line}" if line is not None else None

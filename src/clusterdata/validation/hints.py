"""How to fix each kind of defect, in words for a person who edits CSV files in a spreadsheet.

Hints are derived from the schema (the allowed values, the pattern, the referenced table) so
that they stay true when the schema changes.
"""

from __future__ import annotations

from typing import Any

from clusterdata.core.package import Resource
from clusterdata.tableschema.model import Constraints, Field

_TYPE_EXAMPLES = {
    "integer": "a whole number such as 42 (no spaces, decimals or thousands separators)",
    "number": "a number such as 3.5 (use a point as decimal mark)",
    "boolean": "true or false",
    "date": "a date as YYYY-MM-DD, such as 2018-07-04",
    "datetime": "a date and time as YYYY-MM-DDThh:mm:ssZ",
    "time": "a time as hh:mm:ss",
    "year": "a year such as 2018",
    "yearmonth": "a year and month as YYYY-MM",
}


def hint_for(
    check: str,
    field: Field | None,
    resource: Resource,
    data: dict[str, Any] | None = None,
) -> str:
    constraints = field.constraints if field is not None else Constraints()
    descriptor = field.descriptor if field is not None else {}
    if check == "type-error":
        ftype = field.type if field is not None else "string"
        fmt = field.format if field is not None else "default"
        example = _TYPE_EXAMPLES.get(ftype, f"a valid {ftype}")
        group = descriptor.get("groupChar")
        if ftype == "integer" and isinstance(group, str) and group:
            example = f"a whole number such as 42 or 1{group}000 (digits grouped by {group!r} only)"
        if ftype == "list":
            from clusterdata.tableschema.cells import list_delimiter, list_item_field

            item = list_item_field(descriptor)["type"]
            example = (
                f"{item} values separated by {list_delimiter(descriptor)!r}, each "
                + _TYPE_EXAMPLES.get(item, f"a {item}").split(" (")[0]
            )
        if fmt != "default":
            example += f" (format {fmt})"
        return f"Write {example}, or leave the cell empty if the value is unknown."
    if check == "constraint-required":
        return "Fill in this cell: the column is required."
    if check == "constraint-enum":
        allowed = ", ".join(str(v) for v in constraints.enum or ())
        return f"Use one of: {allowed}."
    if check == "constraint-pattern":
        return f"The value must match the pattern {constraints.pattern}" + (
            " (lower-case letters, digits and single hyphens, such as paper-province)."
            if (constraints.pattern or "").startswith("^[a-z0-9]")
            else "."
        )
    if check in {"constraint-minimum", "constraint-maximum"}:
        return _bounds("at least", constraints.minimum, "at most", constraints.maximum)
    if check in {"constraint-min-length", "constraint-max-length"}:
        low = constraints.min_length if constraints.min_length is not None else 0
        high = constraints.max_length if constraints.max_length is not None else "∞"
        return f"The text must have between {low} and {high} characters."
    if check == "constraint-categories":
        values = field.category_values if field is not None else None
        allowed = ", ".join(str(v) for v in values or [])
        return f"Use one of the field's categories: {allowed}."
    if check == "constraint-json-schema":
        return (
            "Make the JSON value conform to the field's jsonSchema constraint (required keys, "
            "types), or correct the constraint in the schema."
        )
    if check in {"constraint-exclusive-minimum", "constraint-exclusive-maximum"}:
        low, high = constraints.exclusive_minimum, constraints.exclusive_maximum
        return _bounds("above", low, "below", high)
    if check == "unique-key":
        keys = ", ".join((data or {}).get("fieldNames") or [])
        return (
            f"No two rows may have the same values in ({keys}) (the schema's uniqueKeys): "
            "correct one of the two rows, or delete the repeated one."
        )
    if check in {"constraint-unique", "unique-error", "primary-key"}:
        return "Each row needs its own id: choose another id, or delete the repeated row."
    if check == "foreign-key":
        for fk in resource.table_schema.foreign_keys:
            if data and list(fk.fields) == list(data.get("fieldNames") or []):
                target = fk.reference.target(resource.name)
                fields = ", ".join(fk.reference.fields)
                return (
                    f"Use a value that exists in the {fields} column of the {target} table, "
                    f"or add that row to {target} first (check the spelling)."
                )
        return "Use a value that exists in the referenced table, or add that row first."
    if check == "missing-cell":
        return "Add the missing cells (commas) so the row has as many cells as the header."
    if check == "extra-cell":
        return (
            "Remove the extra cell, or put the text in quotes if it holds a comma: "
            '"Stål, verkstad".'
        )
    if check == "blank-row":
        return "Delete the empty line."
    if check in {
        "blank-label",
        "missing-label",
        "duplicate-label",
        "incorrect-label",
        "extra-label",
    }:
        return (
            "The header row must list the columns exactly as in the schema: "
            + ", ".join(resource.field_names)
            + "."
        )
    return "See the data dictionary (docs/data-dictionary.md) for what this column holds."


def _bounds(low_word: str, low: Any, high_word: str, high: Any) -> str:
    """ "The value must be at least 1 and at most 9." from whichever bounds the field has."""
    parts = [
        f"{low_word} {low}" if low is not None else "",
        f"{high_word} {high}" if high is not None else "",
    ]
    return f"The value must be {' and '.join(p for p in parts if p)}."

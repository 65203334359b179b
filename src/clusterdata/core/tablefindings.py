"""The findings of reading a table that is not CSV (`core.tables`): a table that cannot be
read, a JSON syntax error at its line, a dialect property the format does not take."""

from __future__ import annotations

import json

from clusterdata.core.findings import Finding, error, warning
from clusterdata.core.package import Resource


def unreadable(
    resource: Resource, why: str, line: int | None = None, hint: str | None = None
) -> Finding:
    return error(
        "source-error",
        f"The table {resource.name!r} ({resource.format}) cannot be read: {why}.",
        resource=resource.name,
        path=resource.path,
        line=line,
        hint=hint or "Save the table again from the program that made it, or as CSV UTF-8.",
    )


def ignored(resource: Resource, key: str) -> Finding:
    """A row-role property the spec does not apply to this format: ignored, and said so."""
    value = json.dumps(resource.dialect.get(key), ensure_ascii=False)
    return warning(
        "dialect-not-applicable",
        f"The table {resource.name!r} ({resource.format}) sets {key} {value} in its dialect, "
        "which the Table Dialect standard does not apply to this format: it is ignored.",
        resource=resource.name,
        path=resource.path,
        value=value,
        hint="Remove the property from the dialect. Table Dialect applies headerRows, "
        "headerJoin, commentRows and commentChar to CSV and spreadsheets, nullSequence to "
        "CSV only, and header to rows that are arrays "
        "(https://datapackage.org/standard/table-dialect/).",
    )


def bad_json(resource: Resource, exc: json.JSONDecodeError) -> Finding:
    return error(
        "source-error",
        f"{resource.path} is not valid JSON: {exc.msg}.",
        resource=resource.name,
        path=resource.path,
        line=exc.lineno,
        value=exc.doc[max(0, exc.pos - 20) : exc.pos + 20].replace("\n", " "),
        hint="Check for a missing comma, quote or bracket near this line.",
    )

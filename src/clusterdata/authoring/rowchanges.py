"""What a pull request does to the rows of each table, compared with its base.

`breaking-change`: a row that exists on the base side lost its key (renamed or removed), a table
or field disappeared, or a primary key was redefined. `missing-source`: a new or changed row
leaves its source empty. Both compare cells normalised as `clusterdata format` writes them, so
a file that was only re-saved by a spreadsheet changes nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass

from clusterdata.authoring.csvtable import FormatRefused, Table, normalize_cell, read_table
from clusterdata.core.findings import Finding, Severity, error, warning
from clusterdata.core.package import DataPackage, Resource

BREAKING_HINT = (
    "Keep the row and its id: consumers of the data join on ids. To retire a row, keep it and "
    "record that it ended (for example an end date or status column, if the table has one); to "
    "correct a misspelt id, add the new row and keep the old one. A maintainer can accept a "
    "deliberate breaking change with `clusterdata validate --allow-breaking`."
)


# --- rows -----------------------------------------------------------------------------------


@dataclass
class Rows:
    """A table keyed for comparison: cells normalised as `format` writes them."""

    resource: Resource
    fields: list[str]
    #: key → (row as field → cell, physical line)
    by_key: dict[tuple[str, ...], tuple[dict[str, str], int]]
    #: rows in file order, for tables without a primary key
    ordered: list[tuple[dict[str, str], int]]


def _rows(resource: Resource) -> Rows | None:
    """The table's rows by key, or None when it cannot be read or matched to its schema (or
    is not a CSV file: row changes are compared in CSV tables only)."""
    if not resource.is_csv:
        return None
    try:
        table: Table = read_table(resource)
    except (FormatRefused, OSError):
        return None
    header = [normalize_cell(c) for c in table.header]
    fields = resource.field_names
    if sorted(header) != sorted(fields) or len(set(header)) != len(header):
        return None
    by_key: dict[tuple[str, ...], tuple[dict[str, str], int]] = {}
    ordered = []
    for record, line in zip(table.rows, table.lines, strict=True):
        if len(record) != len(header) or not any(c.strip() for c in record):
            continue
        row = {name: normalize_cell(cell) for name, cell in zip(header, record, strict=True)}
        ordered.append((row, line))
        if resource.primary_key:
            by_key.setdefault(tuple(row[k] for k in resource.primary_key), (row, line))
    return Rows(resource, fields, by_key, ordered)


def source_field(resource: Resource) -> str | None:
    """The field that cites a source: the schema's `x-source-field`, else `source_id`."""
    declared = resource.schema.get("x-source-field")
    if isinstance(declared, str) and declared in resource.field_names:
        return declared
    return "source_id" if "source_id" in resource.field_names else None


def _key_text(resource: Resource, key: tuple[str, ...]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in zip(resource.primary_key, key, strict=True))


def _breaking(severity: Severity, message: str, **where: object) -> Finding:
    make = error if severity is Severity.ERROR else warning
    return make("breaking-change", message, hint=BREAKING_HINT, **where)


def compare_tables(
    new: DataPackage,
    base: DataPackage | None,
    unreadable: set[str],
    located: set[tuple[str | None, int | None, str | None]],
    *,
    allow_breaking: bool = False,
) -> list[Finding]:
    """Breaking changes and uncited new or changed rows, table by table."""
    severity = Severity.WARNING if allow_breaking else Severity.ERROR
    findings: list[Finding] = []
    base_resources = {r.name: r for r in base.resources} if base is not None else {}
    new_names = {r.name for r in new.resources} | new.rejected
    for name, old in base_resources.items():
        if name not in new_names:
            findings.append(
                _breaking(
                    severity,
                    f"The table {name!r} was removed.",
                    resource=name,
                    path=old.path,
                )
            )
    for resource in new.resources:
        if resource.name in unreadable:
            continue
        current = _rows(resource)
        if current is None:
            continue
        before = base_resources.get(resource.name)
        previous = _rows(before) if before is not None else None
        if before is not None and previous is not None:
            findings.extend(_schema_breaks(severity, before, resource))
            if before.primary_key != resource.primary_key:
                continue
            findings.extend(_row_breaks(severity, previous, current))
        findings.extend(_uncited(previous, current, located))
    return findings


def _schema_breaks(severity: Severity, old: Resource, new: Resource) -> list[Finding]:
    findings = []
    where = {"resource": new.name, "path": new.path, "line": 1}
    for name in old.field_names:
        if name not in new.field_names:
            findings.append(
                _breaking(
                    severity,
                    f"The field {name!r} was removed from {new.name!r}.",
                    column=name,
                    **where,
                )
            )
    if old.primary_key != new.primary_key:
        findings.append(
            _breaking(
                severity,
                f"The primary key of {new.name!r} changed from "
                f"{', '.join(old.primary_key) or '(none)'} to "
                f"{', '.join(new.primary_key) or '(none)'}.",
                **where,
            )
        )
    return findings


def _row_breaks(severity: Severity, previous: Rows, current: Rows) -> list[Finding]:
    """Rows whose key disappeared; a new row with the same other values is a renamed key."""
    resource = current.resource
    if not resource.primary_key:
        return []
    key_fields = set(resource.primary_key)
    cited = source_field(resource)
    compared = [f for f in previous.fields if f in current.fields and f not in key_fields]

    def signature(row: dict[str, str]) -> tuple[str, ...] | None:
        values = tuple(row.get(f, "") for f in compared)
        meaningful = [row.get(f, "") for f in compared if f != cited]
        return values if any(meaningful) else None

    added: dict[tuple[str, ...], list[tuple[tuple[str, ...], int]]] = {}
    for key, (row, line) in current.by_key.items():
        if key not in previous.by_key:
            sig = signature(row)
            if sig is not None:
                added.setdefault(sig, []).append((key, line))
    findings = []
    column = resource.primary_key[0]
    for key, (row, base_line) in previous.by_key.items():
        if key in current.by_key:
            continue
        sig = signature(row)
        candidates = added.get(sig, []) if sig is not None else []
        if candidates:
            new_key, new_line = candidates.pop(0)
            findings.append(
                _breaking(
                    severity,
                    f"The row {_key_text(resource, key)} (line {base_line} on the base side) now "
                    f"has the key {_key_text(resource, new_key)}: an existing id was changed.",
                    resource=resource.name,
                    path=resource.path,
                    line=new_line,
                    column=column,
                    value=", ".join(new_key),
                )
            )
        else:
            findings.append(
                _breaking(
                    severity,
                    f"The row {_key_text(resource, key)} (line {base_line} on the base side) was "
                    "removed.",
                    resource=resource.name,
                    path=previous.resource.path,
                    line=base_line,
                    column=column,
                    value=", ".join(key),
                )
            )
    return findings


def _uncited(
    previous: Rows | None,
    current: Rows,
    located: set[tuple[str | None, int | None, str | None]],
) -> list[Finding]:
    resource = current.resource
    cited = source_field(resource)
    if cited is None:
        return []
    if resource.primary_key and previous is not None:

        def is_new_or_changed(row: dict[str, str]) -> bool:
            key = tuple(row[k] for k in resource.primary_key)
            before = previous.by_key.get(key)
            return before is None or any(
                before[0].get(f) != row.get(f) for f in current.fields if f in previous.fields
            )
    else:
        known: set[tuple[str, ...]] = set()
        if previous is not None:
            shared = [f for f in current.fields if f in previous.fields]
            known = {tuple(r.get(f, "") for f in shared) for r, _ in previous.ordered}
        else:
            shared = current.fields

        def is_new_or_changed(row: dict[str, str]) -> bool:
            return tuple(row.get(f, "") for f in shared) not in known

    findings = []
    for row, line in current.ordered:
        if row.get(cited) or not is_new_or_changed(row):
            continue
        if (resource.path, line, cited) in located:
            continue  # already reported by another check at this cell
        findings.append(
            error(
                "missing-source",
                f"This new or changed row does not cite a source: {cited!r} is empty.",
                resource=resource.name,
                path=resource.path,
                line=line,
                column=cited,
                hint=f"Add the document you took the row from to the sources table, then write its "
                f"id in {cited!r}.",
            )
        )
    return findings

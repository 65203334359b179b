"""Layer 1's checks before a table is read: what stops a table, or a foreign key, from being
checked at all (a schema frictionless cannot load, a dialect no layer can follow, a file saved
with another separator, a foreign key naming what does not exist), each one located error with
its fix instead of the cascade of findings reading the table anyway would give.
"""

from __future__ import annotations

import json

from clusterdata.core.findings import Finding, error
from clusterdata.core.package import DataPackage, Resource
from clusterdata.tableschema.model import ForeignKey


def schema_findings(resource: Resource) -> list[Finding]:
    """A schema frictionless cannot load stops that table: nothing else about it is sound."""
    from frictionless import FrictionlessException

    from clusterdata.validation.structure.duckdb_engine import parse_schema

    try:
        parse_schema(resource)  # kept for the fast path, which reads the fields from it
    except FrictionlessException as exc:
        note = exc.error.note or exc.error.message
        reasons = [str(r.note or r.message) for r in getattr(exc, "reasons", None) or []]
        if reasons:  # "descriptor is not valid" alone does not say what to fix
            note = f"{note} ({'; '.join(reasons)})"
        return [
            error(
                "schema-error",
                f"The schema of {resource.name!r} is not valid: {note}.",
                resource=resource.name,
                path=resource.path,
                hint="Fix the table's schema in schemas/ (field types are string, integer, number, "
                "boolean, date, datetime, year, …), then run `clusterdata generate`.",
            )
        ]
    except RecursionError:
        return [
            error(
                "schema-error",
                f"The schema of {resource.name!r} is nested too deeply.",
                resource=resource.name,
                path=resource.path,
            )
        ]
    from clusterdata.tableschema.v2 import schema_problems

    v2_problems = schema_problems(resource.schema)
    if v2_problems:
        return [
            error(
                "schema-error",
                f"The schema of {resource.name!r} is not valid: {problem}.",
                resource=resource.name,
                path=resource.path,
                hint="Correct the schema as the Table Schema standard says "
                "(https://datapackage.org/standard/table-schema/), then run "
                "`clusterdata generate`.",
            )
            for problem in v2_problems
        ]
    names = resource.field_names
    missing = [k for k in resource.table_schema.primary_key if k not in names]
    if missing:
        return [
            error(
                "schema-error",
                f"The primary key of {resource.name!r} names fields that do not exist: "
                f"{', '.join(missing)}.",
                resource=resource.name,
                path=resource.path,
                hint="List only field names of this table in primaryKey.",
            )
        ]
    return []


def dialect_findings(resource: Resource) -> list[Finding]:
    """One error for dialect properties this tool cannot follow as the spec says.

    Every property of the Table Dialect spec is followed, by every layer, through one set of
    rules (`core.dialect`): for CSV by one reader (`core.lines.Records`), for a sheet or a JSON
    table by `core.tables`, as far as the spec applies the property to the format (one that
    does not apply is ignored with a warning there). What is left is a value outside the spec
    or one the csv module cannot read (a delimiter of two characters, a `lineTerminator` other
    than CR, LF or CRLF, `headerRows: "2"`). Such a table is not checked, and says so: never a
    "valid" for what was not read as the dialect says.
    """
    from clusterdata.core.dialect import ROW_ROLES, applicable, problems

    if resource.is_csv:
        unfollowable = problems(resource.dialect)
    else:  # only the row roles that apply to the format are read from its dialect
        declared = applicable(resource.dialect, resource.format)
        unfollowable = problems({k: v for k, v in declared.items() if k in ROW_ROLES})
    if not unfollowable:
        return []
    return [
        error(
            "unsupported-dialect",
            f"The table {resource.name!r} was not checked: its dialect sets "
            f"{'; '.join(unfollowable)}, which clusterdata cannot follow.",
            resource=resource.name,
            path=resource.path,
            value=json.dumps(resource.dialect, ensure_ascii=False)[:200],
            hint="Correct the resource's dialect in datapackage.json as the Table Dialect "
            "standard says (https://datapackage.org/standard/table-dialect/), or save the "
            "file as plain CSV (comma, double quotes, LF or CRLF) and remove the dialect.",
        )
    ]


def separator_findings(resource: Resource) -> list[Finding]:
    """One error when the file is separated by another character than the one declared.

    Read with the wrong separator, each row is one long cell, so frictionless reports
    every label and row of the file, and every foreign key pointing into the table from other
    files (85 errors for a `;`-separated regions.csv), none naming the cause. The header tells
    (`core.separators`, reading it as every layer does: on its `headerRows`, after comment
    rows). The table is then not checked further, and keys into it are not checked (it cannot
    be read). The verdict stays the spec's, an error: the file is not the table its descriptor
    declares. `clusterdata format` rewrites it with the declared separator.
    """
    import json

    from clusterdata.core.separators import read_header, saved_separator, separator_name

    if not resource.is_csv:
        return []
    try:
        with resource.file.open("rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return []
    text = head.decode("utf-8-sig", errors="replace")
    separator = saved_separator(resource, text)
    if separator is None:
        return []
    labels, line = read_header(resource, text)
    declared = resource.delimiter
    # `format` rewrites a file whose rows are all header or data; title and comment rows it
    # keeps as written, so it cannot change their separator (`authoring.csvtable`).
    fix = (
        f"Run `clusterdata format`: it rewrites the file with {separator_name(declared)}s "
        "in canonical layout, values unchanged (in a pull request from a branch of this "
        "repository, the check does it). "
        if resource.csv_dialect.simple_records
        else f"Save the file again with {separator_name(declared)}s. "
    )
    return [
        error(
            "wrong-separator",
            f"{resource.path} is separated by {separator_name(separator)}s ({separator!r}), "
            f"not by {separator_name(declared)}s ({declared!r}); its rows were not checked.",
            resource=resource.name,
            path=resource.path,
            line=line,
            value=(labels[0] or "")[:80] if labels else None,
            hint=fix + "Excel in a Swedish locale writes semicolons for every CSV type, "
            "'CSV UTF-8 (Comma delimited)' included. If the separator is intended, declare it "
            f'in datapackage.json: "dialect": {{"delimiter": {json.dumps(separator)}}}.',
        )
    ]


def check_foreign_key_declarations(
    package: DataPackage, candidates: list[Resource]
) -> tuple[list[Finding], dict[str, list[ForeignKey]]]:
    """Keep only foreign keys whose both ends exist; say why the others cannot be checked."""
    findings: list[Finding] = []
    usable: dict[str, list[ForeignKey]] = {}
    declared = {r.name: r for r in package.resources}
    readable = {r.name for r in candidates}
    for resource in candidates:
        keep = []
        for fk in resource.table_schema.foreign_keys:
            fields, target_fields = fk.fields, fk.reference.fields
            target_name = fk.reference.target(resource.name)
            target = declared.get(target_name)
            problem = None
            if not fk.pairs_up:
                problem = "its fields and reference fields do not pair up"
            elif any(f not in resource.field_names for f in fields):
                problem = f"field(s) {', '.join(fields)} are not in this table"
            elif target is None:
                if target_name in package.rejected:
                    continue  # the target's own problem is already reported
                problem = f"it points to a table {target_name!r} the package does not have"
            elif any(f not in target.field_names for f in target_fields):
                problem = f"table {target_name!r} has no field(s) {', '.join(target_fields)}"
            if problem:
                findings.append(
                    error(
                        "schema-error",
                        f"A foreign key of {resource.name!r} cannot be checked: {problem}.",
                        resource=resource.name,
                        path=resource.path,
                        column=fields[0] if fields else None,
                        hint="Correct foreignKeys in the table's schema.",
                    )
                )
                continue
            if target_name in readable:
                keep.append(fk)
        usable[resource.name] = keep
    return findings, usable

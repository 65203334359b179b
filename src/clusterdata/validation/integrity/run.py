"""Layer 3: cross-table integrity in DuckDB.

Two kinds of rules run here, each with one owner:

* primary and foreign keys, *derived* from the Table Schemas' `primaryKey` / `foreignKeys`
  (never hand-written copies), as GROUP BY / anti-join queries. They use the same check ids,
  columns and physical lines as layer 1, so `findings.merge` reports a defect found by both once;
  unlike frictionless they cost an anti-join instead of a lookup set in Python, so they scale.
* dataset rules that a Table Schema cannot express, one SQL file each (`sqlchecks`).

Every violation is reported; there is no limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clusterdata.core.findings import Finding, Severity, error
from clusterdata.core.package import DataPackage
from clusterdata.loading.database import LoadedPackage, LoadedTable, load_package, quote_ident
from clusterdata.tableschema.model import ForeignKey
from clusterdata.validation.hints import hint_for
from clusterdata.validation.integrity.sqlchecks import (
    REQUIRED_COLUMNS,
    CheckFileError,
    SqlCheck,
    load_checks,
)

if TYPE_CHECKING:
    from clusterdata.validation.structure.result import StructureResult


@dataclass
class IntegrityResult:
    findings: list[Finding] = field(default_factory=list)
    #: Number of checks that ran (one per derived key, one per SQL check).
    run: int = 0
    #: SQL checks not run because the package lacks a table they need: {check id: tables}.
    skipped: dict[str, list[str]] = field(default_factory=dict)


def check_integrity(
    package: DataPackage, structure: StructureResult, checks_dir: Path | None
) -> tuple[list[Finding], int]:
    """Layer 3 for `validate`: findings and the number of checks run."""
    result = run_integrity(package, structure, load_checks(checks_dir))
    return result.findings, result.run


def run_integrity(
    package: DataPackage, structure: StructureResult, checks: list[SqlCheck]
) -> IntegrityResult:
    """Load the readable tables, then run the derived key checks and the given SQL checks."""
    result = IntegrityResult()
    if not structure.readable:
        result.skipped = {c.id: list(c.tables) for c in checks}
        return result
    # Layer 1's DuckDB engine has compared these tables' keys already, with frictionless's
    # meaning, ids and lines (`fastpath._own_key_checks`, `_foreign_key_checks`); repeating that here would only produce
    # findings `merge` drops, at a cost that grows with the table. They still count as checks run.
    in_duckdb = set(getattr(structure, "checked_in_duckdb", ()))
    with load_package(package, structure) as db:
        result.findings.extend(db.findings)
        for table in db.tables.values():
            if table.resource.table_schema.primary_key:
                if table.name not in in_duckdb:
                    result.findings.extend(primary_key_findings(db, table))
                result.run += 1
            for fk in usable_foreign_keys(db, table):
                if not {table.name, fk.reference.target(table.name)} <= in_duckdb:
                    result.findings.extend(foreign_key_findings(db, table, fk))
                result.run += 1
        for check in checks:
            missing = [t for t in check.tables if t not in db.tables]
            if missing:
                result.skipped[check.id] = missing
                continue
            result.findings.extend(run_check(db, check))
            result.run += 1
    return result


def _cells(table: LoadedTable, names: list[str], alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return (
        "concat_ws(', ', "
        + ", ".join(f"CAST({prefix}{quote_ident(n)} AS VARCHAR)" for n in names)
        + ")"
    )


def primary_key_findings(db: LoadedPackage, table: LoadedTable) -> list[Finding]:
    """Every row whose key repeats an earlier row's, and every row whose key cells are all empty.

    As in frictionless, key tuples compare with empty cells equal, and the first occurrence is
    not reported: the later ones are the rows to fix.
    """
    resource = table.resource
    key = list(resource.table_schema.primary_key)
    if table.line_column is None:
        raise ValueError("key checks need the tables loaded with their line numbers")
    line = quote_ident(table.line_column)
    columns = ", ".join(quote_ident(k) for k in key)
    all_null = " AND ".join(f"t.{quote_ident(k)} IS NULL" for k in key)
    same = " AND ".join(f"t.{quote_ident(k)} IS NOT DISTINCT FROM d.{quote_ident(k)}" for k in key)
    # A hash GROUP BY finds the repeated keys (few, usually none); only their rows are joined
    # back. A window over every row costs a sort of the whole table instead.
    sql = f"""
        WITH repeated AS (
            SELECT {columns}, min({line}) AS first_line FROM {table.sql_name}
            GROUP BY {columns} HAVING count(*) > 1
        )
        SELECT t.{line} AS line, {_cells(table, key, "t")} AS value, d.first_line,
               ({all_null}) AS all_null
        FROM {table.sql_name} AS t
        LEFT JOIN repeated AS d ON {same}
        WHERE ({all_null}) OR (d.first_line IS NOT NULL AND t.{line} > d.first_line)
        ORDER BY line"""
    hint = hint_for("primary-key", resource.table_schema.field(key[0]), resource)
    findings = []
    for row_line, value, first_line, empty in db.connection.execute(sql).fetchall():
        if empty:
            message = f"This row has no key: {', '.join(key)} must be filled in."
        else:
            message = f"This row's key {value!r} repeats the key of the row at line {first_line}."
        findings.append(
            error(
                "primary-key",
                message,
                resource=resource.name,
                path=resource.path,
                line=_int(row_line),
                column=key[0],
                value=value or None,
                hint=hint,
            )
        )
    return findings


def usable_foreign_keys(db: LoadedPackage, table: LoadedTable) -> list[ForeignKey]:
    """Foreign keys whose both ends are loaded; layer 1 reports the malformed ones."""
    usable = []
    for fk in table.resource.table_schema.foreign_keys:
        target = db.tables.get(fk.reference.target(table.name))
        if (
            target is None
            or not fk.pairs_up
            or any(f not in table.resource.field_names for f in fk.fields)
            or any(f not in target.resource.field_names for f in fk.reference.fields)
        ):
            continue
        usable.append(fk)
    return usable


def foreign_key_findings(db: LoadedPackage, table: LoadedTable, fk: ForeignKey) -> list[Finding]:
    """Rows whose reference has no match.

    A row whose reference cells are all empty refers to nothing, which Table Schema allows (make
    the field required to forbid it). A composite reference with only some cells empty is
    reported, as frictionless does: half a reference is a mistake, and both layers then agree.
    """
    resource = table.resource
    target_name = fk.reference.target(table.name)
    target = db.tables[target_name]
    fields, target_fields = list(fk.fields), list(fk.reference.fields)
    source_types = {f.name: f.type for f in resource.table_schema.fields}
    target_types = {f.name: f.type for f in target.resource.table_schema.fields}
    pairs = []
    for mine, theirs in zip(fields, target_fields, strict=True):
        left, right = f"c.{quote_ident(mine)}", f"p.{quote_ident(theirs)}"
        if source_types.get(mine) != target_types.get(theirs):
            left, right = f"CAST({left} AS VARCHAR)", f"CAST({right} AS VARCHAR)"
        pairs.append(f"{left} = {right}")
    line = f"c.{quote_ident(table.line_column)}" if table.line_column else "NULL"
    all_null = " AND ".join(f"c.{quote_ident(f)} IS NULL" for f in fields)
    sql = f"""
        SELECT {line} AS line, {_cells(table, fields, "c")} AS value
        FROM {table.sql_name} AS c
        WHERE NOT ({all_null})
          AND NOT EXISTS (SELECT 1 FROM {target.sql_name} AS p WHERE {" AND ".join(pairs)})
        ORDER BY line"""
    spec = resource.table_schema.field(fields[0])
    hint = hint_for("foreign-key", spec, resource, {"fieldNames": fields})
    where = f"{target_name}.{', '.join(target_fields)}"
    return [
        error(
            "foreign-key",
            f"This row refers to a row that does not exist: {where} has no {value!r}.",
            resource=resource.name,
            path=resource.path,
            line=_int(row_line),
            column=fields[0],
            value=value,
            hint=hint,
        )
        for row_line, value in db.connection.execute(sql).fetchall()
    ]


def run_check(db: LoadedPackage, check: SqlCheck) -> list[Finding]:
    """Run one verified SQL check; each row it selects is a finding."""
    import duckdb

    try:
        cursor = db.connection.execute(check.sql)
        columns = [str(d[0]).lower() for d in (cursor.description or [])]
        rows = cursor.fetchall()
    except duckdb.Error as exc:
        raise CheckFileError(
            check.path, f"check {check.id!r} failed on this package: {str(exc).splitlines()[0]}"
        ) from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise CheckFileError(
            check.path,
            "the query must select the columns resource, line, "
            f"column and value; it lacks {', '.join(missing)}.",
        )
    index = {
        name: columns.index(name) for name in (*REQUIRED_COLUMNS, "message") if name in columns
    }
    findings = []
    for row in rows:
        resource_name = _text(row[index["resource"]])
        table = db.tables.get(resource_name or "")
        message = _text(row[index["message"]]) if "message" in index else None
        findings.append(
            Finding(
                check=check.id,
                severity=check.severity if isinstance(check.severity, Severity) else Severity.ERROR,
                message=message or check.message,
                resource=resource_name,
                path=table.resource.path if table else None,
                line=_int(row[index["line"]]),
                column=_text(row[index["column"]]),
                value=_text(row[index["value"]]),
                hint=check.hint,
            )
        )
    return findings


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)

"""Layer 2: the Table Schema checks derived by `tableschema_pandera`, plus domain checks.

Two engines, one meaning. The rule: a table layer 1 checked in DuckDB (`fastpath`, the default
at every size; `StructureResult.checked_in_duckdb`) is checked where it already is, without being
read again (`check_table_in_duckdb`); every other table is read into pandas and validated by
pandera (`check_table`). Both run the same declarations (the checks `tableschema_pandera` derives
from the Table Schema, and the domain checks of `domain`) and give the same findings: on the
DuckDB engine the Table Schema checks run only on the rows layer 1 could not certify in SQL,
which are the only rows they can fail on, as plain Python (`TableRules.evaluate`: the very
functions pandera runs on the pandas engine, without importing pandas), and the domain checks
run as SQL pre-filters whose few candidate values the same Python predicates decide.

Pandas engine: each readable table is read as text (every cell a string, the schema's
`missingValues` as NA) with the same CSV reader and dialect that built layer 1's line map, so
row *i* of the frame is record *i + 2* of the file (the header is record 1) and maps to its
physical line even when an earlier cell holds a line break. The pandera schema comes from the
table's Table Schema (`tableschema_pandera.to_pandera`) plus the domain checks (`domain`),
validated lazily so every failing cell is reported, not the first.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from clusterdata.core.findings import INTERNAL_ERROR, Finding, error, internal_error
from clusterdata.core.lazy import lazy_module
from clusterdata.core.lines import LineMap
from clusterdata.core.package import DataPackage, Resource
from clusterdata.core.tables import records as table_records
from clusterdata.tableschema.cells import field_missing_values
from clusterdata.validation.hints import hint_for
from clusterdata.validation.rules import domain
from clusterdata.validation.rules.prefilter import candidate_values, sql_text
from clusterdata.validation.rules.schema_rules import (
    Broken,
    Failure,
    Rule,
    fields_of,
    pandera_schema,
    rule_for,
    table_rules,
    text_frame,
)
from clusterdata.validation.structure.result import StructureResult

if TYPE_CHECKING:
    import pandas as pd
else:  # the DuckDB engine imports pandas only for suspect rows (see `lazy`)
    pd = lazy_module("pandas")

#: Header is record 1, so frame row 0 is record 2.
FIRST_DATA_RECORD = 2


def check_frames(package: DataPackage, structure: StructureResult) -> tuple[list[Finding], int]:
    """Findings of the frame and domain checks on every readable table, and how many checks ran.

    Never raises for bad data: a table that cannot be checked becomes a finding.
    """
    findings: list[Finding] = []
    checks_run = 0
    fast = getattr(structure, "fast", None)
    for resource in structure.readable:
        encoding = structure.encodings.get(resource.name, resource.encoding)
        line_map = structure.line_maps.get(resource.name, LineMap())
        fast_table = None
        if fast is not None and resource.name in structure.checked_in_duckdb:
            fast_table = fast.tables.get(resource.name)
        try:
            if fast is not None and fast_table is not None:
                table_findings, table_checks = check_table_in_duckdb(
                    resource, fast.connection, fast_table
                )
            else:
                table_findings, table_checks = check_table(resource, encoding, line_map)
        except Exception as exc:  # a bug here must not hide the other layers' findings
            # ... nor count as valid: an error, and `validate` exits 2.
            findings.append(
                internal_error(
                    f"frame and domain ({resource.name!r})",
                    exc,
                    resource=resource.name,
                    path=resource.path,
                )
            )
            continue
        findings.extend(table_findings)
        checks_run += table_checks
    return findings, checks_run


def read_text_frame(resource: Resource, encoding: str) -> pd.DataFrame:
    """The table as text: one column per schema field found in the header, one row per record.

    Reads as layer 1 read it (the csv module and the dialect, or `core.tables` for JSON and
    spreadsheets), so
    that records and line numbers agree. Missing cells (short rows, blank lines) are NA;
    extra cells are ignored (layer 1 reports ragged rows).
    """
    records: list[list[str | None]] = []
    header: list[str] = []
    with table_records(resource, encoding) as reader:
        try:
            header = ["" if label is None else label for label in next(reader, [])]
            records.extend(reader)
        except csv.Error:
            pass  # layer 1 reports the parse error; check the records read so far
    positions: dict[str, int] = {}
    for position, label in enumerate(header):
        positions.setdefault(label, position)
    width = len(header)
    padding: list[str | None] = [None] * width
    rows: list[list[str | None]] = records
    if any(len(record) != width for record in records):  # ragged rows: pad or cut to the header
        rows = [
            record if len(record) == width else [*record, *padding][:width] for record in records
        ]
    transposed = list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]
    columns: dict[str, Sequence[str | None]] = {}
    for field in fields_of(resource.schema):
        name = field["name"]
        if name not in columns and name in positions:
            columns[name] = transposed[positions[name]]
    if not columns:
        return pd.DataFrame(index=pd.RangeIndex(len(records)))
    return text_frame(columns, resource.schema)


def check_table(resource: Resource, encoding: str, line_map: LineMap) -> tuple[list[Finding], int]:
    import pandera.errors

    where = {"resource": resource.name, "path": resource.path}
    frame = read_text_frame(resource, encoding)
    row_checks, problems = domain.frame_checks(resource.schema)
    findings = _x_check_problems(problems, where)
    rules = table_rules(
        resource.schema,
        extra_column_checks=domain.column_checks,
        extra_frame_checks=row_checks,
        columns=list(frame.columns),
    )
    schema = pandera_schema(rules)
    checks = rules.count()
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        findings.extend(_findings(resource, frame, schema, exc.failure_cases, line_map))
    return findings, checks


def _finding(
    resource: Resource,
    rule: Rule,
    failure: Failure,
    line: int | None,
    fields: dict[str, dict[str, Any]],
    place: str = "",
) -> Finding:
    """A failing cell as a finding; both engines build theirs here. `place` words where the
    row is beyond its line (a sheet row, an inline row's JSON pointer: `LineMap.where`)."""
    message = rule.message(failure)
    return Finding(
        check=rule.check,
        severity=rule.severity,
        message=f"At {place}: {message}" if place else message,
        resource=resource.name,
        path=resource.path,
        line=line,
        column=failure.column,
        value=failure.value,
        hint=rule.hint or hint_for(rule.check, fields.get(failure.column or ""), resource),
    )


def _broken(resource: Resource, check_name: str, column: str | None, case: object) -> Finding:
    # Every check here answers cell by cell, so a failure without a row means the check
    # itself broke (pandera reports the exception as the failure case).
    return error(
        INTERNAL_ERROR,
        f"The check {check_name!r} could not run on column {column!r}: {case}",
        resource=resource.name,
        path=resource.path,
        column=column,
        hint="This is a defect in clusterdata, not in your data; please report it. The verdict "
        "is unknown until it is fixed.",
    )


def _findings(
    resource: Resource,
    frame: pd.DataFrame,
    schema: Any,
    cases: pd.DataFrame,
    line_map: LineMap,
) -> list[Finding]:
    fields = {f["name"]: f for f in fields_of(resource.schema)}
    seen: set[tuple[str, str | None, int | None]] = set()
    findings: list[Finding] = []
    for column_raw, check_raw, index_raw, case in zip(
        cases["column"], cases["check"], cases["index"], cases["failure_case"], strict=True
    ):
        column = column_raw if isinstance(column_raw, str) else None
        check_name = str(check_raw)
        index = None if pd.isna(index_raw) else int(index_raw)
        rule = rule_for(schema, column, check_name)
        if rule is None or index is None:
            findings.append(_broken(resource, check_name, column, case))
            continue
        column = rule.column or column
        key = (check_name, column, index)
        if key in seen:  # frame-level checks report each row once per column
            continue
        seen.add(key)
        value = _cell(frame, index, column)

        def row(name: str, index: int | None = index) -> str | None:
            return _cell(frame, index, name)

        record = index + FIRST_DATA_RECORD
        failure = Failure(column=column, value=value, row=row)
        findings.extend(
            _rule_findings(
                resource, rule, failure, line_map.line(record), fields, line_map.where(record)
            )
        )
    return findings


def _rule_findings(
    resource: Resource,
    rule: Rule,
    failure: Failure,
    line: int | None,
    fields: dict[str, dict[str, Any]],
    place: str = "",
) -> list[Finding]:
    """A failing cell's findings: one, or for a composite rule one per part the cell fails."""
    if rule.parts:
        value = failure.value
        return [
            _finding(resource, part, failure, line, fields, place)
            for _, part, bad in rule.parts
            if value is not None and bad(value)
        ]
    return [_finding(resource, rule, failure, line, fields, place)]


def _cell(frame: pd.DataFrame, index: int | None, column: str | None) -> str | None:
    """The cell at row label `index`: the record number - 2 (a position when the frame holds
    the whole table)."""
    if index is None or column is None or column not in frame.columns or index not in frame.index:
        return None
    value = frame.at[index, column]
    return None if pd.isna(value) else str(value)


# --- the DuckDB engine ------------------------------------------------------------------------


def check_table_in_duckdb(
    resource: Resource, connection: Any, table: Any
) -> tuple[list[Finding], int]:
    """Layer 2 on a table layer 1 holds as text in DuckDB (`fastpath.FastTable`).

    * Table Schema checks: `TableRules.evaluate`, on the rows layer 1 handed to frictionless
      (`suspects`). Every other row passed layer 1's strict SQL pre-filter, whose patterns and
      bounds accept a subset of what these checks accept, so it cannot fail them; unique and
      primary-key repeats across the whole table are layer 1's (same ids and places, so they
      merge). Pandas and pandera are not imported: importing them would cost more than checking
      a million rows in DuckDB.
    * Domain checks: one scan of the table collects, per column and pre-filter, the distinct
      cells the pre-filter lets through; Python decides those with the predicate the pandas
      engine uses; the rows holding a failing value are fetched for their lines. Row rules
      (`date-order`) are SQL.
    """
    where = {"resource": resource.name, "path": resource.path}
    line_map = table.line_map
    rules, problems = domain.row_rules(resource.schema)
    findings = _x_check_problems(problems, where)
    fields = {f["name"]: f for f in fields_of(resource.schema)}
    names = resource.field_names
    texts: dict[str, str] = {}
    for name in fields:
        cell = f"c{names.index(name)}"
        # The cell as the pandas engine reads it: text, NULL for a missing value or absent cell.
        text = f"(CASE WHEN __py THEN {cell} ELSE coalesce({cell}, '') END)"
        missing = field_missing_values(resource.schema, fields[name])
        if missing:
            listed = ", ".join(sql_text(m) for m in missing)
            text = f"(CASE WHEN {text} IN ({listed}) THEN NULL ELSE {text} END)"
        texts[name] = text

    # Table Schema checks, on the suspect rows.
    schema_rules = table_rules(resource.schema, columns=list(texts))
    checks = schema_rules.count()
    if table.suspects:
        rns, columns = _suspect_columns(connection, table, texts)
        for failed in schema_rules.evaluate(columns):
            if isinstance(failed, Broken):
                findings.append(_broken(resource, failed.name, failed.column, failed.error))
                continue
            rn, column = rns[failed.position], failed.rule.column or failed.column

            def row(name: str, at: int = failed.position) -> str | None:
                return columns[name][at] if name in columns else None

            failure = Failure(column=column, value=row(column or ""), row=row)
            findings.extend(
                _rule_findings(resource, failed.rule, failure, line_map.line(rn), fields)
            )

    # Domain checks; checks of one column sharing a pre-filter share its candidates.
    groups: list[tuple[str, str | None, str | None, list[domain.DomainCheck]]] = []
    for name, spec in fields.items():
        declared = domain.domain_checks(spec)
        checks += len(declared)
        by_filter: dict[tuple[str | None, str | None], list[domain.DomainCheck]] = {}
        for check in declared:
            by_filter.setdefault((check.candidates, check.plain), []).append(check)
        for (candidates, plain), group in by_filter.items():
            groups.append((name, candidates, plain, group))
    for (name, _, _, group), values in zip(
        groups, candidate_values(connection, table, texts, groups), strict=True
    ):
        findings.extend(
            _domain_group(resource, connection, table, name, texts[name], values, group, fields)
        )

    # Row rules.
    checks += len(rules)
    for row_rule in rules:
        start, end = texts[row_rule.start], texts[row_rule.end]
        rows = connection.execute(
            f"SELECT rn, {start}, {end} FROM {table.sql} WHERE {row_rule.sql(start, end)} "
            "ORDER BY rn"
        ).fetchall()
        for rn, first, last in rows:
            cells: dict[str, str | None] = {row_rule.start: first, row_rule.end: last}
            column = row_rule.rule.column
            failure = Failure(column=column, value=cells.get(column or ""), row=cells.get)
            findings.append(_finding(resource, row_rule.rule, failure, line_map.line(rn), fields))
    return findings, checks


def _domain_group(
    resource: Resource,
    connection: Any,
    table: Any,
    name: str,
    text: str,
    values: list[str],
    group: list[domain.DomainCheck],
    fields: dict[str, dict[str, Any]],
) -> list[Finding]:
    findings: list[Finding] = []
    for check in group:
        try:
            bad = [v for v in values if check.bad(v)]
        except Exception as exc:  # a bug in one check must not hide the others
            findings.append(_broken(resource, check.name, name, exc))
            continue
        if not bad:
            continue
        rows = connection.execute(
            f"SELECT rn, {text} FROM {table.sql} WHERE {text} IN "
            "(SELECT unnest(?::VARCHAR[])) ORDER BY rn",
            [bad],
        ).fetchall()
        for rn, value in rows:
            failure = Failure(column=name, value=value, row=lambda _name: None)
            findings.append(
                _finding(resource, check.rule, failure, table.line_map.line(rn), fields)
            )
    return findings


def _suspect_columns(
    connection: Any, table: Any, texts: dict[str, str]
) -> tuple[list[int], dict[str, list[str | None]]]:
    """The suspect rows as the pandas engine reads them: their record numbers, and each
    column's cells (text, None where missing)."""
    rows = connection.execute(
        f"SELECT t.rn, {', '.join(texts.values())} FROM {table.sql} AS t "
        "SEMI JOIN (SELECT unnest(?::BIGINT[]) AS rn) AS s ON t.rn = s.rn ORDER BY t.rn",
        [list(table.suspects)],
    ).fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(len(texts) + 1)]
    return [int(rn) for rn in columns[0]], {
        name: list(columns[i + 1]) for i, name in enumerate(texts)
    }


def _x_check_problems(problems: list[str], where: dict[str, str]) -> list[Finding]:
    """A malformed `x-checks` declaration is the schema's error, reported on the table."""
    return [
        error(
            "schema-error",
            problem,
            **where,
            hint="Correct x-checks in the table's schema in schemas/.",
        )
        for problem in problems
    ]

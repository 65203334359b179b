"""Layer 2: pandera frames derived from the Table Schemas, plus domain checks.

Each readable table is read as text (every cell a string, the schema's `missingValues` as NA)
with the same CSV reader and dialect that built layer 1's line map, so row *i* of the frame is
record *i + 2* of the file (the header is record 1) and maps to its physical line even when an
earlier cell holds a line break. The pandera schema comes from the table's Table Schema
(`tableschema_pandera.to_pandera`) plus the domain checks (`domain`), validated lazily so every
failing cell is reported, not the first.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Any

import pandas as pd

from clusterdata import domain
from clusterdata.findings import Finding, error, warning
from clusterdata.hints import hint_for
from clusterdata.lines import LineMap
from clusterdata.package import DataPackage, Resource
from clusterdata.structure import StructureResult
from clusterdata.tableschema_pandera import (
    Failure,
    count_checks,
    fields_of,
    rule_for,
    text_frame,
    to_pandera,
)

#: Header is record 1, so frame row 0 is record 2.
FIRST_DATA_RECORD = 2


def check_frames(package: DataPackage, structure: StructureResult) -> tuple[list[Finding], int]:
    """Findings of the frame and domain checks on every readable table, and how many checks ran.

    Never raises for bad data: a table that cannot be checked becomes a finding.
    """
    findings: list[Finding] = []
    checks_run = 0
    for resource in structure.readable:
        encoding = structure.encodings.get(resource.name, resource.encoding)
        line_map = structure.line_maps.get(resource.name, LineMap())
        try:
            table_findings, table_checks = check_table(resource, encoding, line_map)
        except Exception as exc:  # a bug here must not hide the other layers' findings
            findings.append(warning(
                "frame-error",
                f"The frame checks could not run on {resource.name!r}: "
                f"{type(exc).__name__}: {exc}",
                resource=resource.name, path=resource.path,
                hint="This is a defect in clusterdata, not in your data; please report it.",
            ))
            continue
        findings.extend(table_findings)
        checks_run += table_checks
    return findings, checks_run


def read_text_frame(resource: Resource, encoding: str) -> pd.DataFrame:
    """The table as text: one column per schema field found in the header, one row per record.

    Reads with the csv module and the resource's dialect, exactly as `lines.map_lines` does, so
    that records and line numbers agree. Missing cells (short rows, blank lines) are NA;
    extra cells are ignored (layer 1 reports ragged rows).
    """
    records: list[list[str]] = []
    header: list[str] = []
    with resource.file.open("r", encoding=encoding, newline="", errors="replace") as handle:
        reader = csv.reader(
            handle,
            delimiter=resource.delimiter,
            quotechar=resource.quote_char,
            doublequote=bool(resource.dialect.get("doubleQuote", True)),
            skipinitialspace=bool(resource.dialect.get("skipInitialSpace", False)),
            strict=False,
        )
        try:
            header = next(reader, [])
            records.extend(reader)
        except csv.Error:
            pass  # layer 1 reports the parse error; check the records read so far
    positions: dict[str, int] = {}
    for position, label in enumerate(header):
        positions.setdefault(label, position)
    width = len(header)
    padding: list[str | None] = [None] * width
    rows: list[list[str | None]] = records  # type: ignore[assignment]
    if any(len(record) != width for record in records):  # ragged rows: pad or cut to the header
        rows = [
            record if len(record) == width else [*record, *padding][:width]  # type: ignore[misc]
            for record in records
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


def check_table(resource: Resource, encoding: str, line_map: LineMap
                ) -> tuple[list[Finding], int]:
    import pandera.errors

    where = {"resource": resource.name, "path": resource.path}
    frame = read_text_frame(resource, encoding)
    row_checks, problems = domain.frame_checks(resource.schema)
    findings = [
        error("schema-error", problem, **where,
              hint="Correct x-checks in the table's schema in schemas/.")
        for problem in problems
    ]
    schema = to_pandera(
        resource.schema,
        extra_column_checks=domain.column_checks,
        extra_frame_checks=row_checks,
        columns=list(frame.columns),
    )
    checks = count_checks(schema)
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        findings.extend(_findings(resource, frame, schema, exc.failure_cases, line_map))
    return findings, checks


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
            # Every check here answers cell by cell, so a failure without a row means the
            # check itself broke (pandera reports the exception as the failure case).
            findings.append(warning(
                "frame-error",
                f"The check {check_name!r} could not run on column {column!r}: {case}",
                resource=resource.name, path=resource.path, column=column,
                hint="This is a defect in clusterdata, not in your data; please report it.",
            ))
            continue
        column = rule.column or column
        key = (check_name, column, index)
        if key in seen:  # frame-level checks report each row once per column
            continue
        seen.add(key)
        value = _cell(frame, index, column)

        def row(name: str, index: int | None = index) -> str | None:
            return _cell(frame, index, name)

        findings.append(Finding(
            check=rule.check,
            severity=rule.severity,
            message=rule.message(Failure(column=column, value=value, row=row)),
            resource=resource.name,
            path=resource.path,
            line=None if index is None else line_map.line(index + FIRST_DATA_RECORD),
            column=column,
            value=value,
            hint=rule.hint or hint_for(rule.check, fields.get(column or ""), resource),
        ))
    return findings


def _cell(frame: pd.DataFrame, index: int | None, column: str | None) -> str | None:
    if index is None or column is None or column not in frame.columns or index >= len(frame):
        return None
    value = frame[column].iat[index]
    return None if pd.isna(value) else str(value)


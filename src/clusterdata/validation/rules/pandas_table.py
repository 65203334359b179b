"""Layer 2 on the pandas engine: a table read as text into a frame and validated by pandera.

Each readable table is read as text (every cell a string, the schema's `missingValues` as NA)
with the same CSV reader and dialect that built layer 1's line map, so row *i* of the frame is
record *i + 2* of the file (the header is record 1) and maps to its physical line even when an
earlier cell holds a line break. The pandera schema comes from the table's Table Schema
(`schema_rules.to_pandera`) plus the domain checks (`domain`), validated lazily so every failing
cell is reported, not the first.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from clusterdata.core.findings import Finding
from clusterdata.core.lazy import lazy_module
from clusterdata.core.lines import LineMap
from clusterdata.core.package import Resource
from clusterdata.core.tables import records as table_records
from clusterdata.validation.rules import domain
from clusterdata.validation.rules.findings import broken, rule_findings, x_check_problems
from clusterdata.validation.rules.schema_rules import (
    Failure,
    pandera_schema,
    rule_for,
    table_rules,
    text_frame,
)

if TYPE_CHECKING:
    import pandas as pd
else:  # imported only when a table is read into pandas (see `lazy`)
    pd = lazy_module("pandas")

#: Header is record 1, so frame row 0 is record 2.
FIRST_DATA_RECORD = 2


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
    for field in resource.table_schema.fields:
        name = field.name
        if name not in columns and name in positions:
            columns[name] = transposed[positions[name]]
    if not columns:
        return pd.DataFrame(index=pd.RangeIndex(len(records)))
    return text_frame(columns, resource.table_schema)


def check_table(resource: Resource, encoding: str, line_map: LineMap) -> tuple[list[Finding], int]:
    import pandera.errors

    where = {"resource": resource.name, "path": resource.path}
    frame = read_text_frame(resource, encoding)
    row_checks, problems = domain.frame_checks(resource.table_schema)
    findings = x_check_problems(problems, where)
    rules = table_rules(
        resource.table_schema,
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


def _findings(
    resource: Resource,
    frame: pd.DataFrame,
    schema: Any,
    cases: pd.DataFrame,
    line_map: LineMap,
) -> list[Finding]:
    fields = {f.name: f for f in resource.table_schema.fields}
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
            findings.append(broken(resource, check_name, column, case))
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
            rule_findings(
                resource, rule, failure, line_map.line(record), fields, line_map.where(record)
            )
        )
    return findings


def _cell(frame: pd.DataFrame, index: int | None, column: str | None) -> str | None:
    """The cell at row label `index`: the record number - 2 (a position when the frame holds
    the whole table)."""
    if index is None or column is None or column not in frame.columns or index not in frame.index:
        return None
    value = frame.at[index, column]
    return None if pd.isna(value) else str(value)

"""Derive a pandera schema from a Frictionless Table Schema: the schema in `schemas/` stays the
only place a type or constraint is declared.

Why not `pandera.io.pandas_io.from_frictionless_schema`: it turns dates into strings (so
"2020-02-30" passes), ignores `format`, `missingValues`, `bareNumber`, `trueValues` and foreign
keys, and coerces (`coerce=True`), which on pandas reports a column with one bad cell as *one*
failure without a row. Here every cell stays text and each column gets

1. one check "does this cell parse as the field's type" (the Table Schema core's cell parser,
   `clusterdata.tableschema.cells`, the one every consumer uses: ``" 12"``, ``"1.5"`` and
   ``"1e3"`` are not integers, ``"2020-1-1"`` is not a date), and
2. one check per constraint, evaluated on the parsed values of the cells that did parse,

so each bad cell is its own failure case with its row. Check ids are the ones layer 1 uses for
the same defect (`type-error`, `constraint-minimum`, `unique-error`, `primary-key`, …), so a defect
both layers see is reported once. Foreign keys are left to frictionless and DuckDB: a
`Check.isin(<parent ids>)` costs gigabytes at scale.

Every check carries a `Rule` (finding id, severity, message, hint) in its column's (or the
schema's) `metadata["rules"]`, keyed by the pandera check name, so failure cases map back to
findings without a lookup table kept by hand.

The checks themselves live in `checks` (how a check is defined and run), `parsing` (a column
parsed once) and `column_rules` (what each type and constraint checks); this module puts them
together for a table and builds pandera's schema.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from clusterdata.core.lazy import lazy_module
from clusterdata.tableschema.cells import (
    CHECKED_TYPES,
    missing_values,
)
from clusterdata.tableschema.keys import fields_of, key_fields
from clusterdata.tableschema.lexical import DEFAULT_FALSE, DEFAULT_MISSING, DEFAULT_TRUE
from clusterdata.tableschema.model import Field, Schema
from clusterdata.validation.rules.checks import (
    Broken,
    Cells,
    CheckSpec,
    Failure,
    Flagged,
    Rule,
    RuledCheck,
    TableRules,
    cells_check,
    frame_check,
    rows_check,
    ruled_check,
)
from clusterdata.validation.rules.column_rules import _primary_key_check, column_checks
from clusterdata.validation.rules.parsing import ColumnParser, Parsed

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa
else:  # ~0.9 s of imports, paid only when a frame is really built (see `lazy`)
    pd = lazy_module("pandas")
    pa = lazy_module("pandera.pandas")

#: The names the rest of the validator (and its tests) import from here.
__all__ = [
    "CHECKED_TYPES",
    "DEFAULT_FALSE",
    "DEFAULT_MISSING",
    "DEFAULT_TRUE",
    "SHARED_WITH_LAYER_1",
    "Broken",
    "Cells",
    "CheckSpec",
    "ColumnParser",
    "Failure",
    "Flagged",
    "Parsed",
    "Rule",
    "RuledCheck",
    "TableRules",
    "cells_check",
    "column_checks",
    "fields_of",
    "frame_check",
    "key_fields",
    "missing_values",
    "pandera_schema",
    "rows_check",
    "rule_for",
    "ruled_check",
    "table_rules",
    "text_frame",
    "to_pandera",
]

#: Check ids that layer 1 (frictionless) also emits; the same id lets `merge` collapse them.
SHARED_WITH_LAYER_1 = frozenset(
    {
        "type-error",
        "constraint-required",
        "unique-error",
        "constraint-pattern",
        "constraint-enum",
        "constraint-minimum",
        "constraint-maximum",
        "constraint-exclusive-minimum",
        "constraint-exclusive-maximum",
        "constraint-min-length",
        "constraint-max-length",
        "primary-key",
    }
)


def text_frame(columns: dict[str, Sequence[str | None]], schema: Schema) -> pd.DataFrame:
    """The frame the converted schema validates: every cell text, the field's missing values
    (and cells absent from short rows, given as None) as NA. Nothing is converted."""
    length = len(next(iter(columns.values()))) if columns else 0
    out: dict[str, pd.Series] = {}
    for name, cells in columns.items():
        series = pd.Series(cells, dtype="str")
        field = schema.field(name)
        declared = schema.missing_values if field is None else schema.missing_values_of(field)
        missing = sorted(set(declared))
        if missing:
            series = series.mask(series.isin(missing))
        out[name] = series
    return pd.DataFrame(out, index=pd.RangeIndex(length))


def table_rules(
    schema: Schema,
    *,
    extra_column_checks: Callable[[Field], Sequence[RuledCheck]] | None = None,
    extra_frame_checks: Sequence[RuledCheck] = (),
    columns: Sequence[str] | None = None,
) -> TableRules:
    """The checks `to_pandera` turns into a schema (same arguments); no pandas, no pandera."""
    present = set(columns) if columns is not None else None
    by_column: dict[str, list[RuledCheck]] = {}
    parsers: dict[str, ColumnParser] = {}
    for field in schema.fields:
        name = field.name
        if name in by_column or (present is not None and name not in present):
            continue
        parser = ColumnParser(field)
        parsers[name] = parser
        ruled = column_checks(field, parser)
        if extra_column_checks is not None:
            ruled.extend(extra_column_checks(field))
        by_column[name] = ruled
    frame_level: list[RuledCheck] = []
    pk = _primary_key_check(schema, parsers)
    if pk is not None:
        frame_level.append(pk)
    frame_level.extend(extra_frame_checks)
    return TableRules(by_column, frame_level)


def to_pandera(
    schema: Schema,
    *,
    extra_column_checks: Callable[[Field], Sequence[RuledCheck]] | None = None,
    extra_frame_checks: Sequence[RuledCheck] = (),
    columns: Sequence[str] | None = None,
) -> pa.DataFrameSchema:
    """A pandera schema for a text frame of this table (all cells str, missing values as NA).

    `columns` limits the schema to the columns the file has (layer 1 reports missing ones);
    `extra_*` add checks Table Schema cannot express (the domain checks).
    """
    return pandera_schema(
        table_rules(
            schema,
            extra_column_checks=extra_column_checks,
            extra_frame_checks=extra_frame_checks,
            columns=columns,
        )
    )


def pandera_schema(rules: TableRules) -> pa.DataFrameSchema:
    """The pandera schema of these checks; each keeps its `Rule` in the metadata."""
    pa_columns = {
        name: pa.Column(
            None,
            checks=[spec.build() for spec, _ in ruled],
            nullable=True,
            coerce=False,
            required=False,
            name=name,
            metadata={"rules": {spec.name: r for spec, r in ruled}},
        )
        for name, ruled in rules.columns.items()
    }
    return pa.DataFrameSchema(
        pa_columns,
        checks=[spec.build() for spec, _ in rules.frame],
        coerce=False,
        strict=False,
        metadata={"rules": {spec.name: r for spec, r in rules.frame}},
    )


def rule_for(schema: pa.DataFrameSchema, column: str | None, check_name: str) -> Rule | None:
    """The rule behind a failure case; column-level first, then frame-level."""
    if column is not None and column in schema.columns:
        metadata = schema.columns[column].metadata or {}
        rule = metadata.get("rules", {}).get(check_name)
        if rule is not None:
            return rule
    return (schema.metadata or {}).get("rules", {}).get(check_name)

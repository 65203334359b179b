"""Row rules between dates (`x-checks: date-order`), on partial ISO dates, for both engines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clusterdata.core.lazy import lazy_module
from clusterdata.tableschema.model import Schema

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:  # imported when a frame is really checked (see `lazy`)
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
from clusterdata.validation.rules.domain.vectors import _text
from clusterdata.validation.rules.schema_rules import (
    Failure,
    Rule,
    RuledCheck,
    frame_check,
)

#: A partial ISO date at the start of a cell: its year, year-month or date ([0-9], not \d: the
#: same digits in Python, pyarrow and DuckDB).
_PARTIAL_DATE = r"^([0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?)"


def date_order_fails(frame: pd.DataFrame, start: str, end: str) -> np.ndarray:
    """End before start, compared on the precision both share: 2019 vs 2019-05 compares years,
    2019-05 vs 2019-05-20 compares months. Cells that are no partial ISO date are left to the
    type checks. (`date_order_sql` is the same rule for DuckDB.)"""
    if start not in frame.columns or end not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    first = _text(frame[start]).str.extract(_PARTIAL_DATE, expand=False)
    last = _text(frame[end]).str.extract(_PARTIAL_DATE, expand=False)
    width = np.minimum(first.str.len(), last.str.len())
    out = np.zeros(len(frame), dtype=bool)
    for size in (4, 7, 10):
        rows = (width == size).fillna(False).to_numpy(dtype=bool)
        if rows.any():
            before = last[rows].str.slice(0, size) < first[rows].str.slice(0, size)
            out[rows] = before.fillna(False).to_numpy(dtype=bool)
    return out


def date_order_sql(start: str, end: str) -> str:
    """`date_order_fails` as a DuckDB condition on two text expressions (NULL = missing)."""
    pattern = _PARTIAL_DATE.replace("(?:", "(")
    first = f"regexp_extract({start}, '{pattern}', 1)"
    last = f"regexp_extract({end}, '{pattern}', 1)"
    width = f"least(length({first}), length({last}))"
    return f"coalesce({width} > 0 AND left({last}, {width}) < left({first}, {width}), FALSE)"


@dataclass(frozen=True)
class RowRule:
    """A rule between two fields of a row, declared in a schema's `x-checks`."""

    name: str
    rule: Rule
    start: str
    end: str
    #: Where the rule fails, over a pandas frame (pandera) …
    fails: Callable[[pd.DataFrame], np.ndarray]
    #: … and as a DuckDB condition on the two fields' text expressions.
    sql: Callable[[str, str], str]


def row_rules(schema: Schema) -> tuple[list[RowRule], list[str]]:
    """Row rules from the schema's `x-checks`; also returns problems with their declaration."""
    names = set(schema.field_names)
    declared = schema.descriptor.get("x-checks")
    rules: list[RowRule] = []
    problems: list[str] = []
    if not isinstance(declared, list):
        return rules, problems
    for number, spec in enumerate(declared, start=1):
        if not isinstance(spec, dict) or spec.get("check") != "date-order":
            continue  # other x-checks belong to other layers
        start, end = spec.get("start"), spec.get("end")
        if not isinstance(start, str) or not isinstance(end, str) or not {start, end} <= names:
            problems.append(
                f"x-checks #{number} (date-order) must name two fields of this table as "
                f'"start" and "end"; it names {start!r} and {end!r}.'
            )
            continue
        rules.append(_date_order_rule(start, end))
    return rules, problems


def frame_checks(schema: Schema) -> tuple[list[RuledCheck], list[str]]:
    """Row rules as pandera frame checks (the pandas engine), and declaration problems."""
    rules, problems = row_rules(schema)
    return [frame_check(r.name, r.rule, r.fails) for r in rules], problems


def _date_order_rule(start: str, end: str) -> RowRule:
    def message(f: Failure) -> str:
        return (
            f"The end date {f.row(end)!r} ({end}) is before the start date "
            f"{f.row(start)!r} ({start})."
        )

    def fails(frame: pd.DataFrame) -> np.ndarray:
        return date_order_fails(frame, start, end)

    return RowRule(
        f"date-order:{start}:{end}",
        Rule(
            "date-order",
            message,
            column=end,
            hint=f"Check both dates: {end} must be the same as or later than {start}. If only a "
            "year or month is known, write just that (2019 or 2019-05).",
        ),
        start,
        end,
        fails,
        date_order_sql,
    )

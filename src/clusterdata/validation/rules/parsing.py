"""A column parsed once per distinct value, through the Table Schema core's cell parser, and
shared by the type check and every constraint check of that column."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clusterdata.tableschema.cells import BAD, cell_parser
from clusterdata.tableschema.model import Field
from clusterdata.validation.rules.checks import Cells

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Parsed:
    present: list[bool]  # the cell is not a missing value
    ok: list[bool]  # present and parses as the type
    values: list[Any]  # the parsed value where ok, else None


_UNSEEN = object()


class ColumnParser:
    """Parses a column once per distinct value, and remembers the last column it parsed so the
    type check and every constraint check share one parse (pandera hands each check its own
    Series of the same column; `cells` converts it once)."""

    def __init__(self, field: Field) -> None:
        self.field = field
        self.parse = cell_parser(field.descriptor)
        self._series: pd.Series | None = None
        self._cells: list[str | None] = []
        self._source: Cells | None = None
        self._parsed: Parsed | None = None

    def cells(self, series: pd.Series) -> list[str | None]:
        """The series' cells as text, None where missing (NA)."""
        if self._series is not None and (self._series is series or self._series.equals(series)):
            return self._cells
        cells = [None if v is None else str(v) for v in series.to_numpy(object, na_value=None)]
        self._series, self._cells = series, cells
        return cells

    def __call__(self, cells: Cells) -> Parsed:
        if self._parsed is not None and self._source is cells:
            return self._parsed
        present = [cell is not None for cell in cells]
        if self.parse is None:  # any text is valid: no per-value work
            self._source, self._parsed = cells, Parsed(present, present, list(cells))
            return self._parsed
        parse = self.parse
        memo: dict[str, Any] = {}
        values: list[Any] = []
        for cell in cells:
            if cell is None:
                values.append(BAD)
                continue
            value = memo.get(cell, _UNSEEN)
            if value is _UNSEEN:
                value = memo[cell] = parse(cell)
            values.append(value)
        ok = [value is not BAD for value in values]
        values = [None if value is BAD else value for value in values]
        self._source, self._parsed = cells, Parsed(present, ok, values)
        return self._parsed

    def scalar(self, value: Any) -> Any:
        """A constraint value from the schema, parsed like a cell (JSON numbers stay numbers)."""
        ftype = self.field.type
        if isinstance(value, bool):
            return value if ftype == "boolean" else BAD
        if isinstance(value, int | float) and ftype in {"integer", "number", "year"}:
            return value
        if not isinstance(value, str):
            return BAD
        return value if self.parse is None else self.parse(value)


def _same_key(value: Any) -> Any:
    """A value as keys compare it: every NaN alike (as pandas' `duplicated` counts them)."""
    if isinstance(value, float) and math.isnan(value):
        return _NAN_KEY
    return value


_NAN_KEY = ("NaN",)


def _repeats(keys: list[Any]) -> list[bool]:
    """Whether each key equals an earlier one (the first of a kind is not a repeat)."""
    seen: set[Any] = set()
    out: list[bool] = []
    for key in keys:
        out.append(key in seen)
        seen.add(key)
    return out

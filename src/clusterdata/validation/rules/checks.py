"""The checks layer 2 runs, before pandera exists: a `Rule` (the finding a failure becomes), a
`CheckSpec` (the decision, on plain Python columns and as pandera's check) and `TableRules`,
every check of a table with a runner that needs neither pandas nor pandera (`evaluate`).

Each check is written once, on plain Python columns (`CheckSpec.fails`: a column's cells, text or
None, → a flag per cell), and pandera's check is made from it. That gives the checks two runners
with one meaning: pandera on the pandas engine, and `TableRules.evaluate` on the few rows the
DuckDB engine could not certify in SQL, where importing pandas and pandera (~0.6 s) would cost
more than checking a million rows. A property test holds the two runners' failures equal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clusterdata.core.findings import Severity
from clusterdata.core.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pandera.pandas as pa

else:  # ~0.9 s of imports, paid only when a frame is really built (see `lazy`)
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
    pa = lazy_module("pandera.pandas")


@dataclass(frozen=True)
class Failure:
    """One failing cell as a message function sees it."""

    column: str | None
    value: str | None
    row: Callable[[str], str | None]  # raw text of another field in the same row


@dataclass(frozen=True)
class Rule:
    """What a failing pandera check means for a person: the finding it becomes."""

    check: str
    message: Callable[[Failure], str]
    severity: Severity = Severity.ERROR
    #: None for checks shared with layer 1: the caller derives the hint from the schema, the
    #: same way layer 1 does, so both layers give the same advice.
    hint: str | None = None
    #: For frame-level checks: the field the finding names (pandera reports every column).
    column: str | None = None
    #: A composite check (several checks of one column run as one pandera check, as pandera's
    #: fixed cost per check dominates on small tables): a failing cell becomes the findings of
    #: the parts, (name, rule, predicate on the cell's text), whose predicate holds.
    parts: tuple[tuple[str, Rule, Callable[[str], bool]], ...] = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> Rule:
        """Immutable: pandera deep-copies every column (and its metadata) when it builds a
        schema, which for ~1,000 rules cost ~0.1 s of a validation of the bundled package."""
        return self


#: One column as the checks read it: a cell's text, or None where it is missing (a missing
#: value of the schema, or absent from a short row).
Cells = Sequence[str | None]


@dataclass(frozen=True)
class CheckSpec:
    """One check, not built into pandera yet: building one imports pandera (~0.6 s with pandas),
    which a validation whose rows all passed in DuckDB never needs; `to_pandera` builds them.

    `passes` is pandera's form (a Series or DataFrame in, a boolean Series out). The Table Schema
    checks also carry `fails`, the same decision on plain Python columns (a column check: its
    `Cells` → a flag per cell; a frame check: {field: Cells} → a flag per row), from which their
    `passes` is made: one definition, run by pandera on the pandas engine and by
    `TableRules.evaluate` on the DuckDB engine's suspect rows, without pandas.
    """

    name: str
    passes: Callable[[Any], Any]
    fails: Callable[[Any], list[bool]] | None = None

    def build(self) -> pa.Check:
        return pa.Check(self.passes, name=self.name, ignore_na=False)


RuledCheck = tuple[CheckSpec, Rule]


def ruled_check(
    name: str, rule: Rule, fails: Callable[[pd.Series], pd.Series | np.ndarray]
) -> RuledCheck:
    """A pandera-only check from a function returning True where a cell *fails* (easier to
    read); the domain checks of the pandas engine are built here."""

    def passes(series: pd.Series) -> pd.Series:
        bad = np.asarray(fails(series), dtype=bool)
        return pd.Series(~bad, index=series.index)

    return CheckSpec(name, passes), rule


def frame_check(
    name: str, rule: Rule, fails: Callable[[pd.DataFrame], pd.Series | np.ndarray]
) -> RuledCheck:
    def passes(frame: pd.DataFrame) -> pd.Series:
        bad = np.asarray(fails(frame), dtype=bool)
        return pd.Series(~bad, index=frame.index)

    return CheckSpec(name, passes), rule


def cells_check(
    name: str, rule: Rule, parser: Any, fails: Callable[[Cells], list[bool]]
) -> RuledCheck:
    """A column check defined on plain cells (`CheckSpec.fails`); pandera's form reads the
    series' cells through the column's parser, which converts each series once."""

    def passes(series: pd.Series) -> pd.Series:
        bad = fails(parser.cells(series))
        return pd.Series([not b for b in bad], index=series.index, dtype=bool)

    return CheckSpec(name, passes, fails), rule


def rows_check(
    name: str,
    rule: Rule,
    parsers: dict[str, Any],
    fails: Callable[[dict[str, Cells]], list[bool]],
) -> RuledCheck:
    """A frame check defined on plain columns ({field: cells}, every field of `parsers`)."""

    def passes(frame: pd.DataFrame) -> pd.Series:
        if any(name not in frame.columns for name in parsers):
            return pd.Series(True, index=frame.index, dtype=bool)
        bad = fails({name: parser.cells(frame[name]) for name, parser in parsers.items()})
        return pd.Series([not b for b in bad], index=frame.index, dtype=bool)

    return CheckSpec(name, passes, fails), rule


@dataclass(frozen=True)
class Flagged:
    """A cell (or row) a check failed, as `TableRules.evaluate` reports it."""

    rule: Rule
    #: The column the failure names; None for a frame check's row (its rule names the field).
    column: str | None
    #: Position of the row among the evaluated rows.
    position: int


@dataclass(frozen=True)
class Broken:
    """A check that raised instead of answering (a defect in the check, not in the data)."""

    name: str
    column: str | None
    error: Exception


@dataclass
class TableRules:
    """Every check of a table, by column and frame-level, before pandera objects exist."""

    columns: dict[str, list[RuledCheck]]
    frame: list[RuledCheck]

    def count(self) -> int:
        """Checks in the table; a composite check counts as its parts."""
        return sum(
            max(1, len(rule.parts))
            for ruled in [*self.columns.values(), self.frame]
            for _, rule in ruled
        )

    def evaluate(self, columns: Mapping[str, Cells]) -> list[Flagged | Broken]:
        """Every failure of these checks on plain columns (equal lengths; a column of the rules
        absent here is not checked, as pandera skips a column the frame lacks): the failures
        pandera reports for the same cells, without pandas. Every check here must carry
        `CheckSpec.fails` (the pandas engine's domain checks do not, and never come here)."""
        out: list[Flagged | Broken] = []
        for name, ruled in self.columns.items():
            if name not in columns:
                continue
            for spec, rule in ruled:
                out.extend(_run(spec, rule, name, columns[name]))
        for spec, rule in self.frame:
            out.extend(_run(spec, rule, None, columns))
        return out


def _run(spec: CheckSpec, rule: Rule, column: str | None, cells: Any) -> list[Flagged | Broken]:
    if spec.fails is None:
        raise TypeError(f"the check {spec.name!r} runs only on pandas")
    try:
        flags = spec.fails(cells)
    except Exception as exc:  # one broken check must not hide the others (pandera's way too)
        return [Broken(spec.name, column, exc)]
    return [Flagged(rule, column, position) for position, bad in enumerate(flags) if bad]

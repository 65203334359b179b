"""Layer 1 where frictionless-py accepts a cell that the Table Schema spec does not.

frictionless-py reads integers with Python's ``int()``, numbers with ``Decimal()`` and dates
with ``strptime``, so it takes ``"1_000"``, ``"١٢"``, ``"Infinity"``, ``"\\u00a012"`` and
``"2020-1-1"`` for values. The Table Schema core (`tableschema.lexical`, with the spec sentence
for each rule) does not, and `load()`, `connect()` and `diff` read cells through it. So after
frictionless-py has read a row, each cell it took for a value of a type the spec defines
precisely is read again by the core, and a cell the core rejects gets the `type-error` the spec
asks for. One verdict for validate and the readers, and it is the spec's.

Both engines run this on the rows frictionless-py reads: the frictionless engine on every row
(`patterncheck.PatternCheck`), the DuckDB engine on its suspect rows (a cell it does not hand on
matches `tableschema.sql.CERTAIN`, a subset of the core's forms). The cells where the verdict
differs from frictionless-py's are listed, with the reason, in
`tests/contract/test_differential.py::SPEC_REJECTS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from frictionless import errors

from clusterdata.core.package import Resource
from clusterdata.tableschema.cells import BAD, cell_parser

#: Types whose lexical form the spec fixes. Dates and times only in the default format: "any"
#: and strptime patterns are the implementation's to read, so frictionless-py's verdict stands.
_SPEC_TYPES = frozenset({"integer", "number", "year", "yearmonth", "duration"})
_DEFAULT_FORMAT_TYPES = frozenset({"date", "time", "datetime"})


@dataclass(frozen=True)
class _SpecField:
    name: str
    number: int
    type: str
    format: str
    parse: Callable[[str], Any]


@dataclass
class SpecCells:
    """The fields of one table whose cells the core re-reads after frictionless-py."""

    fields: list[_SpecField] = field(default_factory=list)

    @classmethod
    def of(cls, resource: Resource) -> SpecCells:
        out = cls()
        for number, spec in enumerate(resource.table_schema.fields, start=1):
            kind, fmt = spec.type, spec.format
            if kind not in _SPEC_TYPES and not (kind in _DEFAULT_FORMAT_TYPES and fmt == "default"):
                continue
            parse = cell_parser(spec.descriptor)
            if parse is not None:
                out.fields.append(_SpecField(spec.name, number, kind, fmt, parse))
        return out

    def errors(self, row: Any) -> list[errors.Error]:
        """A frictionless `type-error` for each cell of `row` (a `frictionless.table.Row`) that
        frictionless-py read as a value and the spec does not."""
        found: list[errors.Error] = []
        cells = row.cells
        # A row's cells are in the data's order, which is the schema's only for `fieldsMatch`
        # "exact": the others map fields by name (and may lack some).
        where = {name: i + 1 for i, name in enumerate(row.field_names)}
        for spec in self.fields:
            number = where.get(spec.name, len(cells) + 1)
            if number > len(cells) or spec.name in row.error_cells:
                continue
            text = cells[number - 1]
            # A missing value reads as None; a non-text cell (a spreadsheet's number) has no
            # lexical form to check.
            if not isinstance(text, str) or row[spec.name] is None:
                continue
            if spec.parse(text) is not BAD:
                continue
            found.append(
                cell_error(
                    errors.TypeError,
                    f'type is "{spec.type}/{spec.format}"',
                    row,
                    spec.name,
                    number,
                    text,
                )
            )
        return found


def cell_error(
    kind: type[errors.CellError], note: str, row: Any, name: str, number: int, cell: str
) -> errors.Error:
    """A frictionless cell error of `kind` on one cell of `row`, as frictionless-py writes it
    (the row's cells as text), for the checks layer 1 adds to frictionless-py's own."""
    return kind(
        note=note,
        cells=["" if c is None else str(c) for c in row.cells],
        row_number=row.row_number,
        cell=cell,
        field_name=name,
        field_number=number,
    )

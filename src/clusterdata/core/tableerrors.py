"""The typed error record the layer-1 engines hand on: one Table Schema defect of one table.

Why a record of our own: the engines used to pass frictionless-py's error descriptors around
and read their English notes back with regular expressions ("position 3", 'constraint
"minimum"'), so a reworded note upstream would silently change our findings. Now each engine
fills the typed fields (the DuckDB engine directly; frictionless's errors through
`TableError.from_frictionless`, the one place that knows frictionless's error format), and one
public function turns a record into a Finding (`validation.structure.errors.to_finding`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

#: frictionless-py 5 writes these facts only into its notes (its error classes carry no field
#: for them); the patterns live here and nowhere else.
_CONSTRAINT_NOTE = re.compile(r'^constraint "([A-Za-z]+)"')
_POSITION_NOTE = re.compile(r'position "?(\d+)')
_ALL_NONE_NOTE = 'are all "None"'


@dataclass(frozen=True, slots=True)
class TableError:
    """One defect as an engine found it: what kind, where (record number, not line), and the
    facts a message needs. `kind` is frictionless's error type (`type-error`,
    `constraint-error`, `primary-key`, …), the vocabulary both engines share."""

    kind: str
    #: Record number as frictionless counts it (header = 1), or None for a table-level error.
    row: int | None = None
    field: str | None = None
    field_number: int | None = None
    cell: str | None = None
    #: All cells of the row (keys show the key's cells from them).
    cells: tuple[str, ...] = ()
    #: For `constraint-error`: the constraint broken (`required`, `minLength`, …).
    constraint: str | None = None
    #: For `primary-key` and `unique-error`: the earlier row this one repeats.
    earlier_row: int | None = None
    #: For `primary-key`: every key cell of the row is empty.
    empty_key: bool = False
    #: For `primary-key` / `foreign-key`: the key's fields, and the table and fields referred to.
    key_fields: tuple[str, ...] = ()
    reference: str | None = None
    reference_fields: tuple[str, ...] = ()
    #: For header errors: the label found.
    label: str | None = None
    #: The engine's own words, shown only (never read back): its short note, and its full
    #: sentence for kinds we have no message of our own for.
    note: str = ""
    message: str = ""

    def shifted(self, by: int) -> TableError:
        """The same error with its record numbers moved by `by` (a table without a header
        record, whose line map has the field names as record 1)."""
        if not by:
            return self
        return replace(
            self,
            row=None if self.row is None else self.row + by,
            earlier_row=None if self.earlier_row is None else self.earlier_row + by,
        )

    @classmethod
    def from_frictionless(cls, data: dict[str, Any]) -> TableError:
        """A frictionless-py error (`error.to_descriptor()`, or its JSON report's entry)."""
        kind = str(data.get("type") or "error")
        note = str(data.get("note") or "")
        constraint = None
        earlier = None
        if kind == "constraint-error":
            match = _CONSTRAINT_NOTE.match(note)
            constraint = match.group(1) if match else None
        if kind in {"primary-key", "unique-error"}:
            position = _POSITION_NOTE.search(note)
            earlier = int(position.group(1)) if position else None
        number = data.get("fieldNumber")
        return cls(
            kind=kind,
            row=_int(data.get("rowNumber")),
            field=str(data["fieldName"]) if data.get("fieldName") else None,
            field_number=_int(number),
            cell=None if data.get("cell") is None else str(data.get("cell")),
            cells=tuple("" if c is None else str(c) for c in data.get("cells") or ()),
            constraint=constraint,
            earlier_row=earlier,
            empty_key=kind == "primary-key" and _ALL_NONE_NOTE in note,
            key_fields=tuple(str(n) for n in data.get("fieldNames") or ()),
            reference=str(data["referenceName"]) if data.get("referenceName") else None,
            reference_fields=tuple(str(n) for n in data.get("referenceFieldNames") or ()),
            label=None if data.get("label") is None else str(data.get("label")),
            note=note,
            message=str(data.get("message") or ""),
        )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None

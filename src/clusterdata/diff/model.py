"""What a diff is made of: schema/metadata `Change`s, `RowChange`s, one `TableDiff` per table, and
the `PackageDiff` that holds them and decides the version level.

The level decision lives here, on `PackageDiff.reasons()`, because it is a reading of the
changes themselves (rows removed → MAJOR, added → MINOR, corrected → PATCH, plus each schema
change's own level); `clusterdata.release.versioning` holds the levels and the versions they move.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from clusterdata.release.versioning import Level


@dataclass
class Change:
    """One schema or metadata change, with the level it implies and why, in one sentence."""

    kind: str
    level: Level
    message: str
    resource: str | None = None
    field: str | None = None
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "level": self.level.value,
            "resource": self.resource,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "message": self.message,
        }


@dataclass
class FieldChange:
    field: str
    old: str | None
    new: str | None


@dataclass
class RowChange:
    """A row added, removed or modified; `key` are the key values as written (new side)."""

    op: str  # added | removed | modified
    key: tuple[str | None, ...]
    old: dict[str, str | None] | None = None
    new: dict[str, str | None] | None = None
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def key_text(self) -> str:
        return format_key(self.key)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"op": self.op, "key": list(self.key)}
        if self.op == "modified":
            data["changes"] = [{"field": c.field, "old": c.old, "new": c.new} for c in self.changes]
        else:
            data["row"] = self.new if self.op == "added" else self.old
        return data


def format_key(key: Sequence[str | None]) -> str:
    """A single key value as itself; a composite key as a JSON array (unambiguous)."""
    if len(key) == 1:
        return "" if key[0] is None else str(key[0])
    return json.dumps(list(key), ensure_ascii=False)


@dataclass
class TableDiff:
    name: str
    status: str  # added | removed | kept
    key: list[str]  # the fields rows were matched by; [] = compared as a multiset
    rows_old: int = 0
    rows_new: int = 0
    added: list[RowChange] = field(default_factory=list)
    removed: list[RowChange] = field(default_factory=list)
    modified: list[RowChange] = field(default_factory=list)
    #: (old key, new key) pairs: a removed and an added row identical apart from the key.
    key_changes: list[tuple[str, str]] = field(default_factory=list)
    schema: list[Change] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.added or self.removed or self.modified or self.schema or self.status != "kept"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "key": self.key,
            "rows_old": self.rows_old,
            "rows_new": self.rows_new,
            "counts": {
                "added": len(self.added),
                "removed": len(self.removed),
                "modified": len(self.modified),
            },
            "added": [r.to_dict() for r in self.added],
            "removed": [r.to_dict() for r in self.removed],
            "modified": [r.to_dict() for r in self.modified],
            "key_changes": [{"old": o, "new": n} for o, n in self.key_changes],
            "schema": [c.to_dict() for c in self.schema],
        }


@dataclass
class PackageDiff:
    old_label: str
    new_label: str
    tables: list[TableDiff] = field(default_factory=list)
    #: Package-level metadata changes.
    metadata: list[Change] = field(default_factory=list)

    def reasons(self) -> list[tuple[Level, str]]:
        """Why the change has its level: one line per kind of change, strongest first."""
        out: list[tuple[Level, str]] = []
        for table in self.tables:
            if table.status == "added":
                out.append((Level.MINOR, f"resource {table.name} added"))
            elif table.status == "removed":
                out.append((Level.MAJOR, f"resource {table.name} removed"))
            if table.status == "kept":
                if table.removed:
                    what = "removed or its key changed" if table.key else "removed"
                    out.append((Level.MAJOR, f"{_rows(len(table.removed))} {what} in {table.name}"))
                if table.added:
                    out.append((Level.MINOR, f"{_rows(len(table.added))} added in {table.name}"))
                if table.modified:
                    out.append(
                        (Level.PATCH, f"{_rows(len(table.modified))} corrected in {table.name}")
                    )
            out.extend((c.level, c.message) for c in table.schema)
        out.extend((c.level, c.message) for c in self.metadata)
        out.sort(key=lambda item: -item[0].rank)
        return out

    def level(self) -> Level:
        return max((lvl for lvl, _ in self.reasons()), default=Level.NONE)

    @property
    def changed(self) -> bool:
        return bool(self.metadata) or any(t.changed for t in self.tables)

    def headline(self) -> str:
        """ "+1 row in clusters, −2 rows in regions, ~1 row changed in facts" or "no changes"."""
        parts: list[str] = []
        for t in self.tables:
            if t.status == "added":
                parts.append(f"new table {t.name} ({_rows(len(t.added))})")
                continue
            if t.status == "removed":
                parts.append(f"table {t.name} removed ({_rows(len(t.removed))})")
                continue
            if t.added:
                parts.append(f"+{_rows(len(t.added))} in {t.name}")
            if t.removed:
                parts.append(f"−{_rows(len(t.removed))} in {t.name}")
            if t.modified:
                parts.append(f"~{_rows(len(t.modified))} changed in {t.name}")
        schema = sum(len(t.schema) for t in self.tables)
        if schema:
            parts.append(f"{schema} schema change{'s' if schema != 1 else ''}")
        if self.metadata:
            parts.append(
                f"{len(self.metadata)} metadata change{'s' if len(self.metadata) != 1 else ''}"
            )
        return ", ".join(parts) if parts else "no changes"

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old_label,
            "new": self.new_label,
            "level": self.level().value,
            "headline": self.headline(),
            "reasons": [{"level": lvl.value, "reason": why} for lvl, why in self.reasons()],
            "tables": [t.to_dict() for t in self.tables],
            "metadata": [c.to_dict() for c in self.metadata],
        }


def _rows(n: int) -> str:
    return f"{n} row{'s' if n != 1 else ''}"

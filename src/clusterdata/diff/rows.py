"""Row-level comparison of one table: matched by primary key, or as a multiset without one.

The key is the new primary key, else the old one, when both sides have its fields and it is
unique on both sides; otherwise rows are compared whole, so a duplicate key never hides a change.
"""

from __future__ import annotations

from collections import Counter

from clusterdata.core.package import Resource
from clusterdata.diff.model import FieldChange, RowChange, TableDiff, format_key
from clusterdata.diff.reading import Table, read_table
from clusterdata.diff.schema import diff_schema


def whole_table(resource: Resource, status: str) -> TableDiff:
    """A table only one side has: every row added (`status="added"`) or removed."""
    table = read_table(resource)
    key = resource.primary_key if all(k in table.fields for k in resource.primary_key) else []
    rows = _records(table)
    keys = table.canonical_rows(key) if key else [()] * len(rows)
    changes = [
        RowChange(
            op=status,
            key=_display_key(row, key, canon),
            old=row if status == "removed" else None,
            new=row if status == "added" else None,
        )
        for row, canon in zip(rows, keys, strict=True)
    ]
    diff = TableDiff(name=resource.name, status=status, key=key)
    if status == "added":
        diff.rows_new, diff.added = len(rows), changes
    else:
        diff.rows_old, diff.removed = len(rows), changes
    return diff


def _records(table: Table) -> list[dict[str, str | None]]:
    return [dict(zip(table.fields, row, strict=True)) for row in table.rows]


def _display_key(
    row: dict[str, str | None], key: list[str], canon: tuple[str | None, ...]
) -> tuple[str | None, ...]:
    if key:
        return tuple(row.get(k) for k in key)
    return tuple(row.values())


def diff_tables(old: Resource, new: Resource) -> TableDiff:
    """Rows matched by primary key (or as a multiset without one), plus schema changes."""
    before, after = read_table(old), read_table(new)
    common = [n for n in after.fields if n in before.fields]
    key = _match_key(old, new, common)
    diff = TableDiff(
        name=new.name, status="kept", key=key, rows_old=len(before.rows), rows_new=len(after.rows)
    )
    diff.schema = diff_schema(new.name, old.schema, new.schema)
    old_records, new_records = _records(before), _records(after)
    old_canon, new_canon = before.canonical_rows(common), after.canonical_rows(common)
    if key:
        positions = [common.index(k) for k in key]
        old_index = {tuple(c[p] for p in positions): i for i, c in enumerate(old_canon)}
        new_index = {tuple(c[p] for p in positions): i for i, c in enumerate(new_canon)}
        unique = len(old_index) == len(old_canon) and len(new_index) == len(new_canon)
        if not unique:
            key = diff.key = []
    if key:
        for k, i in new_index.items():
            j = old_index.get(k)
            if j is None:
                diff.added.append(
                    RowChange("added", _display_key(new_records[i], key, k), new=new_records[i])
                )
                continue
            if old_canon[j] != new_canon[i]:
                changes = [
                    FieldChange(name, old_records[j][name], new_records[i][name])
                    for pos, name in enumerate(common)
                    if old_canon[j][pos] != new_canon[i][pos]
                ]
                diff.modified.append(
                    RowChange(
                        "modified",
                        _display_key(new_records[i], key, k),
                        old=old_records[j],
                        new=new_records[i],
                        changes=changes,
                    )
                )
        for k, j in old_index.items():
            if k not in new_index:
                diff.removed.append(
                    RowChange("removed", _display_key(old_records[j], key, k), old=old_records[j])
                )
        diff.key_changes = _key_changes(
            diff, common, key, old_canon, new_canon, old_index, new_index
        )
    else:
        old_count = Counter(old_canon)
        new_count = Counter(new_canon)
        gone, came = old_count - new_count, new_count - old_count
        for i, c in enumerate(new_canon):
            if came[c] > 0:
                came[c] -= 1
                diff.added.append(
                    RowChange("added", _display_key(new_records[i], [], c), new=new_records[i])
                )
        for j, c in enumerate(old_canon):
            if gone[c] > 0:
                gone[c] -= 1
                diff.removed.append(
                    RowChange("removed", _display_key(old_records[j], [], c), old=old_records[j])
                )
    return diff


def _match_key(old: Resource, new: Resource, common: list[str]) -> list[str]:
    """Match rows by the new primary key, else the old one, when both sides have its fields."""
    for candidate in (new.primary_key, old.primary_key):
        if candidate and all(k in common for k in candidate):
            return list(candidate)
    return []


def _key_changes(
    diff: TableDiff,
    common: list[str],
    key: list[str],
    old_canon: list[tuple[str | None, ...]],
    new_canon: list[tuple[str | None, ...]],
    old_index: dict[tuple[str | None, ...], int],
    new_index: dict[tuple[str | None, ...], int],
) -> list[tuple[str, str]]:
    """Removed and added rows equal in every non-key field: most likely an id was changed."""
    if not diff.removed or not diff.added:
        return []
    rest = [p for p, name in enumerate(common) if name not in key]
    if not rest:
        return []
    positions = [common.index(k) for k in key]
    removed_keys = {k for k in old_index if k not in new_index}
    by_rest: dict[tuple[str | None, ...], list[tuple[str | None, ...]]] = {}
    for k in removed_keys:
        row = old_canon[old_index[k]]
        by_rest.setdefault(tuple(row[p] for p in rest), []).append(k)
    pairs = []
    for k, i in new_index.items():
        if k in old_index:
            continue
        candidates = by_rest.get(tuple(new_canon[i][p] for p in rest))
        if candidates and len(candidates) == 1:
            old_key = candidates.pop()
            pairs.append(
                (format_key(old_key), format_key(tuple(new_canon[i][p] for p in positions)))
            )
    return sorted(pairs)

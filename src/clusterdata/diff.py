"""Row- and schema-level differences between two versions of a data package.

The diff decides the next release's version (design.md: MAJOR can break a consumer, MINOR adds,
PATCH corrects), so it is conservative: when a change cannot be proven compatible it counts as
breaking. Values are compared *as parsed* by their Table Schema type ("1.50" and "1.5" are the
same number), so a purely cosmetic reformatting is not a change.

Only the CSV tables of each side are compared; resources a release adds on its own (exports,
the delta file) carry `"x-release"` in the descriptor and are ignored, so a source package and a
published release of it diff as equal.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from clusterdata.package import DataPackage, Resource, as_list
from clusterdata.versioning import Level

#: Descriptor keys that describe a build, not the data: a change in them is not a change.
PACKAGE_VOLATILE = {
    "resources",
    "version",
    "created",
    "$schema",
    "profile",
    "x-release",
    "x-checks",  # where a release carries its SQL checks, not a change of the data
}
RESOURCE_STRUCTURAL = {
    "name",
    "path",
    "schema",
    "bytes",
    "hash",
    "format",
    "mediatype",
    "encoding",
    "dialect",
    "type",
    "profile",
    "scheme",
    "x-release",
}
FIELD_METADATA = {"title", "description", "example", "rdfType", "x-description-sv"}
#: Field properties that only change how text is read; the value changes they cause show up
#: in the row comparison, and validation guarantees the new data still parses.
FIELD_PARSING = {
    "missingValues",
    "trueValues",
    "falseValues",
    "decimalChar",
    "groupChar",
    "bareNumber",
}
#: Lower bounds: raising them tightens. Upper bounds: lowering them tightens.
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength")
#: A type widens into these (every value it accepts, they accept too); any other change narrows.
WIDER_TYPES: dict[str, set[str]] = {
    "integer": {"number"},
    "year": {"integer", "number"},
}
UNIVERSAL_TYPES = ("string", "any")
#: Row changes listed per table and operation in text and markdown (json lists all).
RENDER_LIMIT = 20
#: Old → new values longer than this are shown as "(changed)" in the changelog.
SMALL_VALUE = 80

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DEFAULT_TRUE = ("true", "True", "TRUE", "1")
_DEFAULT_FALSE = ("false", "False", "FALSE", "0")


# ---------------------------------------------------------------------------------------------
# Reading cells as their Table Schema type


def parse_cell(spec: dict[str, Any], text: str | None, missing: Sequence[str] = ("",)) -> Any:
    """The typed value of one cell, or the text itself when it does not parse.

    Returns None for a missing value, int for integer/year, Decimal for number, bool, date,
    datetime or time for those types, and str otherwise. Never raises: a bad cell is the
    validator's business, here it simply stays text (so it still compares as text).
    """
    if text is None:
        return None
    field_missing = spec.get("missingValues")
    missing_values = field_missing if isinstance(field_missing, list) else missing
    if text in missing_values:
        return None
    kind = str(spec.get("type") or "string")
    try:
        if kind in ("integer", "year"):
            if _INTEGER.match(text):
                return int(text)
            if spec.get("bareNumber") is False:
                stripped = re.sub(r"^\D+|\D+$", "", text)
                if _INTEGER.match(stripped):
                    return int(stripped)
            return text
        if kind == "number":
            return _parse_number(spec, text)
        if kind == "boolean":
            trues = spec.get("trueValues") or _DEFAULT_TRUE
            falses = spec.get("falseValues") or _DEFAULT_FALSE
            if text in trues:
                return True
            if text in falses:
                return False
            return text
        if kind == "date":
            fmt = spec.get("format") or "default"
            if fmt in ("default", "any"):
                return dt.date.fromisoformat(text) if len(text) == 10 else text
            return dt.datetime.strptime(text, str(fmt)).date()
        if kind == "datetime":
            fmt = spec.get("format") or "default"
            if fmt in ("default", "any"):
                return dt.datetime.fromisoformat(text)
            return dt.datetime.strptime(text, str(fmt))
        if kind == "time":
            fmt = spec.get("format") or "default"
            if fmt in ("default", "any"):
                return dt.time.fromisoformat(text)
            return dt.datetime.strptime(text, str(fmt)).time()
    except (ValueError, TypeError, OverflowError):
        return text
    return text


def _parse_number(spec: dict[str, Any], text: str) -> Decimal | str:
    value = text
    group = spec.get("groupChar")
    if isinstance(group, str) and group:
        value = value.replace(group, "")
    decimal = spec.get("decimalChar")
    if isinstance(decimal, str) and decimal and decimal != ".":
        value = value.replace(decimal, ".")
    if spec.get("bareNumber") is False:
        value = re.sub(r"^[^\d+\-.]+|[^\d.]+$", "", value)
    if value in ("NaN", "INF", "-INF", "+INF"):
        return Decimal(value.replace("INF", "Infinity"))
    if not _NUMBER.match(value):
        return text
    try:
        return Decimal(value)
    except InvalidOperation:
        return text


def canonical(value: Any) -> str | None:
    """A text form equal for equal values: how two sides' cells are compared."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        normal = value.normalize()
        return format(normal, "f") if normal == normal.to_integral() else str(normal)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


@dataclass
class Table:
    """The rows of one resource as text, in file order, with the schema that types them."""

    resource: Resource
    fields: list[str]
    rows: list[list[str | None]]

    def canonical_rows(self, names: Sequence[str]) -> list[tuple[str | None, ...]]:
        specs = {str(f.get("name")): f for f in self.resource.fields}
        missing = self.resource.schema.get("missingValues")
        missing_values = missing if isinstance(missing, list) else [""]
        positions = [self.fields.index(n) for n in names]
        return [
            tuple(
                canonical(parse_cell(specs.get(n, {}), row[p], missing_values))
                for n, p in zip(names, positions, strict=True)
            )
            for row in self.rows
        ]


def read_table(resource: Resource) -> Table:
    """Read a CSV resource as text cells aligned to the schema's field names.

    Columns are matched by header name when the header names the schema's fields, by position
    otherwise (as frictionless does); short rows are padded with None, long rows cut.
    """
    csv.field_size_limit(sys.maxsize)
    names = resource.field_names
    encoding = (
        "utf-8-sig"
        if resource.encoding.replace("_", "-") in ("utf-8", "utf8")
        else resource.encoding
    )
    try:
        handle = open(resource.file, encoding=encoding, errors="replace", newline="")  # noqa: SIM115
    except LookupError:
        handle = open(resource.file, encoding="utf-8-sig", errors="replace", newline="")  # noqa: SIM115
    with handle:
        reader = csv.reader(
            (line.replace("\x00", "") for line in handle),
            delimiter=resource.delimiter,
            quotechar=resource.quote_char,
        )
        header = next(reader, [])
        if set(names) <= set(header):
            positions: list[int | None] = [header.index(n) for n in names]
        else:
            positions = [i if i < len(header) else None for i in range(len(names))]
        rows = []
        for record in reader:
            if not record:
                continue
            rows.append(
                [record[p] if p is not None and p < len(record) else None for p in positions]
            )
    return Table(resource=resource, fields=names, rows=rows)


# ---------------------------------------------------------------------------------------------
# The diff model


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


# ---------------------------------------------------------------------------------------------
# Computing the diff


def data_resources(package: DataPackage) -> list[Resource]:
    """The tables the diff compares: CSV resources not generated by the release process."""
    generated = {
        str(spec.get("name"))
        for spec in package.descriptor.get("resources", []) or []
        if isinstance(spec, dict) and spec.get("x-release")
    }
    return [r for r in package.resources if r.name not in generated]


def diff_packages(
    old: DataPackage,
    new: DataPackage,
    *,
    old_label: str | None = None,
    new_label: str | None = None,
) -> PackageDiff:
    """Every change from `old` to `new`: rows by primary key, schemas, metadata."""
    result = PackageDiff(
        old_label or str(old.descriptor_file), new_label or str(new.descriptor_file)
    )
    old_tables = {r.name: r for r in data_resources(old)}
    new_tables = {r.name: r for r in data_resources(new)}
    names = list(old_tables) + [n for n in new_tables if n not in old_tables]
    for name in names:
        before, after = old_tables.get(name), new_tables.get(name)
        if before is not None and after is not None:
            result.tables.append(diff_tables(before, after))
        elif after is not None:
            result.tables.append(_whole_table(after, "added"))
        elif before is not None:
            result.tables.append(_whole_table(before, "removed"))
    result.metadata = diff_metadata(old.descriptor, new.descriptor)
    for name in names:
        table = next(t for t in result.tables if t.name == name)
        before_spec = _resource_spec(old, name)
        after_spec = _resource_spec(new, name)
        if before_spec and after_spec:
            table.schema.extend(_resource_metadata(name, before_spec, after_spec))
    return result


def _resource_spec(package: DataPackage, name: str) -> dict[str, Any] | None:
    for spec in package.descriptor.get("resources", []) or []:
        if isinstance(spec, dict) and spec.get("name") == name:
            return spec
    return None


def _whole_table(resource: Resource, status: str) -> TableDiff:
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


# ---------------------------------------------------------------------------------------------
# Schema and metadata


def type_change(old: str, new: str) -> str:
    """ "widened" when every value of the old type is valid in the new one, else "narrowed"."""
    if old == new:
        return "same"
    if new == "any" or (new == "string" and old != "any") or new in WIDER_TYPES.get(old, set()):
        return "widened"
    return "narrowed"


def diff_schema(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    old_fields = [f for f in old.get("fields", []) or [] if isinstance(f, dict)]
    new_fields = [f for f in new.get("fields", []) or [] if isinstance(f, dict)]
    old_by = {str(f.get("name")): f for f in old_fields}
    new_by = {str(f.get("name")): f for f in new_fields}
    old_names, new_names = list(old_by), list(new_by)
    new_pk = as_list(new.get("primaryKey"))
    removed = [n for n in old_names if n not in new_by]
    added = [n for n in new_names if n not in old_by]
    renamed: dict[str, str] = {}
    for gone in removed:
        pos = old_names.index(gone)
        if (
            pos < len(new_names)
            and new_names[pos] in added
            and _type(old_by[gone]) == _type(new_by[new_names[pos]])
        ):
            renamed[gone] = new_names[pos]
    for gone in removed:
        hint = f" (probably renamed to {renamed[gone]!r})" if gone in renamed else ""
        changes.append(
            Change("field-removed", Level.MAJOR, f"{name}.{gone}: field removed{hint}", name, gone)
        )
    renamed_from = {v: k for k, v in renamed.items()}
    for new_name in added:
        spec = new_by[new_name]
        required = bool((spec.get("constraints") or {}).get("required")) or new_name in new_pk
        hint = (
            f" (probably renamed from {renamed_from[new_name]!r})"
            if new_name in renamed_from
            else ""
        )
        if required:
            changes.append(
                Change(
                    "field-added-required",
                    Level.MAJOR,
                    f"{name}.{new_name}: required field added{hint}",
                    name,
                    new_name,
                )
            )
        else:
            changes.append(
                Change(
                    "field-added",
                    Level.MINOR,
                    f"{name}.{new_name}: optional field added{hint}",
                    name,
                    new_name,
                )
            )
    for field_name in new_names:
        if field_name in old_by:
            changes.extend(_field_changes(name, field_name, old_by[field_name], new_by[field_name]))
    kept_old = [n for n in old_names if n in new_by]
    kept_new = [n for n in new_names if n in old_by]
    if kept_old != kept_new:
        changes.append(
            Change(
                "fields-reordered",
                Level.PATCH,
                f"{name}: field order changed",
                name,
                None,
                kept_old,
                kept_new,
            )
        )
    old_pk = as_list(old.get("primaryKey"))
    if old_pk != new_pk:
        changes.append(
            Change(
                "primary-key-changed",
                Level.MAJOR,
                f"{name}: primary key changed from {old_pk or 'none'} to {new_pk or 'none'}",
                name,
                None,
                old_pk,
                new_pk,
            )
        )
    old_fks, new_fks = _fks(old), _fks(new)
    for fk in sorted(new_fks - old_fks):
        changes.append(
            Change(
                "foreign-key-added",
                Level.MAJOR,
                f"{name}: foreign key {_fk_text(fk)} added (tightened)",
                name,
                ", ".join(fk[0]),
                None,
                _fk_text(fk),
            )
        )
    for fk in sorted(old_fks - new_fks):
        changes.append(
            Change(
                "foreign-key-removed",
                Level.MINOR,
                f"{name}: foreign key {_fk_text(fk)} removed (loosened)",
                name,
                ", ".join(fk[0]),
                _fk_text(fk),
                None,
            )
        )
    changes.extend(
        _list_constraint(name, None, "x-checks", old.get("x-checks"), new.get("x-checks"))
    )
    for key in sorted((set(old) | set(new)) - {"fields", "primaryKey", "foreignKeys", "x-checks"}):
        if old.get(key) != new.get(key):
            level = (
                Level.PATCH
                if key in ("missingValues",) or key.startswith("x-") or key in FIELD_METADATA
                else Level.MAJOR
            )
            changes.append(
                Change(
                    "schema-property-changed",
                    level,
                    f"{name}: schema property {key} changed",
                    name,
                    None,
                    old.get(key),
                    new.get(key),
                )
            )
    return changes


def _type(spec: dict[str, Any]) -> str:
    return str(spec.get("type") or "string")


def _fks(schema: dict[str, Any]) -> set[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    out = set()
    for fk in schema.get("foreignKeys", []) or []:
        if not isinstance(fk, dict):
            continue
        raw = fk.get("reference")
        ref: dict[str, Any] = raw if isinstance(raw, dict) else {}
        out.add(
            (
                tuple(as_list(fk.get("fields"))),
                str(ref.get("resource") or ""),
                tuple(as_list(ref.get("fields"))),
            )
        )
    return out


def _fk_text(fk: tuple[tuple[str, ...], str, tuple[str, ...]]) -> str:
    return f"({', '.join(fk[0])}) → {fk[1] or '(self)'}({', '.join(fk[2])})"


def _field_changes(table: str, name: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    where = f"{table}.{name}"
    changes: list[Change] = []
    old_type, new_type = _type(old), _type(new)
    direction = type_change(old_type, new_type)
    if direction == "narrowed":
        changes.append(
            Change(
                "type-narrowed",
                Level.MAJOR,
                f"{where}: type narrowed {old_type} → {new_type}",
                table,
                name,
                old_type,
                new_type,
            )
        )
    elif direction == "widened":
        changes.append(
            Change(
                "type-widened",
                Level.MINOR,
                f"{where}: type widened {old_type} → {new_type}",
                table,
                name,
                old_type,
                new_type,
            )
        )
    old_format = old.get("format") or "default"
    new_format = new.get("format") or "default"
    if old_format != new_format:
        loosened = new_format in ("default", "any") and new_type == "string"
        changes.append(
            Change(
                "constraint-loosened" if loosened else "constraint-tightened",
                Level.MINOR if loosened else Level.MAJOR,
                f"{where}: format {old_format} → {new_format}",
                table,
                name,
                old_format,
                new_format,
            )
        )
    old_c: dict[str, Any] = old.get("constraints") or {}
    new_c: dict[str, Any] = new.get("constraints") or {}
    old_c = old_c if isinstance(old_c, dict) else {}
    new_c = new_c if isinstance(new_c, dict) else {}
    for key in sorted(set(old_c) | set(new_c)):
        changes.extend(_constraint(table, name, key, old_c.get(key), new_c.get(key)))
    changes.extend(
        _list_constraint(
            table, name, "x-domain", _listed(old.get("x-domain")), _listed(new.get("x-domain"))
        )
    )
    for key in sorted(
        (set(old) | set(new)) - {"name", "type", "format", "constraints", "x-domain"}
    ):
        if old.get(key) == new.get(key):
            continue
        if key in FIELD_METADATA or key.startswith("x-"):
            kind, level = "field-metadata-changed", Level.PATCH
        elif key in FIELD_PARSING:
            kind, level = "field-parsing-changed", Level.PATCH
        else:
            kind, level = "field-property-changed", Level.MAJOR
        changes.append(
            Change(kind, level, f"{where}: {key} changed", table, name, old.get(key), new.get(key))
        )
    return changes


def _listed(value: Any) -> list[Any] | None:
    if value is None:
        return None
    return value if isinstance(value, list) else [value]


def _constraint(table: str, name: str, key: str, old: Any, new: Any) -> list[Change]:
    if old == new:
        return []
    where = f"{table}.{name}"
    if key in ("required", "unique"):
        tightened = bool(new) and not bool(old)
        if bool(new) == bool(old):
            return []
    elif key == "enum":
        if isinstance(old, list) and isinstance(new, list):
            if set(map(str, old)) == set(map(str, new)):
                return []
            tightened = bool(set(map(str, old)) - set(map(str, new)))
        else:
            tightened = new is not None
    elif key in LOWER_BOUNDS or key in UPPER_BOUNDS:
        if new is None:
            tightened = False
        elif old is None:
            tightened = True
        else:
            try:
                lower = float(new) > float(old)
            except (TypeError, ValueError):
                lower = str(new) > str(old)
            tightened = lower if key in LOWER_BOUNDS else not lower
    else:  # pattern and anything we cannot compare: any new value may reject old data
        tightened = new is not None
    verb = "tightened" if tightened else "loosened"
    return [
        Change(
            f"constraint-{verb}",
            Level.MAJOR if tightened else Level.MINOR,
            f"{where}: constraint {key} {verb} ({_short(old)} → {_short(new)})",
            table,
            name,
            old,
            new,
        )
    ]


def _list_constraint(table: str, name: str | None, key: str, old: Any, new: Any) -> list[Change]:
    """Lists of rules (x-checks, x-domain): any rule added tightens, only removals loosen."""
    old_items = {json.dumps(i, sort_keys=True) for i in (old or [])}
    new_items = {json.dumps(i, sort_keys=True) for i in (new or [])}
    if old_items == new_items:
        return []
    tightened = bool(new_items - old_items)
    verb = "tightened" if tightened else "loosened"
    where = f"{table}.{name}" if name else table
    return [
        Change(
            f"constraint-{verb}",
            Level.MAJOR if tightened else Level.MINOR,
            f"{where}: {key} {verb}",
            table,
            name,
            old,
            new,
        )
    ]


def _short(value: Any) -> str:
    text = "none" if value is None else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _resource_metadata(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes = []
    for key in sorted((set(old) | set(new)) - RESOURCE_STRUCTURAL):
        if old.get(key) != new.get(key):
            changes.append(
                Change(
                    "resource-metadata-changed",
                    Level.PATCH,
                    f"{name}: {key} changed",
                    name,
                    None,
                    old.get(key),
                    new.get(key),
                )
            )
    if old.get("path") != new.get("path"):
        changes.append(
            Change(
                "resource-path-changed",
                Level.PATCH,
                f"{name}: path {old.get('path')} → {new.get('path')}",
                name,
                None,
                old.get("path"),
                new.get("path"),
            )
        )
    return changes


def diff_metadata(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes = []
    for key in sorted((set(old) | set(new)) - PACKAGE_VOLATILE):
        if old.get(key) != new.get(key):
            changes.append(
                Change(
                    "metadata-changed",
                    Level.PATCH,
                    f"package {key} changed",
                    None,
                    None,
                    old.get(key),
                    new.get(key),
                )
            )
    return changes


# ---------------------------------------------------------------------------------------------
# Rendering


def small(value: str | None) -> str:
    """A value for a changelog line: quoted when short, "(long text)" when not."""
    if value is None:
        return "∅"
    if len(value) > SMALL_VALUE:
        return f"({len(value)} characters)"
    return json.dumps(value, ensure_ascii=False)


def _modified_line(row: RowChange) -> str:
    fields = "; ".join(f"{c.field}: {small(c.old)} → {small(c.new)}" for c in row.changes)
    return f"{row.key_text}: {fields}"


def _listing(items: Sequence[str], limit: int) -> list[str]:
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"… and {len(items) - limit} more")
    return shown


def render_text(diff: PackageDiff, limit: int = RENDER_LIMIT) -> str:
    lines = [
        f"diff {diff.old_label} → {diff.new_label}",
        f"level: {diff.level().value} — {diff.headline()}",
    ]
    for lvl, why in diff.reasons():
        lines.append(f"  [{lvl.value}] {why}")
    for t in diff.tables:
        if not t.changed:
            continue
        key = ", ".join(t.key) if t.key else "whole row"
        lines.append("")
        lines.append(f"{t.name} ({t.status}; rows {t.rows_old} → {t.rows_new}; key: {key})")
        for item in _listing([r.key_text for r in t.added], limit):
            lines.append(f"  + {item}")
        for item in _listing([r.key_text for r in t.removed], limit):
            lines.append(f"  - {item}")
        for old_key, new_key in t.key_changes[:limit]:
            lines.append(f"  key changed: {old_key} → {new_key}")
        for item in _listing([_modified_line(r) for r in t.modified], limit):
            lines.append(f"  ~ {item}")
        for c in t.schema:
            lines.append(f"  schema [{c.level.value}] {c.message}")
    if diff.metadata:
        lines.append("")
        lines.extend(f"metadata [{c.level.value}] {c.message}" for c in diff.metadata)
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(diff: PackageDiff, limit: int = RENDER_LIMIT, heading: str = "###") -> str:
    lines = [
        f"{heading} Data diff: {diff.level().value}",
        "",
        f"**{_md(diff.headline())}**",
        "",
        f"`{_md(diff.old_label)}` → `{_md(diff.new_label)}`",
        "",
    ]
    changed = [t for t in diff.tables if t.changed]
    if changed:
        lines += [
            "| table | status | rows | added | removed | changed | schema changes |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for t in changed:
            lines.append(
                f"| {t.name} | {t.status} | {t.rows_old} → {t.rows_new} | "
                f"{len(t.added)} | {len(t.removed)} | {len(t.modified)} | "
                f"{len(t.schema)} |"
            )
        lines.append("")
    reasons = diff.reasons()
    if reasons:
        lines.append("Why this level:")
        lines += [f"- **{lvl.value}**: {_md(why)}" for lvl, why in reasons]
        lines.append("")
    for t in changed:
        body = markdown_table_entry(t, limit)
        if body:
            lines.append(f"{heading}# {t.name}")
            lines.append("")
            lines += body
            lines.append("")
    if diff.metadata:
        lines += ["Metadata:", *[f"- {_md(c.message)}" for c in diff.metadata], ""]
    return "\n".join(lines)


def markdown_table_entry(t: TableDiff, limit: int = RENDER_LIMIT) -> list[str]:
    """The per-table bullet list shared by the diff report and the changelog."""
    lines: list[str] = []

    def keys(rows: list[RowChange]) -> str:
        return ", ".join(
            f"`{_md(k)}`" if not k.startswith("…") else k
            for k in _listing([r.key_text for r in rows], limit)
        )

    if t.added:
        lines.append(f"- added ({len(t.added)}): {keys(t.added)}")
    if t.removed:
        lines.append(f"- removed ({len(t.removed)}): {keys(t.removed)}")
    for old_key, new_key in t.key_changes[:limit]:
        lines.append(f"- key changed: `{_md(old_key)}` → `{_md(new_key)}`")
    if t.modified:
        lines.append(f"- changed ({len(t.modified)}):")
        lines += [
            f"  - `{_md(r.key_text)}`: "
            + "; ".join(f"{c.field}: {_md(small(c.old))} → {_md(small(c.new))}" for c in r.changes)
            for r in t.modified[:limit]
        ]
        if len(t.modified) > limit:
            lines.append(f"  - … and {len(t.modified) - limit} more")
    lines += [f"- schema ({c.level.value}): {_md(c.message)}" for c in t.schema]
    return lines


def render(diff: PackageDiff, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(diff.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n"
    if fmt == "markdown":
        return render_markdown(diff)
    return render_text(diff)


def iter_delta(diff: PackageDiff) -> Iterable[tuple[str, str, str, str, str, str]]:
    """Rows of the machine-readable delta: table, key, op, field, old, new.

    Added and removed rows are one line each, the whole row as a JSON object in new/old;
    a modified row is one line per changed field. Empty strings stand for missing values.
    """
    for t in diff.tables:
        for r in t.removed:
            yield (t.name, r.key_text, "removed", "", _json_row(r.old), "")
        for r in t.added:
            yield (t.name, r.key_text, "added", "", "", _json_row(r.new))
        for r in t.modified:
            for c in r.changes:
                yield (t.name, r.key_text, "modified", c.field, c.old or "", c.new or "")


def _json_row(row: dict[str, str | None] | None) -> str:
    return json.dumps(row or {}, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------------------------------------
# Sides of a diff: a package path, a git ref, or a published version


@dataclass
class Side:
    """An opened package plus what keeps it readable (a temp folder for git refs)."""

    package: DataPackage
    label: str
    _keep: Any = None


def open_side(spec: str, *, repo_path: str | None = None, dist: Path | None = None) -> Side:
    """Open OLD or NEW of `clusterdata diff`: a path, a published version, or a git ref.

    A path wins when it exists; then `v1.2.0`/`1.2.0` listed in `dist/releases.json`; then a git
    ref, read with `git archive` into a temporary folder (the work tree is never touched).
    `repo_path` is the package folder inside the repository (default: datapackage).
    Raises `UsageError` (exit 2) when it is none of these.
    """
    from clusterdata.package import UsageError, open_package
    from clusterdata.versioning import Version

    if Path(spec).exists():
        return Side(open_package(spec), spec)
    if Version.is_version(spec):
        folder = dist if dist is not None else Path("dist")
        found = _published(folder, spec)
        if found is not None:
            return Side(open_package(found), spec)
    tmp, package = _from_git(spec, repo_path or "datapackage")
    if package is None:
        raise UsageError(
            f"{spec!r} is not a package path, a published version "
            f"(looked in {dist or 'dist'}/releases.json) or a git ref."
        )
    return Side(package, spec, tmp)


def _published(dist: Path, spec: str) -> Path | None:
    from clusterdata.versioning import Version

    try:
        data = json.loads((dist / "releases.json").read_text(encoding="utf-8"))
        wanted = Version.parse(spec)
        for entry in data.get("releases", []):
            if Version.parse(str(entry.get("version"))) == wanted:
                folder = dist / str(entry.get("folder"))
                if (folder / "datapackage.json").is_file():
                    return folder
                archive = dist / str(entry.get("zip"))
                return archive if archive.is_file() else None
    except (OSError, ValueError, AttributeError, TypeError):
        return None
    return None


def _from_git(ref: str, repo_path: str, cwd: Path | None = None) -> tuple[Any, DataPackage | None]:
    """The package folder `repo_path` as it is at `ref`, in a temporary folder, or (None, None)."""
    import contextlib

    from clusterdata.gitrepo import Git, commit_of
    from clusterdata.package import UsageError, open_package

    try:
        git = Git.discover(cwd or Path.cwd())
    except UsageError:
        return None, None
    commit = commit_of(git.toplevel, ref)
    if commit is None:
        return None, None
    stack = contextlib.ExitStack()
    folder = stack.enter_context(git.export(commit, repo_path))
    if folder is None or not ((folder / "datapackage.json").is_file() or folder.is_file()):
        stack.close()
        return None, None
    return stack, open_package(folder)

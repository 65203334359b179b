"""Schema changes of one table and the level each implies: fields, types, constraints, keys.

Conservative by design: a change counts as loosening (MINOR) only when every value the old
schema accepted is still accepted; anything that cannot be proven so (a new pattern, a narrowed
type, an added foreign key or rule) tightens and is MAJOR.
"""

from __future__ import annotations

import json
from typing import Any

from clusterdata.diff.model import Change
from clusterdata.release.versioning import Level
from clusterdata.tableschema.model import Schema

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


def type_change(old: str, new: str) -> str:
    """ "widened" when every value of the old type is valid in the new one, else "narrowed"."""
    if old == new:
        return "same"
    if new == "any" or (new == "string" and old != "any") or new in WIDER_TYPES.get(old, set()):
        return "widened"
    return "narrowed"


def diff_schema(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    before, after = Schema.from_descriptor(old), Schema.from_descriptor(new)
    # Fields are compared as declared: any property a later version adds is a change.
    old_by = {f.name: f.descriptor for f in before.fields}
    new_by = {f.name: f.descriptor for f in after.fields}
    old_names, new_names = list(old_by), list(new_by)
    new_pk = list(after.primary_key)
    required_in_new = {f.name for f in after.fields if f.constraints.required}
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
        required = new_name in required_in_new or new_name in new_pk
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
    old_pk = list(before.primary_key)
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
    old_fks, new_fks = _fks(before), _fks(after)
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


def _fks(schema: Schema) -> set[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    return {(fk.fields, fk.reference.resource, fk.reference.fields) for fk in schema.foreign_keys}


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

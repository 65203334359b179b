"""Layer 1's Data Package v2 rules that frictionless-py 5.21 lacks, for both engines.

Both engines read every doubtful cell with frictionless-py's field readers (the frictionless
engine row by row, the DuckDB engine on its suspects), so the v2 rules are taught to those
readers once, here, and both engines give the same findings:

* `categories` on string and integer fields, and the `jsonSchema` constraint on object and array
  fields: a value outside them is a `constraint-error` (check ids `constraint-categories`,
  `constraint-json-schema`), located like any constraint error.
  frictionless-py 5.21 ignores `categories` and rejects a schema with `jsonSchema` ("constraint
  is not supported"): the spec is followed.
* `list` items are read by `tableschema.cells` (`V2ListField`).
* `groupChar` on integers: frictionless-py 5.21 reads "1 000" with `groupChar: " "` as a type
  error; the spec gives integers a `groupChar` ("A string whose value is used to group digits
  within the integer", https://datapackage.org/standard/table-schema/#integer), so it is
  removed first, as `tableschema.cells.integer_text` does.

The rules themselves live in `tableschema.v2`; this module only wires them into frictionless-py
(a plugin choosing our field classes while `active()`), plus `UniqueKeysCheck`, the
frictionless engine's `uniqueKeys` check (the DuckDB engine compares the same canonical keys
in `duckdb_engine.keys`, with the same `tableschema.v2.repeats`).
"""

from __future__ import annotations

import contextlib
import copy
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import attrs
from frictionless import Check, Plugin, system
from frictionless.fields import ArrayField, IntegerField, ListField, ObjectField, StringField

from clusterdata.core.package import Resource
from clusterdata.core.tableerrors import TableError
from clusterdata.tableschema import v2
from clusterdata.tableschema.cells import BAD, cell_parser

_PLUGIN_NAME = "clusterdata-v2"
#: Per thread: how deep inside `active()` it is (0 or unset: outside).
_state = threading.local()
_register_lock = threading.Lock()
_registered = False


def _v2_cell_reader(field: Any, make_base: Callable[[], Any]) -> Any:
    """The field's frictionless reader with the v2 value rules added after its own.

    A value that is missing or not of the type is not checked further (frictionless's order:
    "type" first, then every constraint)."""
    descriptor = field.to_descriptor()
    constraints = field.constraints
    checks: list[tuple[str, str, Callable[[Any], bool]]] = []
    if v2.category_values(descriptor) is not None:
        checks.append(("categories", v2.categories_note(descriptor), v2.category_test(descriptor)))
    schema = v2.json_schema(descriptor)
    if schema is not None:
        # A constraint that is not JSON Schema is a schema error already (`v2.schema_problems`).
        with contextlib.suppress(v2.JsonSchemaProblem):
            checks.append(
                ("jsonSchema", v2.json_schema_note(descriptor), v2.json_schema_check(schema))
            )
    if "jsonSchema" in constraints:
        # frictionless's reader would look for a check function it does not have.
        field.constraints = {k: v for k, v in constraints.items() if k != "jsonSchema"}
        try:
            base = make_base()
        finally:
            field.constraints = constraints
    else:
        base = make_base()
    if not checks:
        return base

    def reader(cell: Any) -> Any:
        value, notes = base(cell)
        if value is None or (notes and "type" in notes):
            return value, notes
        for name, note, ok in checks:
            if not ok(value):
                notes = notes or {}
                notes[name] = note
        return value, notes

    return reader


_CATEGORY_PROFILE: dict[str, Any] = {
    "properties": {
        "categories": {"type": "array"},
        "categoriesOrdered": {"type": "boolean"},
    }
}


@attrs.define(kw_only=True, repr=False)
class V2StringField(StringField):
    """A string field that also knows `categories`."""

    categories: Any = None
    categories_ordered: Any = None
    metadata_profile_patch: ClassVar[dict[str, Any]] = _CATEGORY_PROFILE

    def create_cell_reader(self) -> Any:
        return _v2_cell_reader(self, super().create_cell_reader)


@attrs.define(kw_only=True, repr=False)
class V2IntegerField(IntegerField):
    """An integer field that also knows `categories` and `groupChar`."""

    categories: Any = None
    categories_ordered: Any = None
    group_char: Any = None
    metadata_profile_patch: ClassVar[dict[str, Any]] = {
        "properties": {**_CATEGORY_PROFILE["properties"], "groupChar": {"type": "string"}}
    }

    def create_cell_reader(self) -> Any:
        return _v2_cell_reader(self, super().create_cell_reader)

    def create_value_reader(self) -> Any:
        base = super().create_value_reader()
        group = self.group_char
        if not isinstance(group, str) or not group:
            return base

        def value_reader(cell: Any) -> Any:
            return base(cell.replace(group, "") if isinstance(cell, str) else cell)

        return value_reader


@attrs.define(kw_only=True, repr=False)
class V2ObjectField(ObjectField):
    """An object field that also knows the `jsonSchema` constraint."""

    supported_constraints: ClassVar[list[str]] = [*ObjectField.supported_constraints, "jsonSchema"]
    metadata_profile_patch: ClassVar[dict[str, Any]] = {
        "properties": {"constraints": {"properties": {"jsonSchema": {"type": "object"}}}}
    }

    def create_cell_reader(self) -> Any:
        return _v2_cell_reader(self, super().create_cell_reader)


@attrs.define(kw_only=True, repr=False)
class V2ArrayField(ArrayField):
    """An array field that also knows the `jsonSchema` constraint."""

    supported_constraints: ClassVar[list[str]] = [*ArrayField.supported_constraints, "jsonSchema"]
    metadata_profile_patch: ClassVar[dict[str, Any]] = {
        "properties": {"constraints": {"properties": {"jsonSchema": {"type": "object"}}}}
    }

    def create_cell_reader(self) -> Any:
        return _v2_cell_reader(self, super().create_cell_reader)


@attrs.define(kw_only=True, repr=False)
class V2ListField(ListField):
    """A `list` field whose items are read by the project's one rule per type
    (`tableschema.cells`), as `load()` and `connect()` read them. frictionless-py 5.21 reads
    items with its own readers, which take Python's syntax ("1_0" is the integer item 10
    there); the spec says items are read "as it were individual values of the corresponding
    data type"."""

    def create_value_reader(self) -> Any:
        base = super().create_value_reader()
        parse = cell_parser(self.to_descriptor())

        def value_reader(cell: Any) -> Any:
            if isinstance(cell, str) and parse is not None:
                value = parse(cell)
                return None if value is BAD else value
            return base(cell)

        return value_reader


_CLASSES: dict[str, type[Any]] = {
    "list": V2ListField,
    "string": V2StringField,
    "integer": V2IntegerField,
    "object": V2ObjectField,
    "array": V2ArrayField,
}


class _V2Plugin(Plugin):
    def select_field_class(self, type: str | None = None) -> Any:
        if getattr(_state, "depth", 0) <= 0:
            return None  # this thread is outside `active()`: frictionless-py as it ships
        return _CLASSES.get(type or "")


@contextlib.contextmanager
def active() -> Iterator[None]:
    """While inside, frictionless-py reads string, integer, list, object and array fields with
    the v2 rules (re-entrant). Layer 1 runs inside (`structure.run.check_structure`); outside,
    frictionless-py is left as it ships, so a test comparing with it compares with the
    original.

    frictionless-py keeps its plugins in one process-wide registry (`frictionless.system`),
    and registering or removing one there while another thread validates would switch that
    validation's field readers midway. So the plugin is registered once and stays; whether it
    answers is this thread's own state, and two validations in two threads cannot change each
    other's rules."""
    global _registered
    if not _registered:
        with _register_lock:
            if not _registered:
                system.register(_PLUGIN_NAME, _V2Plugin())
                _registered = True
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1


def frictionless_schema(resource: Resource) -> dict[str, Any]:
    """A copy of the resource's schema for frictionless-py, which reads v2 properties
    (labelled `missingValues`, `exclusiveMinimum`, …) only under a v2 profile: a resource of a
    v2 package gets the v2 Table Schema profile when its schema names none."""
    schema = copy.deepcopy(resource.schema)
    if resource.standard == "v2" and "$schema" not in schema:
        schema["$schema"] = v2.TABLESCHEMA_V2
    return schema


@attrs.define(kw_only=True, repr=False)
class UniqueKeysCheck(Check):
    """The frictionless engine's `uniqueKeys`: each table's keys over frictionless's parsed
    (logical) values, rows in record order; the records are collected per table."""

    type = "clusterdata-unique-keys"
    Errors: ClassVar[list[Any]] = []

    keys: dict[str, list[list[str]]] = attrs.field(factory=dict)
    #: Per table: (row number, key values, the row's cells) of every row.
    seen: dict[str, list[tuple[int, list[Any], list[str]]]] = attrs.field(factory=dict)

    def validate_row(self, row: Any) -> Any:
        name = str(self.resource.name)
        keys = self.keys.get(name)
        if keys:
            fields = dict.fromkeys(f for key in keys for f in key)
            values = [row[f] for f in fields]  # None when missing or not of the type
            cells = ["" if c is None else str(c) for c in row.cells]
            self.seen.setdefault(name, []).append((row.row_number, values, cells))
        return []

    def records(self, resource: Resource) -> list[TableError]:
        """The `unique-key` records of one table, key by key, in row order."""
        keys = self.keys.get(resource.name) or []
        rows = self.seen.get(resource.name, [])
        fields = list(dict.fromkeys(f for key in keys for f in key))
        out: list[TableError] = []
        cells = {n: row_cells for n, _, row_cells in rows}
        for key in keys:
            where = [fields.index(f) for f in key]
            found = v2.repeats(
                (n, tuple(_comparable(vals[i]) for i in where)) for n, vals, _ in rows
            )
            out.extend(unique_key_record(key, n, prev, cells.get(n)) for n, prev in found)
        return out


def _comparable(value: Any) -> Any:
    """A logical value as a dict key: equal values are equal keys ("1.0" and "1.00" are one
    number). For the types the DuckDB engine compares as canonical text, text equality is
    value equality (`duckdb_engine.schema._KEY_TYPES`), so both engines agree."""
    if isinstance(value, list):
        return tuple(_comparable(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return value


def unique_key_record(
    key: list[str], row: int, earlier: int, cells: list[str] | None
) -> TableError:
    """One repeated unique key, as both engines report it."""
    return TableError(
        kind="unique-key",
        row=row,
        field=key[0],
        cells=tuple(cells or ()),
        key_fields=tuple(key),
        earlier_row=earlier,
        note=f'the unique key "{", ".join(key)}" repeats row {earlier}',
    )

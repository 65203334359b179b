"""A resource's Table Schema as the fast path needs it: whether its keys can be compared as
canonical text (`schema_supported`), the frictionless `Schema` parsed once per validation
(`parse_schema`), and frictionless's own cell handlers, the judge of every doubtful cell.
"""

from __future__ import annotations

import weakref
from typing import Any

from clusterdata.core.package import Resource

#: Types whose parsed values compare equal exactly when `str(value)` does, so keys can be
#: compared as canonical text in SQL.
_KEY_TYPES = {"string", "integer", "year", "date", "boolean"}


def schema_supported(resource: Resource, package_resources: dict[str, Resource]) -> bool:
    """Keys of types whose values compare like their text; foreign keys between equal types."""
    schema = resource.table_schema
    types = {f.name: f.type for f in schema.fields}
    keyed = set(schema.primary_key)
    keyed.update(f for key in schema.unique_keys for f in key)
    keyed.update(schema.unique_fields)
    for fk in schema.foreign_keys:
        keyed.update(fk.fields)
        target = package_resources.get(fk.reference.target(resource.name))
        if target is None:
            continue
        target_types = {f.name: f.type for f in target.table_schema.fields}
        for local, remote in zip(fk.fields, fk.reference.fields, strict=False):
            if types.get(local) != target_types.get(remote):
                return False
            if target_types.get(remote) not in _KEY_TYPES:
                return False
    return all(types.get(name, "string") in _KEY_TYPES for name in keyed)


#: id(resource) → its validated frictionless `Schema`; an entry leaves with its resource.
_SCHEMAS: dict[int, Any] = {}


def parse_schema(resource: Resource) -> Any:
    """The resource's schema as a validated frictionless `Schema`, parsed once.

    Raises what `Schema.from_descriptor` raises. Layer 1 validates every schema
    (`structure.preflight.schema_findings`) and the fast path then reads each field's missing values,
    constraints and cell readers from the same object: a parse is not free, and a package has a
    dozen tables.
    """
    key = id(resource)
    cached = _SCHEMAS.get(key)
    if cached is not None:
        return cached
    from frictionless import Schema

    from clusterdata.validation.structure.v2fields import active, frictionless_schema

    # frictionless keeps, and may normalise, the descriptor it is given: it gets a copy (with
    # the v2 profile for a v2 resource), read with the v2 field rules (`v2fields`).
    with active():
        schema = Schema.from_descriptor(frictionless_schema(resource))
    _SCHEMAS[key] = schema
    weakref.finalize(resource, _SCHEMAS.pop, key, None)
    return schema


def _fl_schema(resource: Resource) -> Any:
    """The parsed schema (layer 1 validated it already), or a parse without validation."""
    cached = _SCHEMAS.get(id(resource))
    if cached is not None:
        return cached
    from frictionless import Schema

    from clusterdata.validation.structure.v2fields import active, frictionless_schema

    with active():
        return Schema.from_descriptor(frictionless_schema(resource), allow_invalid=True)


def _cell_handlers(fl_schema: Any) -> dict[str, Any]:
    """frictionless's cell handlers for the schema's fields, without their pattern checks.

    Unlike `create_cell_handlers` (which copies every field, at a cost per field) the handlers share
    the schema's fields, which nothing here changes. A field's reader compiles its checks when
    it is created and reads `constraints` again only for the note of a failed check, so a
    reader made while the field's constraints lack `pattern` never runs Python's unbounded `re`
    on a hostile pattern (`patterncheck.RowPatterns` checks them, with a time limit); the field
    gets its constraints back at once.
    """
    from frictionless.table.row import _CellHandler

    handlers: dict[str, Any] = {}
    for number, fl_field in enumerate(fl_schema.fields, start=1):
        constraints = fl_field.constraints
        if "pattern" in constraints:
            fl_field.constraints = {k: v for k, v in constraints.items() if k != "pattern"}
            try:
                reader = fl_field.create_cell_reader()
            finally:
                fl_field.constraints = constraints
        else:
            reader = fl_field.create_cell_reader()
        handlers[fl_field.name] = _CellHandler(
            field=fl_field,
            field_number=number,
            reader=reader,
            writer=fl_field.create_cell_writer(),
        )
    return handlers

"""A Table Schema as typed values, parsed once per resource (`Resource.table_schema`).

Every consumer used to read the descriptor's dicts itself (`fields`, `primaryKey`,
`foreignKeys`, `missingValues`, `constraints`, `uniqueKeys`, `categories`), each with its own
guess at what a malformed or short-hand value means. Here each property is normalised once, the
same way for all of them, following https://datapackage.org/standard/table-schema/ (v2) and
https://specs.frictionlessdata.io/table-schema/ (v1):

* keys: "`primaryKey` ... MUST be an array of strings ... or a single string" (the v1 short
  form): a string becomes a one-field tuple, and a foreign key's `fields` and `reference.fields`
  likewise. A reference without a `resource` (or with `""`) is the table itself.
* `uniqueKeys` (v2): only keys whose fields all exist; a key naming an unknown field is a schema
  error, which `tableschema.v2.schema_problems` reports from the descriptor.
* `missingValues`: a list of strings (v1) or of `{"value", "label"}` objects (v2, labelled
  missing values); the default is `[""]`. A field may declare its own (v2), which then replaces
  the schema's for that field.
* `categories` (v2, string and integer fields): plain values or `{"value", "label"}` objects,
  in declared order; `categoriesOrdered` only counts when there are categories.

The builder is total: descriptors are untrusted, and anything malformed reads as absent (a field
that is not an object or has no string name is not a field), exactly as the schema check
(`validation.structure.preflight.schema_findings`) treats it before it reports the schema. The
descriptor itself stays on each object (`descriptor`) for the consumers that must echo it
(`publish` copies it verbatim, the site shows it) and for the type-specific options the cell
rules read (`tableschema.cells`: `trueValues`, `groupChar`, `bareNumber`, …).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clusterdata.tableschema.lexical import DEFAULT_MISSING

#: Field types that may carry `categories` ("`string` and `integer` field types MAY include").
CATEGORY_TYPES = frozenset({"string", "integer"})
#: Field types that may carry the `jsonSchema` constraint ("Fields: array, object").
JSON_SCHEMA_TYPES = frozenset({"object", "array"})


def key_names(value: Any) -> tuple[str, ...]:
    """A `primaryKey`, foreign key `fields` or `uniqueKeys` member (a name or a list of names)
    as a tuple; names that are not strings are dropped."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def missing_value_list(values: Any) -> tuple[str, ...]:
    """A `missingValues` list's values: strings (v1) or `{"value": ...}` objects (v2); other
    items are ignored, and anything that is not a list is the default `[""]`."""
    return tuple(value for value, _ in labelled_missing_values(values))


def labelled_missing_values(values: Any) -> tuple[tuple[str, str | None], ...]:
    """(value, label) per missing value: v2's `{"value": "-99", "label": "refused"}` keeps its
    label, a plain string (v1) has none."""
    if not isinstance(values, list):
        return tuple((v, None) for v in DEFAULT_MISSING)
    out: list[tuple[str, str | None]] = []
    for item in values:
        if isinstance(item, str):
            out.append((item, None))
        elif isinstance(item, dict) and isinstance(item.get("value"), str):
            label = item.get("label")
            out.append((item["value"], label if isinstance(label, str) else None))
    return tuple(out)


@dataclass(frozen=True)
class Category:
    """One of a field's v2 `categories`: its value, and its label when it has one."""

    value: str | int
    label: str | None = None


@dataclass(frozen=True)
class Constraints:
    """A field's `constraints`; a bound that is absent (or `null`) is None. `enum` keeps the
    declared members (JSON values, parsed by each consumer as the field's type)."""

    required: bool = False
    unique: bool = False
    enum: tuple[Any, ...] | None = None
    pattern: str | None = None
    minimum: Any = None
    maximum: Any = None
    exclusive_minimum: Any = None
    exclusive_maximum: Any = None
    min_length: int | None = None
    max_length: int | None = None
    json_schema: Mapping[str, Any] | None = field(default=None, compare=False)
    descriptor: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def bounds(self) -> dict[str, Any]:
        """The declared bounds by their descriptor names (`minimum`, `exclusiveMaximum`, …)."""
        named = {
            "minimum": self.minimum,
            "maximum": self.maximum,
            "exclusiveMinimum": self.exclusive_minimum,
            "exclusiveMaximum": self.exclusive_maximum,
        }
        return {k: v for k, v in named.items() if v is not None}


@dataclass(frozen=True)
class Field:
    """One field: its name, type (default `string`), format (default `default`), constraints,
    own missing values (None: the schema's) and v2 categories (None: it has none)."""

    name: str
    type: str = "string"
    format: str = "default"
    constraints: Constraints = field(default_factory=Constraints)
    missing_values: tuple[str, ...] | None = None
    categories: tuple[Category, ...] | None = None
    categories_ordered: bool = False
    descriptor: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_descriptor(cls, spec: Mapping[str, Any]) -> Field:
        """One field descriptor (a name that is not a string reads as its text)."""
        ftype = str(spec.get("type") or "string")
        own = spec.get("missingValues")
        categories = _categories(spec.get("categories"), ftype)
        name = spec.get("name")
        return cls(
            name=name if isinstance(name, str) else str(name or ""),
            type=ftype,
            format=str(spec.get("format") or "default"),
            constraints=_constraints(spec.get("constraints"), ftype),
            missing_values=None if own is None else missing_value_list(own),
            categories=categories,
            categories_ordered=spec.get("categoriesOrdered") is True and categories is not None,
            descriptor=spec if isinstance(spec, dict) else dict(spec),
        )

    @property
    def category_values(self) -> list[str | int] | None:
        return None if self.categories is None else [c.value for c in self.categories]

    @property
    def category_labels(self) -> dict[str | int, str]:
        return {c.value: c.label for c in self.categories or () if c.label is not None}

    @property
    def title(self) -> str | None:
        value = self.descriptor.get("title")
        return value if isinstance(value, str) else None

    @property
    def description(self) -> str | None:
        value = self.descriptor.get("description")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Reference:
    """What a foreign key points at: a resource (`""`: the table itself) and its fields."""

    resource: str
    fields: tuple[str, ...]

    def target(self, own: str) -> str:
        """The referenced table's name, given the name of the table the key belongs to."""
        return self.resource or own


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    reference: Reference
    #: As declared, for the consumers that hand the key on (frictionless-py reads it).
    descriptor: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def pairs_up(self) -> bool:
        """Whether the key has fields, as many as its reference has."""
        return bool(self.fields) and len(self.fields) == len(self.reference.fields)


@dataclass(frozen=True)
class Schema:
    """A Table Schema, normalised (see the module's docstring)."""

    fields: tuple[Field, ...] = ()
    primary_key: tuple[str, ...] = ()
    unique_keys: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    missing_values: tuple[str, ...] = DEFAULT_MISSING
    #: (value, label) of the schema's missing values; the label is None unless v2 gives one.
    missing_labels: tuple[tuple[str, str | None], ...] = ()
    descriptor: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_descriptor(cls, descriptor: Any) -> Schema:
        """The one parse of a schema descriptor (anything that is not an object is empty)."""
        if not isinstance(descriptor, Mapping):
            return cls(descriptor={})
        descriptor = descriptor if isinstance(descriptor, dict) else dict(descriptor)
        fields = tuple(
            Field.from_descriptor(spec)
            for spec in _list(descriptor.get("fields"))
            if isinstance(spec, dict) and isinstance(spec.get("name"), str)
        )
        names = {f.name for f in fields}
        unique = tuple(
            key
            for key in (key_names(k) for k in _list(descriptor.get("uniqueKeys")))
            if key and all(n in names for n in key)
        )
        labelled = labelled_missing_values(descriptor.get("missingValues", list(DEFAULT_MISSING)))
        return cls(
            fields=fields,
            primary_key=key_names(descriptor.get("primaryKey")),
            unique_keys=unique,
            foreign_keys=tuple(
                _foreign_key(fk)
                for fk in _list(descriptor.get("foreignKeys"))
                if isinstance(fk, dict)
            ),
            missing_values=tuple(value for value, _ in labelled),
            missing_labels=labelled,
            descriptor=descriptor,
        )

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field | None:
        """The first field of that name."""
        return next((f for f in self.fields if f.name == name), None)

    def missing_values_of(self, field: Field) -> tuple[str, ...]:
        """A field's own missing values (v2) when it declares them, else the schema's."""
        return self.missing_values if field.missing_values is None else field.missing_values

    def is_unique_key(self, names: tuple[str, ...]) -> bool:
        """Whether no two rows may share these fields' values: the primary key, a `uniqueKeys`
        member, or one field with the `unique` constraint."""
        if names == self.primary_key or names in self.unique_keys:
            return True
        if len(names) == 1:
            one = self.field(names[0])
            return one is not None and one.constraints.unique
        return False

    @property
    def unique_fields(self) -> list[str]:
        """Fields with the `unique` constraint, in schema order."""
        return [f.name for f in self.fields if f.constraints.unique]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _constraints(declared: Any, ftype: str) -> Constraints:
    if not isinstance(declared, dict):
        return Constraints()
    enum = declared.get("enum")
    pattern = declared.get("pattern")
    json_schema = declared.get("jsonSchema")
    return Constraints(
        required=declared.get("required") is True,
        unique=declared.get("unique") is True,
        enum=tuple(enum) if isinstance(enum, list) else None,
        pattern=pattern if isinstance(pattern, str) else None,
        minimum=declared.get("minimum"),
        maximum=declared.get("maximum"),
        exclusive_minimum=declared.get("exclusiveMinimum"),
        exclusive_maximum=declared.get("exclusiveMaximum"),
        min_length=_length(declared.get("minLength")),
        max_length=_length(declared.get("maxLength")),
        json_schema=json_schema
        if isinstance(json_schema, dict) and ftype in JSON_SCHEMA_TYPES
        else None,
        descriptor=declared,
    )


def _length(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _categories(declared: Any, ftype: str) -> tuple[Category, ...] | None:
    """The categories whose values are strings or integers, in declared order (None when the
    field has none or its type may not have them); `schema_problems` reports the rest."""
    if not isinstance(declared, list) or ftype not in CATEGORY_TYPES:
        return None
    out: list[Category] = []
    for item in declared:
        value = item.get("value") if isinstance(item, dict) else item
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            label = item.get("label") if isinstance(item, dict) else None
            out.append(Category(value, label if isinstance(label, str) else None))
    return tuple(out)


def _foreign_key(declared: dict[str, Any]) -> ForeignKey:
    ref = declared.get("reference")
    ref = ref if isinstance(ref, dict) else {}
    return ForeignKey(
        fields=key_names(declared.get("fields")),
        reference=Reference(
            resource=str(ref.get("resource") or ""), fields=key_names(ref.get("fields"))
        ),
        descriptor=declared,
    )

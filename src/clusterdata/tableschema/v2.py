"""Data Package v2 (2024) Table Schema rules frictionless-py 5.21 does not check, written once.

Both layer-1 engines, `load()` and `connect()` read these properties through this module, so a
package means the same to all of them. The spec is https://datapackage.org/standard/table-schema/
(quoted below); where frictionless-py disagrees with it, the spec is followed (the case is named
in `validation/structure/v2fields.py` and in `tests/unit/validation/test_v2_frictionless_py.py`).

These properties are read whatever version a package declares: v1 has none of them, so a v1
package that writes one means the v2 property (v2 only adds to v1). The version matters where
v1 and v2 differ on a property both know (labelled `missingValues`, `exclusiveMinimum`): there
frictionless-py's version gate decides, as `Resource.standard` tells it.

* `categories` — "`string` and `integer` field types MAY include a `categories` property to
  restrict the field to a finite set of possible values" and "The logical representation of data
  in the field MUST exactly match one of the values in `categories`". Either plain values or
  objects with a `value` (and an optional `label`). frictionless-py ignores the property.
* `categoriesOrdered` — "When `categoriesOrdered` is `true`, implementations SHOULD regard the
  order of appearance of the values in the `categories` property as their natural order":
  `load()` gives such a column an ordered Categorical.
* `uniqueKeys` — "each row has a unique set of logical values in the fields" of each key, and
  "field values that are on the logical level are considered to be `null` values MUST be excluded
  from the uniqueness check" (SQL's unique constraint: a key holding a null never repeats).
  frictionless-py ignores the property.
* `jsonSchema` (a constraint of `object` and `array` fields) — "A valid JSON Schema object to
  validate field values. If a field value conforms to the provided JSON Schema then this field
  value is valid." frictionless-py rejects the whole schema when it meets it.
* `groupChar` on integers — "A string whose value is used to group digits within the integer"
  (`cells.integer_text` applies it). frictionless-py applies it to numbers only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from clusterdata.tableschema.keys import fields_of, key_fields
from clusterdata.tableschema.model import CATEGORY_TYPES, Field, Schema

#: The Table Schema profile of Data Package v2; frictionless-py reads v2 properties (labelled
#: `missingValues`, `exclusiveMinimum`, …) only in a schema that declares a v2 profile.
TABLESCHEMA_V2 = "https://datapackage.org/profiles/2.0/tableschema.json"


def category_values(field: Mapping[str, Any]) -> list[Any] | None:
    """The values a field's `categories` allow, in their declared order; None when the field
    has none (or is of a type that may not have them)."""
    return Field.from_descriptor(field).category_values


def category_labels(field: Mapping[str, Any]) -> dict[Any, str]:
    """{value: label} of the categories that carry a label."""
    return dict(Field.from_descriptor(field).category_labels)


def categories_ordered(field: Mapping[str, Any]) -> bool:
    return Field.from_descriptor(field).categories_ordered


def category_test(field: Mapping[str, Any]) -> Callable[[Any], bool]:
    """A function parsed value → whether it is one of the field's categories (always True when
    it has none).

    "MUST exactly match": the integer 1 matches the category 1, not "1"; a string matches
    only the same string."""
    values = category_values(field)
    if values is None:
        return lambda value: True
    allowed = {(type(v), v) for v in values}
    return lambda value: not isinstance(value, bool) and (type(value), value) in allowed


def categories_note(field: Mapping[str, Any]) -> str:
    """The note of a broken `categories` rule, in frictionless's constraint-note form (the
    check id is then `constraint-categories`)."""
    return f'constraint "categories" is "{json.dumps(category_values(field), ensure_ascii=False)}"'


def json_schema(field: Mapping[str, Any]) -> dict[str, Any] | None:
    """The field's `jsonSchema` constraint, when it has one and its type may carry it."""
    found = Field.from_descriptor(field).constraints.json_schema
    return dict(found) if found is not None else None


class JsonSchemaProblem(ValueError):
    """The `jsonSchema` constraint is not a JSON Schema clusterdata can check."""


#: Seconds the regular expressions of one field's `jsonSchema` may spend in all, plus
#: `PER_VALUE_SECONDS` per value checked: the bound of `tableschema.patterns`, for the same
#: reason (a package is untrusted and Python's `re` backtracks without bound).
BASE_SECONDS = 1.0
PER_VALUE_SECONDS = 10e-6


class _RegexBudget:
    """The time one field's JSON Schema regexes may take; once spent, a regex is taken to match
    (nothing more is reported for it), after one value that ran out is reported."""

    def __init__(self) -> None:
        self.allowance = BASE_SECONDS
        self.spent = 0.0
        self.exhausted = False
        self.compiled: dict[str, Any] = {}

    def search(self, pattern: str, text: str) -> bool | None:
        """Whether `pattern` occurs in `text` (JSON Schema regexes are not anchored); None when
        this search ran out of time."""
        import time

        import regex

        if self.exhausted:
            return True
        compiled = self.compiled.get(pattern)
        if compiled is None:
            compiled = self.compiled[pattern] = regex.compile(pattern, flags=regex.VERSION0)
        start = time.perf_counter()
        try:
            found = compiled.search(text, timeout=max(self.allowance - self.spent, 1e-6))
        except TimeoutError:
            self.exhausted = True
            return None
        finally:
            self.spent += time.perf_counter() - start
        return found is not None


def _refs_and_keywords(node: Any, out: dict[str, list[Any]]) -> None:
    """Every `$ref`, regex and `unevaluatedProperties` in a JSON Schema, however deep."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"$ref", "$dynamicRef", "$recursiveRef"}:
                out.setdefault("ref", []).append(value)
            elif key == "pattern":
                out.setdefault("regex", []).append(value)
            elif key == "patternProperties" and isinstance(value, dict):
                out.setdefault("regex", []).extend(value)
                out.setdefault("patternProperties", []).append(value)
            elif key == "unevaluatedProperties":
                out.setdefault("unevaluated", []).append(value)
            _refs_and_keywords(value, out)
    elif isinstance(node, list):
        for item in node:
            _refs_and_keywords(item, out)


def json_schema_check(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """A function value → whether it conforms to `schema`, for the JSON Schema draft the schema
    names in its own `$schema` (the newest draft when it names none).

    Raises `JsonSchemaProblem` for a schema that is not valid or that cannot be checked safely:
    references outside the schema (validation reads only the package's own files), and
    `unevaluatedProperties` beside `patternProperties` (the validator's own regex search there
    has no time bound). The regexes of `pattern`, `patternProperties` and
    `additionalProperties` run under a time budget (`_RegexBudget`)."""
    import jsonschema
    import regex
    from referencing import Registry

    found: dict[str, list[Any]] = {}
    _refs_and_keywords(schema, found)
    outside = [r for r in found.get("ref", []) if not (isinstance(r, str) and r.startswith("#"))]
    if outside:
        raise JsonSchemaProblem(
            f"its jsonSchema refers outside itself ({json.dumps(outside[0])}), which is not "
            "followed: give the referenced definitions inside the jsonSchema ($defs)"
        )
    if found.get("unevaluated") and found.get("patternProperties"):
        raise JsonSchemaProblem(
            "its jsonSchema combines unevaluatedProperties with patternProperties, whose "
            "regular expressions cannot be checked in bounded time there"
        )
    base = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        base.check_schema(schema)
        for pattern in found.get("regex", []):
            regex.compile(pattern, flags=regex.VERSION0)
    except jsonschema.SchemaError as exc:
        raise JsonSchemaProblem(
            f"its jsonSchema is not a valid JSON Schema: {exc.message}"
        ) from exc
    except (regex.error, TypeError, RecursionError) as exc:
        raise JsonSchemaProblem(
            f"its jsonSchema has a regular expression that is not valid: {exc}"
        ) from exc
    budget = _RegexBudget()
    cls = jsonschema.validators.extend(base, _bounded_keywords(budget))
    validator = cls(schema, registry=Registry())

    def conforms(value: Any) -> bool:
        budget.allowance += PER_VALUE_SECONDS
        try:
            return bool(validator.is_valid(value))
        except (jsonschema.exceptions.JsonSchemaException, RecursionError, LookupError):
            return False

    return conforms


def _bounded_keywords(budget: _RegexBudget) -> dict[str, Callable[..., Any]]:
    """`pattern`, `patternProperties` and `additionalProperties` with `budget`'s regex search
    instead of `re`, otherwise as jsonschema implements them."""
    from jsonschema.exceptions import ValidationError

    def pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
        if validator.is_type(instance, "string"):
            match = budget.search(pattern, instance)
            if match is None:
                yield ValidationError(f"matching {pattern!r} took too long on {instance!r}")
            elif not match:
                yield ValidationError(f"{instance!r} does not match {pattern!r}")

    def pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Any:
        if not validator.is_type(instance, "object"):
            return
        for regex_source, subschema in patterns.items():
            for key, value in instance.items():
                if budget.search(regex_source, key):
                    yield from validator.descend(
                        value, subschema, path=key, schema_path=regex_source
                    )

    def additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Any:
        if not validator.is_type(instance, "object"):
            return
        declared = schema.get("properties", {})
        patterns = list(schema.get("patternProperties", {}))
        extras = [
            key
            for key in instance
            if key not in declared and not any(budget.search(p, key) for p in patterns)
        ]
        if validator.is_type(extra, "object"):
            for key in extras:
                yield from validator.descend(instance[key], extra, path=key)
        elif extra is False and extras:
            yield ValidationError(f"additional properties are not allowed: {sorted(extras)}")

    return {
        "pattern": pattern,
        "patternProperties": pattern_properties,
        "additionalProperties": additional_properties,
    }


def json_schema_note(field: Mapping[str, Any]) -> str:
    return f'constraint "jsonSchema" is "{json.dumps(json_schema(field), ensure_ascii=False)}"'


def unique_keys(schema: Mapping[str, Any]) -> list[list[str]]:
    """The schema's `uniqueKeys` whose fields all exist (a key naming an unknown field is a
    schema error, reported by `schema_problems`)."""
    return [list(key) for key in Schema.from_descriptor(schema).unique_keys]


def repeats(rows: Iterable[tuple[int, tuple[Any, ...]]]) -> list[tuple[int, int]]:
    """(row, the last earlier row with the same key) for each repeated key, a key holding a null
    (None) never repeating. `rows` are (row number, key values) in record order."""
    last: dict[tuple[Any, ...], int] = {}
    found: list[tuple[int, int]] = []
    for number, key in rows:
        if any(v is None for v in key):
            continue
        if key in last:
            found.append((number, last[key]))
        last[key] = number
    return found


def schema_problems(schema: Mapping[str, Any]) -> list[str]:
    """What is wrong with the v2 properties of a schema, one sentence each (a schema error:
    the table is not checked further, as for any schema frictionless cannot load)."""
    problems: list[str] = []
    names = {f["name"] for f in fields_of(schema)}
    declared = schema.get("uniqueKeys")
    if declared is not None:
        if not isinstance(declared, list) or not declared:
            problems.append("uniqueKeys must be a non-empty list of lists of field names")
        else:
            for key in declared:
                fields = key_fields(key)
                unknown = [f for f in fields if f not in names]
                if not fields or unknown or not isinstance(key, list):
                    problems.append(
                        f"the unique key {json.dumps(key)} names fields that do not exist: "
                        f"{', '.join(unknown) or 'none given'}"
                    )
    for field in fields_of(schema):
        name = field["name"]
        if "categories" in field:
            problems.extend(_category_problems(field))
        constraints = field.get("constraints")
        if isinstance(constraints, dict) and "jsonSchema" in constraints:
            found = json_schema(field)
            if found is None:
                problems.append(
                    f"field {name!r}: the jsonSchema constraint applies to object and array "
                    "fields and must be a JSON object"
                )
            else:
                try:
                    json_schema_check(found)
                except JsonSchemaProblem as exc:
                    problems.append(f"field {name!r}: {exc}")
    return problems


def _category_problems(field: Mapping[str, Any]) -> list[str]:
    name = field["name"]
    ftype = str(field.get("type") or "string")
    declared = field.get("categories")
    if ftype not in CATEGORY_TYPES:
        return [f"field {name!r}: categories apply to string and integer fields, not {ftype}"]
    if not isinstance(declared, list) or not declared:
        return [f"field {name!r}: categories must be a non-empty list"]
    wanted = str if ftype == "string" else int
    values = [item.get("value") if isinstance(item, dict) else item for item in declared]
    if any(type(v) is not wanted for v in values):
        return [f"field {name!r}: every category of a {ftype} field must be a {ftype}"]
    if len({json.dumps(v) for v in values}) != len(values):
        return [f"field {name!r}: the categories repeat a value"]
    labels = [item["label"] for item in declared if isinstance(item, dict) and "label" in item]
    if any(not isinstance(label, str) for label in labels) or len(set(labels)) != len(labels):
        return [f"field {name!r}: category labels must be unique strings"]
    constraints = field.get("constraints")
    enum = constraints.get("enum") if isinstance(constraints, dict) else None
    if isinstance(enum, list) and any(v not in values for v in enum):
        return [f"field {name!r}: the enum values must be a subset of the categories"]
    return []

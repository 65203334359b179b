"""A schema's fields and keys as lists, read the same way everywhere (descriptors are untrusted:
anything malformed reads as absent, and the schema check reports it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clusterdata.core.package import Resource


def fields_of(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The schema's field descriptors that have a string name."""
    fields = schema.get("fields")
    if not isinstance(fields, list):
        return []
    return [f for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)]


def key_fields(value: Any) -> list[str]:
    """A `primaryKey` or foreign key `fields` value (a name or a list of names) as a list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def reference(fk: Mapping[str, Any]) -> tuple[str, list[str]]:
    """A foreign key's target: (resource name, "" for the table itself; its fields)."""
    ref = fk.get("reference")
    if not isinstance(ref, dict):
        return "", []
    return str(ref.get("resource") or ""), key_fields(ref.get("fields"))


def dependency_order(resources: Sequence[Resource]) -> list[Resource]:
    """Referenced tables first, so a table's foreign keys can name tables already created
    (a table referring to itself, and a cycle, keep file order)."""
    by_name = {r.name: r for r in resources}
    done: list[Resource] = []
    visiting: set[str] = set()

    def visit(resource: Resource) -> None:
        if resource in done or resource.name in visiting:
            return
        visiting.add(resource.name)
        for fk in resource.foreign_keys:
            target = by_name.get(reference(fk)[0])
            if target is not None and target is not resource:
                visit(target)
        visiting.discard(resource.name)
        done.append(resource)

    for resource in resources:
        visit(resource)
    return done

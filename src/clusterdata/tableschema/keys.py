"""A schema's fields and keys as the raw-descriptor checks read them, and the order tables are
created in. Consumers of a resource read its keys from `Resource.table_schema`
(`tableschema.model`); these helpers serve code that checks or rewrites a descriptor itself
(descriptors are untrusted: anything malformed reads as absent, and the schema check reports it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from clusterdata.tableschema.model import key_names

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
    return list(key_names(value))


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
        for fk in resource.table_schema.foreign_keys:
            target = by_name.get(fk.reference.resource)
            if target is not None and target is not resource:
                visit(target)
        visiting.discard(resource.name)
        done.append(resource)

    for resource in resources:
        visit(resource)
    return done

"""The release's tables as the site shows them: the published text of each CSV, as downloaded."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from clusterdata.core.tables import read_rows
from clusterdata.site.release import Release


@dataclass
class Table:
    name: str
    slug: str
    spec: dict[str, Any]
    header: list[str]
    rows: list[list[str]]
    numeric: set[str] = field(default_factory=set)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-") or "table"


def read_tables(release: Release) -> list[Table]:
    """The tabular resources as published text (what a download holds), in descriptor order."""
    from clusterdata.core.package import open_package

    package = open_package(release.folder)
    tables, slugs = [], set()
    for resource in package.resources:
        labels, rows = read_rows(resource)  # any format and dialect, as `validate` reads it
        if not labels and not rows:
            continue
        records = [labels, *([cell or "" for cell in row] for row in rows)]
        name = slug(resource.name)
        while name in slugs:
            name += "-"
        slugs.add(name)
        numeric = {
            f.name for f in resource.table_schema.fields if f.type in ("integer", "number", "year")
        }
        tables.append(
            Table(
                resource.name,
                name,
                release.resource_spec(resource.name) or {"schema": resource.schema},
                records[0],
                records[1:],
                numeric,
            )
        )
    return tables

"""Row- and schema-level differences between two versions of a data package.

The diff decides the next release's version (MAJOR can break a consumer, MINOR adds,
PATCH corrects), so it is conservative: when a change cannot be proven compatible it counts as
breaking. Values are compared *as parsed* by their Table Schema type ("1.50" and "1.5" are the
same number), so a purely cosmetic reformatting is not a change.

Only the CSV tables of each side are compared; resources a release adds on its own (exports,
the delta file) carry `"x-release"` in the descriptor and are ignored, so a source package and a
published release of it diff as equal.

The modules, each importing only those above it:

- `model`: the change records (`Change`, `RowChange`, `TableDiff`, `PackageDiff`) and the
  version level a `PackageDiff` implies;
- `reading`: a CSV table's cells as typed values (`parse_cell`, `canonical`, `read_table`);
- `schema`: field, type, constraint and key changes of one table, each with its level;
- `metadata`: package and resource descriptor metadata changes;
- `rows`: one table's rows matched by key (or as a multiset), plus its schema changes;
- `packages`: `diff_packages`, the whole comparison;
- `render`: text, Markdown and JSON reports and the rows of the delta file;
- `sides`: opening OLD and NEW of `clusterdata diff` (path, published version, git ref).

Everything public is re-exported here, so `from clusterdata.diff import X` works for all of it.
"""

from __future__ import annotations

from clusterdata.diff.metadata import (
    PACKAGE_VOLATILE,
    RESOURCE_STRUCTURAL,
    diff_metadata,
    diff_resource_metadata,
)
from clusterdata.diff.model import (
    Change,
    FieldChange,
    PackageDiff,
    RowChange,
    TableDiff,
    format_key,
)
from clusterdata.diff.packages import data_resources, diff_packages
from clusterdata.diff.reading import Table, canonical, parse_cell, read_table
from clusterdata.diff.render import (
    RENDER_LIMIT,
    SMALL_VALUE,
    iter_delta,
    markdown_table_entry,
    render,
    render_markdown,
    render_text,
    small,
)
from clusterdata.diff.rows import diff_tables, whole_table
from clusterdata.diff.schema import (
    FIELD_METADATA,
    FIELD_PARSING,
    LOWER_BOUNDS,
    UNIVERSAL_TYPES,
    UPPER_BOUNDS,
    WIDER_TYPES,
    diff_schema,
    type_change,
)
from clusterdata.diff.sides import Side, open_side

__all__ = [
    "FIELD_METADATA",
    "FIELD_PARSING",
    "LOWER_BOUNDS",
    "PACKAGE_VOLATILE",
    "RENDER_LIMIT",
    "RESOURCE_STRUCTURAL",
    "SMALL_VALUE",
    "UNIVERSAL_TYPES",
    "UPPER_BOUNDS",
    "WIDER_TYPES",
    "Change",
    "FieldChange",
    "PackageDiff",
    "RowChange",
    "Side",
    "Table",
    "TableDiff",
    "canonical",
    "data_resources",
    "diff_metadata",
    "diff_packages",
    "diff_resource_metadata",
    "diff_schema",
    "diff_tables",
    "format_key",
    "iter_delta",
    "markdown_table_entry",
    "open_side",
    "parse_cell",
    "read_table",
    "render",
    "render_markdown",
    "render_text",
    "small",
    "type_change",
    "whole_table",
]

"""How `clusterdata format` keeps a table's dialect (`canonical`): what comes before the rows,
and the rewrites it refuses because they would move a row the dialect keeps in place or turn a
value into the null sequence.

Canonical form sorts the data rows; rows that are not data (a header over several rows, a
title, comment rows) keep their place above the data, as written, with LF endings. A comment
row *among* the data rows has no place once the rows are sorted, so such a file is refused.
"""

from __future__ import annotations

from clusterdata.authoring.csvtable import FormatRefused, Table, write_rows
from clusterdata.core.findings import error
from clusterdata.core.package import Resource


def head_text(resource: Resource, table: Table, names: list[str]) -> str:
    """What comes before the rows: the header from `names`, nothing for `header: false`, or
    the file's own header and comment rows as written (LF endings)."""
    if table.head is not None:
        head = table.head.replace("\r\n", "\n").replace("\r", "\n")
        return head if not head or head.endswith("\n") else head + "\n"
    return write_rows(resource, [names]) if resource.csv_dialect.has_header else ""


def refuse_moving_kept_rows(resource: Resource, table: Table, in_order: bool) -> None:
    """Raise when the rewrite would move a comment row, or reorder the columns of a header
    that is kept as written (`in_order`: the labels are the schema's fields in its order)."""
    where = {"resource": resource.name, "path": resource.path}
    if table.comment_lines:
        raise FormatRefused(
            [
                error(
                    "format-refused",
                    "A comment row lies among the data rows; sorting the rows would move it, "
                    "so the file is not rewritten.",
                    **where,
                    line=table.comment_lines[0],
                    hint="Move comment rows above the first data row (or delete them).",
                )
            ]
        )
    if table.head is not None and not in_order:
        names = resource.field_names
        raise FormatRefused(
            [
                error(
                    "format-refused",
                    "The header rows do not list the schema's fields in its order, and a "
                    "header over several rows (or with comment rows) is kept as written.",
                    **where,
                    line=1,
                    value=",".join(table.header)[:200],
                    hint="Write the header rows so that they join to: " + ",".join(names) + ".",
                )
            ]
        )


def trimmed_into_null(resource: Resource, line: int, cell: str) -> FormatRefused:
    """The refusal for a cell that trimming would turn into the dialect's null sequence."""
    null = resource.csv_dialect.null_sequence
    return FormatRefused(
        [
            error(
                "format-refused",
                f"Trimming this cell would make it the null sequence {null!r}, changing a "
                "value into a missing one.",
                resource=resource.name,
                path=resource.path,
                line=line,
                value=cell,
                hint="Correct the cell by hand: remove the spaces (if it is missing) or write "
                "the value.",
            )
        ]
    )

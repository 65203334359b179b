"""The human and the machine record of a release: CHANGELOG.md and the row-level delta."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from clusterdata.diff import PackageDiff, iter_delta, markdown_table_entry
from clusterdata.release.plan import Plan

DELTA_FIELDS = ("table", "key", "op", "field", "old", "new")


def changelog_entry(plan: Plan) -> str:
    lines = [f"## {plan.version} — {plan.date.isoformat()}", ""]
    if plan.previous is None:
        lines += ["First release.", "", "| table | rows |", "| --- | ---: |"]
        lines += [f"| {t.name} | {t.rows_new} |" for t in plan.diff.tables]
        lines.append("")
        return "\n".join(lines)
    lines += [
        f"**{plan.level.value.upper()}** since {plan.previous.version}: {plan.diff.headline()}",
        "",
    ]
    if plan.level > plan.change_level:
        lines += [
            f"Released as {plan.level.value} by request (the change itself is "
            f"{plan.change_level.value}).",
            "",
        ]
    for table in plan.diff.tables:
        if not table.changed:
            continue
        counts = (
            f"rows {table.rows_old} → {table.rows_new}; +{len(table.added)} "
            f"−{len(table.removed)} ~{len(table.modified)}"
        )
        status = "" if table.status == "kept" else f" (table {table.status})"
        lines += [f"### {table.name}{status}", "", f"- {counts}"]
        lines += markdown_table_entry(table) if table.status == "kept" else []
        lines.append("")
    if plan.diff.metadata:
        lines += ["### metadata", ""]
        lines += [f"- {c.message}" for c in plan.diff.metadata]
        lines.append("")
    return "\n".join(lines)


def changelog(plan: Plan, out: Path, entry: str) -> str:
    """All versions, newest first: this entry on top of the previous release's changelog."""
    older = ""
    if plan.previous is not None:
        path = out / plan.previous.folder / "CHANGELOG.md"
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            older = text.split("\n", 2)[2] if text.startswith("# ") else text
    head = f"# Changelog of {plan.name}\n\n"
    return head + entry.rstrip("\n") + "\n" + ("\n" + older.lstrip("\n") if older else "")


def delta_csv(diff: PackageDiff) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(DELTA_FIELDS)
    for row in iter_delta(diff):
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


DELTA_SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "name": "table",
            "type": "string",
            "description": "Resource the row belongs to.",
            "constraints": {"required": True},
        },
        {
            "name": "key",
            "type": "string",
            "description": "Primary key value (a JSON array "
            "for a composite key; the whole row for a table without one).",
            "constraints": {"required": True},
        },
        {
            "name": "op",
            "type": "string",
            "constraints": {"required": True, "enum": ["added", "removed", "modified"]},
        },
        {
            "name": "field",
            "type": "string",
            "description": "The changed field (modified rows only).",
        },
        {
            "name": "old",
            "type": "string",
            "description": "Old value; for a removed row the row as a JSON object.",
        },
        {
            "name": "new",
            "type": "string",
            "description": "New value; for an added row the row as a JSON object.",
        },
    ],
}

"""A `PackageDiff` as text (terminal), Markdown (pull requests, changelog) or JSON, and as the rows
of a release's machine-readable delta file.

Text and Markdown list at most `RENDER_LIMIT` rows per table and operation, so a large change
stays readable; JSON and the delta list everything.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from clusterdata.diff.model import PackageDiff, RowChange, TableDiff

#: Row changes listed per table and operation in text and markdown (json lists all).
RENDER_LIMIT = 20

#: Old → new values longer than this are shown as "(changed)" in the changelog.
SMALL_VALUE = 80


def small(value: str | None) -> str:
    """A value for a changelog line: quoted when short, "(long text)" when not."""
    if value is None:
        return "∅"
    if len(value) > SMALL_VALUE:
        return f"({len(value)} characters)"
    return json.dumps(value, ensure_ascii=False)


def _modified_line(row: RowChange) -> str:
    fields = "; ".join(f"{c.field}: {small(c.old)} → {small(c.new)}" for c in row.changes)
    return f"{row.key_text}: {fields}"


def _listing(items: Sequence[str], limit: int) -> list[str]:
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"… and {len(items) - limit} more")
    return shown


def render_text(diff: PackageDiff, limit: int = RENDER_LIMIT) -> str:
    lines = [
        f"diff {diff.old_label} → {diff.new_label}",
        f"level: {diff.level().value} — {diff.headline()}",
    ]
    for lvl, why in diff.reasons():
        lines.append(f"  [{lvl.value}] {why}")
    for t in diff.tables:
        if not t.changed:
            continue
        key = ", ".join(t.key) if t.key else "whole row"
        lines.append("")
        lines.append(f"{t.name} ({t.status}; rows {t.rows_old} → {t.rows_new}; key: {key})")
        for item in _listing([r.key_text for r in t.added], limit):
            lines.append(f"  + {item}")
        for item in _listing([r.key_text for r in t.removed], limit):
            lines.append(f"  - {item}")
        for old_key, new_key in t.key_changes[:limit]:
            lines.append(f"  key changed: {old_key} → {new_key}")
        for item in _listing([_modified_line(r) for r in t.modified], limit):
            lines.append(f"  ~ {item}")
        for c in t.schema:
            lines.append(f"  schema [{c.level.value}] {c.message}")
    if diff.metadata:
        lines.append("")
        lines.extend(f"metadata [{c.level.value}] {c.message}" for c in diff.metadata)
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(diff: PackageDiff, limit: int = RENDER_LIMIT, heading: str = "###") -> str:
    lines = [
        f"{heading} Data diff: {diff.level().value}",
        "",
        f"**{_md(diff.headline())}**",
        "",
        f"`{_md(diff.old_label)}` → `{_md(diff.new_label)}`",
        "",
    ]
    changed = [t for t in diff.tables if t.changed]
    if changed:
        lines += [
            "| table | status | rows | added | removed | changed | schema changes |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for t in changed:
            lines.append(
                f"| {t.name} | {t.status} | {t.rows_old} → {t.rows_new} | "
                f"{len(t.added)} | {len(t.removed)} | {len(t.modified)} | "
                f"{len(t.schema)} |"
            )
        lines.append("")
    reasons = diff.reasons()
    if reasons:
        lines.append("Why this level:")
        lines += [f"- **{lvl.value}**: {_md(why)}" for lvl, why in reasons]
        lines.append("")
    for t in changed:
        body = markdown_table_entry(t, limit)
        if body:
            lines.append(f"{heading}# {t.name}")
            lines.append("")
            lines += body
            lines.append("")
    if diff.metadata:
        lines += ["Metadata:", *[f"- {_md(c.message)}" for c in diff.metadata], ""]
    return "\n".join(lines)


def markdown_table_entry(t: TableDiff, limit: int = RENDER_LIMIT) -> list[str]:
    """The per-table bullet list shared by the diff report and the changelog."""
    lines: list[str] = []

    def keys(rows: list[RowChange]) -> str:
        return ", ".join(
            f"`{_md(k)}`" if not k.startswith("…") else k
            for k in _listing([r.key_text for r in rows], limit)
        )

    if t.added:
        lines.append(f"- added ({len(t.added)}): {keys(t.added)}")
    if t.removed:
        lines.append(f"- removed ({len(t.removed)}): {keys(t.removed)}")
    for old_key, new_key in t.key_changes[:limit]:
        lines.append(f"- key changed: `{_md(old_key)}` → `{_md(new_key)}`")
    if t.modified:
        lines.append(f"- changed ({len(t.modified)}):")
        lines += [
            f"  - `{_md(r.key_text)}`: "
            + "; ".join(f"{c.field}: {_md(small(c.old))} → {_md(small(c.new))}" for c in r.changes)
            for r in t.modified[:limit]
        ]
        if len(t.modified) > limit:
            lines.append(f"  - … and {len(t.modified) - limit} more")
    lines += [f"- schema ({c.level.value}): {_md(c.message)}" for c in t.schema]
    return lines


def render(diff: PackageDiff, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(diff.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n"
    if fmt == "markdown":
        return render_markdown(diff)
    return render_text(diff)


def iter_delta(diff: PackageDiff) -> Iterable[tuple[str, str, str, str, str, str]]:
    """Rows of the machine-readable delta: table, key, op, field, old, new.

    Added and removed rows are one line each, the whole row as a JSON object in new/old;
    a modified row is one line per changed field. Empty strings stand for missing values.
    """
    for t in diff.tables:
        for r in t.removed:
            yield (t.name, r.key_text, "removed", "", _json_row(r.old), "")
        for r in t.added:
            yield (t.name, r.key_text, "added", "", "", _json_row(r.new))
        for r in t.modified:
            for c in r.changes:
                yield (t.name, r.key_text, "modified", c.field, c.old or "", c.new or "")


def _json_row(row: dict[str, str | None] | None) -> str:
    return json.dumps(row or {}, ensure_ascii=False, separators=(",", ":"))

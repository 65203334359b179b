"""Charts as inline SVG, drawn in Python: no JavaScript library, nothing fetched at view time.

Each chart takes the release's rows (dicts of the CSV text, exactly as published) and returns
SVG markup, or None when the tables it needs are not in the package — the site renders any data
package, and only draws a chart where the data for it exists.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from html import escape

Rows = list[dict[str, str]]
#: Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#999999",
    "#7F3C8D",
)
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" role="img" aria-label="{escape(label)}" '
        f'{FONT} font-size="12">' + f"<title>{escape(label)}</title>" + "".join(body) + "</svg>"
    )


def bar_chart(items: Sequence[tuple[str, int]], label: str, colour: str = PALETTE[0]) -> str:
    """Horizontal bars, one per (label, count), in the order given."""
    left, bar_h, gap, right = 230, 18, 6, 50
    width = 640
    scale_w = width - left - right
    top = max((n for _, n in items), default=1) or 1
    height = 10 + len(items) * (bar_h + gap)
    body = []
    for i, (name, count) in enumerate(items):
        y = 5 + i * (bar_h + gap)
        w = max(1.0, scale_w * count / top)
        short = name if len(name) <= 34 else name[:33] + "…"
        body.append(
            f'<text x="{left - 8}" y="{y + bar_h - 5}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
            f"<title>{escape(name)}: {count}</title></rect>"
            f'<text x="{left + w + 6:.1f}" y="{y + bar_h - 5}">{count}</text>'
        )
    return _svg(width, height, body, label)


def stacked_columns(
    columns: Sequence[str],
    series: Mapping[str, Mapping[str, int]],
    label: str,
) -> str:
    """Vertical stacked columns: `series[name][column]` counts, with a legend."""
    names = list(series)
    colours = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}
    col_w, gap, left, bottom, top_pad = 34, 10, 40, 40, 10
    plot_h = 220
    width = max(420, left + len(columns) * (col_w + gap) + 20)
    per_row = max(1, (width - left) // 130)
    legend_h = 18 * ((len(names) + per_row - 1) // per_row) + 10
    height = top_pad + plot_h + bottom + legend_h
    totals = [sum(series[n].get(c, 0) for n in names) for c in columns]
    peak = max(totals, default=1) or 1
    body = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 10}" '
        f'y2="{top_pad + plot_h}" stroke="#555"/>'
    ]
    for tick in sorted({0, peak // 2, peak}):
        y = top_pad + plot_h - plot_h * tick / peak
        body.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" '
            f'stroke="#ddd"/>'
        )
    for i, column in enumerate(columns):
        x = left + 8 + i * (col_w + gap)
        y = top_pad + plot_h
        for name in names:
            count = series[name].get(column, 0)
            if not count:
                continue
            h = plot_h * count / peak
            y -= h
            body.append(
                f'<rect x="{x}" y="{y:.1f}" width="{col_w}" height="{h:.1f}" '
                f'fill="{colours[name]}"><title>{escape(column)}, {escape(name)}: '
                f"{count}</title></rect>"
            )
        body.append(
            f'<text x="{x + col_w / 2}" y="{top_pad + plot_h + 16}" '
            f'text-anchor="middle">{escape(column)}</text>'
        )
        if totals[i]:
            body.append(
                f'<text x="{x + col_w / 2}" y="{y - 4:.1f}" text-anchor="middle" '
                f'font-weight="bold">{totals[i]}</text>'
            )
    ly = top_pad + plot_h + bottom
    for i, name in enumerate(names):
        lx = left + (i % per_row) * 130
        yy = ly + (i // per_row) * 18
        body.append(
            f'<rect x="{lx}" y="{yy}" width="12" height="12" fill="{colours[name]}"/>'
            f'<text x="{lx + 17}" y="{yy + 10}">{escape(name)}</text>'
        )
    return _svg(width, height, body, label)


def matrix(
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Mapping[tuple[str, str], str],
    label: str,
) -> str:
    """A grid of rows × columns; a filled cell's colour is its value (e.g. a role), with legend."""
    values = sorted(set(cells.values()))
    colours = {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(values)}
    cell, left = 22, 200
    longest = max((len(c) for c in columns), default=10)
    # Rotated by 60°, a label of n characters (~6.5 px each) rises n * 6.5 * sin 60° px.
    head = 20 + int(6.5 * min(longest, 40) * 0.87)
    width = left + len(columns) * cell + int(6.5 * min(longest, 40) * 0.5) + 20
    height = head + len(rows) * cell + 40
    body = []
    for j, column in enumerate(columns):
        x = left + j * cell + cell / 2 + 4
        short = column if len(column) <= 40 else column[:39] + "…"
        body.append(
            f'<text transform="translate({x:.1f},{head - 6}) rotate(-60)">'
            f"{escape(short)}<title>{escape(column)}</title></text>"
        )
    for i, row in enumerate(rows):
        y = head + i * cell
        short = row if len(row) <= 30 else row[:29] + "…"
        body.append(
            f'<text x="{left - 6}" y="{y + cell - 5}" text-anchor="end">{escape(short)}</text>'
        )
        for j, column in enumerate(columns):
            value = cells.get((row, column))
            fill = colours[value] if value is not None else "#f3f3f3"
            tip = f"{row} × {column}: {value}" if value is not None else f"{row} × {column}"
            body.append(
                f'<rect x="{left + j * cell}" y="{y}" width="{cell - 2}" '
                f'height="{cell - 2}" fill="{fill}"><title>{escape(tip)}</title></rect>'
            )
    ly = head + len(rows) * cell + 14
    for i, value in enumerate(values):
        lx = left + i * 120
        body.append(
            f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{colours[value]}"/>'
            f'<text x="{lx + 17}" y="{ly + 10}">{escape(value)}</text>'
        )
    return _svg(max(width, left + 120 * len(values) + 20), height + 10, body, label)


# --- the dataset's charts: each needs particular tables and returns None without them ---------


def _names(rows: Rows) -> dict[str, str]:
    return {r.get("id", ""): (r.get("name") or r.get("id") or "") for r in rows}


def clusters_per_region(
    tables: Mapping[str, Rows], level: str, not_stated: str, label: str
) -> str | None:
    """Clusters by the region `clusters.region_id` states, rolled up the `regions.parent_id`
    hierarchy to `level` (county, nuts2); a region above that level is shown as it is."""
    clusters, regions = tables.get("clusters"), tables.get("regions")
    if not clusters or not regions or "region_id" not in clusters[0]:
        return None
    by_id = {r.get("id", ""): r for r in regions}
    counts: Counter[str] = Counter()
    for cluster in clusters:
        stated = by_id.get(cluster.get("region_id") or "")
        if stated is None:
            counts[not_stated] += 1
            continue
        at_level = _ancestor_at(stated, level, by_id)
        if at_level is not None:
            counts[at_level.get("name") or at_level.get("id", "")] += 1
        else:  # stated only above the level (e.g. a NUTS 2 region, no county)
            counts[f"{stated.get('name') or stated.get('id')} ({not_stated.lower()})"] += 1
    if not counts:
        return None
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return bar_chart(items, label)


def _ancestor_at(
    region: dict[str, str], level: str, by_id: Mapping[str, dict[str, str]]
) -> dict[str, str] | None:
    """`region` itself or the ancestor of it at `level`, following parent_id (cycle-safe)."""
    seen: set[str] = set()
    current: dict[str, str] | None = region
    while current is not None and current.get("id") not in seen:
        if current.get("level") == level:
            return current
        seen.add(current.get("id", ""))
        current = by_id.get(current.get("parent_id") or "")
    return None


_YEAR = re.compile(r"^(\d{4})")


def _same(code: str) -> str:
    return code


def initiatives_over_time(
    tables: Mapping[str, Rows], label: str, code_label: Callable[[str], str] = _same
) -> tuple[str, int] | None:
    """Initiatives by the year they start (the year of `start_date`, full or partial), stacked by
    `kind` (shown through `code_label`, the page's language). Returns the SVG and the number of
    initiatives without a stated year."""
    rows = tables.get("initiatives")
    if not rows or "start_date" not in rows[0]:
        return None
    series: dict[str, Counter[str]] = {}
    undated = 0
    for row in rows:
        match = _YEAR.match(row.get("start_date") or "")
        if not match:
            undated += 1
            continue
        kind = code_label(row["kind"]) if row.get("kind") else "—"
        series.setdefault(kind, Counter())[match.group(1)] += 1
    years = sorted({y for counts in series.values() for y in counts})
    if not years:
        return None
    full = [str(y) for y in range(int(years[0]), int(years[-1]) + 1)]
    ordered = dict(sorted(series.items()))
    return stacked_columns(full, ordered, label), undated


def participation_matrix(
    tables: Mapping[str, Rows], label: str, code_label: Callable[[str], str] = _same
) -> str | None:
    """Which cluster takes part in which initiative (`cluster_initiatives`), coloured by role
    (shown through `code_label`, the page's language)."""
    links = tables.get("cluster_initiatives")
    if not links or "cluster_id" not in links[0] or "initiative_id" not in links[0]:
        return None
    clusters = _names(tables.get("clusters") or [])
    initiatives = _names(tables.get("initiatives") or [])
    cells: dict[tuple[str, str], str] = {}
    for link in links:
        row = clusters.get(link["cluster_id"], link["cluster_id"])
        column = initiatives.get(link["initiative_id"], link["initiative_id"])
        cells[(row, column)] = code_label(link.get("role") or "participant")
    rows = sorted({r for r, _ in cells}, key=str.casefold)
    columns = sorted({c for _, c in cells}, key=str.casefold)
    return matrix(rows, columns, cells, label)

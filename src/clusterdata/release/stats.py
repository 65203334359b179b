"""Data-quality statistics: how complete the data is, for the people who use it.

Validation says whether the data breaks a rule; this says how much is there and how it is
known: clusters and initiatives per county, how many rows have a website, an organisation number
and a description, how many facts are stated, derived or inferred, how many rows carry a quote
of their source, and when rows were last checked against their sources. `clusterdata stats`
prints it, the catalogue site shows it, and every release carries it as DATA-QUALITY.md.

Reads the CSV files as text with the csv module (no typing: counting needs none), so it works on
a package that does not validate; tables or columns a package lacks are left out of the report.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from clusterdata.core.package import DataPackage
from clusterdata.core.tables import read_rows

PROVENANCES = ("stated", "derived", "inferred")
#: (table, column, rows counted) whose fill rate is reported: what a user most often looks for.
#: Rows counted is None for every row, or (column, value) for the rows the column can apply to:
#: only a municipality has a seat whose coordinates `regions.latitude` can hold.
FILLED: tuple[tuple[str, str, tuple[str, str] | None], ...] = (
    ("clusters", "website", None),
    ("clusters", "organisation_number", None),
    ("clusters", "description", None),
    ("organisations", "website", None),
    ("organisations", "organisation_number", None),
    ("initiatives", "description", None),
    ("regions", "latitude", ("level", "municipality")),
)
#: How the report names a fill rate counted over some rows only.
_FILLED_LABELS = {"regions.latitude": "regions.latitude (municipality seats)"}


@dataclass
class CountyCoverage:
    county: str
    name: str
    clusters: int
    initiatives: int


@dataclass
class Stats:
    tables: dict[str, int] = field(default_factory=dict)
    counties: list[CountyCoverage] = field(default_factory=list)
    #: Clusters whose region is not a county or below one (a NUTS 2 region, the country, none).
    clusters_outside_counties: int = 0
    #: {"table.column": (filled, rows)}; for regions.latitude, rows are the municipalities
    filled: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: {table: {provenance: rows}}
    provenance: dict[str, dict[str, int]] = field(default_factory=dict)
    #: {table: (rows with a quote, rows)}
    quoted: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: {table: (oldest last_checked or None, rows never checked, rows)}
    checked: dict[str, tuple[str | None, int, int]] = field(default_factory=dict)
    #: Sources by how they can be checked: url, archive, both.
    sources: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rows(package: DataPackage, name: str) -> list[dict[str, str]] | None:
    resource = next((r for r in package.resources if r.name == name), None)
    if resource is None or not resource.file.is_file():
        return None
    labels, records = read_rows(resource)  # the rows `validate` counts, in any dialect
    return [
        {label: (row[i] or "") if i < len(row) else "" for i, label in enumerate(labels)}
        for row in records
        if row
    ]


def compute(package: DataPackage) -> Stats:
    tables = {r.name: _rows(package, r.name) for r in package.resources}
    data = {name: rows for name, rows in tables.items() if rows is not None}
    stats = Stats(tables={name: len(rows) for name, rows in data.items()})
    _coverage(stats, data)
    for table, column, where in FILLED:
        rows = data.get(table)
        if not rows or column not in rows[0] or (where and where[0] not in rows[0]):
            continue
        if where:
            rows = [r for r in rows if r[where[0]] == where[1]]
        stats.filled[f"{table}.{column}"] = (sum(1 for r in rows if r[column]), len(rows))
    for table, rows in sorted(data.items()):
        if rows and "provenance" in rows[0]:
            counts = Counter(r["provenance"] for r in rows)
            stats.provenance[table] = {p: counts.get(p, 0) for p in PROVENANCES}
        if rows and "quote" in rows[0]:
            stats.quoted[table] = (sum(1 for r in rows if r["quote"]), len(rows))
        if rows and "last_checked" in rows[0]:
            dates = sorted(r["last_checked"] for r in rows if r["last_checked"])
            stats.checked[table] = (dates[0] if dates else None, len(rows) - len(dates), len(rows))
    sources = data.get("sources") or []
    if sources and {"url", "archive"} <= set(sources[0]):
        kinds = Counter(
            "both"
            if r["url"] and r["archive"]
            else "url"
            if r["url"]
            else "archive"
            if r["archive"]
            else "neither"
            for r in sources
        )
        stats.sources = dict(sorted(kinds.items()))
    return stats


def _coverage(stats: Stats, data: dict[str, list[dict[str, str]]]) -> None:
    regions = data.get("regions")
    if not regions or not {"id", "level", "parent_id"} <= set(regions[0]):
        return
    parent = {r["id"]: r["parent_id"] for r in regions}
    level = {r["id"]: r["level"] for r in regions}

    def county_of(region: str) -> str | None:
        seen = 0
        while region and seen < 10:
            if level.get(region) == "county":
                return region
            region, seen = parent.get(region, ""), seen + 1
        return None

    clusters: dict[str, set[str]] = {}
    outside = 0
    for row in data.get("clusters") or []:
        places = {county_of(row.get("region_id", ""))}
        places |= {
            county_of(link["region_id"])
            for link in data.get("cluster_regions") or []
            if link["cluster_id"] == row.get("id") and link.get("role") == "location"
        }
        places.discard(None)
        outside += not places
        for county in places:
            clusters.setdefault(str(county), set()).add(row["id"])
    initiatives: dict[str, set[str]] = {}
    for link in data.get("region_initiatives") or []:
        county = county_of(link["region_id"])
        if county:
            initiatives.setdefault(county, set()).add(link["initiative_id"])
    stats.clusters_outside_counties = outside
    stats.counties = [
        CountyCoverage(
            r["id"], r["name"], len(clusters.get(r["id"], ())), len(initiatives.get(r["id"], ()))
        )
        for r in sorted(regions, key=lambda r: r.get("county_code") or "")
        if r["level"] == "county"
    ]


def _share(filled: int, total: int) -> str:
    return f"{filled} of {total} ({100 * filled / total:.0f} %)" if total else "0 of 0"


def render_markdown(stats: Stats, title: str = "Data quality") -> str:
    """The report as Markdown (also what the site and the release show)."""
    out = [f"# {title}", ""]
    if stats.counties:
        out += [
            "## Coverage per county",
            "",
            "Clusters located in the county (in it or in one of its municipalities) and "
            "initiatives linked to a region in it.",
            "",
            "| county | clusters | initiatives |",
            "| --- | ---: | ---: |",
        ]
        out += [f"| {c.name} | {c.clusters} | {c.initiatives} |" for c in stats.counties]
        out += [
            "",
            f"Clusters not placed in any county (only a NUTS 2 region, the country, or no "
            f"region): {stats.clusters_outside_counties}.",
            "",
        ]
    if stats.filled:
        out += ["## Rows with …", "", "| column | filled |", "| --- | ---: |"]
        out += [
            f"| {_FILLED_LABELS.get(name, name)} | {_share(*value)} |"
            for name, value in stats.filled.items()
        ]
        out += [""]
    if stats.provenance:
        out += [
            "## Rows by provenance",
            "",
            "stated: the source says it in so many words; derived: follows mechanically from it; "
            "inferred: an editorial judgement.",
            "",
            "| table | stated | derived | inferred |",
            "| --- | ---: | ---: | ---: |",
        ]
        out += [
            f"| {t} | " + " | ".join(str(c[p]) for p in PROVENANCES) + " |"
            for t, c in stats.provenance.items()
        ]
        out += [""]
    if stats.quoted:
        out += ["## Rows with a quote of their source", "", "| table | quoted |", "| --- | ---: |"]
        out += [f"| {t} | {_share(*v)} |" for t, v in stats.quoted.items()]
        out += [""]
    if stats.checked:
        out += [
            "## Last checked against the source",
            "",
            "| table | oldest last_checked | never checked |",
            "| --- | --- | ---: |",
        ]
        out += [
            f"| {t} | {oldest or '–'} | {_share(never, rows)} |"
            for t, (oldest, never, rows) in stats.checked.items()
        ]
        out += [""]
    if stats.sources:
        out += ["## Sources", ""]
        out += [f"- {kind}: {count}" for kind, count in stats.sources.items()]
        out += [""]
    return "\n".join(out)


def render_text(stats: Stats) -> str:
    """Plain text for a terminal: the Markdown without its table rules."""
    lines = []
    for line in render_markdown(stats).splitlines():
        if line.startswith("| ---"):
            continue
        lines.append(
            line.replace(" | ", "  ").strip("| ").rstrip() if line.startswith("|") else line
        )
    return "\n".join(lines) + "\n"


def render_json(stats: Stats) -> str:
    return json.dumps(stats.to_dict(), indent=2, ensure_ascii=False) + "\n"

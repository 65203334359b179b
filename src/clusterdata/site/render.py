"""Render the static catalogue site of a release: /en/ and /sv/ page sets, no network at view time.

Everything the pages use ships in the output folder: the CSS and the small table script from
`static/`, the charts as inline SVG, and a copy of every artefact under `files/` so each download
link resolves wherever the folder is hosted. The site is built in a temporary folder beside the
target and swapped in at the end, so an interrupted build leaves the previous site intact.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clusterdata.site import form
from clusterdata.site.release import Artefact, Release, localized

LANGUAGES = ("en", "sv")
FILES = "files/"

UI: dict[str, dict[str, str]] = {
    "en": {
        "lang_name": "English",
        "other": "Svenska",
        "home": "Overview",
        "tables": "Tables",
        "changelog": "Changelog",
        "validation": "Validation report",
        "quality": "Data quality",
        "version": "Version",
        "released": "Released",
        "licence": "Licence",
        "cite": "How to cite",
        "downloads": "Downloads",
        "file": "File",
        "size": "Size",
        "sha256": "SHA-256",
        "format": "Format",
        "table": "Table",
        "rows": "rows",
        "description": "Description",
        "dictionary": "Data dictionary",
        "field": "Field",
        "type": "Type",
        "constraints": "Constraints",
        "data": "Data",
        "filter": "Filter rows",
        "filter_placeholder": "Type to filter…",
        "showing": "Showing",
        "of": "of",
        "required": "required",
        "unique": "unique",
        "one_of": "one of",
        "pattern": "pattern",
        "references": "references",
        "primary_key": "Primary key",
        "charts": "At a glance",
        "per_county": "Clusters per county",
        "per_nuts2": "Clusters per NUTS 2 region (riksområde)",
        "over_time": "Initiatives by start year and kind",
        "matrix": "Which clusters take part in which initiatives",
        "not_stated": "County not stated",
        "nuts_not_stated": "Region not stated",
        "undated": "{n} initiatives without a stated year are not shown.",
        "verify": "Check a download with `sha256sum`, or verify the whole release with "
        "`clusterdata verify <folder or URL>`.",
        "whole": "Whole package (zip)",
        "descriptor": "Package descriptor",
        "duckdb": "DuckDB database (every table)",
        "metadata": "DCAT-AP metadata (JSON-LD)",
        "sort": "Sort by",
        "loading": "Load it in Python",
        "summary": "Summary",
        "no_report": "No report.",
    },
    "sv": {
        "lang_name": "Svenska",
        "other": "English",
        "home": "Översikt",
        "tables": "Tabeller",
        "changelog": "Ändringslogg",
        "validation": "Valideringsrapport",
        "quality": "Datakvalitet",
        "version": "Version",
        "released": "Publicerad",
        "licence": "Licens",
        "cite": "Så citerar du",
        "downloads": "Nedladdningar",
        "file": "Fil",
        "size": "Storlek",
        "sha256": "SHA-256",
        "format": "Format",
        "table": "Tabell",
        "rows": "rader",
        "description": "Beskrivning",
        "dictionary": "Datakatalog",
        "field": "Fält",
        "type": "Typ",
        "constraints": "Villkor",
        "data": "Data",
        "filter": "Filtrera rader",
        "filter_placeholder": "Skriv för att filtrera…",
        "showing": "Visar",
        "of": "av",
        "required": "obligatoriskt",
        "unique": "unikt",
        "one_of": "ett av",
        "pattern": "mönster",
        "references": "refererar till",
        "primary_key": "Primärnyckel",
        "charts": "Översikt i bilder",
        "per_county": "Kluster per län",
        "per_nuts2": "Kluster per riksområde (NUTS 2)",
        "over_time": "Initiativ per startår och typ",
        "matrix": "Vilka kluster som deltar i vilka initiativ",
        "not_stated": "Län ej angivet",
        "nuts_not_stated": "Region ej angiven",
        "undated": "{n} initiativ utan angivet år visas inte.",
        "verify": "Kontrollera en nedladdning med `sha256sum`, eller hela utgåvan med "
        "`clusterdata verify <mapp eller URL>`.",
        "whole": "Hela paketet (zip)",
        "descriptor": "Paketbeskrivning",
        "duckdb": "DuckDB-databas (alla tabeller)",
        "metadata": "DCAT-AP-metadata (JSON-LD)",
        "sort": "Sortera efter",
        "loading": "Läs in i Python",
        "summary": "Sammanfattning",
        "no_report": "Ingen rapport.",
    },
}


@dataclass
class Table:
    name: str
    slug: str
    spec: dict[str, Any]
    header: list[str]
    rows: list[list[str]]
    numeric: set[str] = field(default_factory=set)


@dataclass
class SiteResult:
    out: Path
    pages: list[str]
    artefacts: int
    valid: bool


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-") or "table"


def read_tables(release: Release) -> list[Table]:
    """The tabular resources as published text (what a download holds), in descriptor order."""
    from clusterdata.core.package import open_package

    package = open_package(release.folder)
    tables, slugs = [], set()
    for resource in package.resources:
        with resource.file.open(encoding=resource.encoding, newline="") as handle:
            records = list(
                csv.reader(handle, delimiter=resource.delimiter, quotechar=resource.quote_char)
            )
        if not records:
            continue
        slug = _slug(resource.name)
        while slug in slugs:
            slug += "-"
        slugs.add(slug)
        numeric = {
            str(f.get("name"))
            for f in resource.fields
            if f.get("type") in ("integer", "number", "year")
        }
        tables.append(
            Table(
                resource.name,
                slug,
                release.resource_spec(resource.name) or {"schema": resource.schema},
                records[0],
                records[1:],
                numeric,
            )
        )
    return tables


def _markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text)


def _validation(release: Release) -> tuple[str, bool]:
    from clusterdata.report.markdown import render_markdown
    from clusterdata.validation.pipeline import validate

    report = validate(release.folder)
    return _markdown(render_markdown(report)), report.valid


def _quality(release: Release) -> str:
    from clusterdata.core.package import open_package
    from clusterdata.release import stats

    report = stats.render_markdown(stats.compute(open_package(release.folder)))
    return _markdown(report.split("\n", 1)[1])  # the page template shows the title


def citation(release: Release, lang: str, landing: str | None) -> str:
    """Author (year). Title (version X) [Data set]. Date. URL — the common data-citation shape."""
    authors = [
        c.get("title")
        for c in release.descriptor.get("contributors") or []
        if isinstance(c, dict)
        and isinstance(c.get("title"), str)
        and (c.get("role") in (None, "author", "publisher") or "author" in (c.get("roles") or []))
    ]
    who = "; ".join(str(a) for a in authors) or release.name
    year = (release.date or "")[:4] or "n.d."
    title = release.text("title", lang) or release.name
    kind = "Dataset" if lang == "en" else "Datamängd"
    version = "Version" if lang == "en" else "version"
    text = f"{who} ({year}). {title} ({version} {release.version}) [{kind}]."
    if release.date:
        text += f" {release.date}."
    if landing:
        text += f" {landing}"
    return text


def _field_rows(spec: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    schema = spec.get("schema") if isinstance(spec.get("schema"), dict) else {}
    ui = UI[lang]
    refs: dict[str, str] = {}
    for fk in (schema or {}).get("foreignKeys") or []:
        if not isinstance(fk, dict):
            continue
        fields = fk.get("fields")
        ref = fk.get("reference") if isinstance(fk.get("reference"), dict) else {}
        target = (ref or {}).get("resource") or spec.get("name")
        target_fields = (ref or {}).get("fields")
        names = [fields] if isinstance(fields, str) else fields or []
        targets = [target_fields] if isinstance(target_fields, str) else target_fields or []
        for name, to in zip(names, targets, strict=False):
            refs[str(name)] = f"{target}.{to}"
    out = []
    for f in (schema or {}).get("fields") or []:
        if not isinstance(f, dict):
            continue
        raw = f.get("constraints")
        constraints: dict[str, Any] = raw if isinstance(raw, dict) else {}
        notes = []
        if constraints.get("required"):
            notes.append(ui["required"])
        if constraints.get("unique"):
            notes.append(ui["unique"])
        if isinstance(constraints.get("enum"), list):
            notes.append(f"{ui['one_of']}: " + ", ".join(map(str, constraints["enum"])))
        if constraints.get("pattern"):
            notes.append(f"{ui['pattern']}: {constraints['pattern']}")
        for bound in ("minimum", "maximum", "minLength", "maxLength"):
            if bound in constraints:
                notes.append(f"{bound} {constraints[bound]}")
        name = str(f.get("name"))
        if name in refs:
            notes.append(f"{ui['references']} {refs[name]}")
        kind = str(f.get("type") or "string")
        if f.get("format") and f.get("format") != "default":
            kind += f" ({f['format']})"
        out.append(
            {
                "name": name,
                "type": kind,
                "constraints": notes,
                "description": localized(f, "description", lang),
                "fallback": lang != "en" and not f.get(f"x-description-{lang}"),
            }
        )
    return out


def _download_label(artefact: Artefact, ui: dict[str, str]) -> str:
    if artefact.kind == "zip":
        return ui["whole"]
    if artefact.kind == "descriptor":
        return ui["descriptor"]
    if artefact.kind == "duckdb":
        return ui["duckdb"]
    if artefact.resource and artefact.kind in ("csv", "parquet"):
        return f"{artefact.resource}"
    return artefact.label


def _per_table(release: Release, tables: list[Table]) -> list[dict[str, Any]]:
    """One row per table: its CSV and Parquet files (each with size and sha256)."""
    rows = []
    for table in tables:
        files = {
            a.kind: a
            for a in release.artefacts
            if a.resource == table.name and a.kind in ("csv", "parquet")
        }
        rows.append({"table": table, "csv": files.get("csv"), "parquet": files.get("parquet")})
    return rows


def _charts(tables: list[Table], lang: str) -> list[dict[str, str]]:
    from clusterdata.site import charts

    ui = UI[lang]
    rows = {t.name: [dict(zip(t.header, r, strict=False)) for r in t.rows] for t in tables}
    found = []
    county = charts.clusters_per_region(rows, "county", ui["not_stated"], ui["per_county"])
    if county:
        found.append({"id": "chart-county", "title": ui["per_county"], "svg": county, "note": ""})
    nuts2 = charts.clusters_per_region(rows, "nuts2", ui["nuts_not_stated"], ui["per_nuts2"])
    if nuts2:
        found.append({"id": "chart-nuts2", "title": ui["per_nuts2"], "svg": nuts2, "note": ""})
    over_time = charts.initiatives_over_time(rows, ui["over_time"])
    if over_time:
        svg, undated = over_time
        found.append(
            {
                "id": "chart-time",
                "title": ui["over_time"],
                "svg": svg,
                "note": ui["undated"].format(n=undated) if undated else "",
            }
        )
    grid = charts.participation_matrix(rows, ui["matrix"])
    if grid:
        found.append({"id": "chart-matrix", "title": ui["matrix"], "svg": grid, "note": ""})
    return found


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("clusterdata.site", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["size"] = human_size
    return env


def build_site(
    release: Release,
    out: Path,
    *,
    base_url: str | None = None,
) -> SiteResult:
    """Write the site for `release` into `out` (replacing what was there), atomically."""
    from markupsafe import Markup

    from clusterdata.release import dcat

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        tables = read_tables(release)
        validation_html, valid = _validation(release)
        quality_html = _quality(release)
        changelog_file = release.folder / "CHANGELOG.md"
        changelog_html = (
            _markdown(changelog_file.read_text(encoding="utf-8"))
            if changelog_file.is_file()
            else ""
        )
        # Copy the artefacts: a download link must resolve wherever the folder is served.
        for artefact in release.artefacts:
            target = staging / FILES / artefact.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(artefact.file, target)
        static = Path(__file__).parent / "static"
        shutil.copytree(static, staging / "static")
        graph = dcat.build_graph(
            release,
            files_prefix=FILES,
            base_url=base_url,
            landing_page=(base_url.rstrip("/") + "/en/") if base_url else None,
        )
        (staging / "dcat.jsonld").write_text(dcat.to_jsonld(graph), encoding="utf-8")

        env = _environment()
        pages: list[str] = []
        landing = (base_url.rstrip("/") + "/") if base_url else None
        for lang in LANGUAGES:
            ui = UI[lang]
            other = "sv" if lang == "en" else "en"
            charts_ = [dict(c, svg=Markup(c["svg"])) for c in _charts(tables, lang)]
            common = {
                "lang": lang,
                "other": other,
                "ui": ui,
                "release": release,
                "title": release.text("title", lang) or release.name,
                "tables": tables,
                "root": "../",
                "files": "../" + FILES,
            }

            def write(
                rel: str,
                template: str,
                depth: int = 1,
                *,
                common: dict[str, Any] = common,
                lang: str = lang,
                **context: Any,
            ) -> None:
                prefix = "../" * depth
                html = env.get_template(template).render(
                    **common | {"root": prefix, "files": prefix + FILES, "here": rel}, **context
                )
                path = staging / lang / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(html, encoding="utf-8")
                pages.append(f"{lang}/{rel}")

            write(
                "index.html",
                "index.html",
                description=release.text("description", lang),
                licences=[
                    lic for lic in release.descriptor.get("licenses") or [] if isinstance(lic, dict)
                ],
                citation=citation(release, lang, landing),
                downloads=[
                    {"a": a, "label": _download_label(a, ui)}
                    for a in release.artefacts
                    if a.kind not in ("csv", "parquet") or not a.resource
                ],
                per_table=_per_table(release, tables),
                charts=charts_,
            )
            for table in tables:
                spec = table.spec
                schema = spec.get("schema") if isinstance(spec.get("schema"), dict) else {}
                write(
                    f"tables/{table.slug}.html",
                    "table.html",
                    depth=2,
                    table=table,
                    table_title=localized(spec, "title", lang)
                    or localized(schema or {}, "title", lang)
                    or table.name,
                    table_description=localized(spec, "description", lang)
                    or localized(schema or {}, "description", lang),
                    fields=_field_rows(spec, lang),
                    primary_key=(schema or {}).get("primaryKey"),
                    downloads=[a for a in release.artefacts if a.resource == table.name],
                )
            write(
                "changelog.html",
                "page.html",
                page_title=ui["changelog"],
                body=Markup(changelog_html),
            )
            write(
                "validation.html",
                "page.html",
                page_title=ui["validation"],
                body=Markup(validation_html),
            )
            write(
                "quality.html",
                "page.html",
                page_title=ui["quality"],
                body=Markup(quality_html),
            )
            form.write_form_page(write, release, lang)  # the "add a cluster" page
        index = env.get_template("root.html").render(
            release=release, ui=UI, title=release.text("title", "en")
        )
        (staging / "index.html").write_text(index, encoding="utf-8")
        pages.append("index.html")
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return SiteResult(out=out, pages=pages, artefacts=len(release.artefacts), valid=valid)


def _swap(staging: Path, out: Path) -> None:
    """Put the new site in place; the old one is removed only after the new one is there."""
    os.chmod(staging, 0o755)
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
        os.replace(out, old / "site")
        os.replace(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, out)

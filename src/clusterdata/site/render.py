"""Render the static catalogue site of a release: /en/ and /sv/ page sets, no network at view time.

Everything the pages use ships in the output folder: the CSS and the small table script from
`static/`, the charts as inline SVG, and a copy of every artefact under `files/` so each download
link resolves wherever the folder is hosted. The root page lets the visitor choose a language (no
redirect). The DCAT-AP-SE catalogue is written beside the pages as `dcat.rdf` (what dataportal.se
harvests) and `dcat.jsonld`. The site is built in a temporary folder beside the target and
swapped in at the end, so an interrupted build leaves the previous site intact.

The pieces: `ui` (every interface word, in both languages), `tables` (the published CSVs),
`dictionary` (fields and constraints in words), `report_page` (the validation report), `charts`
(inline SVG), `pages` (extra pages other parts register).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clusterdata.site.markup import markdown_html
from clusterdata.site.release import Artefact, Release, localized
from clusterdata.site.tables import Table, read_tables
from clusterdata.site.ui import LANGUAGES, UI, code_label, human_size
from clusterdata.tableschema.model import Schema

FILES = "files/"

__all__ = ["LANGUAGES", "UI", "SiteResult", "Table", "build_site", "citation", "human_size"]


@dataclass
class SiteResult:
    out: Path
    pages: list[str]
    artefacts: int
    valid: bool


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


def _download_label(artefact: Artefact, ui: dict[str, str]) -> str:
    labels = {"zip": "whole", "descriptor": "descriptor", "duckdb": "duckdb", "xlsx": "xlsx"}
    if artefact.kind in labels:
        return ui[labels[artefact.kind]]
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

    def label(code: str) -> str:
        return code_label(code, lang)

    rows = {t.name: [dict(zip(t.header, r, strict=False)) for r in t.rows] for t in tables}
    found = []
    county = charts.clusters_per_region(rows, "county", ui["not_stated"], ui["per_county"])
    if county:
        found.append({"id": "chart-county", "title": ui["per_county"], "svg": county, "note": ""})
    nuts2 = charts.clusters_per_region(rows, "nuts2", ui["nuts_not_stated"], ui["per_nuts2"])
    if nuts2:
        found.append({"id": "chart-nuts2", "title": ui["per_nuts2"], "svg": nuts2, "note": ""})
    over_time = charts.initiatives_over_time(rows, ui["over_time"], label)
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
    grid = charts.participation_matrix(rows, ui["matrix"], label)
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
    env.filters["format_name"] = format_name
    return env


#: File formats by name, the same in both languages.
FORMAT_NAMES = {
    "zip": "ZIP",
    "descriptor": "JSON",
    "json": "JSON",
    "csv": "CSV",
    "parquet": "Parquet",
    "duckdb": "DuckDB",
    "xlsx": "Excel (XLSX)",
    "md": "Markdown",
}


def format_name(artefact: Artefact) -> str:
    suffix = Path(artefact.name).suffix.lstrip(".").upper()
    return FORMAT_NAMES.get(artefact.kind, suffix or "TXT")


@dataclass
class Writer:
    """Writes the pages of one language; page hooks (site/pages.py) get one of these."""

    env: Any
    staging: Path
    lang: str
    common: dict[str, Any]
    pages: list[str] = field(default_factory=list)

    def write(self, rel: str, template: str, depth: int = 1, **context: Any) -> None:
        prefix = "../" * depth
        html = self.env.get_template(template).render(
            **self.common | {"root": prefix, "files": prefix + FILES, "here": rel}, **context
        )
        path = self.staging / self.lang / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        self.pages.append(f"{self.lang}/{rel}")


def _register_hooks() -> None:
    """Import the modules that register extra pages (site/pages.py); one line each."""
    import clusterdata.site.form
    import clusterdata.site.quality_page  # noqa: F401


def _metadata(release: Release, staging: Path, base: str) -> None:
    from clusterdata.release import dcat

    graph = dcat.build_graph(release, files_prefix=FILES, base_url=base, landing_page=base)
    (staging / dcat.RDF_NAME).write_text(dcat.to_rdfxml(graph), encoding="utf-8")
    (staging / dcat.JSONLD_NAME).write_text(dcat.to_jsonld(graph), encoding="utf-8")


def build_site(
    release: Release,
    out: Path,
    *,
    base_url: str | None = None,
) -> SiteResult:
    """Write the site for `release` into `out` (replacing what was there), atomically.

    `base_url` is where the site will be served (default: the public home); it makes the
    catalogue's IRIs and the citation's URL absolute.
    """
    from clusterdata.release.home import public_home
    from clusterdata.site.pages import page_hooks
    from clusterdata.validation.pipeline import validate

    base = (base_url or public_home()).rstrip("/") + "/"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        tables = read_tables(release)
        report = validate(release.folder)
        changelog_file = release.folder / "CHANGELOG.md"
        changelog_html = (
            markdown_html(changelog_file.read_text(encoding="utf-8"))
            if changelog_file.is_file()
            else ""
        )
        # Copy the artefacts: a download link must resolve wherever the folder is served.
        for artefact in release.artefacts:
            target = staging / FILES / artefact.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(artefact.file, target)
        shutil.copytree(Path(__file__).parent / "static", staging / "static")
        _metadata(release, staging, base)

        env = _environment()
        pages: list[str] = []
        _register_hooks()
        for lang in LANGUAGES:
            ui = UI[lang]
            writer = Writer(
                env,
                staging,
                lang,
                {
                    "lang": lang,
                    "other": "sv" if lang == "en" else "en",
                    "ui": ui,
                    "release": release,
                    "title": release.text("title", lang) or release.name,
                    "tables": tables,
                    "base": base,
                },
            )
            _write_language(writer, release, tables, base, changelog_html, report)
            for hook in page_hooks():
                hook(writer)
            pages += writer.pages
        index = env.get_template("root.html").render(
            release=release,
            ui=UI,
            titles={lang: release.text("title", lang) or release.name for lang in LANGUAGES},
            descriptions={lang: release.text("description", lang) for lang in LANGUAGES},
        )
        (staging / "index.html").write_text(index, encoding="utf-8")
        pages.append("index.html")
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return SiteResult(out=out, pages=pages, artefacts=len(release.artefacts), valid=report.valid)


def _write_language(
    writer: Writer,
    release: Release,
    tables: list[Table],
    base: str,
    changelog_html: str,
    report: Any,
) -> None:
    from markupsafe import Markup

    from clusterdata.site.dictionary import field_rows
    from clusterdata.site.report_page import report_context

    lang, ui = writer.lang, UI[writer.lang]
    charts_ = [dict(c, svg=Markup(c["svg"])) for c in _charts(tables, lang)]
    writer.write(
        "index.html",
        "index.html",
        description=release.text("description", lang),
        licences=[lic for lic in release.descriptor.get("licenses") or [] if isinstance(lic, dict)],
        citation=citation(release, lang, base),
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
        writer.write(
            f"tables/{table.slug}.html",
            "table.html",
            depth=2,
            table=table,
            table_title=localized(spec, "title", lang)
            or localized(schema or {}, "title", lang)
            or table.name,
            table_description=localized(spec, "description", lang)
            or localized(schema or {}, "description", lang),
            fields=field_rows(spec, lang),
            primary_key=list(Schema.from_descriptor(schema).primary_key),
            downloads=[a for a in release.artefacts if a.resource == table.name],
        )
    writer.write(
        "changelog.html",
        "page.html",
        page_title=ui["changelog"],
        body=Markup(changelog_html),
        # `clusterdata publish` writes the changelog in English; say so rather than pretend.
        body_lang="en",
        note=ui["changelog_note"],
    )
    writer.write(
        "validation.html",
        "validation.html",
        page_title=ui["validation"],
        **report_context(report, lang),
    )


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

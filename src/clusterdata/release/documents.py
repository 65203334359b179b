"""The files a consumer reads first in a release: README.md, LICENSE, CITATION.cff and the data
dictionary. Written from the release's own descriptor, so each states this exact version: its
URLs, its tables, its licence and how to cite it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from clusterdata.release import home

README = "README.md"
LICENSE = "LICENSE"
CITATION = "CITATION.cff"
DICTIONARY = "data-dictionary.md"
NAMES = (README, LICENSE, CITATION, DICTIONARY)


def title(descriptor: dict[str, Any]) -> str:
    return str(descriptor.get("title") or descriptor.get("name") or "dataset")


def citation_sentence(descriptor: dict[str, Any], version: str, date: dt.date) -> str:
    authors = ", ".join(_authors(descriptor))
    url = f"{home.HOME}{home.folder_path(version)}/"
    return f"{authors} ({date.year}). {title(descriptor)}, version {version} [data set]. {url}"


def _authors(descriptor: dict[str, Any]) -> list[str]:
    found = [
        str(c.get("title"))
        for c in descriptor.get("contributors") or []
        if isinstance(c, dict) and c.get("title") and c.get("role", "author") == "author"
    ]
    return found or ["clusterdata contributors"]


def _licences(descriptor: dict[str, Any]) -> list[dict[str, str]]:
    found = []
    for item in descriptor.get("licenses") or []:
        if isinstance(item, dict):
            found.append({k: str(v) for k, v in item.items() if isinstance(v, str)})
    return found


def _tables(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r
        for r in descriptor.get("resources") or []
        if isinstance(r, dict) and r.get("type") == "table" and not r.get("x-release")
    ]


def readme(descriptor: dict[str, Any], version: str, date: dt.date, zip_name: str) -> str:
    url = f"{home.HOME}{home.folder_path(version)}/"
    duck = f"{zip_name.removesuffix('.zip')}.duckdb"
    lines = [
        f"# {title(descriptor)} — version {version}",
        "",
        f"Released {date.isoformat()}. {descriptor.get('description', '')}".rstrip(),
        "",
        "## Where it is",
        "",
        f"- This version, for ever: {url} (the zip: {url}{zip_name})",
        f"- The newest version: {home.HOME}{home.folder_path(home.LATEST)}/",
        f"- Every version: {home.index_url(home.HOME.rstrip('/'))}",
        f"- The GitHub Release with the zip, the DuckDB file and SHA256SUMS: "
        f"{home.release_page(version)}",
        "",
        "## What is inside",
        "",
        "| table | file | rows are |",
        "| --- | --- | --- |",
    ]
    for table in _tables(descriptor):
        schema = table.get("schema") or {}
        lines.append(f"| {table.get('name')} | `{table.get('path')}` | {schema.get('title', '')} |")
    lines += [
        "",
        "`datapackage.json` describes every file (types, keys, byte counts and sha256 hashes; a "
        f"Frictionless data package). `{DICTIONARY}` explains every column. `data/delta.csv` "
        "lists what changed against the previous version, `CHANGELOG.md` the same for people. "
        "`parquet/` holds each table as Parquet; the DuckDB file (beside the zip, not in it) "
        "holds every table typed and keyed. `checks/` holds the SQL checks the data passed.",
        "",
        "## Load it",
        "",
        "```python",
        "import clusterdata",
        f'tables = clusterdata.load(version="{version}")   # or clusterdata.load("{url}{zip_name}")',
        "```",
        "",
        f'Or with pandas only: `pandas.read_csv("{url}data/clusters.csv")`. In DuckDB: '
        f"`ATTACH '{url}{duck}'`.",
        "",
        f"Check a download: `sha256sum -c SHA256SUMS`, or `clusterdata verify {url}datapackage.json`.",
        "",
        "## Licence",
        "",
    ]
    for licence in _licences(descriptor):
        lines.append(
            f"The data is published under {licence.get('title') or licence.get('name')} "
            f"({licence.get('path', '')}); see `{LICENSE}`."
        )
    lines += [
        "",
        "## How to cite this version",
        "",
        citation_sentence(descriptor, version, date),
        "",
        f"`{CITATION}` holds the same in the Citation File Format.",
        "",
    ]
    return "\n".join(lines)


def license_text(descriptor: dict[str, Any], version: str) -> str:
    lines = [f"{title(descriptor)}, version {version}", ""]
    licences = _licences(descriptor)
    if not licences:
        lines.append("The descriptor names no licence; ask the publisher before reuse.")
    for licence in licences:
        name = licence.get("title") or licence.get("name") or "the licence"
        lines += [
            f"The data in this release is licensed under {name}"
            + (f" (SPDX: {licence['name']})" if licence.get("name") else "")
            + ".",
            f"The licence's full legal text: {licence.get('path', '(not given)')}",
        ]
    lines += [
        "",
        f"Attribute it as: {', '.join(_authors(descriptor))}, {title(descriptor)}, "
        f"version {version}, {home.HOME}",
        "",
    ]
    return "\n".join(lines)


def citation_cff(descriptor: dict[str, Any], version: str, date: dt.date) -> str:
    """CITATION.cff (version 1.2.0) of this exact version; JSON strings are valid YAML scalars."""
    q = json.dumps
    licence = next((lic.get("name") for lic in _licences(descriptor) if lic.get("name")), None)
    lines = [
        "cff-version: 1.2.0",
        f"message: {q('If you use this data, cite this version as below.')}",
        "type: dataset",
        f"title: {q(title(descriptor))}",
        f"version: {q(version)}",
        f"date-released: {q(date.isoformat())}",
        f"url: {q(f'{home.HOME}{home.folder_path(version)}/')}",
        f"repository-code: {q(home.REPOSITORY)}",
    ]
    if licence:
        lines.append(f"license: {q(licence)}")
    lines.append("authors:")
    lines += [f"  - name: {q(author)}" for author in _authors(descriptor)]
    keywords = [k for k in descriptor.get("keywords") or [] if isinstance(k, str)]
    if keywords:
        lines.append("keywords:")
        lines += [f"  - {q(k)}" for k in keywords]
    return "\n".join(lines) + "\n"


def dictionary(descriptor: dict[str, Any]) -> str:
    from clusterdata.authoring.generate import data_dictionary

    tables = {**descriptor, "resources": _tables(descriptor)}
    text = data_dictionary(tables)
    return text.replace("`datapackage/data/`", "`data/`").replace(
        "Generated by `clusterdata generate` from schemas/tables/*.schema.json. Do not edit by hand.",
        "Generated by `clusterdata publish` from this release's datapackage.json.",
    )


def documents(
    descriptor: dict[str, Any], version: str, date: dt.date, zip_name: str
) -> dict[str, str]:
    """File name → text, for every consumer document of a release."""
    return {
        README: readme(descriptor, version, date, zip_name),
        LICENSE: license_text(descriptor, version),
        CITATION: citation_cff(descriptor, version, date),
        DICTIONARY: dictionary(descriptor),
    }

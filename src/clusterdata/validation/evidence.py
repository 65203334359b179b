"""Evidence: every source can be checked, and every quote is in the source it cites.

A `sources` row is checkable through a public address (`url`, with the date it was retrieved)
or through an archived copy of its text inside the package (`archive`, a path under the package
root, with the `sha256` of the archived file). This layer reads the archived files, which SQL
cannot, so it runs in Python after the cross-table checks:

* `source-not-checkable` — a source with neither `url` nor `archive` (error);
* `source-archive-missing` — `archive` names no readable file inside the package (error);
* `source-archive-hash` — the file's sha256 differs from `sources.sha256`, or none is given
  (error): an archive edited without re-recording its hash is no longer the text cited;
* `source-retrieval-date` — a `url` without `retrieved` and without an archive (warning): the
  address is citable, but nobody can tell which version of the page was read;
* `quote-not-in-source` — a `quote` cell of any table that does not occur in the archived text of
  the row's `source_id` (error). Both sides are compared after Unicode NFKC normalisation and with
  every run of white space read as one space, so a line break or a no-break space in the source
  does not matter, but a changed word does. Quotes of sources without an archive cannot be checked
  offline and are left alone.

Only tables that have the columns are read, so any other package passes untouched.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from clusterdata.core.findings import Finding, error, warning
from clusterdata.core.lines import csv_records
from clusterdata.core.package import DataPackage, Resource, safe_path
from clusterdata.core.tables import read_table

if TYPE_CHECKING:
    from clusterdata.validation.structure.run import StructureResult

SOURCES = "sources"
QUOTE, SOURCE_ID = "quote", "source_id"
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The form quotes and archived texts are compared in (NFKC, white space collapsed)."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class _Source:
    line: int
    url: str
    archive: str
    sha256: str
    retrieved: str
    text: str | None = None  # normalised archived text, when it could be read and matches


def _rows(
    resource: Resource, encoding: str, columns: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(physical start line, {column: cell}) per record, counted as every layer counts them."""
    if not resource.is_csv:  # a JSON or spreadsheet table: its places come from `core.tables`
        table = read_table(resource)
        header = table.records[0] if table.records else []
        where = {c: header.index(c) for c in columns if c in header}
        for number, record in enumerate(table.records[1:], start=2):
            line = table.line_map.line(number) or number
            yield line, {c: record[i] or "" if i < len(record) else "" for c, i in where.items()}
        return
    with csv_records(resource, encoding) as reader:
        index: dict[str, int] | None = None
        for record in reader:
            if index is None:  # the header (the field names for `header: false`)
                index = {c: record.index(c) for c in columns if c in record}
                continue
            yield (
                reader.line,
                {c: record[i] or "" if i < len(record) else "" for c, i in index.items()},
            )


def check_evidence(package: DataPackage, structure: StructureResult) -> tuple[list[Finding], int]:
    """Findings of the evidence checks and how many checks ran (0 when nothing applies)."""
    readable = {r.name: r for r in structure.readable}
    sources_resource = readable.get(SOURCES)
    if sources_resource is None or not {"url", "archive"} <= set(sources_resource.field_names):
        return [], 0
    findings: list[Finding] = []
    sources = _read_sources(package, structure, sources_resource, findings)
    for resource in structure.readable:
        if {QUOTE, SOURCE_ID} <= set(resource.field_names):
            findings.extend(_quote_findings(resource, structure, sources))
    return findings, 2


def _encoding(structure: StructureResult, resource: Resource) -> str:
    return structure.encodings.get(resource.name, resource.encoding or "utf-8")


def _read_sources(
    package: DataPackage,
    structure: StructureResult,
    resource: Resource,
    findings: list[Finding],
) -> dict[str, _Source]:
    columns = ("id", "url", "archive", "sha256", "retrieved")
    where = {"resource": resource.name, "path": resource.path}
    sources: dict[str, _Source] = {}
    for line, row in _rows(resource, _encoding(structure, resource), columns):
        source = _Source(
            line,
            row.get("url", ""),
            row.get("archive", ""),
            row.get("sha256", ""),
            row.get("retrieved", ""),
        )
        sources.setdefault(row.get("id", ""), source)
        if not source.url and not source.archive:
            findings.append(
                error(
                    "source-not-checkable",
                    f"Source {row.get('id', '')!r} has neither a url nor an archived copy, so no "
                    "reader can check what it says.",
                    line=line,
                    column="url",
                    value=None,
                    hint="Give the public address with the date you retrieved it (url, retrieved), "
                    "or archive the text under sources/ with personal data removed and record its "
                    "path and sha256 (archive, sha256): scripts/archive_source.py does both.",
                    **where,
                )
            )
            continue
        if not source.archive:
            if not source.retrieved:
                findings.append(
                    warning(
                        "source-retrieval-date",
                        f"Source {row.get('id', '')!r} has a url but no retrieval date: a page "
                        "changes, and nobody can tell which version was read.",
                        line=line,
                        column="retrieved",
                        value=source.url,
                        hint="Fill retrieved with the date the page was read (YYYY-MM-DD); if it is "
                        "unknown, say so and how the page was obtained in provenance_note.",
                        **where,
                    )
                )
            continue
        findings.extend(_archive_findings(package, source, where))
    return sources


def _archive_findings(
    package: DataPackage, source: _Source, where: dict[str, str]
) -> list[Finding]:
    path, problem = safe_path(package.root, source.archive)
    if path is None or problem or not path.is_file():
        reason = problem or "no such file in the package"
        return [
            error(
                "source-archive-missing",
                f"The archived copy {source.archive!r} cannot be read: {reason}.",
                line=source.line,
                column="archive",
                value=source.archive,
                hint="Put the archived text at this path under the package folder "
                "(e.g. sources/<id>.txt) or correct the path.",
                **where,
            )
        ]
    actual = sha256_of(path)
    if source.sha256 != actual:
        stated = source.sha256 or "no sha256"
        return [
            error(
                "source-archive-hash",
                f"The archived copy {source.archive!r} has sha256 {actual}, but sources.sha256 "
                f"says {stated}: the file is not the text that was cited.",
                line=source.line,
                column="sha256",
                value=source.sha256 or None,
                hint="If the archived text was corrected on purpose, record its new sha256 (and "
                "check every quote citing it); otherwise restore the archived file.",
                **where,
            )
        ]
    try:
        source.text = normalise(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return [
            error(
                "source-archive-missing",
                f"The archived copy {source.archive!r} is not UTF-8 text.",
                line=source.line,
                column="archive",
                value=source.archive,
                hint="Archive the source as UTF-8 plain text.",
                **where,
            )
        ]
    return []


def _quote_findings(
    resource: Resource, structure: StructureResult, sources: dict[str, _Source]
) -> Iterator[Finding]:
    for line, row in _rows(resource, _encoding(structure, resource), (QUOTE, SOURCE_ID)):
        quote = row.get(QUOTE, "")
        source = sources.get(row.get(SOURCE_ID, ""))
        if not quote or source is None or source.text is None:
            continue
        if normalise(quote) not in source.text:
            yield error(
                "quote-not-in-source",
                f"The quote does not occur in the archived text of source "
                f"{row.get(SOURCE_ID)!r} ({source.archive}).",
                resource=resource.name,
                path=resource.path,
                line=line,
                column=QUOTE,
                value=quote if len(quote) <= 200 else quote[:197] + "...",
                hint="Copy the source's exact words (line breaks and spacing may differ), or "
                "cite the source that says it.",
            )

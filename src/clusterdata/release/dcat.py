"""DCAT-AP metadata (JSON-LD) so national and European open-data portals can harvest the dataset.

One `dcat:Catalog` holding one `dcat:Dataset` (title and description in Swedish and English,
publisher, licence, keywords, temporal and spatial coverage, version, issued/modified) with one
`dcat:Distribution` per artefact of the release (zip, datapackage.json, a CSV and a Parquet file
per table, the DuckDB database): download URL, media type, byte size and an SPDX sha256 checksum.

The graph is built with rdflib, so what we write is RDF by construction; `clusterdata site` writes
it as `dcat.jsonld` at the site's root. Download URLs are absolute when a base URL is known (the
`--base-url` of `clusterdata site`); otherwise they are relative IRIs, which JSON-LD resolves
against the document's own URL, so a harvester that fetches `<site>/dcat.jsonld` gets the right
absolute URLs without the site knowing where it will be hosted.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rdflib import Graph

    from clusterdata.site.release import Artefact, Release

DCAT_NS = "http://www.w3.org/ns/dcat#"
DCT_NS = "http://purl.org/dc/terms/"
FOAF_NS = "http://xmlns.com/foaf/0.1/"
SPDX_NS = "http://spdx.org/rdf/terms#"
VCARD_NS = "http://www.w3.org/2006/vcard/ns#"
ADMS_NS = "http://www.w3.org/ns/adms#"
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
SWEDEN = EU + "country/SWE"
#: EU file-type authority codes for the artefact kinds that have one.
FILE_TYPES = {
    "csv": "CSV",
    "zip": "ZIP",
    "parquet": "PARQUET",
    "descriptor": "JSON",
    "json": "JSON",
    "md": "MARKDOWN",
}
#: SPDX licence ids → EU licence authority codes (DCAT-AP recommends the EU vocabulary).
LICENCES = {
    "CC-BY-4.0": "CC_BY_4_0",
    "CC0-1.0": "CC0",
    "CC-BY-SA-4.0": "CC_BYSA_4_0",
    "ODC-BY-1.0": "ODC_BY",
    "ODbL-1.0": "ODC_ODBL",
    "PDDL-1.0": "ODC_PDDL",
}
#: Media types registered at IANA (DCAT-AP's dcat:mediaType must be one of them).
IANA_TYPES = {
    "text/csv",
    "application/zip",
    "application/json",
    "text/markdown",
    "application/vnd.apache.parquet",
}

CONTEXT = {
    "dcat": DCAT_NS,
    "dct": DCT_NS,
    "foaf": FOAF_NS,
    "spdx": SPDX_NS,
    "vcard": VCARD_NS,
    "adms": ADMS_NS,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")


def build_graph(
    release: Release,
    *,
    files_prefix: str = "",
    base_url: str | None = None,
    landing_page: str | None = None,
    coverage: tuple[str, str] | None = None,
) -> Graph:
    """The catalogue of one release as an rdflib graph.

    `files_prefix` is where the artefacts sit relative to the metadata document (the site copies
    them to `files/`); with `base_url` every IRI is absolute. `coverage` is the (start, end) of the
    dates the data speaks of; by default it is computed from the tables' date fields.
    """
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import OWL, RDF, XSD

    dcat, dct, foaf = Namespace(DCAT_NS), Namespace(DCT_NS), Namespace(FOAF_NS)
    spdx, vcard, adms = Namespace(SPDX_NS), Namespace(VCARD_NS), Namespace(ADMS_NS)
    base = (base_url.rstrip("/") + "/") if base_url else ""

    def iri(relative: str) -> URIRef:
        return URIRef(base + relative)

    descriptor = release.descriptor
    graph = Graph()
    for prefix, namespace in CONTEXT.items():
        graph.bind(prefix, namespace)

    catalog = iri("dcat.jsonld#catalog")
    dataset = iri(f"dcat.jsonld#{release.name}")
    graph.add((catalog, RDF.type, dcat.Catalog))
    graph.add((dataset, RDF.type, dcat.Dataset))
    graph.add((catalog, dcat.dataset, dataset))
    for lang in ("en", "sv"):
        title = release.text("title", lang) or release.name
        description = release.text("description", lang) or title
        for subject in (catalog, dataset):
            graph.add((subject, dct.title, Literal(title, lang=lang)))
            graph.add((subject, dct.description, Literal(description, lang=lang)))

    publisher = BNode()
    graph.add((publisher, RDF.type, foaf.Agent))
    graph.add((publisher, foaf.name, Literal(_publisher(descriptor))))
    for subject in (catalog, dataset):
        graph.add((subject, dct.publisher, publisher))

    homepage = descriptor.get("homepage") if isinstance(descriptor.get("homepage"), str) else None
    page = landing_page or homepage
    if page:
        graph.add((dataset, dcat.landingPage, URIRef(page)))
        graph.add((catalog, foaf.homepage, URIRef(page)))
        contact = BNode()
        graph.add((contact, RDF.type, vcard.Kind))
        graph.add((contact, vcard.fn, Literal(_publisher(descriptor))))
        graph.add((contact, vcard.hasURL, URIRef(page)))
        graph.add((dataset, dcat.contactPoint, contact))

    licence = _licence(descriptor)
    if licence is not None:
        graph.add((catalog, dct.license, licence))
        graph.add((dataset, dct.license, licence))
    for keyword in descriptor.get("keywords") or []:
        if isinstance(keyword, str) and keyword.strip():
            graph.add((dataset, dcat.keyword, Literal(keyword)))
    graph.add((dataset, dct.spatial, URIRef(SWEDEN)))
    graph.add((dataset, dct.identifier, Literal(f"{release.name}@{release.version}")))
    graph.add((dataset, dct.language, URIRef(EU + "language/SWE")))
    graph.add((dataset, dct.language, URIRef(EU + "language/ENG")))
    if release.version:
        graph.add((dataset, OWL.versionInfo, Literal(release.version)))
        graph.add((dataset, dcat.version, Literal(release.version)))
    if release.summary:
        graph.add((dataset, adms.versionNotes, Literal(release.summary, lang="en")))
    created = descriptor.get("created")
    issued = _date(created if isinstance(created, str) else None) or _date(release.date)
    modified = _date(release.date) or issued
    if issued:
        graph.add((dataset, dct.issued, Literal(issued, datatype=XSD.date)))
    if modified:
        graph.add((dataset, dct.modified, Literal(modified, datatype=XSD.date)))
        graph.add((catalog, dct.modified, Literal(modified, datatype=XSD.date)))
    span = coverage or temporal_coverage(release)
    if span is not None:
        period = BNode()
        graph.add((period, RDF.type, dct.PeriodOfTime))
        graph.add((period, dcat.startDate, Literal(span[0], datatype=XSD.date)))
        graph.add((period, dcat.endDate, Literal(span[1], datatype=XSD.date)))
        graph.add((dataset, dct.temporal, period))

    for artefact in release.artefacts:
        if artefact.kind in ("md", "other"):
            continue
        url = iri(files_prefix + artefact.name)
        distribution = iri(f"dcat.jsonld#{release.name}/{artefact.name}")
        graph.add((distribution, RDF.type, dcat.Distribution))
        graph.add((dataset, dcat.distribution, distribution))
        graph.add((distribution, dcat.accessURL, url))
        graph.add((distribution, dcat.downloadURL, url))
        graph.add((distribution, dct.title, Literal(_title(artefact), lang="en")))
        size = Literal(artefact.bytes, datatype=XSD.nonNegativeInteger)
        graph.add((distribution, dcat.byteSize, size))
        if artefact.media_type in IANA_TYPES:
            graph.add((distribution, dcat.mediaType, URIRef(IANA + artefact.media_type)))
        if artefact.kind in FILE_TYPES:
            file_type = URIRef(EU + "file-type/" + FILE_TYPES[artefact.kind])
            graph.add((distribution, dct["format"], file_type))
        if licence is not None:
            graph.add((distribution, dct.license, licence))
        if modified:
            graph.add((distribution, dct.issued, Literal(modified, datatype=XSD.date)))
        checksum = BNode()
        graph.add((checksum, RDF.type, spdx.Checksum))
        graph.add((checksum, spdx.algorithm, spdx.checksumAlgorithm_sha256))
        graph.add((checksum, spdx.checksumValue, Literal(artefact.sha256, datatype=XSD.hexBinary)))
        graph.add((distribution, spdx.checksum, checksum))
    return graph


def to_jsonld(graph: Graph) -> str:
    return graph.serialize(format="json-ld", context=CONTEXT, indent=2, sort_keys=True) + "\n"


def _title(artefact: Artefact) -> str:
    what = {
        "zip": "The whole data package as one zip archive",
        "descriptor": "Frictionless Data Package descriptor (datapackage.json)",
        "csv": f"Table {artefact.resource} as CSV",
        "parquet": f"Table {artefact.resource} as Parquet",
        "duckdb": "Every table in one DuckDB database",
        "json": f"{artefact.label} (JSON)",
    }
    return what.get(artefact.kind, artefact.label)


def _publisher(descriptor: dict[str, Any]) -> str:
    people = [c for c in descriptor.get("contributors") or [] if isinstance(c, dict)]
    for wanted in ("publisher", "author", None):
        for person in people:
            roles = person.get("roles") or [person.get("role")]
            if wanted is None or wanted in roles:
                name = person.get("title") or person.get("organization")
                if isinstance(name, str) and name:
                    return name
    publisher = descriptor.get("publisher")
    return publisher if isinstance(publisher, str) and publisher else "clusterdata contributors"


def _licence(descriptor: dict[str, Any]) -> Any:
    from rdflib import URIRef

    for licence in descriptor.get("licenses") or []:
        if not isinstance(licence, dict):
            continue
        name = licence.get("name")
        if isinstance(name, str) and name in LICENCES:
            return URIRef(EU + "licence/" + LICENCES[name])
        path = licence.get("path")
        if isinstance(path, str) and path.startswith(("http://", "https://")):
            return URIRef(path)
    return None


def _date(value: str | None) -> str | None:
    """An xsd:date from a full ISO date or datetime; partial dates give no date."""
    if not value:
        return None
    match = re.match(r"^(\d{4}-\d{2}-\d{2})", value)
    return match.group(1) if match else None


def temporal_coverage(release: Release) -> tuple[str, str] | None:
    """The first and last full or partial dates the tables state (date-typed or date-shaped
    text fields whose name ends in `date`), as xsd:date bounds."""
    import csv

    starts: list[str] = []
    ends: list[str] = []
    for spec in release.descriptor.get("resources") or []:
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            continue
        schema = spec.get("schema") if isinstance(spec.get("schema"), dict) else {}
        fields = [f for f in (schema or {}).get("fields", []) if isinstance(f, dict)]
        wanted = [
            str(f.get("name"))
            for f in fields
            if f.get("type") in ("date", "datetime", "yearmonth", "year")
            or (f.get("type") == "string" and str(f.get("name", "")).endswith("date"))
        ]
        file = release.folder / spec["path"]
        if not wanted or file.suffix != ".csv" or not file.is_file():
            continue
        with file.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                for name in wanted:
                    span = bounds(row.get(name) or "")
                    if span is not None:
                        starts.append(span[0])
                        ends.append(span[1])
    if not starts:
        return None
    return min(starts), max(ends)


def bounds(value: str) -> tuple[str, str] | None:
    """The first and last day a full or partial ISO date ("2018", "2018-05") can mean."""
    import calendar

    match = _DATE.match(value.strip())
    if not match:
        return None
    parts = [int(p) for p in match.group(0).split("-")]
    year = parts[0]
    if len(parts) == 1:
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    month = parts[1]
    if not 1 <= month <= 12:
        return None
    if len(parts) == 2:
        last = calendar.monthrange(year, month)[1]
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"
    day = f"{year:04d}-{month:02d}-{parts[2]:02d}"
    return day, day

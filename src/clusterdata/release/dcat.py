"""DCAT-AP-SE 3.0.1 metadata, so dataportal.se and data.europa.eu can harvest the dataset.

The Swedish portal harvests RDF/XML from one URL, so `clusterdata site` writes the same graph
twice at the site's root: `dcat.rdf` (RDF/XML, the harvest URL) and `dcat.jsonld`.

What the graph holds, and why it looks the way it does:

* One `dcat:Catalog` with one `dcat:Dataset`, a `foaf:Agent` publisher and a `vcard:Organization`
  contact point; every one of them, and every `dcat:Distribution`, is an absolute IRI on the
  public home (a harvester merges catalogues by IRI, and blank nodes cannot be merged). Even the
  checksums and the period of time get IRIs, so two builds of the same release give the same
  triples.
* Every mandatory and recommended property of the profile: titles and descriptions in Swedish
  and English (language-tagged), keywords tagged by language, `dcat:theme` from the EU
  data-theme vocabulary, `dcterms:accessRights` PUBLIC, the publisher's `dcterms:type` from the
  ADMS publisher-type list, and the licence written as the Creative Commons URI the Swedish
  portal recognises (`http://creativecommons.org/licenses/by/4.0/`, not the https page).
* One distribution per artefact of the release, with IANA media type, EU file type, byte size
  and an SPDX sha256 checksum.

Choices a publisher may differ on (publisher type, themes, contact address) are read from the
descriptor's `x-dcat` object and fall back to the defaults below; tests/unit/release/test_dcat.py
validates the graph against SHACL shapes written from the profile's cardinalities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
DCATAP_NS = "http://data.europa.eu/r5r/"
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
PUBLISHER_TYPES = "http://purl.org/adms/publishertype/"
SWEDEN = EU + "country/SWE"
DATA_THEMES = EU + "data-theme"
PUBLIC = EU + "access-right/PUBLIC"
STABLE = EU + "planned-availability/STABLE"
IRREGULAR = EU + "frequency/IRREG"
#: Economy and finance; regions and cities: what a dataset of business clusters by region is about.
DEFAULT_THEMES = ("ECON", "REGI")
#: A volunteer project that is neither a company nor an authority (override in `x-dcat`).
DEFAULT_PUBLISHER_TYPE = "NonProfitOrganisation"
#: Artefact kind → (IANA media type, EU file-type code). Markdown and checksum lists are plain
#: text; a DuckDB file has no registered media type of its own, so it is a binary file.
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv", "CSV"),
    "zip": ("application/zip", "ZIP"),
    "parquet": ("application/vnd.apache.parquet", "PARQUET"),
    "descriptor": ("application/json", "JSON"),
    "json": ("application/json", "JSON"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "md": ("text/markdown", "TXT"),
    "duckdb": ("application/octet-stream", "BIN"),
    "other": ("text/plain", "TXT"),
}
#: SPDX licence ids → the licence URIs DCAT-AP-SE lists (Creative Commons, written with http).
LICENCES = {
    "CC-BY-4.0": "http://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "http://creativecommons.org/licenses/by-sa/4.0/",
    "CC-BY-NC-4.0": "http://creativecommons.org/licenses/by-nc/4.0/",
    "CC-BY-ND-4.0": "http://creativecommons.org/licenses/by-nd/4.0/",
    "CC0-1.0": "http://creativecommons.org/publicdomain/zero/1.0/",
}
#: The metadata documents at the site's root; the IRIs of the catalogue's nodes hang off the
#: harvest URL, so they resolve to the document that describes them.
RDF_NAME = "dcat.rdf"
JSONLD_NAME = "dcat.jsonld"

CONTEXT = {
    "dcat": DCAT_NS,
    "dct": DCT_NS,
    "foaf": FOAF_NS,
    "spdx": SPDX_NS,
    "vcard": VCARD_NS,
    "adms": ADMS_NS,
    "dcatap": DCATAP_NS,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")
_TITLES = {
    "zip": ("The whole data package as one zip archive", "Hela datapaketet som ett zip-arkiv"),
    "descriptor": (
        "Frictionless Data Package descriptor (datapackage.json)",
        "Frictionless-paketbeskrivning (datapackage.json)",
    ),
    "csv": ("Table {resource} as CSV", "Tabellen {resource} som CSV"),
    "parquet": ("Table {resource} as Parquet", "Tabellen {resource} som Parquet"),
    "duckdb": ("Every table in one DuckDB database", "Alla tabeller i en DuckDB-databas"),
    "xlsx": (
        "Every table and the data dictionary in one Excel workbook",
        "Alla tabeller och datakatalogen i en Excel-arbetsbok",
    ),
    "md": ("{label} (Markdown text)", "{label} (Markdown-text)"),
    "json": ("{label} (JSON)", "{label} (JSON)"),
    "other": ("{label} (plain text)", "{label} (ren text)"),
}


@dataclass(frozen=True)
class Choices:
    """What a publisher decides rather than the data: read from the descriptor's `x-dcat`."""

    publisher_type: str
    themes: tuple[str, ...]
    contact_email: str | None
    contact_url: str | None

    @classmethod
    def from_descriptor(cls, descriptor: dict[str, Any]) -> Choices:
        raw = descriptor.get("x-dcat")
        spec: dict[str, Any] = raw if isinstance(raw, dict) else {}
        themes = spec.get("themes")
        email = spec.get("contactEmail")
        url = spec.get("contactURL")
        return cls(
            publisher_type=str(spec.get("publisherType") or DEFAULT_PUBLISHER_TYPE),
            themes=tuple(str(t) for t in themes)
            if isinstance(themes, list) and themes
            else DEFAULT_THEMES,
            contact_email=email if isinstance(email, str) and "@" in email else None,
            contact_url=url if isinstance(url, str) and url.startswith("http") else None,
        )


def build_graph(
    release: Release,
    *,
    files_prefix: str = "files/",
    base_url: str | None = None,
    landing_page: str | None = None,
    coverage: tuple[str, str] | None = None,
) -> Graph:
    """The catalogue of one release as an rdflib graph, every node an absolute IRI.

    `base_url` is where the site is served (default: the public home); the artefacts sit under
    `files_prefix` there. `coverage` is the (start, end) of the dates the data speaks of; by
    default it is computed from the tables' date fields.
    """
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import OWL, RDF, XSD

    from clusterdata.release.home import public_home

    dcat, dct, foaf = Namespace(DCAT_NS), Namespace(DCT_NS), Namespace(FOAF_NS)
    spdx, vcard, adms = Namespace(SPDX_NS), Namespace(VCARD_NS), Namespace(ADMS_NS)
    dcatap = Namespace(DCATAP_NS)
    base = (base_url or public_home()).rstrip("/") + "/"
    descriptor = release.descriptor
    choices = Choices.from_descriptor(descriptor)

    def node(fragment: str) -> URIRef:
        return URIRef(f"{base}{RDF_NAME}#{fragment}")

    graph = Graph()
    for prefix, namespace in CONTEXT.items():
        graph.bind(prefix, namespace)
    add = graph.add

    catalog, dataset = node("catalog"), node(f"dataset-{_fragment(release.name)}")
    publisher, contact = node("publisher"), node("contact-point")
    add((catalog, RDF.type, dcat.Catalog))
    add((dataset, RDF.type, dcat.Dataset))
    add((catalog, dcat.dataset, dataset))
    for lang in ("sv", "en"):
        title = release.text("title", lang) or release.name
        description = release.text("description", lang) or title
        add((dataset, dct.title, Literal(title, lang=lang)))
        add((dataset, dct.description, Literal(description, lang=lang)))
        add((catalog, dct.title, Literal(_catalog_title(title, lang), lang=lang)))
        add((catalog, dct.description, Literal(_catalog_description(title, lang), lang=lang)))

    name = _publisher(descriptor)
    add((publisher, RDF.type, foaf.Agent))
    add((publisher, foaf.name, Literal(name)))
    add((publisher, dct.type, URIRef(PUBLISHER_TYPES + choices.publisher_type)))
    add((publisher, foaf.homepage, URIRef(base)))
    page = URIRef(landing_page or base)
    add((contact, RDF.type, vcard.Organization))
    add((contact, vcard.fn, Literal(name)))
    if choices.contact_email:
        add((contact, vcard.hasEmail, URIRef("mailto:" + choices.contact_email)))
    add((contact, vcard.hasURL, URIRef(choices.contact_url or str(page))))
    for subject in (catalog, dataset):
        add((subject, dct.publisher, publisher))
    add((dataset, dcat.contactPoint, contact))

    licence = _licence(descriptor)
    if licence is not None:
        add((catalog, dct.license, URIRef(licence)))
    add((catalog, foaf.homepage, URIRef(base)))
    add((catalog, dcat.themeTaxonomy, URIRef(DATA_THEMES)))
    add((dataset, dcat.landingPage, page))
    for language in ("SWE", "ENG"):
        for subject in (catalog, dataset):
            add((subject, dct.language, URIRef(EU + "language/" + language)))
    for subject in (catalog, dataset):
        add((subject, dct.spatial, URIRef(SWEDEN)))
    for theme in choices.themes:
        add((dataset, dcat.theme, URIRef(f"{DATA_THEMES}/{theme}")))
    add((dataset, dct.accessRights, URIRef(PUBLIC)))
    add((dataset, dct.accrualPeriodicity, URIRef(IRREGULAR)))
    for keyword, lang in keywords(descriptor):
        add((dataset, dcat.keyword, Literal(keyword, lang=lang)))
    add((dataset, dct.identifier, Literal(f"{release.name}@{release.version}")))
    if release.version:
        add((dataset, OWL.versionInfo, Literal(release.version)))
        add((dataset, dcat.version, Literal(release.version)))
    if release.summary:
        add((dataset, adms.versionNotes, Literal(release.summary, lang="en")))
    created = descriptor.get("created")
    issued = _date(created if isinstance(created, str) else None) or _date(release.date)
    modified = _date(release.date) or issued
    for subject in (catalog, dataset):
        if issued:
            add((subject, dct.issued, Literal(issued, datatype=XSD.date)))
        if modified:
            add((subject, dct.modified, Literal(modified, datatype=XSD.date)))
    span = coverage or temporal_coverage(release)
    if span is not None:
        period = node("temporal-coverage")
        add((period, RDF.type, dct.PeriodOfTime))
        add((period, dcat.startDate, Literal(span[0], datatype=XSD.date)))
        add((period, dcat.endDate, Literal(span[1], datatype=XSD.date)))
        add((dataset, dct.temporal, period))

    for artefact in release.artefacts:
        url = URIRef(base + files_prefix + artefact.name)
        distribution = node(f"distribution-{_fragment(artefact.name)}")
        media_type, file_type = FORMATS.get(artefact.kind, FORMATS["other"])
        add((distribution, RDF.type, dcat.Distribution))
        add((dataset, dcat.distribution, distribution))
        add((distribution, dcat.accessURL, url))
        add((distribution, dcat.downloadURL, url))
        for lang, text in zip(("en", "sv"), _title(artefact), strict=True):
            add((distribution, dct.title, Literal(text, lang=lang)))
            add((distribution, dct.description, Literal(text, lang=lang)))
        add((distribution, dcat.byteSize, Literal(artefact.bytes, datatype=XSD.nonNegativeInteger)))
        add((distribution, dcat.mediaType, URIRef(IANA + media_type)))
        add((distribution, dct["format"], URIRef(EU + "file-type/" + file_type)))
        add((distribution, dcatap.availability, URIRef(STABLE)))
        if licence is not None:
            add((distribution, dct.license, URIRef(licence)))
        if modified:
            add((distribution, dct.issued, Literal(modified, datatype=XSD.date)))
        checksum = node(f"checksum-{_fragment(artefact.name)}")
        add((checksum, RDF.type, spdx.Checksum))
        add((checksum, spdx.algorithm, spdx.checksumAlgorithm_sha256))
        add((checksum, spdx.checksumValue, Literal(artefact.sha256, datatype=XSD.hexBinary)))
        add((distribution, spdx.checksum, checksum))
    return graph


def to_jsonld(graph: Graph) -> str:
    return graph.serialize(format="json-ld", context=CONTEXT, indent=2, sort_keys=True) + "\n"


def to_rdfxml(graph: Graph) -> str:
    """RDF/XML, the one syntax every DCAT harvester reads (dataportal.se harvests this)."""
    return graph.serialize(format="pretty-xml")


def keywords(descriptor: dict[str, Any]) -> list[tuple[str, str]]:
    """(keyword, language) pairs: words listed in `x-keywords-sv` are Swedish, the other
    `keywords` English (a Frictionless descriptor has one untagged keyword list)."""
    swedish = {k.strip() for k in descriptor.get("x-keywords-sv") or [] if isinstance(k, str)}
    out = {(k, "sv") for k in swedish if k}
    for keyword in descriptor.get("keywords") or []:
        if isinstance(keyword, str) and keyword.strip() and keyword.strip() not in swedish:
            out.add((keyword.strip(), "en"))
    return sorted(out)


def _fragment(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "item"


def _catalog_title(title: str, lang: str) -> str:
    return f"Catalogue of {title}" if lang == "en" else f"Katalog för {title}"


def _catalog_description(title: str, lang: str) -> str:
    if lang == "en":
        return f"Every published file of the dataset {title}, with sizes and checksums."
    return f"Alla publicerade filer i datamängden {title}, med storlekar och kontrollsummor."


def _title(artefact: Artefact) -> tuple[str, str]:
    en, sv = _TITLES.get(artefact.kind, _TITLES["other"])
    values = {"resource": artefact.resource or artefact.label, "label": artefact.label}
    return en.format(**values), sv.format(**values)


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


def _licence(descriptor: dict[str, Any]) -> str | None:
    """The licence URI as DCAT-AP-SE lists it: known SPDX ids and Creative Commons pages map to
    the http form the Swedish portal matches exactly; any other URL is kept as it is."""
    for licence in descriptor.get("licenses") or []:
        if not isinstance(licence, dict):
            continue
        name = licence.get("name")
        if isinstance(name, str) and name in LICENCES:
            return LICENCES[name]
        path = licence.get("path")
        if isinstance(path, str) and path.startswith(("http://", "https://")):
            return re.sub(r"^https://creativecommons\.org/", "http://creativecommons.org/", path)
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
    from clusterdata.core.package import UsageError, open_package
    from clusterdata.core.tables import read_rows

    starts: list[str] = []
    ends: list[str] = []
    try:
        resources = open_package(release.folder).resources
    except UsageError:
        return None
    for resource in resources:
        wanted = {
            f.name
            for f in resource.table_schema.fields
            if f.type in ("date", "datetime", "yearmonth", "year")
            or (f.type == "string" and f.name.endswith("date"))
        }
        if not wanted or not resource.is_csv:
            continue
        labels, rows = read_rows(resource)  # the rows `validate` reads, in any dialect
        for row in rows:
            for index, label in enumerate(labels):
                span = bounds((row[index] or "") if label in wanted and index < len(row) else "")
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

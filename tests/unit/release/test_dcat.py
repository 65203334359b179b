"""DCAT-AP-SE metadata: RDF/XML and JSON-LD of one graph that conforms to the profile's shapes
(tests/fixtures/shacl/dcat-ap-se.ttl, checked with pySHACL), and graphs that break it fail."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures.releasekit import publish_release, release_folder
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF

from clusterdata.release import dcat
from clusterdata.release.home import public_home
from clusterdata.site.release import find_release

DCAT = Namespace(dcat.DCAT_NS)
SPDX = Namespace(dcat.SPDX_NS)
FOAF = Namespace(dcat.FOAF_NS)
VCARD = Namespace(dcat.VCARD_NS)
SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES = Path(__file__).resolve().parents[2] / "fixtures" / "shacl" / "dcat-ap-se.ttl"
BASE = "https://example.org/data/"


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    dist = publish_release(tmp_path_factory.mktemp("published"))
    return find_release(None, dist)


@pytest.fixture(scope="module")
def graph(release) -> Graph:  # type: ignore[no-untyped-def]
    """What a harvester gets: dcat.rdf parsed back."""
    xml = dcat.to_rdfxml(dcat.build_graph(release, base_url=BASE))
    return Graph().parse(data=xml, format="xml")


def _shacl(data: Graph) -> dict[str, list[str]]:
    """pySHACL results by severity name, each as 'path @ focus'."""
    import pyshacl

    shapes = Graph().parse(SHAPES)
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, allow_infos=True)
    found: dict[str, list[str]] = {"Violation": [], "Warning": [], "Info": []}
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        path = results.value(result, SH.resultPath)
        focus = results.value(result, SH.focusNode)
        found[severity].append(f"{path} @ {focus}")
    return found


def test_the_published_graph_conforms_to_the_dcat_ap_se_shapes(graph: Graph) -> None:
    results = _shacl(graph)
    assert results["Violation"] == [] and results["Warning"] == [], results
    # the one Info: no contact e-mail (the project has no non-personal address to give)
    assert results["Info"] == [f"{VCARD.hasEmail} @ {BASE}dcat.rdf#contact-point"]


def _drop(predicate: URIRef, cls: URIRef) -> Callable[[Graph], None]:
    def mutate(g: Graph) -> None:
        for subject in list(g.subjects(RDF.type, cls)):
            g.remove((subject, predicate, None))

    return mutate


def _blank_dataset(g: Graph) -> None:
    [dataset] = list(g.subjects(RDF.type, DCAT.Dataset))
    blank = BNode()
    for p, o in list(g.predicate_objects(dataset)):
        g.add((blank, p, o))
    for s, p in list(g.subject_predicates(dataset)):
        g.add((s, p, blank))
    g.remove((dataset, None, None))
    g.remove((None, None, dataset))


def _https_licence(g: Graph) -> None:
    for s, _, o in list(g.triples((None, DCTERMS.license, None))):
        g.remove((s, DCTERMS.license, o))
        g.add((s, DCTERMS.license, URIRef(str(o).replace("http://", "https://"))))


def _english_title_only(g: Graph) -> None:
    [dataset] = list(g.subjects(RDF.type, DCAT.Dataset))
    g.remove((dataset, DCTERMS.title, Literal("Testkluster", lang="sv")))


def _md5_checksum(g: Graph) -> None:
    checksum = next(g.subjects(RDF.type, SPDX.Checksum))
    g.set((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_md5))


def _restricted_access_typo(g: Graph) -> None:
    [dataset] = list(g.subjects(RDF.type, DCAT.Dataset))
    g.set((dataset, DCTERMS.accessRights, URIRef(dcat.EU + "access-right/OPEN")))


@pytest.mark.parametrize(
    ("mutate", "severity", "path"),
    [
        (_drop(DCTERMS.publisher, DCAT.Dataset), "Violation", DCTERMS.publisher),
        (_drop(DCAT.accessURL, DCAT.Distribution), "Violation", DCAT.accessURL),
        (_drop(DCAT.byteSize, DCAT.Distribution), "Violation", DCAT.byteSize),
        (_drop(DCAT.mediaType, DCAT.Distribution), "Violation", DCAT.mediaType),
        (_drop(FOAF.name, FOAF.Agent), "Violation", FOAF.name),
        (_blank_dataset, "Violation", None),
        (_https_licence, "Violation", DCTERMS.license),
        (_english_title_only, "Violation", DCTERMS.title),
        (_md5_checksum, "Violation", SPDX.algorithm),
        (_restricted_access_typo, "Violation", DCTERMS.accessRights),
        (_drop(DCAT.theme, DCAT.Dataset), "Warning", DCAT.theme),
        (_drop(DCTERMS.type, FOAF.Agent), "Warning", DCTERMS.type),
        (_drop(DCAT.contactPoint, DCAT.Dataset), "Warning", DCAT.contactPoint),
    ],
    ids=lambda v: getattr(v, "__name__", None) if callable(v) else None,
)
def test_a_graph_that_breaks_the_profile_fails_with_the_property_named(
    graph: Graph, mutate: Callable[[Graph], None], severity: str, path: URIRef | None
) -> None:
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    mutate(broken)
    results = _shacl(broken)[severity]
    assert results, f"expected a {severity}"
    if path is not None:
        assert any(r.startswith(f"{path} @") for r in results), results


def test_the_dataset_has_the_dcat_ap_se_properties_in_both_languages(graph: Graph) -> None:
    [dataset] = list(graph.subjects(RDF.type, DCAT.Dataset))
    [catalog] = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert (catalog, DCAT.dataset, dataset) in graph
    titles = {lit.language: str(lit) for lit in graph.objects(dataset, DCTERMS.title)}
    assert titles == {"en": "Test clusters", "sv": "Testkluster"}
    assert {lit.language for lit in graph.objects(dataset, DCTERMS.description)} == {"en", "sv"}
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert str(graph.value(publisher, FOAF.name)) == "Test Team"
    assert graph.value(publisher, DCTERMS.type) == URIRef(
        "http://purl.org/adms/publishertype/NonProfitOrganisation"
    )
    licence = URIRef("http://creativecommons.org/licenses/by/4.0/")
    assert graph.value(catalog, DCTERMS.license) == licence
    assert {(str(k), k.language) for k in graph.objects(dataset, DCAT.keyword)} == {
        ("clusters", "en"),
        ("kluster", "sv"),
    }
    themes = {str(t).rsplit("/", 1)[-1] for t in graph.objects(dataset, DCAT.theme)}
    assert themes == {"ECON", "REGI"}
    assert graph.value(dataset, DCTERMS.accessRights) == URIRef(dcat.PUBLIC)
    assert graph.value(dataset, DCTERMS.spatial) == URIRef(dcat.SWEDEN)
    assert str(graph.value(dataset, OWL.versionInfo)) == "1.0.0"
    assert str(graph.value(dataset, DCTERMS.issued)) == "2024-06-01"
    period = graph.value(dataset, DCTERMS.temporal)
    # clusters founded 2001-03-01 … the S3 pilot starts 2017-05 (a month)
    assert str(graph.value(period, DCAT.startDate)) == "2001-03-01"
    assert str(graph.value(period, DCAT.endDate)) == "2017-05-31"
    for node in (catalog, dataset, publisher, graph.value(dataset, DCAT.contactPoint), period):
        assert isinstance(node, URIRef) and str(node).startswith(BASE), node


def test_every_artefact_is_a_distribution_with_its_real_size_and_checksum(
    release, graph: Graph
) -> None:  # type: ignore[no-untyped-def]
    from clusterdata.loading.remote import file_digest

    distributions = list(graph.subjects(RDF.type, DCAT.Distribution))
    by_url = {str(graph.value(d, DCAT.downloadURL)): d for d in distributions}
    assert set(by_url) == {f"{BASE}files/{a.name}" for a in release.artefacts}
    kinds = {a.kind for a in release.artefacts}
    assert {"zip", "descriptor", "csv", "parquet", "duckdb", "md"} <= kinds
    for artefact in release.artefacts:
        node = by_url[f"{BASE}files/{artefact.name}"]
        assert isinstance(node, URIRef)
        assert int(graph.value(node, DCAT.byteSize)) == artefact.file.stat().st_size
        checksum = graph.value(node, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(graph.value(checksum, SPDX.checksumValue)) == file_digest(
            artefact.file, "sha256"
        )
        assert str(graph.value(node, DCAT.mediaType)).startswith(dcat.IANA)
    first_csv = next(a.name for a in release.artefacts if a.kind == "csv")
    csv = by_url[f"{BASE}files/{first_csv}"]
    assert graph.value(csv, DCAT.mediaType) == URIRef(dcat.IANA + "text/csv")


def test_rdf_xml_and_json_ld_hold_the_same_graph_with_the_licence_written_exactly(
    release,
) -> None:  # type: ignore[no-untyped-def]
    built = dcat.build_graph(release, base_url=BASE)
    xml = dcat.to_rdfxml(built)
    assert 'rdf:resource="http://creativecommons.org/licenses/by/4.0/"' in xml
    assert "rdf:nodeID" not in xml  # no blank nodes anywhere
    from_xml = Graph().parse(data=xml, format="xml")
    from_jsonld = Graph().parse(data=dcat.to_jsonld(built), format="json-ld")
    assert isomorphic(from_xml, from_jsonld)


def test_without_a_base_url_every_iri_is_on_the_public_home(release) -> None:  # type: ignore[no-untyped-def]
    graph = dcat.build_graph(release)
    urls = {str(u) for u in graph.objects(None, DCAT.downloadURL)}
    assert public_home() == "https://clusterdata.github.io/clusterdata/"
    assert urls and all(u.startswith(public_home() + "files/") for u in urls)


def test_publisher_choices_come_from_the_descriptor() -> None:
    choices = dcat.Choices.from_descriptor(
        {"x-dcat": {"publisherType": "Academia-ScientificOrganisation", "themes": ["EDUC"]}}
    )
    assert choices.publisher_type == "Academia-ScientificOrganisation"
    assert choices.themes == ("EDUC",)
    assert dcat.Choices.from_descriptor({}).themes == dcat.DEFAULT_THEMES


def test_partial_dates_cover_their_whole_period() -> None:
    assert dcat.bounds("2018") == ("2018-01-01", "2018-12-31")
    assert dcat.bounds("2016-02") == ("2016-02-01", "2016-02-29")
    assert dcat.bounds("2017-12-18") == ("2017-12-18", "2017-12-18")
    assert dcat.bounds("senhösten") is None


def test_the_release_folder_name_matches_the_descriptor(release) -> None:  # type: ignore[no-untyped-def]
    assert release.folder == release_folder(release.folder.parent).resolve()
    assert Path(release.folder / "datapackage.json").is_file()

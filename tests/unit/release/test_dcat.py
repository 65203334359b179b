"""DCAT-AP metadata: parses back as RDF and carries the properties portals harvest."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.releasekit import publish_release, release_folder
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF

from clusterdata.release import dcat
from clusterdata.site.release import find_release

DCAT = Namespace(dcat.DCAT_NS)
SPDX = Namespace(dcat.SPDX_NS)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    dist = publish_release(tmp_path_factory.mktemp("published"))
    return find_release(None, dist)


def _parse(text: str, base: str) -> Graph:
    return Graph().parse(data=text, format="json-ld", publicID=base)


def test_the_dataset_has_the_dcat_ap_properties_in_both_languages(release) -> None:  # type: ignore[no-untyped-def]
    text = dcat.to_jsonld(
        dcat.build_graph(release, files_prefix="files/", base_url="https://example.org/data/")
    )
    graph = _parse(text, "https://example.org/data/dcat.jsonld")
    [dataset] = list(graph.subjects(RDF.type, DCAT.Dataset))
    [catalog] = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert (catalog, DCAT.dataset, dataset) in graph
    titles = {lit.language: str(lit) for lit in graph.objects(dataset, DCTERMS.title)}
    assert titles == {"en": "Test clusters", "sv": "Testkluster"}
    descriptions = {lit.language for lit in graph.objects(dataset, DCTERMS.description)}
    assert descriptions == {"en", "sv"}
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert str(graph.value(publisher, Namespace(dcat.FOAF_NS).name)) == "Test Team"
    assert graph.value(dataset, DCTERMS.license) == URIRef(dcat.EU + "licence/CC_BY_4_0")
    assert {str(k) for k in graph.objects(dataset, DCAT.keyword)} == {"clusters", "kluster"}
    assert graph.value(dataset, DCTERMS.spatial) == URIRef(dcat.SWEDEN)
    assert str(graph.value(dataset, OWL.versionInfo)) == "1.0.0"
    assert str(graph.value(dataset, DCTERMS.issued)) == "2024-06-01"
    assert str(graph.value(dataset, DCTERMS.modified)) == "2024-06-01"
    period = graph.value(dataset, DCTERMS.temporal)
    # initiatives start 2012 (a year) … clusters founded 2012-11-20, s3-pilot 2017-05
    assert str(graph.value(period, DCAT.startDate)) == "2001-03-01"
    assert str(graph.value(period, DCAT.endDate)) == "2017-05-31"


def test_every_artefact_is_a_distribution_with_its_real_size_and_checksum(release) -> None:  # type: ignore[no-untyped-def]
    graph = _parse(
        dcat.to_jsonld(
            dcat.build_graph(release, files_prefix="files/", base_url="https://example.org/data")
        ),
        "https://example.org/data/dcat.jsonld",
    )
    distributions = list(graph.subjects(RDF.type, DCAT.Distribution))
    by_url = {str(graph.value(d, DCAT.downloadURL)): d for d in distributions}
    expected = {a.name for a in release.artefacts if a.kind not in ("md", "other")}
    assert set(by_url) == {f"https://example.org/data/files/{n}" for n in expected}
    kinds = {a.kind for a in release.artefacts if a.name in expected}
    assert {"zip", "descriptor", "csv", "parquet", "duckdb"} <= kinds
    for artefact in release.artefacts:
        if artefact.name not in expected:
            continue
        node = by_url[f"https://example.org/data/files/{artefact.name}"]
        assert int(graph.value(node, DCAT.byteSize)) == artefact.file.stat().st_size
        checksum = graph.value(node, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        from clusterdata.loading.remote import file_digest

        assert str(graph.value(checksum, SPDX.checksumValue)) == file_digest(
            artefact.file, "sha256"
        )
        assert graph.value(node, DCAT.accessURL) is not None
    first_csv = next(a.name for a in release.artefacts if a.kind == "csv")
    csv = by_url[f"https://example.org/data/files/{first_csv}"]
    assert graph.value(csv, DCAT.mediaType) == URIRef(dcat.IANA + "text/csv")


def test_without_a_base_url_download_urls_resolve_against_the_document(release) -> None:  # type: ignore[no-untyped-def]
    text = dcat.to_jsonld(dcat.build_graph(release, files_prefix="files/"))
    graph = _parse(text, "https://mirror.example.net/site/dcat.jsonld")
    urls = {str(u) for u in graph.objects(None, DCAT.downloadURL)}
    assert urls and all(u.startswith("https://mirror.example.net/site/files/") for u in urls)


def test_partial_dates_cover_their_whole_period() -> None:
    assert dcat.bounds("2018") == ("2018-01-01", "2018-12-31")
    assert dcat.bounds("2016-02") == ("2016-02-01", "2016-02-29")
    assert dcat.bounds("2017-12-18") == ("2017-12-18", "2017-12-18")
    assert dcat.bounds("senhösten") is None


def test_the_release_folder_name_matches_the_descriptor(release) -> None:  # type: ignore[no-untyped-def]
    assert release.folder == release_folder(release.folder.parent).resolve()
    assert Path(release.folder / "datapackage.json").is_file()

"""The static catalogue site rendered from a real published release."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fixtures.releasekit import make_package, publish_release, release_folder

from clusterdata.site import charts


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/ with releases 1.0.0 and 1.1.0 (one cluster added), and dist/site of the newest."""
    from clusterdata.cli import main

    root = tmp_path_factory.mktemp("site")
    dist = publish_release(root)
    from clusterdata.release.publish import publish

    source = make_package(
        root / "package", extra_cluster="urban-ict-arena,Urban ICT Arena,sverige,,"
    )
    assert publish(source, dist, date="2024-07-01").status == "published"
    assert main(["site", "--dist", str(dist)]) == 0
    return dist


def _page(built: Path, rel: str) -> str:
    return (built / "site" / rel).read_text(encoding="utf-8")


def test_the_newest_release_is_rendered_by_default_in_both_languages(built: Path) -> None:
    site = built / "site"
    for lang in ("en", "sv"):
        for rel in (
            "index.html",
            "changelog.html",
            "validation.html",
            *(
                f"tables/{t}.html"
                for t in ("clusters", "regions", "initiatives", "cluster_initiatives", "delta")
            ),
        ):
            assert (site / lang / rel).is_file(), f"{lang}/{rel}"
    landing = _page(built, "en/index.html")
    assert "Version</dt><dd>1.1.0" in landing
    assert "Test Team (2024). Test clusters (Version 1.1.0) [Dataset]. 2024-07-01." in landing
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in landing
    assert "Testkluster" in _page(built, "sv/index.html")
    assert 'href="../sv/index.html"' in landing  # the language switch


def test_every_download_link_points_at_a_copied_file_with_its_size_and_hash(built: Path) -> None:
    from clusterdata.loading.remote import file_digest

    site = built / "site"
    landing = _page(built, "en/index.html")
    links = re.findall(r'<a class="download" href="\.\./(files/[^"]+)"', landing)
    names = {link.removeprefix("files/") for link in links}
    release = release_folder(built)  # newest first in releases.json
    published = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    assert published <= names
    for link in links:
        file = site / link
        assert file.is_file(), link
        assert file_digest(file, "sha256") in landing, link
    assert any(n.endswith(".zip") for n in names) and any(n.endswith(".duckdb") for n in names)
    assert "datapackage.json" in names and "parquet/clusters.parquet" in names


def test_table_pages_hold_the_dictionary_in_each_language_and_every_row(built: Path) -> None:
    en = _page(built, "en/tables/clusters.html")
    sv = _page(built, "sv/tables/clusters.html")
    assert "Cluster name." in en and "Klustrets namn." in sv
    assert "references regions.id" in en and "refererar till regions.id" in sv
    data = en.split('id="data-clusters"', 1)[1]
    assert data.count("<tr><td>") == 6  # 5 clusters + the one added in 1.1.0
    assert "Urban ICT Arena" in en and 'class="table-filter"' in en


def test_the_landing_page_draws_the_charts_as_inline_svg(built: Path) -> None:
    landing = _page(built, "en/index.html")
    for chart in ("chart-county", "chart-nuts2", "chart-time", "chart-matrix"):
        assert f'id="{chart}"' in landing
    assert landing.count("<svg ") == 4
    assert "Värmlands län: 2" in landing  # Compare and Paper Province
    assert "Gävleborgs län: 2" in landing  # FindIT, and Sandviken's cluster via Gävle kommun
    assert "1 initiatives without a stated year" in landing


def test_the_site_needs_no_network(built: Path) -> None:
    for page in (built / "site").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        external = re.findall(r"<(?:script|img|iframe)[^>]*\bsrc=\"(?:https?:)?//", html)
        external += re.findall(
            r"<link[^>]*rel=\"(?:stylesheet|icon|preload)\"[^>]*"
            r"href=\"(?:https?:)?//",
            html,
        )
        assert not external, page
    assert (built / "site" / "static" / "table.js").is_file()


def test_changelog_validation_report_and_metadata_are_rendered(built: Path) -> None:
    assert "1.1.0" in _page(built, "en/changelog.html") and "<h" in _page(
        built, "en/changelog.html"
    )
    assert "Data validation" in _page(built, "en/validation.html")
    from rdflib import Graph

    graph = Graph().parse(built / "site" / "dcat.jsonld", format="json-ld")
    assert len(graph) > 50


def test_a_release_whose_files_do_not_match_is_not_published_as_a_site(
    built: Path,
    tmp_path: Path,
    cli,  # type: ignore[no-untyped-def]
) -> None:
    dist = Path(shutil.copytree(built, tmp_path / "dist", ignore=shutil.ignore_patterns("site")))
    release = release_folder(dist)
    (release / "clusters.csv").write_bytes(b"id\n")
    result = cli("site", "--dist", dist)
    assert result.code == 1 and "clusters.csv" in result.out
    assert not (dist / "site").exists()


def test_an_unknown_version_or_empty_dist_is_a_usage_error(
    tmp_path: Path, built: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    assert cli("site", "--dist", tmp_path).code == 2
    assert cli("site", "9.9.9", "--dist", built, "--out", tmp_path / "s").code == 2


def test_rendering_again_replaces_the_site_without_leftovers(
    built: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "site"
    assert cli("site", "1.0.0", "--dist", built, "--out", out).code == 0
    (out / "stale.html").write_text("old", encoding="utf-8")
    assert cli("site", "--dist", built, "--out", out).code == 0
    assert not (out / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_clusters_roll_up_the_region_hierarchy() -> None:
    regions = [
        {"id": "se", "name": "Sverige", "level": "country", "parent_id": ""},
        {"id": "n", "name": "Norr", "level": "nuts2", "parent_id": "se"},
        {"id": "c", "name": "Län", "level": "county", "parent_id": "n"},
        {"id": "m", "name": "Kommun", "level": "municipality", "parent_id": "c"},
    ]
    clusters = [
        {"id": "a", "region_id": "m"},
        {"id": "b", "region_id": "c"},
        {"id": "x", "region_id": "n"},
        {"id": "y", "region_id": ""},
    ]
    svg = charts.clusters_per_region(
        {"clusters": clusters, "regions": regions}, "county", "County not stated", "t"
    )
    assert svg is not None
    assert "Län: 2" in svg and "Norr (county not stated): 1" in svg
    assert "County not stated: 1" in svg
    assert charts.clusters_per_region({"regions": regions}, "county", "-", "t") is None

"""`clusterdata stats`: coverage per county, fill rates, provenance, quotes and last checks."""

from __future__ import annotations

import json

from fixtures.packages import write_package

from clusterdata.core.package import open_package
from clusterdata.release import stats

REGIONS = (
    "id,name,level,parent_id,county_code\n"
    "se,Sverige,country,,\n"
    "se31,Norra Mellansverige,nuts2,se,\n"
    "varmland,Värmlands län,county,se31,17\n"
    "gavleborg,Gävleborgs län,county,se31,21\n"
    "karlstad,Karlstad,municipality,varmland,\n"
)
CLUSTERS = (
    "id,region_id,website,description,provenance,quote,last_checked\n"
    "a,karlstad,https://a.se,,stated,Ett citat,2026-01-02\n"
    "b,varmland,,Text,derived,,2025-05-01\n"
    "c,se31,,,inferred,,\n"
)
CLUSTER_REGIONS = "cluster_id,region_id,role\nc,gavleborg,location\nb,gavleborg,scope\n"
REGION_INITIATIVES = "region_id,initiative_id\nkarlstad,x\nvarmland,x\nvarmland,y\n"
SOURCES = "id,url,archive\ns1,https://s.se,\ns2,,sources/s2.txt\ns3,https://t.se,sources/s3.txt\n"


def _schema(header: str) -> dict:
    return {"fields": [{"name": n, "type": "string"} for n in header.split("\n")[0].split(",")]}


def fixture(tmp_path):
    tables = {
        "regions": REGIONS,
        "clusters": CLUSTERS,
        "cluster_regions": CLUSTER_REGIONS,
        "region_initiatives": REGION_INITIATIVES,
        "sources": SOURCES,
    }
    return write_package(tmp_path / "p", {k: (_schema(v), v) for k, v in tables.items()})


def test_clusters_and_initiatives_are_counted_per_county_through_municipalities(tmp_path):
    computed = stats.compute(open_package(fixture(tmp_path)))
    coverage = [(c.county, c.clusters, c.initiatives) for c in computed.counties]
    # a in Karlstad and b in Värmland; c located in Gävleborg by cluster_regions, b's scope
    # is not a location; initiative x counted once in Värmland though linked twice
    assert coverage == [("varmland", 2, 2), ("gavleborg", 1, 0)]
    assert computed.clusters_outside_counties == 0


def test_fill_rates_provenance_quotes_and_last_checked_are_counted(tmp_path):
    computed = stats.compute(open_package(fixture(tmp_path)))
    assert computed.filled == {"clusters.website": (1, 3), "clusters.description": (1, 3)}
    assert computed.provenance == {"clusters": {"stated": 1, "derived": 1, "inferred": 1}}
    assert computed.quoted == {"clusters": (1, 3)}
    assert computed.checked == {"clusters": ("2025-05-01", 1, 3)}
    assert computed.sources == {"archive": 1, "both": 1, "url": 1}


def test_seat_coordinates_are_counted_over_municipalities_only(tmp_path):
    regions = (
        "id,name,level,parent_id,county_code,latitude\n"
        "se,Sverige,country,,,\n"
        "gavleborg,Gävleborgs län,county,se,21,\n"
        "gavle,Gävle kommun,municipality,gavleborg,,60.67472\n"
        "sandviken,Sandvikens kommun,municipality,gavleborg,,\n"
        "hudiksvall,Hudiksvall,municipality,gavleborg,,61.733\n"
    )
    path = write_package(tmp_path / "p", {"regions": (_schema(regions), regions)})
    computed = stats.compute(open_package(path))
    # the country and the county cannot have a seat, so they are not counted as missing one
    assert computed.filled == {"regions.latitude": (2, 3)}
    markdown = stats.render_markdown(computed)
    assert "| regions.latitude (municipality seats) | 2 of 3 (67 %) |" in markdown


def test_a_package_without_the_dataset_tables_gets_an_empty_report(tmp_path):
    path = write_package(tmp_path / "p", {"t": (_schema("a,b"), "a,b\n1,2\n")})
    computed = stats.compute(open_package(path))
    assert (computed.tables, computed.counties, computed.filled) == ({"t": 1}, [], {})
    assert stats.render_markdown(computed) == "# Data quality\n"


def test_the_bundled_dataset_covers_every_county_named_by_the_s3_pilot(cli):
    result = cli("stats", "--format", "json")
    assert result.code == 0
    data = json.loads(result.out)
    clusters = {c["name"]: c["clusters"] for c in data["counties"]}
    assert len(clusters) == 21
    for county in ("Skåne län", "Västra Götalands län", "Östergötlands län", "Stockholms län"):
        assert clusters[county] >= 1, county
    assert sum(data["provenance"]["regions"].values()) == data["tables"]["regions"]
    websites, rows = data["filled"]["clusters.website"]
    assert rows == data["tables"]["clusters"] and websites >= 13


def test_stats_prints_text_and_markdown_and_refuses_a_missing_package(cli, tmp_path):
    text = cli("stats")
    assert text.code == 0 and "Coverage per county" in text.out and "| ---" not in text.out
    markdown = cli("stats", "--format", "markdown", "--output", tmp_path / "q.md")
    assert markdown.code == 0 and "| county | clusters | initiatives |" in markdown.out
    assert (tmp_path / "q.md").read_text(encoding="utf-8") == markdown.out
    assert cli("stats", tmp_path / "missing").code == 2


def test_a_release_carries_its_data_quality_report(package_copy, cli, tmp_path):
    assert cli("publish", package_copy / "datapackage.json", "--out", tmp_path / "dist").code == 0
    [report] = (tmp_path / "dist").glob("swedish-clusters-*/DATA-QUALITY.md")
    expected = stats.render_markdown(stats.compute(open_package(package_copy)))
    assert report.read_text(encoding="utf-8") == expected

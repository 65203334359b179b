"""Real parts for the download, site and metadata tests: a small package published with the real
`clusterdata publish`, and a real HTTP server (Python's http.server on 127.0.0.1)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

from conftest import write_package

SLUG = {"type": "string", "constraints": {"required": True, "pattern": "^[a-z0-9-]+$"}}


def _field(name: str, en: str, sv: str, **spec: object) -> dict[str, object]:
    return {"name": name, "description": en, "x-description-sv": sv, "type": "string", **spec}


REGIONS = {
    "title": "Regions",
    "x-title-sv": "Regioner",
    "description": "Regions of Sweden.",
    "x-description-sv": "Sveriges regioner.",
    "fields": [
        _field("id", "Region id.", "Regionens id.", constraints={"required": True}),
        _field("name", "Name.", "Namn."),
        _field(
            "level",
            "Level.",
            "Nivå.",
            constraints={"enum": ["country", "nuts2", "county", "municipality"]},
        ),
        _field("parent_id", "Parent region.", "Överordnad region."),
    ],
    "primaryKey": ["id"],
    "foreignKeys": [{"fields": ["parent_id"], "reference": {"resource": "", "fields": ["id"]}}],
}
REGIONS_CSV = """id,name,level,parent_id
dalarnas-lan,Dalarnas län,county,norra-mellansverige
gavle,Gävle kommun,municipality,gavleborgs-lan
gavleborgs-lan,Gävleborgs län,county,norra-mellansverige
norra-mellansverige,Norra Mellansverige,nuts2,sverige
sverige,Sverige,country,
varmlands-lan,Värmlands län,county,norra-mellansverige
"""
CLUSTERS = {
    "title": "Clusters",
    "x-title-sv": "Kluster",
    "description": "Cluster organisations.",
    "x-description-sv": "Klusterorganisationer.",
    "fields": [
        _field("id", "Cluster id.", "Klustrets id.", constraints={"required": True}),
        _field("name", "Cluster name.", "Klustrets namn."),
        _field("region_id", "Region of the cluster.", "Klustrets region."),
        {
            "name": "members",
            "type": "integer",
            "description": "Member companies.",
            "x-description-sv": "Antal medlemsföretag.",
        },
        {
            "name": "founded",
            "type": "date",
            "description": "Founding date.",
            "x-description-sv": "Grundat.",
        },
    ],
    "primaryKey": ["id"],
    "foreignKeys": [
        {"fields": ["region_id"], "reference": {"resource": "regions", "fields": ["id"]}}
    ],
}
CLUSTERS_CSV = """id,name,region_id,members,founded
compare,Compare,varmlands-lan,100,2001-03-01
findit,FindIT,gavleborgs-lan,,
fiber-optic-valley,Fiber Optic Valley,norra-mellansverige,,
paper-province,Paper Province,varmlands-lan,110,
sandviken-cluster,Stål & Verkstad,gavle,,2012-11-20
"""
INITIATIVES = {
    "title": "Initiatives",
    "x-title-sv": "Initiativ",
    "description": "Programmes and events.",
    "x-description-sv": "Program och evenemang.",
    "fields": [
        _field("id", "Initiative id.", "Initiativets id.", constraints={"required": True}),
        _field("name", "Name.", "Namn."),
        _field("kind", "Kind.", "Typ.", constraints={"enum": ["programme", "event", "project"]}),
        _field("start_date", "Start, partial ISO date.", "Start, ofullständigt datum."),
    ],
    "primaryKey": ["id"],
}
INITIATIVES_CSV = """id,name,kind,start_date
higher,Interreg Europe HIGHER,project,2016
klusterkonferensen,Nationella klusterkonferensen,event,
s3-pilot,S3-piloten,programme,2017-05
superklustra,Superklustra,programme,2012
"""
LINKS = {
    "title": "Participation",
    "x-title-sv": "Deltagande",
    "description": "Who takes part in what.",
    "x-description-sv": "Vem som deltar i vad.",
    "fields": [
        _field("cluster_id", "Cluster.", "Kluster."),
        _field("initiative_id", "Initiative.", "Initiativ."),
        _field("role", "Role.", "Roll.", constraints={"enum": ["participant", "presenter"]}),
    ],
    "primaryKey": ["cluster_id", "initiative_id"],
    "foreignKeys": [
        {"fields": ["cluster_id"], "reference": {"resource": "clusters", "fields": ["id"]}},
        {"fields": ["initiative_id"], "reference": {"resource": "initiatives", "fields": ["id"]}},
    ],
}
LINKS_CSV = """cluster_id,initiative_id,role
compare,klusterkonferensen,presenter
compare,s3-pilot,participant
findit,superklustra,participant
paper-province,s3-pilot,participant
"""


def make_package(folder: Path, *, extra_cluster: str | None = None) -> Path:
    """The small dataset-shaped package the tests publish (four tables, Swedish and English)."""
    clusters = CLUSTERS_CSV + (extra_cluster + "\n" if extra_cluster else "")
    return write_package(
        folder,
        {
            "regions": (REGIONS, REGIONS_CSV),
            "clusters": (CLUSTERS, clusters),
            "initiatives": (INITIATIVES, INITIATIVES_CSV),
            "cluster_initiatives": (LINKS, LINKS_CSV),
        },
        name="test-clusters",
        version="1.0.0",
        title="Test clusters",
        description="A small test dataset.",
        **{"x-title-sv": "Testkluster", "x-description-sv": "En liten testdatamängd."},
        licenses=[
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0",
            }
        ],
        keywords=["clusters", "kluster"],
        contributors=[{"title": "Test Team", "role": "author"}],
    )


def publish_release(root: Path, *, date: str = "2024-06-01", **package: str) -> Path:
    """Publish the small package with the real publisher; returns the dist folder."""
    from clusterdata.publish import publish

    source = make_package(root / "package", **package)
    dist = root / "dist"
    outcome = publish(source, dist, date=date)
    assert outcome.folder is not None and (outcome.folder / "datapackage.json").is_file()
    return dist


def release_folder(dist: Path) -> Path:
    index = json.loads((dist / "releases.json").read_text(encoding="utf-8"))
    return dist / index["releases"][0]["folder"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` over HTTP on 127.0.0.1 (ephemeral port) in a thread; yields the URL."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

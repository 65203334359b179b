"""The public home laid out from dist/: every version byte-identical, `latest` the newest, and a
deploy that would change a published version refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fixtures.releasekit import make_package, publish_release, serve

from clusterdata.release import home
from clusterdata.release.pages import PagesRefused, build_pages
from clusterdata.release.publish import publish

NEW_CLUSTER = "zz-new,Zz New,varmlands-lan,3,2020-01-01"


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    return publish_release(tmp_path / "one")


def _second_release(dist: Path, tmp_path: Path) -> None:
    source = make_package(tmp_path / "next", extra_cluster=NEW_CLUSTER)
    outcome = publish(source, dist, date="2024-07-01")
    assert outcome.status == "published" and str(outcome.plan.version) == "1.1.0"


def test_every_release_and_latest_are_copies_and_releases_json_points_at_them(
    dist: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    pages = build_pages(dist, out)
    assert (pages.latest, pages.versions) == ("1.0.0", ["1.0.0"])
    source = dist / "test-clusters-1.0.0"
    assert _files(out / "releases" / "1.0.0") == _files(source)
    assert _files(out / "releases" / "latest") == _files(source)
    listing = json.loads((out / "releases.json").read_text("utf-8"))
    [entry] = listing["releases"]
    assert listing["latest"] == "1.0.0" and listing["home"] == home.HOME
    assert entry["descriptor"] == "releases/1.0.0/datapackage.json"
    assert (out / entry["zip"]).is_file() and (out / entry["duckdb"]).is_file()
    assert entry["github_release"] == f"{home.REPOSITORY}/releases/tag/v1.0.0"


def test_a_new_release_moves_latest_and_leaves_the_old_version_byte_identical(
    dist: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    (out / "index.html").parent.mkdir(parents=True)
    (out / "index.html").write_text("the site", "utf-8")
    build_pages(dist, out)
    before = _files(out / "releases" / "1.0.0")
    _second_release(dist, tmp_path)
    with serve(out) as live:
        pages = build_pages(dist, out, live=live)
    assert pages.versions == ["1.1.0", "1.0.0"] and pages.latest == "1.1.0"
    assert _files(out / "releases" / "1.0.0") == before
    assert _files(out / "releases" / "latest") == _files(dist / "test-clusters-1.1.0")
    assert (out / "index.html").read_text("utf-8") == "the site"


def test_a_deploy_that_would_change_a_published_checksum_is_refused(
    dist: Path, tmp_path: Path
) -> None:
    live_site = tmp_path / "live"
    build_pages(dist, live_site)
    listing = json.loads((live_site / "releases.json").read_text("utf-8"))
    listing["releases"][0]["zip_sha256"] = "0" * 64
    (live_site / "releases.json").write_text(json.dumps(listing), "utf-8")
    with serve(live_site) as live, pytest.raises(PagesRefused, match="zip_sha256 would change"):
        build_pages(dist, tmp_path / "site", live=live)
    assert not (tmp_path / "site").exists()


def test_a_deploy_that_would_drop_a_published_version_is_refused(
    dist: Path, tmp_path: Path
) -> None:
    live_site = tmp_path / "live"
    _second_release(dist, tmp_path)
    build_pages(dist, live_site)
    older = tmp_path / "older"
    shutil.copytree(dist, older)
    shutil.rmtree(older / "test-clusters-1.1.0")
    listing = json.loads((older / "releases.json").read_text("utf-8"))
    listing["releases"] = [r for r in listing["releases"] if r["version"] != "1.1.0"]
    (older / "releases.json").write_text(json.dumps(listing), "utf-8")
    with serve(live_site) as live, pytest.raises(PagesRefused, match=r"1\.1\.0 is published"):
        build_pages(older, tmp_path / "site", live=live)


def test_the_first_deploy_has_no_live_home_to_compare_with(dist: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with serve(empty) as live:
        assert build_pages(dist, tmp_path / "site", live=live).latest == "1.0.0"


def test_the_pages_command_refuses_with_exit_1_and_says_why(
    dist: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    live_site = tmp_path / "live"
    build_pages(dist, live_site)
    listing = json.loads((live_site / "releases.json").read_text("utf-8"))
    listing["releases"][0]["duckdb_sha256"] = "1" * 64
    (live_site / "releases.json").write_text(json.dumps(listing), "utf-8")
    with serve(live_site) as live:
        result = cli("pages", "--dist", dist, "--out", tmp_path / "site", "--live", live)
    assert result.code == 1 and "immutable" in result.out
    result = cli("pages", "--dist", dist, "--out", tmp_path / "site")
    assert result.code == 0 and "latest 1.0.0" in result.out

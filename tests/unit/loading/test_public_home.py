"""The public home: `load("latest")` and `load(version=)` need no URL, every kind of source gives
the same tables, and the URLs a consumer might paste get either data or a helpful error."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.packages import REPO
from fixtures.releasekit import publish_release, release_folder, serve

import clusterdata
from clusterdata.core.package import UsageError
from clusterdata.release import home
from clusterdata.release.pages import build_pages


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_release(tmp_path_factory.mktemp("published"))


@pytest.fixture(scope="module")
def pages(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The home as GitHub Pages would serve it: releases/1.0.0/, releases/latest/, releases.json."""
    out = tmp_path_factory.mktemp("pages") / "site"
    build_pages(published, out)
    return out


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLUSTERDATA_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(home.ENVIRONMENT, raising=False)
    return tmp_path / "cache"


def test_latest_and_a_version_load_from_the_public_home_without_a_base_url(
    pages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(pages) as base:
        monkeypatch.setattr(home, "HOME", base + "/")
        latest = clusterdata.load("latest")
        pinned = clusterdata.load(version="1.0.0")
    assert (
        set(latest) == set(pinned) == {"regions", "clusters", "initiatives", "cluster_initiatives"}
    )
    assert latest["clusters"].equals(pinned["clusters"])


def test_clusterdata_base_url_overrides_the_home(
    pages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(home, "HOME", "http://127.0.0.1:9/nothing-here/")
    with serve(pages) as base:
        monkeypatch.setenv(home.ENVIRONMENT, base)
        tables = clusterdata.load(version="1.0.0")
    assert len(tables["clusters"]) == 5


def test_a_folder_a_zip_and_every_url_give_the_same_tables_and_the_delta_apart(
    published: Path, pages: Path
) -> None:
    folder = release_folder(published)
    local = clusterdata.load(folder)
    zipped = clusterdata.load(folder / f"{folder.name}.zip")
    with serve(pages) as base:
        release = f"{base}/releases/1.0.0/"
        remote = {
            "descriptor": clusterdata.load(release + "datapackage.json"),
            "folder": clusterdata.load(release),
            "zip": clusterdata.load(release + f"{folder.name}.zip"),
            "latest": clusterdata.load(f"{base}/releases/latest/datapackage.json"),
        }
        delta = clusterdata.load_delta(release + "datapackage.json")
    assert "delta" not in local
    for name, tables in {"zip": zipped, **remote}.items():
        assert list(tables) == list(local), name
        for table, frame in local.items():
            assert tables[table].equals(frame), (name, table)
    assert delta is not None and list(delta.columns)[:3] == ["table", "key", "op"]
    assert clusterdata.load_delta(REPO / "datapackage") is None


def test_the_source_package_and_its_release_give_the_same_table_names(published: Path) -> None:
    source = published.parent / "package"
    assert list(clusterdata.load(source)) == list(clusterdata.load(release_folder(published)))


def test_a_releases_json_url_is_refused_with_the_versions_it_lists(pages: Path) -> None:
    with serve(pages) as base, pytest.raises(UsageError) as caught:
        clusterdata.load(f"{base}/releases.json")
    message = str(caught.value)
    assert "list of published releases" in message and "1.0.0" in message
    assert 'load(version="X.Y.Z")' in message and home.ENVIRONMENT in message


def test_a_folder_url_without_a_descriptor_says_what_to_give(pages: Path) -> None:
    with serve(pages) as base, pytest.raises(UsageError) as caught:
        clusterdata.load(f"{base}/releases/")
    message = str(caught.value)
    assert "folder URL has no datapackage.json" in message
    assert "zip URL" in message and "releases.json" in message


def test_a_zip_url_whose_bytes_differ_from_sha256sums_is_refused(
    pages: Path, tmp_path: Path, cache: Path
) -> None:
    site = Path(shutil.copytree(pages, tmp_path / "site"))
    [archive] = (site / "releases" / "1.0.0").glob("*.zip")
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    with serve(site) as base, pytest.raises(clusterdata.IntegrityError, match="hash differs"):
        clusterdata.load(f"{base}/releases/1.0.0/{archive.name}")
    assert not list(cache.rglob("*.zip"))


def test_a_version_the_home_does_not_list_names_the_ones_it_does(pages: Path) -> None:
    with serve(pages) as base, pytest.raises(UsageError, match=r"no version 9\.9\.9.*1\.0\.0"):
        clusterdata.load(version="9.9.9", base_url=base)


def _verify(target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clusterdata", "verify", target],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_verify_of_a_url_reports_exactly_what_a_local_verify_reports(tmp_path: Path) -> None:
    """The published 0.1.0 release, served as the home serves it: same files, same checks,
    same warnings (before, `verify URL` skipped the release's SQL checks)."""
    site = tmp_path / "site"
    build_pages(REPO / "dist", site)
    local = _verify(str(REPO / "dist" / "swedish-clusters-0.1.0"))
    with serve(site) as base:
        remote = _verify(f"{base}/releases/0.1.0/datapackage.json")
    assert (remote.returncode, remote.stdout) == (local.returncode, local.stdout), remote.stderr
    assert "intact" in local.stdout.splitlines()[-1]
    assert "warnings" in local.stdout


def test_verify_accepts_a_release_folder_url_and_its_zip_url(pages: Path, cli) -> None:  # type: ignore[no-untyped-def]
    [archive] = (pages / "releases" / "1.0.0").glob("*.zip")
    with serve(pages) as base:
        folder = cli("verify", f"{base}/releases/1.0.0/", "--no-validate")
        zipped = cli("verify", f"{base}/releases/1.0.0/{archive.name}", "--no-validate")
    assert (folder.code, folder.out.splitlines()[-1]) == (0, "intact"), folder.out + folder.err
    assert (zipped.code, zipped.out.splitlines()[-1]) == (0, "intact"), zipped.out + zipped.err


def test_the_latest_folder_url_is_fetched_again_so_it_follows_a_new_release(
    published: Path, tmp_path: Path
) -> None:
    from fixtures.releasekit import make_package

    from clusterdata.release.publish import publish

    dist = Path(shutil.copytree(published, tmp_path / "dist"))
    site = tmp_path / "site"
    build_pages(dist, site)
    with serve(site) as base:
        url = f"{base}/releases/latest/datapackage.json"
        assert "zz-new" not in set(clusterdata.load(url)["clusters"]["id"])
        extra = "zz-new,Zz New,varmlands-lan,3,2020-01-01"
        publish(make_package(tmp_path / "next", extra_cluster=extra), dist, date="2024-07-01")
        build_pages(dist, site)
        assert "zz-new" in set(clusterdata.load(url)["clusters"]["id"])

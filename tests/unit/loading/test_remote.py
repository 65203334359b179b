"""Downloading a published release over real HTTP: verified, cached, and refused when tampered."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fixtures.releasekit import publish_release, release_folder, serve

import clusterdata
from clusterdata.core.package import UsageError
from clusterdata.loading import remote


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/ with one release built by the real `publish` (shared; copy before changing it)."""
    return publish_release(tmp_path_factory.mktemp("published"))


@pytest.fixture
def dist(published: Path, tmp_path: Path) -> Path:
    """A private copy of the published dist/ folder, safe to tamper with."""
    return Path(shutil.copytree(published, tmp_path / "dist"))


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CLUSTERDATA_CACHE", str(folder))
    return folder


def _cached_releases(cache: Path) -> list[Path]:
    return sorted((cache / "releases").glob("*")) if (cache / "releases").is_dir() else []


def _leftovers(cache: Path) -> list[Path]:
    """Anything in the cache besides complete releases (staging folders, temp files)."""
    return [p for p in cache.rglob("*") if p.name.startswith(".staging")] if cache.exists() else []


def _url(base: str, dist: Path) -> str:
    return f"{base}/{release_folder(dist).name}/datapackage.json"


def test_load_from_http_gives_the_same_typed_tables_as_the_local_release(
    dist: Path, cache: Path
) -> None:
    local = clusterdata.load(release_folder(dist))
    with serve(dist) as base:
        remote_tables = clusterdata.load(_url(base, dist))
    assert set(remote_tables) == set(local) >= {"clusters", "regions"}
    for name, frame in local.items():
        assert remote_tables[name].equals(frame), name
    assert str(remote_tables["clusters"]["members"].dtype) == "Int64"
    [cached] = _cached_releases(cache)
    assert (cached / remote.MARKER).is_file()
    assert not remote.check_release(cached, remote.read_descriptor(cached / "datapackage.json"))


def test_a_cached_release_loads_without_the_server(dist: Path) -> None:
    with serve(dist) as base:
        url = _url(base, dist)
        first = clusterdata.load(url)
    again = clusterdata.load(url)  # the server is gone: the verified cache answers
    assert again["clusters"].equals(first["clusters"])


def test_version_and_base_url_find_the_release_through_releases_json(dist: Path) -> None:
    with serve(dist) as base:
        tables = clusterdata.load(version="1.0.0", base_url=base)
        with pytest.raises(UsageError, match=r"lists no version 9\.9\.9"):
            clusterdata.load(version="9.9.9", base_url=base)
    assert len(tables["clusters"]) == 5


def test_a_tampered_file_is_refused_naming_file_and_hashes_and_nothing_is_cached(
    dist: Path, cache: Path
) -> None:
    target = release_folder(dist) / "clusters.csv"
    data = target.read_bytes()
    target.write_bytes(data.replace(b"Compare", b"Cympare"))  # same size, other bytes
    with serve(dist) as base, pytest.raises(clusterdata.IntegrityError) as caught:
        clusterdata.load(_url(base, dist))
    error = caught.value
    assert error.file == "clusters.csv"
    assert error.expected is not None and error.actual is not None
    assert error.expected.startswith("sha256:") and error.expected != error.actual
    assert "clusters.csv" in str(error) and error.expected in str(error)
    assert error.actual in str(error) and "not the published one" in str(error)
    assert _cached_releases(cache) == [] and _leftovers(cache) == []


def test_a_file_longer_than_promised_is_stopped_and_discarded(dist: Path, cache: Path) -> None:
    target = release_folder(dist) / "regions.csv"
    target.write_bytes(target.read_bytes() + b"x" * 100_000)
    with serve(dist) as base, pytest.raises(clusterdata.IntegrityError, match=r"regions\.csv"):
        clusterdata.load(_url(base, dist))
    assert _cached_releases(cache) == [] and _leftovers(cache) == []


def test_a_missing_file_is_refused(dist: Path, cache: Path) -> None:
    (release_folder(dist) / "initiatives.csv").unlink()
    with (
        serve(dist) as base,
        pytest.raises(clusterdata.IntegrityError, match=r"initiatives\.csv: missing"),
    ):
        clusterdata.load(_url(base, dist))
    assert _cached_releases(cache) == []


def test_a_resource_without_a_hash_cannot_be_verified_and_is_refused(dist: Path) -> None:
    descriptor_file = release_folder(dist) / "datapackage.json"
    descriptor = json.loads(descriptor_file.read_text(encoding="utf-8"))
    del descriptor["resources"][0]["hash"]
    descriptor_file.write_text(json.dumps(descriptor), encoding="utf-8")
    with serve(dist) as base, pytest.raises(clusterdata.IntegrityError, match="no usable hash"):
        clusterdata.load(_url(base, dist))


def test_a_resource_path_leaving_the_release_is_refused(dist: Path, cache: Path) -> None:
    descriptor_file = release_folder(dist) / "datapackage.json"
    descriptor = json.loads(descriptor_file.read_text(encoding="utf-8"))
    descriptor["resources"][0]["path"] = "../releases.json"
    descriptor_file.write_text(json.dumps(descriptor), encoding="utf-8")
    with serve(dist) as base, pytest.raises(UsageError, match="refused"):
        clusterdata.load(_url(base, dist))
    assert _cached_releases(cache) == [] and _leftovers(cache) == []


def test_a_tampered_cache_is_replaced_by_a_fresh_verified_download(dist: Path, cache: Path) -> None:
    with serve(dist) as base:
        url = _url(base, dist)
        clusterdata.load(url)
        [cached] = _cached_releases(cache)
        (cached / "clusters.csv").write_text("id\nevil\n", encoding="utf-8")
        tables = clusterdata.load(url)
    assert len(tables["clusters"]) == 5
    assert not remote.check_release(cached, remote.read_descriptor(cached / "datapackage.json"))


def test_an_unreachable_server_is_a_download_error_not_a_traceback(dist: Path) -> None:
    with serve(dist) as base:
        pass  # the port is closed again
    with pytest.raises(remote.DownloadError, match="could not be downloaded"):
        clusterdata.load(f"{base}/x/datapackage.json")


def test_only_http_urls_and_local_paths_are_read() -> None:
    with pytest.raises(UsageError):
        remote.fetch("file:///etc/passwd")
    with pytest.raises(UsageError):
        clusterdata.load("ftp://example.org/datapackage.json")


def test_the_cache_is_the_platform_user_cache_unless_overridden(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import platformdirs

    monkeypatch.delenv("CLUSTERDATA_CACHE")
    assert remote.cache_root() == Path(platformdirs.user_cache_dir("clusterdata"))
    monkeypatch.setenv("CLUSTERDATA_CACHE", str(tmp_path / "c"))
    assert remote.cache_root() == tmp_path / "c"


def test_hashes_follow_the_data_package_spec() -> None:
    assert remote.parse_hash("sha256:ABCD") == ("sha256", "abcd")
    assert remote.parse_hash("abcd") == ("md5", "abcd")  # v1: a bare hash is md5
    assert remote.parse_hash("crc32:abcd") == (None, None)
    assert remote.parse_hash("sha256:not-hex") == (None, None)


def test_frictionless_reads_the_served_release(dist: Path) -> None:
    """Relative resource paths of a remote descriptor are read without `trusted`; frictionless
    only refuses absolute or `..` paths (and remote ones from a local package) as unsafe."""
    from frictionless import Package

    with serve(dist) as base:
        package = Package(_url(base, dist))
        rows = package.get_resource("clusters").read_rows()
        report = package.get_resource("regions").validate()
    assert [row["id"] for row in rows][:2] == ["compare", "findit"]
    assert rows[0]["members"] == 100
    assert report.valid, report.flatten(["rowNumber", "type", "note"])


def test_pandas_reads_a_served_csv(dist: Path) -> None:
    import pandas as pd

    with serve(dist) as base:
        frame = pd.read_csv(f"{base}/{release_folder(dist).name}/clusters.csv")
    assert list(frame["id"]) == [
        "compare",
        "findit",
        "fiber-optic-valley",
        "paper-province",
        "sandviken-cluster",
    ]


def test_verify_a_served_release_says_intact(dist: Path, cli) -> None:  # type: ignore[no-untyped-def]
    with serve(dist) as base:
        result = cli("verify", _url(base, dist), "--no-validate")
    assert result.code == 0, result.out + result.err
    assert result.out.rstrip().endswith("intact")


def test_verify_a_served_tampered_release_names_every_difference(dist: Path, cli) -> None:  # type: ignore[no-untyped-def]
    folder = release_folder(dist)
    (folder / "regions.csv").write_bytes((folder / "regions.csv").read_bytes() + b"\n")
    (folder / "initiatives.csv").unlink()
    with serve(dist) as base:
        result = cli("verify", _url(base, dist), "--no-validate")
    assert result.code == 1
    assert "regions.csv: size differs" in result.out
    assert "initiatives.csv: missing" in result.out
    assert "not intact" in result.out

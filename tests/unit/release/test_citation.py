"""How to cite: CITATION.cff and .zenodo.json agree with the descriptor and the public home, and
every release states how to cite that exact version."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import yaml
from fixtures.packages import REPO
from fixtures.releasekit import publish_release, release_folder

from clusterdata.release import home

DESCRIPTOR = json.loads((REPO / "datapackage" / "datapackage.json").read_text("utf-8"))
#: The keys the Citation File Format 1.2.0 requires, and their types.
CFF_REQUIRED = {"cff-version": str, "message": str, "title": str, "authors": list}


def _cff(path: Path) -> dict:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    for key, kind in CFF_REQUIRED.items():
        assert isinstance(data.get(key), kind), key
    assert data["cff-version"] == "1.2.0"
    assert all(isinstance(a, dict) and a.get("name") for a in data["authors"])
    return data


def test_pyproject_urls_are_the_public_home() -> None:
    urls = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["urls"]
    assert urls["Homepage"] == home.HOME
    assert urls["Repository"] == home.REPOSITORY
    assert urls["Releases"] == home.index_url(home.HOME)
    assert urls["Download"] == f"{home.HOME}{home.folder_path(home.LATEST)}/"
    assert home.HOME == "https://clusterdata.github.io/clusterdata/"


def test_citation_cff_parses_and_matches_the_descriptor_and_the_home() -> None:
    cff = _cff(REPO / "CITATION.cff")
    assert cff["type"] == "dataset"
    assert cff["title"] == DESCRIPTOR["title"]
    assert cff["license"] == DESCRIPTOR["licenses"][0]["name"]
    assert cff["repository-code"] == home.REPOSITORY and cff["url"] == home.HOME
    authors = [c["title"] for c in DESCRIPTOR["contributors"] if c.get("role") == "author"]
    assert [a["name"] for a in cff["authors"]] == authors
    assert "version" not in cff, "the repository cites the dataset; each release its version"


def test_zenodo_metadata_matches_the_citation() -> None:
    zenodo = json.loads((REPO / ".zenodo.json").read_text("utf-8"))
    cff = _cff(REPO / "CITATION.cff")
    assert zenodo["title"] == cff["title"] and zenodo["upload_type"] == "dataset"
    assert zenodo["license"] == cff["license"].lower()
    assert [c["name"] for c in zenodo["creators"]] == [a["name"] for a in cff["authors"]]
    identifiers = {r["identifier"] for r in zenodo["related_identifiers"]}
    assert {home.REPOSITORY, home.HOME} <= identifiers


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return release_folder(publish_release(tmp_path_factory.mktemp("cite"), date="2024-06-01"))


def test_each_release_states_how_to_cite_that_exact_version(release: Path) -> None:
    cff = _cff(release / "CITATION.cff")
    assert (cff["version"], str(cff["date-released"])) == ("1.0.0", "2024-06-01")
    assert cff["url"] == f"{home.HOME}releases/1.0.0/"
    assert cff["license"] == "CC-BY-4.0" and cff["authors"] == [{"name": "Test Team"}]
    readme = (release / "README.md").read_text("utf-8")
    sentence = (
        f"Test Team (2024). Test clusters, version 1.0.0 [data set]. {home.HOME}releases/1.0.0/"
    )
    assert sentence in readme
    assert "Creative Commons Attribution 4.0" in (release / "LICENSE").read_text("utf-8")
    dictionary = (release / "data-dictionary.md").read_text("utf-8")
    assert "## clusters" in dictionary and "## delta" not in dictionary


def test_the_release_zip_holds_readme_licence_citation_and_dictionary(release: Path) -> None:
    import zipfile

    with zipfile.ZipFile(release / f"{release.name}.zip") as archive:
        names = {n.split("/", 1)[1] for n in archive.namelist()}
    assert {"README.md", "LICENSE", "CITATION.cff", "data-dictionary.md", "CHANGELOG.md"} <= names

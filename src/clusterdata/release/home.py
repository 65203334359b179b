"""Where the dataset is published: the one public home every URL is derived from.

The repository lives on GitHub; its Pages site serves every release under a stable URL, so a
consumer (and `clusterdata.load("latest")`) needs to be told nothing:

    <home>/releases.json              every version, newest first, and which one is `latest`
    <home>/releases/<X.Y.Z>/          one folder per version, never changed once published
    <home>/releases/latest/           a copy of the newest version's folder

The GitHub Release `v<X.Y.Z>` carries the same zip, DuckDB file and SHA256SUMS as assets.
`CLUSTERDATA_BASE_URL` replaces the home (a mirror, or a local server in the tests).
`pyproject.toml`'s `[project.urls]` repeats these constants; a test holds them equal.
"""

from __future__ import annotations

import os

REPOSITORY = "https://github.com/clusterdata/clusterdata"
HOME = "https://clusterdata.github.io/clusterdata/"
RELEASES_INDEX = "releases.json"
RELEASES_FOLDER = "releases"
LATEST = "latest"
ENVIRONMENT = "CLUSTERDATA_BASE_URL"


def base_url() -> str:
    """The home in force, without a trailing slash: `CLUSTERDATA_BASE_URL`, else `HOME`."""
    return (os.environ.get(ENVIRONMENT) or HOME).rstrip("/")


def index_url(base: str | None = None) -> str:
    return f"{(base or base_url()).rstrip('/')}/{RELEASES_INDEX}"


def folder_path(version: str) -> str:
    """A version's folder relative to the home: `releases/0.1.0` (or `releases/latest`)."""
    return f"{RELEASES_FOLDER}/{version}"


def release_page(version: str) -> str:
    """The GitHub Release of a version, whose assets are the zip, DuckDB file and SHA256SUMS."""
    return f"{REPOSITORY}/releases/tag/v{version}"

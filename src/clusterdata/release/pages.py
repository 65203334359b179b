"""Lay out the public home (GitHub Pages) from the published releases in `dist/`.

    <out>/releases.json             every version with its URLs and checksums; `latest`
    <out>/releases/<X.Y.Z>/         a byte-for-byte copy of dist/<name>-<X.Y.Z>/
    <out>/releases/latest/          a copy of the newest version's folder

Every deploy rebuilds this from `dist/`, where published versions are committed and never
rewritten, so an old version's URLs keep serving the same bytes. Before anything is written the
live home's `releases.json` is compared with what would replace it: a version that would vanish
or change its checksums refuses the deploy (`PagesRefused`), because a published version is
immutable. The site (`clusterdata site`) may already be in `<out>`; only `releases/` and
`releases.json` are replaced.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clusterdata.core.atomic import write_text_atomic
from clusterdata.core.package import UsageError
from clusterdata.release import home
from clusterdata.release.plan import Release, read_releases
from clusterdata.release.versioning import Version

#: Checksums a published version may never change.
PINNED = ("zip_sha256", "duckdb_sha256")


class PagesRefused(Exception):
    """The deploy would change or remove a published version (exit 1)."""


@dataclass
class Pages:
    out: Path
    name: str
    latest: str
    versions: list[str]


def public_entry(release: Release) -> dict[str, Any]:
    """A releases.json entry whose paths are relative to the home."""
    folder = home.folder_path(release.version)

    def moved(path: str) -> str:
        return f"{folder}/{path.split('/', 1)[1]}" if "/" in path else f"{folder}/{path}"

    return {
        "version": release.version,
        "date": release.date,
        "level": release.level,
        "summary": release.summary,
        "folder": folder,
        "descriptor": f"{folder}/datapackage.json",
        "zip": moved(release.zip),
        "zip_sha256": release.zip_sha256,
        "zip_bytes": release.zip_bytes,
        "duckdb": moved(release.duckdb),
        "duckdb_sha256": release.duckdb_sha256,
        "duckdb_bytes": release.duckdb_bytes,
        "sha256sums": f"{folder}/SHA256SUMS",
        "github_release": home.release_page(release.version),
    }


def index(name: str, releases: list[Release]) -> dict[str, Any]:
    ordered = sorted(releases, key=lambda r: Version.parse(r.version), reverse=True)
    return {
        "name": name,
        "home": home.HOME,
        "latest": ordered[0].version,
        "releases": [public_entry(r) for r in ordered],
    }


def check_live(live: dict[str, Any] | None, new: dict[str, Any]) -> None:
    """Refuse when a version the live home publishes would disappear or change."""
    if not live:
        return
    ours = {e["version"]: e for e in new["releases"]}
    for entry in live.get("releases") or []:
        if not isinstance(entry, dict):
            continue
        version = str(entry.get("version"))
        mine = ours.get(version)
        if mine is None:
            raise PagesRefused(
                f"{version} is published at the home but missing from dist/releases.json; "
                "a published version is never removed. Restore dist/ from the main branch."
            )
        for key in PINNED:
            if key in entry and entry[key] != mine[key]:
                raise PagesRefused(
                    f"{version}: {key} would change from {entry[key]} to {mine[key]}; a "
                    "published version is immutable. Publish a new version instead."
                )


def fetch_live(base: str) -> dict[str, Any] | None:
    """The live home's releases.json; None when nothing is published there yet (HTTP 404)."""
    from clusterdata.loading.download import DownloadError, fetch_text

    try:
        loaded = json.loads(fetch_text(home.index_url(base)))
    except DownloadError as exc:
        if exc.status == 404:
            return None
        raise
    except ValueError as exc:
        raise UsageError(f"{home.index_url(base)}: not a releases list ({exc}).") from exc
    return loaded if isinstance(loaded, dict) else None


def build_pages(dist: Path, out: Path, *, live: str | None = None) -> Pages:
    """Write the releases and releases.json into `out` (created when missing)."""
    name, releases = read_releases(dist)
    if not releases or not name:
        raise UsageError(f"{dist / 'releases.json'}: no published release to deploy.")
    listing = index(name, releases)
    if live:
        check_live(fetch_live(live), listing)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".releases-", dir=out))
    try:
        for release in releases:
            source = dist / release.folder
            if not (source / "datapackage.json").is_file():
                raise UsageError(f"{source}: listed in releases.json but missing.")
            shutil.copytree(source, staging / release.version)
        shutil.copytree(staging / listing["latest"], staging / home.LATEST)
        target = out / home.RELEASES_FOLDER
        if target.exists():
            old = target.with_name(target.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
            shutil.rmtree(old, ignore_errors=True)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    text = json.dumps(listing, indent=2, ensure_ascii=False) + "\n"
    write_text_atomic(out / home.RELEASES_INDEX, text)
    return Pages(out, name, listing["latest"], [r["version"] for r in listing["releases"]])

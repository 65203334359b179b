"""From what a consumer names (a URL, `"latest"`, a version) to a verified local release.

The accepted URLs, and what each gives:

* a release's `datapackage.json`: every file it lists is downloaded and checked;
* a release's zip: checked against `SHA256SUMS` beside it, then unpacked, then every file
  against the descriptor inside it — the same tables as the folder;
* a release folder (`…/releases/0.1.0/`): its `datapackage.json`;
* `releases.json` is the list of versions, not a release: refused with the versions it lists.

Checking lives in `clusterdata.loading.integrity`, downloading in `clusterdata.loading.download`;
this module re-exports both so `from clusterdata.loading import remote` keeps one name.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from clusterdata.core.package import DESCRIPTOR_NAME, UsageError
from clusterdata.loading.download import (
    MARKER,
    TIMEOUT_SECONDS,
    DownloadError,
    cache_root,
    download_release,
    fetch,
    fetch_text,
    fetch_to,
    fetch_zip,
    is_url,
)
from clusterdata.loading.integrity import (
    ALGORITHMS,
    SUMS_NAME,
    Entry,
    IntegrityError,
    Mismatch,
    check_file,
    check_release,
    entries,
    file_digest,
    parse_hash,
    parse_sums,
    read_descriptor,
    sums_entries,
)
from clusterdata.release import home

__all__ = [
    "ALGORITHMS",
    "MARKER",
    "SUMS_NAME",
    "TIMEOUT_SECONDS",
    "DownloadError",
    "Entry",
    "IntegrityError",
    "Mismatch",
    "cache_root",
    "check_file",
    "check_release",
    "descriptor_url",
    "download_release",
    "entries",
    "fetch",
    "fetch_source",
    "fetch_to",
    "fetch_zip",
    "file_digest",
    "is_url",
    "kind_of_url",
    "latest_url",
    "parse_hash",
    "parse_sums",
    "read_descriptor",
    "release_url",
    "sums_entries",
]


def kind_of_url(url: str) -> str:
    """ "index" (releases.json), "zip", "descriptor" (any other .json) or "folder"."""
    name = PurePosixPath(urlsplit(url).path).name
    if name == home.RELEASES_INDEX:
        return "index"
    if name.endswith(".zip"):
        return "zip"
    if name.endswith(".json"):
        return "descriptor"
    return "folder"


def descriptor_url(url: str) -> str:
    """The descriptor of a release named by its descriptor's or its folder's URL."""
    kind = kind_of_url(url)
    if kind == "index":
        raise UsageError(_index_message(url))
    if kind == "zip":
        raise UsageError(f"{url}: a zip is read whole; load it with `load(url)`.")
    if kind == "descriptor":
        return url
    return url.rstrip("/") + "/" + DESCRIPTOR_NAME


def _index_message(url: str) -> str:
    base = url.rsplit("/", 1)[0]
    versions = ""
    try:
        listing = json.loads(fetch_text(url))
        known = [
            str(e.get("version")) for e in listing.get("releases") or [] if isinstance(e, dict)
        ]
        versions = f" It lists {', '.join(known)}." if known else ""
    except (UsageError, ValueError, AttributeError):
        pass
    return (
        f"{url} is the list of published releases, not a release.{versions} Load one with "
        f'clusterdata.load(version="X.Y.Z") or clusterdata.load("latest") '
        f"(for this server set {home.ENVIRONMENT}={base}), or pass a release's "
        f"datapackage.json or zip URL."
    )


def fetch_source(url: str, *, refresh: bool = False) -> Path:
    """A verified local copy of the release at `url`: its folder, or its zip for a zip URL."""
    kind = kind_of_url(url)
    if home.LATEST in PurePosixPath(urlsplit(url).path).parts:
        refresh = True  # `releases/latest/` moves with every release: never serve it from cache
    if kind == "zip":
        return fetch_zip(url, refresh=refresh)
    target = descriptor_url(url)
    try:
        return fetch(target, refresh=refresh)
    except DownloadError as exc:
        if kind == "folder" and exc.status == 404:
            raise UsageError(
                f"{url}: this folder URL has no {DESCRIPTOR_NAME} ({target} answered HTTP 404). "
                f'Give a release\'s {DESCRIPTOR_NAME} or zip URL, "latest", or version=; the '
                f"published versions are listed at {home.index_url()}."
            ) from exc
        raise


def _listing(base: str) -> dict[str, object] | None:
    """The releases.json at `base`, or None when there is none (HTTP 404)."""
    try:
        loaded = json.loads(fetch_text(home.index_url(base)))
    except DownloadError as exc:
        if exc.status == 404:
            return None
        raise DownloadError(
            f"{exc} The list of releases could not be read; set {home.ENVIRONMENT} to a mirror "
            "if the public home cannot be reached.",
            exc.status,
        ) from exc
    except ValueError as exc:
        raise UsageError(f"{home.index_url(base)}: not a releases list ({exc}).") from exc
    return loaded if isinstance(loaded, dict) else None


def _releases(listing: dict[str, object]) -> list[dict[str, object]]:
    found = listing.get("releases")
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def release_url(base_url: str, version: str, default_name: str | None = None) -> str:
    """Where a version's descriptor is: the folder `<base>/releases.json` names for it, else
    `<base>/releases/<version>/datapackage.json` (the public home's layout)."""
    base = base_url.rstrip("/")
    version = version.removeprefix("v")
    if version == home.LATEST:
        return latest_url(base)
    listing = _listing(base)
    if listing is not None:
        for entry in _releases(listing):
            if entry.get("version") == version:
                folder_name = entry.get("folder")
                if isinstance(folder_name, str) and folder_name and ".." not in folder_name:
                    return f"{base}/{folder_name.strip('/')}/{DESCRIPTOR_NAME}"
        known = [str(e.get("version")) for e in _releases(listing)]
        if known:
            raise UsageError(
                f"{home.index_url(base)} lists no version {version} (it has {', '.join(known)})."
            )
    del default_name  # the layout no longer depends on the package name
    return f"{base}/{home.folder_path(version)}/{DESCRIPTOR_NAME}"


def latest_url(base_url: str) -> str:
    """The newest version's own descriptor URL (not `releases/latest/`, whose content moves and
    so cannot be cached under its URL)."""
    base = base_url.rstrip("/")
    listing = _listing(base)
    if listing is None:
        raise UsageError(
            f"{home.index_url(base)}: no list of releases there, so there is no latest version."
        )
    latest = listing.get("latest")
    versions = [str(e.get("version")) for e in _releases(listing)]
    if not isinstance(latest, str):
        from clusterdata.release.versioning import Version

        parsed = []
        for text in versions:
            try:
                parsed.append((Version.parse(text), text))
            except ValueError:
                continue
        if not parsed:
            raise UsageError(f"{home.index_url(base)} lists no release yet.")
        latest = max(parsed)[1]
    return release_url(base, latest)

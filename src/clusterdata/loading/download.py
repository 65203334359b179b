"""Download a published release and prove its bytes are the published ones.

A download goes to a private staging folder inside the cache, every file is checked while it
streams (byte count) and after (hash), and only a release whose every file matches is renamed
into place in one step. Anything that fails is removed, so the cache never holds a
half-downloaded or tampered release.

Only http(s) URLs are read. The HTTP client is pooch's downloader (requests underneath,
streaming); hashing, limits and the atomic rename are ours because they must cover the whole
release, not one file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urljoin, urlsplit

from clusterdata.core.descriptor_file import MAX_DESCRIPTOR_BYTES
from clusterdata.core.package import DESCRIPTOR_NAME, UsageError
from clusterdata.loading.integrity import (
    SUMS_NAME,
    Entry,
    IntegrityError,
    Mismatch,
    check_file,
    check_release,
    entries,
    read_descriptor,
    sums_entries,
)

MARKER = ".verified"
TIMEOUT_SECONDS = 60


class DownloadError(UsageError):
    """The release could not be fetched at all (network, HTTP status); not a data problem."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        #: The HTTP status when the server answered (404: nothing at that URL).
        self.status = status


def is_url(source: object) -> bool:
    return isinstance(source, str) and urlsplit(source).scheme.lower() in ("http", "https")


def cache_root() -> Path:
    """`CLUSTERDATA_CACHE`, else the platform's user cache folder for clusterdata."""
    override = os.environ.get("CLUSTERDATA_CACHE")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("clusterdata"))


class _Guard:
    """A file-like sink that hashes as it writes and stops a download that outgrows its size."""

    def __init__(self, target: Path, entry: Entry | None, limit: int) -> None:
        self.entry = entry
        self.limit = limit
        self.size = 0
        self.hasher = hashlib.new(entry.algorithm) if entry and entry.algorithm else None
        self.handle = target.open("wb")

    def write(self, chunk: bytes) -> int:
        self.size += len(chunk)
        if self.size > self.limit:
            name = self.entry.path if self.entry else DESCRIPTOR_NAME
            raise IntegrityError(
                name,
                f"{name}: the download is larger than the {self.limit:,} bytes the descriptor "
                "promises; stopped and discarded.",
                expected=str(self.limit),
                actual=f">{self.limit}",
            )
        if self.hasher is not None:
            self.hasher.update(chunk)
        return self.handle.write(chunk)

    def flush(self) -> None:
        self.handle.flush()

    def close(self) -> None:
        self.handle.close()


def _download(url: str, target: Path, entry: Entry | None, limit: int) -> _Guard:
    import pooch
    import requests

    target.parent.mkdir(parents=True, exist_ok=True)
    guard = _Guard(target, entry, limit)
    try:
        pooch.HTTPDownloader(progressbar=False, chunk_size=65536, timeout=TIMEOUT_SECONDS)(
            url, guard, None
        )
    except requests.HTTPError as exc:
        guard.close()
        target.unlink(missing_ok=True)
        status = exc.response.status_code if exc.response is not None else "?"
        if entry is not None and status == 404:
            raise Mismatch(entry.path, "missing", None, None).error() from exc
        raise DownloadError(
            f"{url}: the server answered HTTP {status}.",
            status if isinstance(status, int) else None,
        ) from exc
    except requests.RequestException as exc:
        guard.close()
        target.unlink(missing_ok=True)
        raise DownloadError(
            f"{url}: could not be downloaded ({type(exc).__name__}: {exc})."
        ) from exc
    except BaseException:
        guard.close()
        target.unlink(missing_ok=True)
        raise
    guard.close()
    return guard


def _cache_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


@contextlib.contextmanager
def _staging(root: Path) -> Iterator[Path]:
    """A private folder beside the final place, removed unless the caller moved it away."""
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def download_release(url: str, target: Path) -> dict[str, Any]:
    """Download a release into `target` (a fresh folder), checking every file as it arrives.

    Raises `IntegrityError` on the first file that does not match; the caller discards `target`.
    """
    _download(url, target / DESCRIPTOR_NAME, None, MAX_DESCRIPTOR_BYTES)
    descriptor = read_descriptor(target / DESCRIPTOR_NAME)
    for entry in entries(descriptor):
        local, problem = _local_path(target, entry.path)
        if problem:
            raise UsageError(f"{url}: the resource path {entry.path!r} is refused: {problem}.")
        if entry.algorithm is None or entry.digest is None:
            raise Mismatch(entry.path, "unverifiable", entry.declared_hash, None).error()
        limit = entry.bytes if entry.bytes is not None else MAX_DESCRIPTOR_BYTES * 64
        guard = _download(urljoin(url, entry.path), local, entry, limit)
        if entry.bytes is not None and guard.size != entry.bytes:
            raise Mismatch(entry.path, "bytes", str(entry.bytes), str(guard.size)).error()
        assert guard.hasher is not None
        actual = guard.hasher.hexdigest()
        if actual != entry.digest:
            raise Mismatch(
                entry.path,
                "hash",
                f"{entry.algorithm}:{entry.digest}",
                f"{entry.algorithm}:{actual}",
            ).error()
    return descriptor


def _local_path(root: Path, raw: str) -> tuple[Path, str | None]:
    """Like `safe_path`, for a file that does not exist yet."""
    if "\x00" in raw or "\\" in raw or raw.startswith("/") or "://" in raw or ":" in raw:
        return root, "only relative paths inside the release are downloaded"
    parts = PurePosixPath(raw).parts
    if ".." in parts or not parts:
        return root, "paths may not go up with '..'"
    return root.joinpath(*parts), None


def fetch(url: str, *, refresh: bool = False) -> Path:
    """The local folder of a verified copy of the release at `url`, downloading when needed.

    A cached copy is re-hashed before it is trusted; one that no longer matches is replaced.
    """
    if not is_url(url):
        raise UsageError(f"{url}: only http:// and https:// URLs are downloaded.")
    root = cache_root()
    final = root / "releases" / _cache_key(url)
    if not refresh and (final / MARKER).is_file():
        try:
            descriptor = read_descriptor(final / DESCRIPTOR_NAME)
            if not check_release(final, descriptor):
                return final
        except UsageError:
            pass
    with _staging(root) as staging:
        download_release(url, staging)
        (staging / MARKER).write_text(url + "\n", encoding="utf-8")
        _replace(staging, final)
    return final


def fetch_to(url: str, target: Path) -> tuple[dict[str, Any], list[Mismatch]]:
    """Download a release without refusing anything, for `verify`, which reports every
    difference itself. Returns the descriptor and the files that could not be fetched whole
    (missing, or larger than promised: such a download is stopped and discarded)."""
    _download(url, target / DESCRIPTOR_NAME, None, MAX_DESCRIPTOR_BYTES)
    descriptor = read_descriptor(target / DESCRIPTOR_NAME)
    problems: list[Mismatch] = []
    for entry in entries(descriptor):
        local, problem = _local_path(target, entry.path)
        if problem:
            problems.append(Mismatch(entry.path, "missing", None, problem))
            continue
        limit = entry.bytes if entry.bytes is not None else MAX_DESCRIPTOR_BYTES * 64
        unchecked = Entry(entry.path, entry.bytes, None, None, entry.declared_hash)
        try:
            _download(urljoin(url, entry.path), local, unchecked, limit)
        except IntegrityError as exc:
            what = "missing" if exc.expected is None else "bytes"
            problems.append(Mismatch(entry.path, what, exc.expected, exc.actual))
    known = {e.path for e in entries(descriptor)}
    try:
        _download(urljoin(url, SUMS_NAME), target / SUMS_NAME, None, MAX_DESCRIPTOR_BYTES)
    except DownloadError:
        return descriptor, problems  # no SHA256SUMS: the descriptor is the whole promise
    for entry in sums_entries(target):
        local, problem = _local_path(target, entry.path)
        if entry.path in known or problem:
            continue
        try:
            _download(urljoin(url, entry.path), local, entry, MAX_DESCRIPTOR_BYTES * 64)
        except IntegrityError:
            problems.append(Mismatch(entry.path, "missing", None, None))
    _checks_from_zip(target, descriptor)
    return descriptor, problems


def _checks_from_zip(target: Path, descriptor: dict[str, Any]) -> None:
    """Give a downloaded release the SQL checks its descriptor names (`x-checks`), so `verify`
    of a URL runs exactly the checks a local verify runs.

    A descriptor lists data files, not the checks folder, and a web server lists no folders; the
    release zip (named in SHA256SUMS, whose hash `verify` then checks) carries the folder.
    """
    import zipfile

    folder = descriptor.get("x-checks")
    if not isinstance(folder, str) or _local_path(target, folder)[1] is not None:
        return
    destination = target.joinpath(*PurePosixPath(folder).parts)
    if destination.exists():
        return
    for archive in sorted(target.glob("*.zip")):
        if not zipfile.is_zipfile(archive):
            continue
        with zipfile.ZipFile(archive) as bundle:
            for info in bundle.infolist():
                parts = PurePosixPath(info.filename).parts
                # Members are `<name>-<version>/<path>`; take `<x-checks>/<file>.sql` only.
                inner = PurePosixPath(*parts[1:]) if len(parts) > 1 else None
                if (
                    inner is None
                    or info.is_dir()
                    or inner.parent != PurePosixPath(folder)
                    or inner.suffix != ".sql"
                    or info.file_size > MAX_DESCRIPTOR_BYTES
                ):
                    continue
                destination.mkdir(parents=True, exist_ok=True)
                (destination / inner.name).write_bytes(bundle.read(info))
        return


def fetch_text(url: str, limit: int = MAX_DESCRIPTOR_BYTES) -> str:
    """A small file (releases.json, SHA256SUMS) as text; never cached: it may change."""
    with tempfile.TemporaryDirectory(prefix="clusterdata-") as folder:
        target = Path(folder) / "file"
        _download(url, target, None, limit)
        return target.read_text(encoding="utf-8", errors="replace")


def fetch_zip(url: str, *, refresh: bool = False) -> Path:
    """The local path of a verified copy of the release zip at `url`, downloading when needed.

    The zip's sha256 comes from `SHA256SUMS` beside it (publish writes one into every release
    folder, and the GitHub Release carries it); a zip that does not match is refused. Without a
    `SHA256SUMS` the zip is still only trusted as far as its own descriptor's hashes, which the
    caller checks after unpacking.
    """
    if not is_url(url):
        raise UsageError(f"{url}: only http:// and https:// URLs are downloaded.")
    name = PurePosixPath(urlsplit(url).path).name
    root = cache_root()
    final = root / "releases" / _cache_key(url)
    if not refresh and (final / MARKER).is_file() and (final / name).is_file():
        promised = [e for e in sums_entries(final) if e.path == name]
        if all(check_file(final, e) is None for e in promised):
            return final / name
    with _staging(root) as staging:
        entry = None
        try:
            _download(urljoin(url, SUMS_NAME), staging / SUMS_NAME, None, MAX_DESCRIPTOR_BYTES)
            entry = next((e for e in sums_entries(staging) if e.path == name), None)
        except DownloadError:
            pass  # no SHA256SUMS published beside the zip
        guard = _download(url, staging / name, entry, MAX_DESCRIPTOR_BYTES * 64)
        if entry is not None and guard.hasher is not None:
            actual = guard.hasher.hexdigest()
            if actual != entry.digest:
                raise Mismatch(name, "hash", f"sha256:{entry.digest}", f"sha256:{actual}").error()
        (staging / MARKER).write_text(url + "\n", encoding="utf-8")
        _replace(staging, final)
    return final / name


def _replace(staging: Path, final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        old = final.with_name(final.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
        shutil.rmtree(old, ignore_errors=True)
    os.replace(staging, final)

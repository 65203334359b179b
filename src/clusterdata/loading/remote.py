"""Download a published release and prove its bytes are the published ones.

A release's `datapackage.json` lists every file with its `bytes` and `hash`; that descriptor is
the trust anchor. A download goes to a private staging folder inside the cache, every file is
checked while it streams (byte count) and after (hash), and only a release whose every file
matches is renamed into place in one step. Anything that fails is removed, so the cache never
holds a half-downloaded or tampered release.

Only http(s) URLs and local paths are read. The HTTP client is pooch's downloader (requests
underneath, streaming); hashing, limits and the atomic rename are ours because they must cover
the whole release, not one file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urljoin, urlsplit

from clusterdata.core.package import DESCRIPTOR_NAME, MAX_DESCRIPTOR_BYTES, UsageError, safe_path

#: Hash algorithms a descriptor may name ("sha256:<hex>"); Data Package v1 reads a bare hex as md5.
ALGORITHMS = ("md5", "sha1", "sha256", "sha512")
MARKER = ".verified"
TIMEOUT_SECONDS = 60


class IntegrityError(Exception):
    """A file is not the one the release's descriptor promises (wrong hash, size or missing)."""

    def __init__(
        self, file: str, message: str, *, expected: str | None = None, actual: str | None = None
    ) -> None:
        self.file = file
        self.expected = expected
        self.actual = actual
        super().__init__(message)


class DownloadError(UsageError):
    """The release could not be fetched at all (network, HTTP status); not a data problem."""


@dataclass(frozen=True)
class Mismatch:
    """One difference between a file and its entry in the descriptor."""

    file: str  # path relative to the release folder, as in the descriptor
    what: str  # "missing", "bytes", "hash", "unverifiable"
    expected: str | None
    actual: str | None

    def sentence(self) -> str:
        if self.what == "missing":
            return f"{self.file}: missing (the descriptor lists it)."
        if self.what == "unverifiable":
            return f"{self.file}: the descriptor gives no usable hash ({self.expected or 'none'})."
        label = "size" if self.what == "bytes" else "hash"
        unit = " bytes" if self.what == "bytes" else ""
        return (
            f"{self.file}: {label} differs: expected {self.expected}{unit}, "
            f"got {self.actual}{unit}."
        )

    def error(self) -> IntegrityError:
        return IntegrityError(
            self.file,
            f"{self.sentence()} The file is not the published one; it was not used.",
            expected=self.expected,
            actual=self.actual,
        )


@dataclass(frozen=True)
class Entry:
    """A file the descriptor promises: where it is, how big, and its hash."""

    path: str
    bytes: int | None
    algorithm: str | None
    digest: str | None
    declared_hash: str | None


def is_url(source: object) -> bool:
    return isinstance(source, str) and urlsplit(source).scheme.lower() in ("http", "https")


def cache_root() -> Path:
    """`CLUSTERDATA_CACHE`, else the platform's user cache folder for clusterdata."""
    override = os.environ.get("CLUSTERDATA_CACHE")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("clusterdata"))


def parse_hash(value: object) -> tuple[str | None, str | None]:
    """("sha256", "<hex>") from "sha256:<hex>"; a bare hex is md5 (Data Package v1)."""
    if not isinstance(value, str) or not value.strip():
        return None, None
    text = value.strip()
    algorithm, _, digest = text.rpartition(":")
    algorithm = algorithm.lower() or "md5"
    digest = digest.lower()
    if algorithm not in ALGORITHMS or not re.fullmatch(r"[0-9a-f]+", digest):
        return None, None
    return algorithm, digest


def entries(descriptor: dict[str, Any]) -> list[Entry]:
    """Every local file a descriptor's resources point to, with its promised size and hash."""
    found: list[Entry] = []
    seen: set[str] = set()
    for spec in descriptor.get("resources") or []:
        if not isinstance(spec, dict):
            continue
        paths = spec.get("path")
        for path in paths if isinstance(paths, list) else [paths]:
            if not isinstance(path, str) or not path or path in seen:
                continue
            seen.add(path)
            size = spec.get("bytes")
            algorithm, digest = parse_hash(spec.get("hash"))
            single = not isinstance(paths, list) or len(paths) == 1
            found.append(
                Entry(
                    path=path,
                    bytes=size if single and isinstance(size, int) and size >= 0 else None,
                    algorithm=algorithm if single else None,
                    digest=digest if single else None,
                    declared_hash=spec.get("hash") if isinstance(spec.get("hash"), str) else None,
                )
            )
    return found


def file_digest(path: Path, algorithm: str) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, algorithm).hexdigest()


def check_file(root: Path, entry: Entry) -> Mismatch | None:
    """Compare one file on disk with its entry; None when it is intact."""
    file, problem = safe_path(root, entry.path)
    if problem or file is None:
        return Mismatch(entry.path, "missing", None, problem)
    if not file.is_file():
        return Mismatch(entry.path, "missing", None, None)
    size = file.stat().st_size
    if entry.bytes is not None and size != entry.bytes:
        return Mismatch(entry.path, "bytes", str(entry.bytes), str(size))
    if entry.algorithm is None or entry.digest is None:
        return Mismatch(entry.path, "unverifiable", entry.declared_hash, None)
    actual = file_digest(file, entry.algorithm)
    if actual != entry.digest:
        return Mismatch(
            entry.path, "hash", f"{entry.algorithm}:{entry.digest}", f"{entry.algorithm}:{actual}"
        )
    return None


def check_release(
    root: Path, descriptor: dict[str, Any], *, with_sums: bool = False
) -> list[Mismatch]:
    """Every difference between a release folder and its descriptor (empty: intact).

    `with_sums` also checks the files a `SHA256SUMS` file in the folder lists (`publish` keeps
    the zip and the DuckDB database, which the descriptor cannot describe, there).
    """
    listed = entries(descriptor)
    if with_sums:
        known = {e.path for e in listed}
        listed += [e for e in sums_entries(root) if e.path not in known]
    return [m for e in listed if (m := check_file(root, e)) is not None]


SUMS_NAME = "SHA256SUMS"


def sums_entries(root: Path) -> list[Entry]:
    """The lines of `SHA256SUMS` ("<hex>  <name>", as sha256sum writes them) as entries."""
    file = root / SUMS_NAME
    if not file.is_file():
        return []
    return parse_sums(file.read_text(encoding="utf-8", errors="replace"))


def parse_sums(text: str) -> list[Entry]:
    found = []
    for line in text.splitlines():
        match = re.fullmatch(r"([0-9a-fA-F]{64}) [ *]?(.+)", line.strip())
        if match:
            digest, name = match.group(1).lower(), match.group(2).strip()
            found.append(Entry(name, None, "sha256", digest, f"sha256:{digest}"))
    return found


def read_descriptor(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_DESCRIPTOR_BYTES:
            raise UsageError(f"{path}: too large to be a package descriptor.")
        loaded = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UsageError(f"{path}: not a readable package descriptor ({exc}).") from exc
    if not isinstance(loaded, dict):
        raise UsageError(f"{path}: the descriptor is not a JSON object.")
    return loaded


# --- downloading -----------------------------------------------------------------------------


def descriptor_url(url: str) -> str:
    """Accept the descriptor's URL or its folder's URL."""
    path = urlsplit(url).path
    if path.endswith(".json"):
        return url
    if path.endswith(".zip"):
        raise UsageError(
            f"{url}: give the release's {DESCRIPTOR_NAME} URL (or its folder); each file is "
            "then downloaded and checked against the descriptor's hashes."
        )
    return url.rstrip("/") + "/" + DESCRIPTOR_NAME


def release_url(base_url: str, version: str, default_name: str | None = None) -> str:
    """Where a version's descriptor is: the folder `<base>/releases.json` names for it, else
    `<base>/<name>-<version>/datapackage.json` (publish's layout) with the given name."""
    base = base_url.rstrip("/")
    version = version.removeprefix("v")
    with tempfile.TemporaryDirectory(prefix="clusterdata-") as folder:
        index = Path(folder) / "releases.json"
        try:
            _download(f"{base}/releases.json", index, None, MAX_DESCRIPTOR_BYTES)
            listing = json.loads(index.read_text(encoding="utf-8"))
        except (DownloadError, IntegrityError, OSError, ValueError):
            listing = None
    if isinstance(listing, dict):
        for entry in listing.get("releases") or []:
            if isinstance(entry, dict) and entry.get("version") == version:
                folder_name = entry.get("folder")
                if isinstance(folder_name, str) and folder_name and ".." not in folder_name:
                    return f"{base}/{folder_name.strip('/')}/{DESCRIPTOR_NAME}"
        if isinstance(listing.get("name"), str):
            default_name = listing["name"]
        known = [e.get("version") for e in listing.get("releases") or [] if isinstance(e, dict)]
        if known and version not in known:
            raise UsageError(
                f"{base}/releases.json lists no version {version} "
                f"(it has {', '.join(map(str, known))})."
            )
    if not default_name:
        raise UsageError(
            f"{base}: no releases.json to find version {version} in; pass the "
            "release's datapackage.json URL instead."
        )
    return f"{base}/{default_name}-{version}/{DESCRIPTOR_NAME}"


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
        raise DownloadError(f"{url}: the server answered HTTP {status}.") from exc
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
    url = descriptor_url(url)
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
    url = descriptor_url(url)
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
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            old = final.with_name(final.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
            shutil.rmtree(old, ignore_errors=True)
        os.replace(staging, final)
    return final


def fetch_to(url: str, target: Path) -> tuple[dict[str, Any], list[Mismatch]]:
    """Download a release without refusing anything, for `verify`, which reports every
    difference itself. Returns the descriptor and the files that could not be fetched whole
    (missing, or larger than promised: such a download is stopped and discarded)."""
    url = descriptor_url(url)
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
    return descriptor, problems

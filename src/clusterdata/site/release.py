"""A published release as the catalogue sees it: its descriptor, files, sizes and checksums.

Read from what `clusterdata publish` wrote (dist/<name>-<version>/ and dist/releases.json). Where
an artefact is listed is not assumed: every file in the release folder counts, plus files beside
it named after it (the zip, a DuckDB file kept outside the reproducible archive). Sizes and
hashes come from the descriptor where it declares them — after checking that the files match —
and are computed otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from clusterdata.core.package import DESCRIPTOR_NAME, UsageError

MEDIA_TYPES = {
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "duckdb": "application/vnd.duckdb",
    "zip": "application/zip",
    "json": "application/json",
    "md": "text/markdown",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: The order a person wants downloads in: the whole package first, then per-table files.
KIND_ORDER = ("zip", "descriptor", "xlsx", "csv", "parquet", "duckdb", "json", "md", "other")


@dataclass(frozen=True)
class Artefact:
    """One downloadable file of a release."""

    name: str  # path relative to the release folder, or the file name when beside it
    file: Path
    bytes: int
    sha256: str
    kind: str  # zip, descriptor, csv, parquet, duckdb, json, md, other
    resource: str | None = None  # the table it holds, when it holds one

    @property
    def media_type(self) -> str:
        if self.kind == "descriptor":
            return MEDIA_TYPES["json"]
        return MEDIA_TYPES.get(self.kind, "application/octet-stream")

    @property
    def label(self) -> str:
        return PurePosixPath(self.name).name


@dataclass
class Release:
    folder: Path
    descriptor: dict[str, Any]
    date: str | None = None
    summary: str | None = None
    artefacts: list[Artefact] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name") or self.folder.name)

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version") or "")

    @property
    def slug(self) -> str:
        return self.folder.name

    def text(self, key: str, lang: str, spec: dict[str, Any] | None = None) -> str:
        """`title`/`description` in a language: `x-<key>-sv` for Swedish, falling back."""
        source = self.descriptor if spec is None else spec
        return localized(source, key, lang)

    def resource_spec(self, name: str) -> dict[str, Any]:
        for spec in self.descriptor.get("resources") or []:
            if isinstance(spec, dict) and spec.get("name") == name:
                return spec
        return {}


def localized(spec: dict[str, Any], key: str, lang: str) -> str:
    if lang != "en":
        value = spec.get(f"x-{key}-{lang}")
        if isinstance(value, str) and value.strip():
            return value
    value = spec.get(key)
    return value if isinstance(value, str) else ""


def _kind(path: str) -> str:
    pure = PurePosixPath(path)
    if pure.name == DESCRIPTOR_NAME:
        return "descriptor"
    suffix = pure.suffix.lower().lstrip(".")
    if suffix in ("duckdb", "db"):
        return "duckdb"
    return suffix if suffix in MEDIA_TYPES else "other"


def read_releases(dist: Path) -> list[dict[str, Any]]:
    """The entries of dist/releases.json (a list, or {"releases": [...]}) that name a version."""
    index = dist / "releases.json"
    if not index.is_file():
        return []
    try:
        loaded = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{index}: not readable JSON ({exc}).") from exc
    if isinstance(loaded, dict):
        loaded = loaded.get("releases", loaded.get("versions", []))
    if not isinstance(loaded, list):
        return []
    return [e for e in loaded if isinstance(e, dict) and isinstance(e.get("version"), str)]


def _version_key(text: str) -> tuple[int, ...]:
    from clusterdata.release.versioning import Version

    try:
        v = Version.parse(text)
    except ValueError:
        return (-1,)
    return (v.major, v.minor, v.patch)


def find_release(release: str | Path | None, dist: Path) -> Release:
    """A release folder from a path, a version found in `dist`, or (None) the newest in `dist`."""
    entries = read_releases(dist)
    folder: Path | None = None
    entry: dict[str, Any] = {}
    if release is not None and Path(release).exists():
        path = Path(release)
        folder = path.parent if path.is_file() else path
        entry = next((e for e in entries if (dist / str(e.get("path", ""))) == folder), {})
    else:
        if not entries and release is None:
            candidates = sorted(dist.glob(f"*/{DESCRIPTOR_NAME}")) if dist.is_dir() else []
            if not candidates:
                raise UsageError(
                    f"{dist}: no releases found (no releases.json). Run `clusterdata publish` "
                    "first, or give a release folder."
                )
            entries = [
                json.loads(p.read_text(encoding="utf-8")) | {"path": p.parent.name}
                for p in candidates
            ]
        wanted = [e for e in entries if release is None or e["version"] == str(release).lstrip("v")]
        if not wanted:
            raise UsageError(f"{dist}: no release {release!r} in releases.json.")
        entry = max(wanted, key=lambda e: _version_key(str(e["version"])))
        folder = _folder_of(entry, dist)
    if not (folder / DESCRIPTOR_NAME).is_file():
        raise UsageError(f"{folder}: not a release folder (no {DESCRIPTOR_NAME}).")
    from clusterdata.loading.remote import read_descriptor

    descriptor = read_descriptor(folder / DESCRIPTOR_NAME)
    if not entry:
        entry = next((e for e in entries if e.get("version") == descriptor.get("version")), {})
    date = entry.get("date") or descriptor.get("created")
    summary = entry.get("summary")
    result = Release(
        folder=folder.resolve(),
        descriptor=descriptor,
        date=str(date)[:10] if date else None,
        summary=summary if isinstance(summary, str) else None,
    )
    result.artefacts = collect_artefacts(result)
    return result


def _folder_of(entry: dict[str, Any], dist: Path) -> Path:
    for key in ("path", "folder", "directory"):
        value = entry.get(key)
        if isinstance(value, str) and (dist / value / DESCRIPTOR_NAME).is_file():
            return dist / value
    name = entry.get("name")
    if isinstance(name, str) and (dist / f"{name}-{entry['version']}").is_dir():
        return dist / f"{name}-{entry['version']}"
    matches = sorted(p.parent for p in dist.glob(f"*-{entry['version']}/{DESCRIPTOR_NAME}"))
    if len(matches) != 1:
        raise UsageError(f"{dist}: cannot find the folder of release {entry['version']}.")
    return matches[0]


def collect_artefacts(release: Release) -> list[Artefact]:
    """Every file of the release, checked against the descriptor where it declares a hash.

    Raises `IntegrityError` when a declared file does not match: a catalogue must never offer
    bytes that are not the published ones.
    """
    from clusterdata.loading import remote

    mismatches = [
        m
        for m in remote.check_release(release.folder, release.descriptor)
        if m.what != "unverifiable"
    ]
    if mismatches:
        raise mismatches[0].error()
    declared = {e.path: e for e in remote.entries(release.descriptor)}
    owners: dict[str, str] = {}
    for spec in release.descriptor.get("resources") or []:
        if isinstance(spec, dict) and isinstance(spec.get("path"), str):
            # publish lists a Parquet export as its own resource naming its table in x-table.
            owners[spec["path"]] = str(spec.get("x-table") or spec.get("name"))
    found: list[Artefact] = []
    files = [
        p
        for p in sorted(release.folder.rglob("*"))
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(release.folder).parts)
    ]
    beside = sorted(
        p for p in release.folder.parent.glob(f"{release.folder.name}.*") if p.is_file()
    )
    zips_inside = {p.name for p in files if p.suffix == ".zip"}
    for file in files + [p for p in beside if p.name not in zips_inside]:
        inside = file.is_relative_to(release.folder)
        name = file.relative_to(release.folder).as_posix() if inside else file.name
        entry = declared.get(name) if inside else None
        if entry is not None and entry.algorithm == "sha256" and entry.digest:
            digest = entry.digest
        else:
            digest = remote.file_digest(file, "sha256")
        kind = _kind(name)
        resource = owners.get(name) if inside else None
        if resource is None and kind in ("csv", "parquet"):
            resource = PurePosixPath(name).stem
        found.append(
            Artefact(
                name=name,
                file=file,
                bytes=file.stat().st_size,
                sha256=digest,
                kind=kind,
                resource=resource,
            )
        )
    found.sort(key=lambda a: (KIND_ORDER.index(a.kind), a.name))
    return found


def today() -> str:
    return dt.date.today().isoformat()

"""What the next release is: read the published ones, diff, pick the version. Writes nothing
but `releases.json` (through `write_releases`, for `publish`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clusterdata.core.atomic import write_text_atomic
from clusterdata.core.package import DataPackage, UsageError, open_package
from clusterdata.diff import PackageDiff, diff_packages
from clusterdata.release.versioning import Level, Version, decide

RELEASES = "releases.json"


@dataclass
class Release:
    """One entry of releases.json."""

    version: str
    date: str
    level: str
    summary: str
    folder: str
    zip: str
    zip_sha256: str
    zip_bytes: int
    duckdb: str
    duckdb_sha256: str
    duckdb_bytes: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Plan:
    """What publishing would do: computed without writing anything (this is `--dry-run`)."""

    package: DataPackage
    name: str
    version: Version
    date: dt.date
    previous: Release | None
    diff: PackageDiff
    change_level: Level
    level: Level
    #: "new": build it; "unchanged": nothing to publish; "exists": compare with the one on disk.
    status: str
    notes: list[str] = field(default_factory=list)

    @property
    def folder_name(self) -> str:
        return f"{self.name}-{self.version}"

    def summary(self) -> str:
        if self.previous is None:
            rows = sum(len(t.added) for t in self.diff.tables)
            return f"first release: {len(self.diff.tables)} tables, {rows} rows"
        return f"{self.level.value}: {self.diff.headline()}"

    def decision(self) -> str:
        if self.status == "unchanged":
            assert self.previous is not None
            return (
                f"nothing to publish: {self.name} is unchanged since "
                f"{self.previous.version} (use --bump to release anyway)"
            )
        if self.previous is None:
            return f"{self.name} {self.version} ({self.summary()})"
        since = f" since {self.previous.version}"
        return (
            f"{self.name} {self.version} ({self.summary()}{since}; change level "
            f"{self.change_level.value}, released as {self.level.value})"
        )


def release_date(explicit: str | None = None) -> dt.date:
    if explicit:
        try:
            return dt.date.fromisoformat(explicit)
        except ValueError as exc:
            raise UsageError(f"--date {explicit!r}: give the date as YYYY-MM-DD.") from exc
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except (ValueError, OverflowError) as exc:
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time.") from exc
    return dt.datetime.now(dt.UTC).date()


def read_releases(out: Path) -> tuple[str | None, list[Release]]:
    path = out / RELEASES
    if not path.exists():
        return None, []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        releases = [Release(**entry) for entry in data.get("releases", [])]
        for r in releases:
            Version.parse(r.version)
        return data.get("name"), releases
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise UsageError(f"{path}: not a releases file this tool wrote ({exc}).") from exc


def write_releases(out: Path, name: str, releases: list[Release]) -> None:
    ordered = sorted(releases, key=lambda r: Version.parse(r.version), reverse=True)
    data = {"name": name, "releases": [r.to_dict() for r in ordered]}
    write_text_atomic(out / RELEASES, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def open_release(out: Path, release: Release) -> DataPackage:
    """A published version, from its folder or, when that is gone, its zip."""
    folder = out / release.folder
    if (folder / "datapackage.json").is_file():
        return open_package(folder)
    archive = out / release.zip
    if archive.is_file():
        return open_package(archive)
    raise UsageError(
        f"{out / RELEASES} lists {release.version}, but neither {folder} nor "
        f"{archive} exists; restore it before publishing the next version."
    )


def empty_package(package: DataPackage) -> DataPackage:
    return DataPackage(root=package.root, descriptor_file=package.descriptor_file, descriptor={})


def make_plan(
    package: DataPackage, out: Path, bump: Level | None = None, date: str | None = None
) -> Plan:
    name = package.name
    others = [f"{r.name} ({r.format})" for r in package.resources if not r.is_csv]
    if others:  # a release ships CSV files and their exports; it does not convert tables
        raise UsageError(
            f"publish writes releases of CSV tables; {', '.join(others)} "
            "is not a CSV file. Save it as CSV (UTF-8) to publish the package."
        )
    dist_name, releases = read_releases(out)
    if dist_name and dist_name != name:
        raise UsageError(
            f"{out / RELEASES} holds releases of {dist_name!r}, not {name!r}; "
            "use another --out folder."
        )
    notes: list[str] = []
    previous = max(releases, key=lambda r: Version.parse(r.version), default=None)
    if previous is None:
        raw = package.descriptor.get("version")
        if raw is None:
            version = Version(0, 1, 0)
            notes.append("the descriptor has no version; the first release is 0.1.0")
        else:
            try:
                version = Version.parse(str(raw))
            except ValueError as exc:
                raise UsageError(
                    f"The descriptor's version {raw!r} is not a semantic version "
                    "such as 0.1.0; correct it to publish."
                ) from exc
        if bump:
            notes.append(
                "--bump does not apply to the first release, which takes the descriptor's version"
            )
        diff = diff_packages(
            empty_package(package), package, old_label="(nothing)", new_label=str(version)
        )
        change = diff.level()
        level = change
        status = "new"
    else:
        diff = diff_packages(
            open_release(out, previous),
            package,
            old_label=previous.version,
            new_label="this release",
        )
        change = diff.level()
        level = decide(change, bump)
        base = Version.parse(previous.version)
        version = base.bump(level)
        status = "unchanged" if level is Level.NONE else "new"
    when = release_date(date)
    existing = next((r for r in releases if Version.parse(r.version) == version), None)
    if status == "new" and (existing or (out / f"{name}-{version}").exists()):
        status = "exists"
        if date is None:
            when = _existing_date(out / f"{name}-{version}", existing) or when
    if status != "unchanged":
        diff.new_label = str(version)
    return Plan(
        package=package,
        name=name,
        version=version,
        date=when,
        previous=previous,
        diff=diff,
        change_level=change,
        level=level,
        status=status,
        notes=notes,
    )


def _existing_date(folder: Path, release: Release | None) -> dt.date | None:
    if release is not None:
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(release.date)
    with contextlib.suppress(OSError, ValueError, AttributeError, TypeError):
        created = json.loads((folder / "datapackage.json").read_text("utf-8")).get("created")
        return dt.date.fromisoformat(str(created)[:10])
    return None

"""Versioned, immutable, reproducible releases of a data package.

`publish()` validates the package (any error refuses), diffs it against the newest release in
`OUT/releases.json`, picks the version from what changed (`versioning`'s levels; `--bump` can raise,
never lower), and builds `OUT/<name>-<version>/` in a private temporary folder inside OUT that
appears by one atomic rename. Decisions, documented:

* No change since the previous release and `--bump auto`: nothing is published (exit 0). An
  explicit `--bump` publishes anyway (e.g. to ship a new export format of unchanged data).
* The version to build already exists: the build is compared with it (zip sha256); identical is
  a no-op success (and repairs a missing `releases.json` entry), different is refused.
* The first release takes the descriptor's version (0.1.0 when it has none); `--bump` does not
  apply to it. Its delta lists every row as added.
* The release date (`created`, zip timestamps) is `--date`, else `SOURCE_DATE_EPOCH`, else
  today (UTC) — never the clock time, so a rebuild gives the same bytes.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clusterdata.core.atomic import write_text_atomic
from clusterdata.core.package import DataPackage, UsageError, open_package
from clusterdata.diff import PackageDiff, diff_packages, iter_delta, markdown_table_entry
from clusterdata.release.versioning import Level, Version, decide
from clusterdata.validation.pipeline import default_checks_dir

RELEASES = "releases.json"
TEMP_PREFIX = ".publish-"
PROFILE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"
PACKAGE_METADATA = (
    "title",
    "description",
    "homepage",
    "licenses",
    "sources",
    "contributors",
    "keywords",
)
DELTA_FIELDS = ("table", "key", "op", "field", "old", "new")
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"


class PublishRefused(Exception):
    """The release must not be written (exit 1): invalid data, or it would overwrite a version."""

    def __init__(self, message: str, report: Any = None) -> None:
        super().__init__(message)
        #: The validation report when validation refused the release.
        self.report = report


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


@dataclass
class Outcome:
    plan: Plan
    #: "published", "unchanged" (nothing to do), "exists" (identical version already there),
    #: or "dry-run".
    status: str
    folder: Path | None = None
    release: Release | None = None
    changelog_entry: str = ""


# ---------------------------------------------------------------------------------------------
# Planning


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


# ---------------------------------------------------------------------------------------------
# Changelog and delta


def changelog_entry(plan: Plan) -> str:
    lines = [f"## {plan.version} — {plan.date.isoformat()}", ""]
    if plan.previous is None:
        lines += ["First release.", "", "| table | rows |", "| --- | ---: |"]
        lines += [f"| {t.name} | {t.rows_new} |" for t in plan.diff.tables]
        lines.append("")
        return "\n".join(lines)
    lines += [
        f"**{plan.level.value.upper()}** since {plan.previous.version}: {plan.diff.headline()}",
        "",
    ]
    if plan.level > plan.change_level:
        lines += [
            f"Released as {plan.level.value} by request (the change itself is "
            f"{plan.change_level.value}).",
            "",
        ]
    for table in plan.diff.tables:
        if not table.changed:
            continue
        counts = (
            f"rows {table.rows_old} → {table.rows_new}; +{len(table.added)} "
            f"−{len(table.removed)} ~{len(table.modified)}"
        )
        status = "" if table.status == "kept" else f" (table {table.status})"
        lines += [f"### {table.name}{status}", "", f"- {counts}"]
        lines += markdown_table_entry(table) if table.status == "kept" else []
        lines.append("")
    if plan.diff.metadata:
        lines += ["### metadata", ""]
        lines += [f"- {c.message}" for c in plan.diff.metadata]
        lines.append("")
    return "\n".join(lines)


def changelog(plan: Plan, out: Path, entry: str) -> str:
    """All versions, newest first: this entry on top of the previous release's changelog."""
    older = ""
    if plan.previous is not None:
        path = out / plan.previous.folder / "CHANGELOG.md"
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            older = text.split("\n", 2)[2] if text.startswith("# ") else text
    head = f"# Changelog of {plan.name}\n\n"
    return head + entry.rstrip("\n") + "\n" + ("\n" + older.lstrip("\n") if older else "")


def delta_csv(diff: PackageDiff) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(DELTA_FIELDS)
    for row in iter_delta(diff):
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


DELTA_SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "name": "table",
            "type": "string",
            "description": "Resource the row belongs to.",
            "constraints": {"required": True},
        },
        {
            "name": "key",
            "type": "string",
            "description": "Primary key value (a JSON array "
            "for a composite key; the whole row for a table without one).",
            "constraints": {"required": True},
        },
        {
            "name": "op",
            "type": "string",
            "constraints": {"required": True, "enum": ["added", "removed", "modified"]},
        },
        {
            "name": "field",
            "type": "string",
            "description": "The changed field (modified rows only).",
        },
        {
            "name": "old",
            "type": "string",
            "description": "Old value; for a removed row the row as a JSON object.",
        },
        {
            "name": "new",
            "type": "string",
            "description": "New value; for an added row the row as a JSON object.",
        },
    ],
}


# ---------------------------------------------------------------------------------------------
# Building


@contextlib.contextmanager
def _lock(out: Path) -> Iterator[None]:
    """One publish at a time per OUT folder; any temp folder seen while locked is stale."""
    import fcntl

    handle = open(out / ".publish.lock", "a+")  # noqa: SIM115
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise UsageError(f"{out}: another publish is running.") from exc
        yield
    finally:
        handle.close()


def _clean_stale(out: Path) -> None:
    for stale in out.glob(TEMP_PREFIX + "*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def _unique(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def build_release(plan: Plan, staging: Path, entry: str, out: Path) -> tuple[Path, Path]:
    """Write the release folder under `staging`; returns (zip, duckdb) paths inside it."""
    from clusterdata.release import exports

    package = plan.package
    folder = staging / plan.folder_name
    folder.mkdir(parents=True)
    resources_out: list[dict[str, Any]] = []
    taken = {r.name for r in package.resources}
    taken_paths = {r.path for r in package.resources}
    source_specs = {
        str(s.get("name")): s
        for s in package.descriptor.get("resources", [])
        if isinstance(s, dict)
    }
    for resource in package.resources:
        target = folder / resource.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(resource.file, target)
        spec = {
            k: v
            for k, v in source_specs.get(resource.name, {}).items()
            if k not in ("profile", "bytes", "hash", "schema", "type")
        }
        spec.update(
            {
                "name": resource.name,
                "type": "table",
                "path": resource.path,
                "format": resource.format,
                "mediatype": "text/tab-separated-values"
                if resource.format == "tsv"
                else "text/csv",
                "encoding": resource.encoding,
            }
        )
        spec.update(_file_facts(target))
        spec["schema"] = resource.schema
        resources_out.append(spec)
    loaded = exports.load(package, package.resources)
    try:
        for resource in package.resources:
            rel = f"parquet/{resource.name}.parquet"
            exports.write_parquet(loaded, resource, folder / rel)
            resources_out.append(
                {
                    "name": _unique(f"{resource.name}-parquet", taken),
                    "type": "file",
                    "path": rel,
                    "format": "parquet",
                    "mediatype": PARQUET_MEDIATYPE,
                    "title": f"{resource.name} as Parquet",
                    "x-release": "export",
                    "x-table": resource.name,
                    **_file_facts(folder / rel),
                }
            )
        duck_name = f"{plan.folder_name}.duckdb"
        exports.write_duckdb(loaded, folder / duck_name)
    finally:
        loaded.close()
    delta_path = "data/delta.csv" if "data/delta.csv" not in taken_paths else "release-delta.csv"
    (folder / delta_path).parent.mkdir(parents=True, exist_ok=True)
    first = plan.previous is None
    (folder / delta_path).write_bytes(
        delta_csv(plan.diff) if not first else delta_csv(PackageDiff("", ""))
    )
    against = plan.previous.version if plan.previous else "nothing (first release)"
    resources_out.append(
        {
            "name": _unique("delta", taken),
            "type": "table",
            "path": delta_path,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": f"Row-level changes against {against}",
            "description": "One line per added or removed row, one per changed field of a "
            "modified row; rows matched by primary key.",
            "x-release": "delta",
            **_file_facts(folder / delta_path),
            "schema": DELTA_SCHEMA,
        }
    )
    (folder / "CHANGELOG.md").write_text(changelog(plan, out, entry), encoding="utf-8")
    descriptor = _descriptor(plan, resources_out, duck_name)
    checks = default_checks_dir(package)
    if checks is not None:
        # The release carries its SQL checks, so validating it later runs the same rules.
        (folder / "checks").mkdir()
        for sql in sorted(checks.glob("*.sql")):
            shutil.copyfile(sql, folder / "checks" / sql.name)
        descriptor["x-checks"] = "checks"
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    zip_path = folder / f"{plan.folder_name}.zip"
    members = [p for p in folder.rglob("*") if p.is_file() and p.name != duck_name]
    exports.write_zip(folder, members, zip_path, plan.date, plan.folder_name)
    duck_path = folder / duck_name
    sums = "".join(f"{exports.sha256_file(p)}  {p.name}\n" for p in (zip_path, duck_path))
    (folder / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return zip_path, duck_path


def _file_facts(path: Path) -> dict[str, Any]:
    from clusterdata.release.exports import sha256_file

    return {"bytes": path.stat().st_size, "hash": f"sha256:{sha256_file(path)}"}


def _descriptor(plan: Plan, resources: list[dict[str, Any]], duck_name: str) -> dict[str, Any]:
    source = plan.package.descriptor
    out: dict[str, Any] = {"$schema": PROFILE_V2, "name": plan.name}
    for key in ("id", "title", "description"):
        if key in source:
            out[key] = source[key]
    out["version"] = str(plan.version)
    out["created"] = f"{plan.date.isoformat()}T00:00:00Z"
    for key, value in source.items():
        if key not in out and key not in (
            "resources",
            "profile",
            "$schema",
            "version",
            "created",
            "name",
        ):
            out[key] = value
    out["resources"] = resources
    out["x-release"] = {
        "duckdb": duck_name,
        "note": "The DuckDB file is not byte-reproducible, so it is not in the zip; its "
        "sha256 is in SHA256SUMS and releases.json.",
    }
    return out


def _same_release(existing: Path, built_zip: Path, name: str) -> bool:
    from clusterdata.release.exports import sha256_file

    old_zip = existing / name
    return old_zip.is_file() and sha256_file(old_zip) == sha256_file(built_zip)


def publish(
    source: str | os.PathLike[str] | None,
    out: Path,
    *,
    bump: Level | None = None,
    dry_run: bool = False,
    date: str | None = None,
) -> Outcome:
    """Validate, plan and (unless dry-run) build the next release. Raises `PublishRefused`."""
    from clusterdata.validation.pipeline import validate

    package = open_package(source)
    report = validate(package)
    if not report.valid:
        raise PublishRefused("validation reported errors; nothing was published.", report)
    plan = make_plan(package, out, bump, date)
    entry = changelog_entry(plan) if plan.status != "unchanged" else ""
    if dry_run:
        return Outcome(plan, "dry-run", changelog_entry=entry)
    if plan.status == "unchanged":
        return Outcome(plan, "unchanged")
    out.mkdir(parents=True, exist_ok=True)
    with _lock(out):
        _clean_stale(out)
        staging = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=out))
        try:
            zip_path, duck_path = build_release(plan, staging, entry, out)
            final = out / plan.folder_name
            if plan.status == "exists" or final.exists():
                if not _same_release(final, zip_path, zip_path.name):
                    raise PublishRefused(
                        f"{final} already exists with different content; a published version "
                        "is immutable. Remove it only if it was never shared, or publish a new "
                        "version with --bump."
                    )
                status = "exists"
                duck_final = final / duck_path.name
                release = _release_entry(
                    plan,
                    out,
                    final / zip_path.name,
                    duck_final if duck_final.is_file() else duck_path,
                )
            else:
                os.rename(staging / plan.folder_name, final)
                status = "published"
                release = _release_entry(plan, out, final / zip_path.name, final / duck_path.name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        _, releases = read_releases(out)
        existing = next((r for r in releases if r.version == release.version), None)
        if existing is None:
            write_releases(out, plan.name, [*releases, release])
        else:
            release = existing
    return Outcome(plan, status, folder=final, release=release, changelog_entry=entry)


def _release_entry(plan: Plan, out: Path, zip_path: Path, duck_path: Path) -> Release:
    from clusterdata.release.exports import sha256_file

    return Release(
        version=str(plan.version),
        date=plan.date.isoformat(),
        level=plan.level.value if plan.previous else "initial",
        summary=plan.summary(),
        folder=plan.folder_name,
        zip=zip_path.relative_to(out).as_posix(),
        zip_sha256=sha256_file(zip_path),
        zip_bytes=zip_path.stat().st_size,
        duckdb=f"{plan.folder_name}/{duck_path.name}",
        duckdb_sha256=sha256_file(duck_path),
        duckdb_bytes=duck_path.stat().st_size,
    )

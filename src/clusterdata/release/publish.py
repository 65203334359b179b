"""Versioned, immutable, reproducible releases of a data package.

`publish()` validates the package (any error refuses), diffs it against the newest release in
`OUT/releases.json`, picks the version from what changed (design.md's rules; `--bump` can raise,
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
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clusterdata.core.package import UsageError, open_package
from clusterdata.release.build import build_release
from clusterdata.release.changelog import (
    DELTA_FIELDS,
    DELTA_SCHEMA,
    changelog,
    changelog_entry,
    delta_csv,
)
from clusterdata.release.plan import (
    RELEASES,
    Plan,
    Release,
    make_plan,
    open_release,
    read_releases,
    release_date,
    write_releases,
)
from clusterdata.release.versioning import Level

__all__ = [
    "DELTA_FIELDS",
    "DELTA_SCHEMA",
    "RELEASES",
    "Outcome",
    "Plan",
    "PublishRefused",
    "Release",
    "changelog",
    "changelog_entry",
    "delta_csv",
    "make_plan",
    "open_release",
    "publish",
    "read_releases",
    "release_date",
    "write_releases",
]

TEMP_PREFIX = ".publish-"


class PublishRefused(Exception):
    """The release must not be written (exit 1): invalid data, or it would overwrite a version."""

    def __init__(self, message: str, report: Any = None) -> None:
        super().__init__(message)
        #: The validation report when validation refused the release.
        self.report = report


@dataclass
class Outcome:
    plan: Plan
    #: "published", "unchanged" (nothing to do), "exists" (identical version already there),
    #: or "dry-run".
    status: str
    folder: Path | None = None
    release: Release | None = None
    changelog_entry: str = ""


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

"""Write one release folder: data, Parquet and DuckDB exports, delta, changelog, checks, the
consumer's documents (README, LICENSE, citation, data dictionary), descriptor, zip, SHA256SUMS."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

from clusterdata.diff import PackageDiff
from clusterdata.release import documents
from clusterdata.release.changelog import DELTA_SCHEMA, changelog, delta_csv
from clusterdata.release.plan import Plan
from clusterdata.validation.pipeline import default_checks_dir

PROFILE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"


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
        # The release carries its SQL checks, so validating it later runs the same rules; each
        # is listed with its hash, so a download or `verify` gets and checks them like the data.
        (folder / "checks").mkdir()
        for sql in sorted(checks.glob("*.sql")):
            shutil.copyfile(sql, folder / "checks" / sql.name)
            resources_out.append(
                _file_resource(folder, f"checks/{sql.name}", "check", "application/sql", taken)
            )
        descriptor["x-checks"] = "checks"
    zip_name = f"{plan.folder_name}.zip"
    texts = documents.documents(descriptor, str(plan.version), plan.date, zip_name)
    for name, text in texts.items():
        if name in taken_paths:
            continue  # the package has a table file of that name; it wins
        (folder / name).write_text(text, encoding="utf-8")
        kind = "text/markdown" if name.endswith(".md") else "text/plain"
        kind = "application/x-yaml" if name.endswith(".cff") else kind
        resources_out.append(_file_resource(folder, name, "document", kind, taken))
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    zip_path = folder / zip_name
    members = [p for p in folder.rglob("*") if p.is_file() and p.name != duck_name]
    exports.write_zip(folder, members, zip_path, plan.date, plan.folder_name)
    duck_path = folder / duck_name
    sums = "".join(f"{exports.sha256_file(p)}  {p.name}\n" for p in (zip_path, duck_path))
    (folder / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return zip_path, duck_path


def _file_resource(
    folder: Path, path: str, role: str, mediatype: str, taken: set[str]
) -> dict[str, Any]:
    """A descriptor entry for a non-table file of the release, with its size and hash."""
    stem = re.sub(r"[^-a-z0-9._]", "-", PurePosixPath(path).name.lower())
    return {
        "name": _unique(f"{role}-{stem}", taken),
        "type": "file",
        "path": path,
        "mediatype": mediatype,
        "x-release": role,
        **_file_facts(folder / path),
    }


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

"""Admission: which parts of an untrusted descriptor are safe to read.

A package comes from anyone, so nothing here follows a path out of the package folder, opens a
URL, or lets a malformed descriptor crash the caller: every problem becomes a located finding
(bad data, exit 1). Admitted resources become `Resource`s of the `DataPackage`.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

from clusterdata.core.findings import Finding, error
from clusterdata.core.resource import (
    TABULAR_FORMATS,
    TEXT_FORMATS,
    DataPackage,
    Resource,
    declares_v2,
    missing_reader,
)

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
#: Frictionless refuses any other resource name, and with it the whole package.
_NAME = re.compile(r"^[-a-z0-9._/]+$")


def admit(package: DataPackage, index: int, spec: Any, display: str) -> None:
    if not isinstance(spec, dict):
        package.findings.append(
            error(
                "descriptor-error",
                f"Resource #{index + 1} is not a JSON object.",
                path=display,
            )
        )
        return
    name = str(spec.get("name") or f"resource{index + 1}")

    def reject(check: str, message: str, hint: str, value: str | None = None) -> None:
        package.rejected.add(name)
        package.findings.append(
            error(check, message, resource=name, path=display, value=value, hint=hint)
        )

    if name in package.rejected or package.resource(name) is not None:
        package.findings.append(
            error(
                "descriptor-error",
                f"Two resources are named {name!r}; the second is not checked.",
                resource=name,
                path=display,
                value=name,
                hint="Give every resource its own name: keys and reports refer to tables by name.",
            )
        )
        return
    if not _NAME.match(name):
        reject(
            "descriptor-error",
            f"The resource name {name!r} is not a valid Frictionless name.",
            "Use only lower-case letters, digits and - . _ / in a resource name, such as clusters.",
            value=name,
        )
        return

    if "data" in spec and "path" not in spec:
        _admit_inline(package, index, spec, name, display)
        return
    raw_path = spec.get("path")
    if isinstance(raw_path, list):
        reject(
            "unsupported-resource",
            f"Resource {name!r} is split over several files.",
            "Join the parts into one CSV file.",
            value=json.dumps(raw_path)[:200],
        )
        return
    if not isinstance(raw_path, str) or not raw_path:
        reject(
            "descriptor-error",
            f"Resource {name!r} has no path.",
            'Give the CSV file as "path": "data/<table>.csv".',
        )
        return
    file, problem = safe_path(package.root, raw_path)
    if problem:
        reject(
            "unsafe-path",
            f"Resource {name!r} has the path {raw_path!r}: {problem}.",
            "Use a relative path to a file inside the package folder, such as data/x.csv.",
            value=raw_path,
        )
        return
    assert file is not None
    if not file.is_file():  # also a folder or a named pipe, which would block a reader
        what = (
            "is a folder, not a file"
            if file.is_dir()
            else "is not a regular file"
            if file.exists()
            else "does not exist"
        )
        reject(
            "missing-file",
            f"The file {raw_path!r} of resource {name!r} {what}.",
            "Add the file, or correct the path in datapackage.json.",
            value=raw_path,
        )
        return
    package.findings.extend(check_file_integrity(spec, file, name, raw_path))
    fmt = str(spec.get("format") or PurePosixPath(raw_path).suffix.lstrip(".")).lower()
    lacking = missing_reader(fmt)
    a_table = spec.get("schema") is not None and spec.get("type") != "file"
    if fmt not in TEXT_FORMATS and (fmt not in TABULAR_FORMATS or lacking or not a_table):
        # A file without a schema (a release's workbook or Parquet export) is no table.
        if a_table:
            package.findings.append(_unchecked(name, raw_path, fmt, lacking))
        package.rejected.add(name)
        return
    schema = _schema(package, name, spec.get("schema"), display)
    if schema is None:
        package.rejected.add(name)
        return
    declared_dialect = spec.get("dialect")
    dialect = declared_dialect if isinstance(declared_dialect, dict) else {}
    declared_encoding = spec.get("encoding")
    encoding = declared_encoding if isinstance(declared_encoding, str) else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        reject(
            "encoding-error",
            f"Resource {name!r} declares the encoding {encoding!r}, "
            "which is not a known text encoding.",
            'Save the file as UTF-8 and declare "encoding": "utf-8" (or leave it out).',
            value=encoding,
        )
        return
    package.resources.append(
        Resource(
            name=name,
            path=raw_path,
            file=file,
            schema=schema,
            dialect=dialect,
            encoding=encoding.lower(),
            format=fmt,
            standard="v2" if declares_v2(package.descriptor, spec, schema) else "v1",
        )
    )


def _unchecked(name: str, raw_path: str, fmt: str, lacking: str | None) -> Finding:
    """A table that is not checked must never count towards "valid": say which and why."""
    if lacking:
        why = (
            f"frictionless-py reads .{fmt} tables with the Python package {lacking!r}, which "
            "is not installed here"
        )
    else:
        why = (
            f"clusterdata checks tables in CSV, TSV, JSON, NDJSON and Excel (.xlsx) files and "
            f"inline data, not {fmt or 'files without a format'}"
        )
    return error(
        "unchecked-table",
        f"Resource {name!r} is a {fmt or 'non-CSV'} table; {why}, so its rows were not "
        "checked (only its bytes and hash were).",
        resource=name,
        path=raw_path,
        hint=f"Install {lacking!r} (pip install {lacking}) and validate again, or save the table "
        "as CSV (UTF-8, comma-separated)."
        if lacking
        else "Save the table as CSV (UTF-8, comma-separated) and point the resource's path at "
        "it, then validate again.",
    )


def _admit_inline(
    package: DataPackage, index: int, spec: dict[str, Any], name: str, display: str
) -> None:
    """Rows in the descriptor are a table like any other; their place is the descriptor.
    Inline data without a Table Schema (or of `"type": "file"`) is not a table: left alone."""
    data = spec.get("data")
    if spec.get("schema") is None or spec.get("type") == "file":
        package.rejected.add(name)
        return
    if not isinstance(data, list):
        package.rejected.add(name)
        package.findings.append(
            error(
                "descriptor-error",
                f"The inline data of resource {name!r} is not a list of rows.",
                resource=name,
                path=display,
                hint='Give "data" as a list of rows: [["id", "name"], [1, "a"]] or '
                '[{"id": 1, "name": "a"}].',
            )
        )
        return
    schema = _schema(package, name, spec.get("schema"), display)
    if schema is None:
        package.rejected.add(name)
        return
    package.resources.append(
        Resource(
            name=name,
            path=display,
            file=package.descriptor_file.resolve(),
            schema=schema,
            # (its JSON keys `itemType`/`itemKeys` apply; row roles are refused by preflight)
            dialect=spec["dialect"] if isinstance(spec.get("dialect"), dict) else {},
            encoding="utf-8",
            format="inline",
            data=data,
            data_pointer=f"/resources/{index}/data",
            standard="v2" if declares_v2(package.descriptor, spec, schema) else "v1",
        )
    )


def check_file_integrity(
    spec: dict[str, Any], file: Path, name: str, raw_path: str
) -> list[Finding]:
    """Declared `bytes` and `hash` must match the file: a release is trusted by them."""
    findings: list[Finding] = []
    where = {"resource": name, "path": raw_path}
    declared_bytes = spec.get("bytes")
    size = file.stat().st_size
    if isinstance(declared_bytes, int) and declared_bytes != size:
        findings.append(
            error(
                "bytes-mismatch",
                f"The file has {size:,} bytes; the descriptor says {declared_bytes:,}.",
                **where,
                value=str(size),
                hint="The file was changed after it was described: restore it, or update bytes.",
            )
        )
    declared_hash = spec.get("hash")
    if isinstance(declared_hash, str) and declared_hash:
        algorithm, _, expected = declared_hash.rpartition(":")
        algorithm = algorithm.lower() or "md5"
        if algorithm not in hashlib.algorithms_guaranteed:
            findings.append(
                error(
                    "hash-mismatch",
                    f"The hash algorithm {algorithm!r} is not supported.",
                    **where,
                    value=declared_hash,
                    hint="Use sha256:<hex digest>.",
                )
            )
            return findings
        digest = hashlib.new(algorithm)
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != expected.lower():
            findings.append(
                error(
                    "hash-mismatch",
                    f"The file's {algorithm} hash does not match the descriptor's.",
                    **where,
                    value=f"{algorithm}:{digest.hexdigest()}",
                    hint="The file was changed after it was published: download it again.",
                )
            )
    return findings


def safe_path(root: Path, raw: str) -> tuple[Path | None, str | None]:
    """Resolve a descriptor path, refusing anything that could leave the package folder."""
    if _SCHEME.match(raw) or raw.startswith("//"):
        return None, "remote and file: URLs are not read"
    if "\\" in raw:
        return None, "backslashes are not allowed in paths; use /"
    if raw.startswith("/") or PurePosixPath(raw).is_absolute():
        return None, "absolute paths are not allowed"
    if ".." in PurePosixPath(raw).parts:
        return None, "paths may not go up with '..'"
    if "\x00" in raw:
        return None, "the path holds a NUL character"
    candidate = root / raw
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError):
        return None, "the path cannot be resolved"
    if not resolved.is_relative_to(root):
        return None, "it leads outside the package folder (through a symbolic link)"
    return resolved, None


def _schema(package: DataPackage, name: str, spec: Any, display: str) -> dict[str, Any] | None:
    if isinstance(spec, dict):
        return spec
    if isinstance(spec, str):
        file, problem = safe_path(package.root, spec)
        if problem or file is None or not file.is_file():
            package.findings.append(
                error(
                    "schema-error",
                    f"The schema {spec!r} of resource {name!r} cannot be read"
                    + (f": {problem}." if problem else "."),
                    resource=name,
                    path=display,
                    value=spec,
                    hint="Give the schema inline or as a relative path inside the package.",
                )
            )
            return None
        try:
            loaded = json.loads(file.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            package.findings.append(
                error(
                    "schema-error",
                    f"The schema file {spec!r} is not valid JSON ({exc}).",
                    resource=name,
                    path=spec,
                    hint="Fix the JSON syntax of the schema file.",
                )
            )
            return None
        if isinstance(loaded, dict):
            return loaded
    package.findings.append(
        error(
            "schema-error",
            f"Resource {name!r} has no Table Schema.",
            resource=name,
            path=display,
            hint='Add "schema": {"fields": [...]} describing the columns.',
        )
    )
    return None

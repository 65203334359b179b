"""Locate and read a data package without trusting it.

A package comes from anyone, so nothing here follows a path out of the package folder, opens a
URL, or lets a malformed descriptor crash the caller: every problem becomes a located finding
(bad data, exit 1) or a `UsageError` (nothing we can read as a package, exit 2).
"""

from __future__ import annotations

import codecs
import hashlib
import importlib.util
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from clusterdata.core.findings import Finding, error

DESCRIPTOR_NAME = "datapackage.json"
TEXT_FORMATS = {"csv", "tsv"}
#: Every format a table is checked in: CSV and TSV by the csv module (`lines`), the others read
#: by `core.tables` and checked by frictionless-py (`validation.structure.run`).
TABULAR_FORMATS = TEXT_FORMATS | {"json", "ndjson", "jsonl", "xlsx"}
#: The library frictionless-py reads each format that is not text with: without it neither
#: engine can read the table, and it is reported unchecked, naming the library.
READERS = {
    "json": "ijson",
    "ndjson": "jsonlines",
    "jsonl": "jsonlines",
    "xlsx": "openpyxl",
    "xls": "xlrd",
    "ods": "ezodf",
}
#: A descriptor larger than this is not a hand-edited package descriptor.
MAX_DESCRIPTOR_BYTES = 16 * 1024 * 1024
#: A zipped package may not unpack to more than this (zip bombs).
MAX_UNZIPPED_BYTES = 2 * 1024 * 1024 * 1024
#: Dialect keys that DuckDB's CSV reader honours exactly as Python's csv module does; a resource
#: with any other key is read with the csv module so that records and lines stay exact.
PLAIN_DIALECT_KEYS = frozenset(
    {
        "delimiter",
        "quoteChar",
        "doubleQuote",
        "header",
        "lineTerminator",
        "caseSensitiveHeader",
        "csvddfVersion",
    }
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
#: Frictionless refuses any other resource name, and with it the whole package.
_NAME = re.compile(r"^[-a-z0-9._/]+$")


class UsageError(Exception):
    """The input is not something we can treat as a data package (exit code 2)."""


def repo_root() -> Path:
    """The checkout this module runs from (editable install), where the bundled package lives."""
    return Path(__file__).resolve().parents[3]


def bundled_descriptor() -> Path:
    """The default package: `CLUSTERDATA_PACKAGE`, else `datapackage/` in the working directory
    (a contributor's checkout of the dataset), else the one this installation ships with."""
    override = os.environ.get("CLUSTERDATA_PACKAGE")
    if override:
        return Path(override)
    here = Path("datapackage") / DESCRIPTOR_NAME
    if here.is_file():
        return here
    checkout = repo_root() / "datapackage" / DESCRIPTOR_NAME
    # A wheel ships the newest release as package data (setup.py); a checkout has none.
    shipped = Path(__file__).resolve().parents[1] / "shipped" / DESCRIPTOR_NAME
    return shipped if shipped.is_file() and not checkout.is_file() else checkout


def schemas_dir() -> Path:
    return repo_root() / "schemas"


@dataclass(frozen=True)
class Resource:
    """One tabular resource whose file is known to lie inside the package folder."""

    name: str
    path: str  # as written in the descriptor, POSIX, relative to the package root
    file: Path  # absolute
    schema: dict[str, Any]
    dialect: dict[str, Any]
    encoding: str
    format: str
    #: Rows held inline in the descriptor (`data`); `file` is then the descriptor itself, and
    #: `data_pointer` the JSON pointer of the rows in it (`/resources/<i>/data`).
    data: Any = field(default=None, compare=False)
    data_pointer: str | None = None
    #: The Data Package version the resource follows: "v2" when the package, the resource or
    #: its schema names a 2.x profile in `$schema` (`declares_v2`), else "v1".
    standard: str = "v1"

    @property
    def is_csv(self) -> bool:
        """Read by the csv module (and so by either engine), not by `core.tables`."""
        return self.data is None and self.format in TEXT_FORMATS

    @property
    def fields(self) -> list[dict[str, Any]]:
        fields = self.schema.get("fields", [])
        return fields if isinstance(fields, list) else []

    @property
    def field_names(self) -> list[str]:
        return [str(f.get("name")) for f in self.fields if isinstance(f, dict)]

    @property
    def primary_key(self) -> list[str]:
        return as_list(self.schema.get("primaryKey"))

    @property
    def foreign_keys(self) -> list[dict[str, Any]]:
        fks = self.schema.get("foreignKeys", [])
        return [fk for fk in fks if isinstance(fk, dict)] if isinstance(fks, list) else []

    @property
    def delimiter(self) -> str:
        default = "\t" if self.format == "tsv" else ","
        value = self.dialect.get("delimiter", default)
        return value if isinstance(value, str) and len(value) == 1 else default

    @property
    def has_header(self) -> bool:
        """Whether a CSV's first record is its header: the dialect's `header`, default true
        ("header ... Defaults to true", Table Dialect). Without one, every record is data and
        the readers put the field names in front, so record 1 is always the header."""
        return self.dialect.get("header", True) is not False or not self.is_csv

    @property
    def has_plain_dialect(self) -> bool:
        return set(self.dialect) <= PLAIN_DIALECT_KEYS

    @property
    def quote_char(self) -> str:
        value = self.dialect.get("quoteChar", '"')
        return value if isinstance(value, str) and len(value) == 1 else '"'


@dataclass
class DataPackage:
    """A descriptor and the resources of it that are safe to read."""

    root: Path
    descriptor_file: Path
    descriptor: dict[str, Any]
    resources: list[Resource] = field(default_factory=list)
    #: Problems with the descriptor itself or with resources that could not be admitted.
    findings: list[Finding] = field(default_factory=list)
    #: Names of resources declared in the descriptor but not admitted (unsafe, missing, …).
    rejected: set[str] = field(default_factory=set)
    #: Kept alive while the package is in use when it was unpacked from a zip.
    _tempdir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name") or self.root.name)

    def resource(self, name: str) -> Resource | None:
        return next((r for r in self.resources if r.name == name), None)

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def declares_v2(*descriptors: Any) -> bool:
    """Whether any of these descriptors (package, resource, schema) names a Data Package 2.x
    profile in `$schema`. Without one a descriptor is v1: "The default value is
    `https://datapackage.org/profiles/1.0/tableschema.json`"
    (https://datapackage.org/standard/table-schema/#dollar-schema)."""
    for descriptor in descriptors:
        if isinstance(descriptor, dict):
            profile = descriptor.get("$schema")
            if isinstance(profile, str) and "datapackage.org/profiles/2." in profile:
                return True
    return False


def missing_reader(fmt: str) -> str | None:
    """The reader library a format needs and this installation lacks, if any."""
    module = READERS.get(fmt)
    if module is None or importlib.util.find_spec(module) is not None:
        return None
    return module


def as_list(value: Any) -> list[str]:
    """Table Schema lets a key be a string or a list of strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def locate(source: str | os.PathLike[str] | None) -> Path:
    """The descriptor file for a path that names a descriptor, its folder or a zip."""
    path = bundled_descriptor() if source is None else Path(source)
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder. Give a datapackage.json or its folder.")
    if path.is_dir():
        candidate = path / DESCRIPTOR_NAME
        if not candidate.is_file():
            raise UsageError(
                f"{path}: this folder has no {DESCRIPTOR_NAME}, so it is not a data package."
            )
        return candidate
    if not path.is_file():
        raise UsageError(f"{path}: not a regular file.")
    return path


def open_package(source: str | os.PathLike[str] | None = None) -> DataPackage:
    """Read a package; raises `UsageError` only when there is no package to speak of."""
    path = locate(source)
    tempdir = None
    if zipfile.is_zipfile(path):
        tempdir, path = _unzip(path)
    root = path.parent.resolve()
    display = path.name
    descriptor = _read_descriptor(path)
    if isinstance(descriptor, DescriptorProblem):
        finding = error("descriptor-error", descriptor.message, path=display, **descriptor.where)
        package = DataPackage(root=root, descriptor_file=path, descriptor={}, findings=[finding])
        package._tempdir = tempdir
        return package
    package = DataPackage(root=root, descriptor_file=path, descriptor=descriptor)
    package._tempdir = tempdir
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        package.findings.append(
            error(
                "descriptor-error",
                "The descriptor lists no resources.",
                path=display,
                hint='Add a "resources" list with one entry per table.',
            )
        )
        return package
    for index, spec in enumerate(resources):
        _admit(package, index, spec, display)
    return package


@dataclass(frozen=True)
class DescriptorProblem:
    """Why a descriptor cannot be read as a package, located for the person who wrote it."""

    message: str
    where: dict[str, Any]


def _read_descriptor(path: Path) -> dict[str, Any] | DescriptorProblem:
    try:
        size = path.stat().st_size
        if size > MAX_DESCRIPTOR_BYTES:
            return DescriptorProblem(
                f"The descriptor is {size:,} bytes, too large to be a package descriptor.",
                {"hint": "A datapackage.json describes the data; it should not hold it."},
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror}).") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return DescriptorProblem(
            "The descriptor is not valid UTF-8.",
            {"line": raw[: exc.start].count(b"\n") + 1, "hint": "Save datapackage.json as UTF-8."},
        )
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        return DescriptorProblem(
            f"The descriptor is not valid JSON: {exc.msg}.",
            {
                "line": exc.lineno,
                "value": _excerpt(text, exc.pos),
                "hint": "Check for a missing comma, quote or bracket near this line.",
            },
        )
    except RecursionError:
        return DescriptorProblem(
            "The descriptor is nested too deeply to be read.",
            {"hint": "A package descriptor needs only a few levels of nesting."},
        )
    if not isinstance(descriptor, dict):
        return DescriptorProblem(
            "The descriptor must be a JSON object.",
            {"hint": 'Start datapackage.json with "{" and list tables under "resources".'},
        )
    return descriptor


def _excerpt(text: str, pos: int) -> str:
    return text[max(0, pos - 20) : pos + 20].replace("\n", " ")


def _admit(package: DataPackage, index: int, spec: Any, display: str) -> None:
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
            dialect={},
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


def _unzip(archive: Path) -> tuple[tempfile.TemporaryDirectory[str], Path]:
    """Unpack a zipped package into a private folder, refusing entries that escape it."""
    tempdir = tempfile.TemporaryDirectory(prefix="clusterdata-")
    target = Path(tempdir.name).resolve()
    total = 0
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                name = info.filename
                parts = PurePosixPath(name).parts
                if name.startswith("/") or ".." in parts or "\\" in name or ":" in name:
                    raise UsageError(
                        f"{archive}: the zip entry {name!r} would be written outside the "
                        "package folder; refusing to unpack it."
                    )
                if (info.external_attr >> 16) & 0o170000 == 0o120000:
                    raise UsageError(f"{archive}: the zip entry {name!r} is a symbolic link.")
                total += info.file_size
                if total > MAX_UNZIPPED_BYTES:
                    raise UsageError(
                        f"{archive}: unpacks to more than {MAX_UNZIPPED_BYTES:,} bytes; refusing."
                    )
            zf.extractall(target)
    except zipfile.BadZipFile as exc:
        tempdir.cleanup()
        raise UsageError(f"{archive}: not a readable zip file ({exc}).") from exc
    except UsageError:
        tempdir.cleanup()
        raise
    descriptors = sorted(target.rglob(DESCRIPTOR_NAME), key=lambda p: len(p.parts))
    if not descriptors:
        tempdir.cleanup()
        raise UsageError(f"{archive}: the zip holds no {DESCRIPTOR_NAME}.")
    return tempdir, descriptors[0]

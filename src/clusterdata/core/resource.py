"""A data package and its tables as the rest of clusterdata sees them: after `admission` has
checked the descriptor, a `Resource` is a table whose file lies inside the package folder.
"""

from __future__ import annotations

import importlib.util
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from clusterdata.core.dialect import CsvDialect
from clusterdata.core.findings import Finding
from clusterdata.tableschema.model import Schema

DESCRIPTOR_NAME = "datapackage.json"
TEXT_FORMATS = {"csv", "tsv"}
#: Every format a table is checked in: CSV and TSV by the csv module (`lines`), the others read
#: by `core.tables` and checked by frictionless-py (`validation.structure.run`).
TABULAR_FORMATS = TEXT_FORMATS | {"json", "ndjson", "jsonl", "xlsx", "xls", "ods"}
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


class UsageError(Exception):
    """The input is not something we can treat as a data package (exit code 2)."""


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

    @cached_property
    def table_schema(self) -> Schema:
        """The schema as typed values, parsed once (`tableschema.model`); `schema` stays the
        descriptor as written, for what must echo it."""
        return Schema.from_descriptor(self.schema)

    @property
    def field_names(self) -> list[str]:
        return self.table_schema.field_names

    @property
    def primary_key(self) -> list[str]:
        return list(self.table_schema.primary_key)

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

    @cached_property
    def csv_dialect(self) -> CsvDialect:
        """The dialect with the spec's defaults, as every CSV reader follows it (read once:
        the DuckDB engine parses single records with it)."""
        return CsvDialect.of(self.dialect, self.format)

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

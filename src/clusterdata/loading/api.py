"""The one-line way in: `load()` → pandas DataFrames, `connect()` → a DuckDB connection.

Types come from each table's Table Schema, never from pandas' guessing: every column is read as
text and parsed by its declared type, so a column of postal codes stays text and a cell that does
not parse is an error naming its file, line and value instead of a silently widened column.

A published release (a URL, `"latest"` or `version=`) is downloaded into the cache and every
file is checked against the `bytes` and `hash` its descriptor promises before it is read; a local
release whose descriptor carries hashes is checked the same way.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from clusterdata.core.package import (
    DataPackage,
    Resource,
    UsageError,
    open_package,
)

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")
_TZ = re.compile(r"(Z|[+-]\d\d:?\d\d)$")


class DataError(ValueError):
    """A cell does not parse as its declared type (the package is not valid; run validate)."""

    def __init__(self, resource: str, path: str, column: str, line: int, value: str, kind: str):
        self.resource, self.path, self.column, self.line, self.value = (
            resource,
            path,
            column,
            line,
            value,
        )
        super().__init__(
            f"{path}, line {line}, column {column!r}: {value!r} is not a valid {kind}. "
            f"Run `clusterdata validate` on the package for every problem and how to fix it."
        )


Source = str | os.PathLike[str] | None


def resolve(
    source: Source = None,
    *,
    version: str | None = None,
    base_url: str | None = None,
    refresh: bool = False,
) -> DataPackage:
    """Open the package to read, downloading and verifying a published release when asked.

    No source: the dataset this installation ships with. `"latest"` or `version=`: a release
    from the public home (`clusterdata.release.home`; `base_url=` or `CLUSTERDATA_BASE_URL`
    name another). A URL or a local path: that release or package, folder or zip alike.
    """
    from clusterdata.loading import remote
    from clusterdata.release import home

    if version is not None:
        if source is not None:
            raise UsageError("Give either a source or version=, not both.")
        source = remote.release_url(base_url or home.base_url(), str(version))
    elif isinstance(source, str) and source == home.LATEST:
        source = remote.latest_url(base_url or home.base_url())
    elif base_url is not None:
        raise UsageError(
            'base_url= is used with version= or "latest"; to load a URL, pass it as the source.'
        )
    if remote.is_url(source):
        package = open_package(remote.fetch_source(str(source), refresh=refresh))
    else:
        package = open_package(source)
    if any(e.digest for e in remote.entries(package.descriptor)):
        mismatches = [
            m
            for m in remote.check_release(package.root, package.descriptor)
            if m.what != "unverifiable"
        ]
        if mismatches:
            raise mismatches[0].error()
    _refuse_broken(package)
    return package


def data_tables(package: DataPackage) -> DataPackage:
    """The package without the resources a release adds about itself (the delta): the same
    tables whether it is read from the source folder, a release folder, its zip or its URL."""
    extra = {
        str(spec.get("name"))
        for spec in package.descriptor.get("resources") or []
        if isinstance(spec, dict) and spec.get("x-release")
    }
    if not extra:
        return package
    return dataclasses.replace(
        package, resources=[r for r in package.resources if r.name not in extra]
    )


def _refuse_broken(package: DataPackage) -> None:
    problems = [f for f in package.findings if f.is_error]
    if problems:
        first = problems[0]
        where = f"{first.path}: " if first.path else ""
        raise UsageError(
            f"{package.descriptor_file}: the package cannot be loaded: {where}{first.message}"
            + (f" ({len(problems) - 1} more problems)" if len(problems) > 1 else "")
        )


def load(
    source: Source = None,
    *,
    version: str | None = None,
    base_url: str | None = None,
    refresh: bool = False,
) -> dict[str, pd.DataFrame]:
    """Every table of a data package as a pandas DataFrame typed from its Table Schema.

    `source` is a datapackage.json, its folder or zip, the http(s) URL of a published release
    (its datapackage.json, folder or zip), or `"latest"`; by default the dataset this
    installation ships with. `version="1.2.0"` loads that release from the public home
    (`base_url=` or `CLUSTERDATA_BASE_URL` name a mirror). Downloads are verified and cached
    (see `clusterdata.loading.remote`); `refresh=True` downloads again. A release's delta
    (its row-level changes) is not a table of the dataset: `load_delta()` reads it.

    Types: integer and year → Int64, number → Float64, boolean → boolean, date and datetime →
    datetime64, a field with an `enum` → Categorical with the enum's categories in order, partial
    dates (yearmonth) and everything else → text.
    """
    package = data_tables(resolve(source, version=version, base_url=base_url, refresh=refresh))
    return {r.name: read_table(r) for r in package.resources}


def load_delta(
    source: Source = None,
    *,
    version: str | None = None,
    base_url: str | None = None,
    refresh: bool = False,
) -> pd.DataFrame | None:
    """A release's row-level changes against the previous release (None for a package that is
    not a release). Same sources as `load()`."""
    package = resolve(source, version=version, base_url=base_url, refresh=refresh)
    names = [
        str(spec.get("name"))
        for spec in package.descriptor.get("resources") or []
        if isinstance(spec, dict) and spec.get("x-release") == "delta"
    ]
    resource = next((package.resource(n) for n in names if package.resource(n)), None)
    return read_table(resource) if resource is not None else None


def read_table(resource: Resource) -> pd.DataFrame:
    """One CSV resource, read as text and converted column by column to its declared types."""
    import pandas as pd

    missing = _missing_values(resource.schema.get("missingValues"))
    frame = pd.read_csv(
        resource.file,
        dtype=str,
        keep_default_na=False,
        na_values=missing,
        sep=resource.delimiter,
        quotechar=resource.quote_char,
        encoding=resource.encoding,
        encoding_errors="strict",
    )
    for spec in resource.fields:
        name = spec.get("name")
        if not isinstance(name, str) or name not in frame.columns:
            continue
        own_missing = spec.get("missingValues")
        if own_missing is not None:
            extra = set(_missing_values(own_missing)) - set(missing)
            if extra:
                frame[name] = frame[name].mask(frame[name].isin(extra))
        frame[name] = convert(frame[name], spec, resource)
    return frame


def _missing_values(value: Any) -> list[str]:
    """Table Schema `missingValues`: strings (v1) or {"value": ...} objects (v2); default [""]."""
    if not isinstance(value, list):
        return [""]
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("value"), str):
            out.append(item["value"])
    return out


def convert(column: pd.Series, spec: Mapping[str, Any], resource: Resource) -> pd.Series:
    """Parse a text column by its Table Schema field; a cell that does not parse raises."""
    import pandas as pd

    kind = str(spec.get("type") or "string")
    fmt = str(spec.get("format") or "default")
    text = column.astype("str").where(column.notna(), None)
    present = column.notna()
    if kind in ("integer", "year"):
        parsed = pd.to_numeric(text, errors="coerce")
        whole = parsed.notna() & (parsed % 1 == 0)
        _raise_unparsed(resource, spec, text, present & ~whole, kind)
        result: pd.Series = parsed.astype("Float64").astype("Int64")
    elif kind == "number":
        group = spec.get("groupChar")
        cleaned = text.str.replace(group, "", regex=False) if isinstance(group, str) else text
        parsed = pd.to_numeric(cleaned, errors="coerce")
        _raise_unparsed(resource, spec, text, present & parsed.isna(), kind)
        result = parsed.astype("Float64")
    elif kind == "boolean":
        true_values = spec.get("trueValues") or DEFAULT_TRUE
        false_values = spec.get("falseValues") or DEFAULT_FALSE
        mapping = {str(v): True for v in true_values} | {str(v): False for v in false_values}
        parsed = text.map(mapping)
        _raise_unparsed(resource, spec, text, present & parsed.isna(), kind)
        result = parsed.astype("boolean")
    elif kind == "date":
        pattern = {"default": "%Y-%m-%d", "any": "mixed"}.get(fmt, fmt)
        parsed = pd.to_datetime(text, format=pattern, errors="coerce")
        _raise_unparsed(resource, spec, text, present & parsed.isna(), kind)
        result = parsed
    elif kind == "datetime":
        pattern = {"default": "ISO8601", "any": "mixed"}.get(fmt, fmt)
        aware = bool(text.dropna().str.contains(_TZ).any())
        parsed = pd.to_datetime(text, format=pattern, errors="coerce", utc=aware)
        _raise_unparsed(resource, spec, text, present & parsed.isna(), kind)
        result = parsed
    elif kind == "time":
        pattern = {"default": "%H:%M:%S", "any": "mixed"}.get(fmt, fmt)
        parsed = pd.to_datetime(text, format=pattern, errors="coerce")
        _raise_unparsed(resource, spec, text, present & parsed.isna(), kind)
        result = parsed.dt.time.where(present, None)
    else:  # string, yearmonth (a partial date stays text), any, and the rest
        result = column
    enum = (
        (spec.get("constraints") or {}).get("enum")
        if isinstance(spec.get("constraints"), dict)
        else None
    )
    if isinstance(enum, list) and enum:
        categories = pd.Series(enum)
        if kind in ("integer", "year"):
            categories = categories.astype("Int64")
        elif kind == "number":
            categories = categories.astype("Float64")
        else:
            categories = categories.astype(str)
        outside = present & ~result.isin(list(categories))
        _raise_unparsed(resource, spec, text, outside, f"value of {enum}")
        result = pd.Series(
            pd.Categorical(result, categories=categories.drop_duplicates().tolist()),
            index=result.index,
            name=result.name,
        )
    return result


def _raise_unparsed(
    resource: Resource, spec: Mapping[str, Any], text: pd.Series, bad: pd.Series, kind: str
) -> None:
    if not bool(bad.any()):
        return
    position = int(bad.to_numpy().nonzero()[0][0])
    # Physical line: header is line 1; assumes no embedded newlines before the bad row, which
    # `clusterdata validate` locates exactly.
    raise DataError(
        resource.name,
        resource.path,
        str(spec.get("name")),
        position + 2,
        str(text.iloc[position]),
        kind,
    )


# --- DuckDB ----------------------------------------------------------------------------------


def connect(
    source: Source = None,
    *,
    version: str | None = None,
    base_url: str | None = None,
    refresh: bool = False,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with every table of the package loaded, typed and keyed.

    Same sources as `load()`, with the same verification. The tables are loaded by
    `clusterdata.loading.database` (the loader `validate` and `publish` use), with primary keys, NOT NULL,
    UNIQUE and foreign keys declared, so SQL sees the same types as the Table Schemas say.
    """
    from clusterdata.loading.database import LoadError, load_package

    package = data_tables(resolve(source, version=version, base_url=base_url, refresh=refresh))
    try:
        loaded = load_package(package, lines=False, declare_keys=True, lock=False)
    except LoadError as exc:
        raise UsageError(f"{package.descriptor_file}: {exc} Run `clusterdata validate`.") from exc
    if loaded.findings:
        loaded.close()
        raise UsageError(f"{package.descriptor_file}: {loaded.findings[0].message}")
    return loaded.connection

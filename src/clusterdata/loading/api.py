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
import math
import os
from typing import TYPE_CHECKING, Any

from clusterdata.core.package import (
    DataPackage,
    Resource,
    UsageError,
    open_package,
)
from clusterdata.tableschema.cells import BAD, cell_parser
from clusterdata.tableschema.errors import DataError
from clusterdata.tableschema.model import Field

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = ["DataError", "Source", "connect", "convert", "load", "read_table", "resolve"]


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

    Types: integer and year → Int64 (Python ints, dtype object, when a value does not fit in
    64 bits: Table Schema integers have no bound), number → Float64, boolean → boolean, date and
    datetime → datetime64, a field with an `enum` → Categorical with the enum's categories in
    order, a field with v2 `categories` → Categorical with those categories (ordered when
    `categoriesOrdered`), a v2 `list` → Python lists of the item type's values, partial dates
    (yearmonth) and everything else → text.
    """
    from clusterdata.core.tables import read_once

    package = data_tables(resolve(source, version=version, base_url=base_url, refresh=refresh))
    with read_once():  # a sheet or JSON table is parsed once, not once per reader
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
    """One resource, read as text and converted column by column to its declared types."""
    import pandas as pd

    schema = resource.table_schema
    missing = list(schema.missing_values)
    if resource.is_csv and _pandas_reads_alike(resource):
        frame = pd.read_csv(
            resource.file,
            dtype=str,
            keep_default_na=False,
            na_values=missing,
            sep=resource.delimiter,
            quotechar=resource.quote_char,
            encoding=resource.encoding,
            encoding_errors="strict",
            # `header: false`: every record is data, named by the schema's fields.
            **({} if resource.has_header else {"header": None, "names": resource.field_names}),
        )
    else:  # JSON, spreadsheet, inline rows or a CSV dialect pandas does not read: as validated
        frame = _other_frame(resource, missing)
    for field in schema.fields:
        name = field.name
        if name not in frame.columns:
            continue
        extra = set(schema.missing_values_of(field)) - set(missing)
        if extra:
            frame[name] = frame[name].mask(frame[name].isin(extra))
        frame[name] = convert(frame[name], field, resource)
    return frame


def _pandas_reads_alike(resource: Resource) -> bool:
    """Whether pandas' CSV reader reads the file's records as `core.lines.Records` does: a
    dialect of delimiter, quote character and `header` only. Any other (comment rows, header
    rows, a null sequence, escapes, `doubleQuote: false`, `skipInitialSpace`) is read by the
    one records reader validation uses."""
    return resource.has_plain_dialect and resource.dialect.get("doubleQuote", True) is True


def _other_frame(resource: Resource, missing: list[str]) -> pd.DataFrame:
    """A table pandas does not read as validation does, as a text frame, cells as
    `core.tables.records` gives them."""
    import pandas as pd

    from clusterdata.core.tables import records as table_records
    from clusterdata.loading.csv_readers import text_encoding

    with table_records(resource, text_encoding(resource)) as reader:
        records: list[list[str | None]] = list(reader)
    header = [str(label) for label in records[0]] if records else []
    width = len(header)
    # A blank line is no row (as pandas' reader has it; validation reports it).
    rows = [[*row, *([None] * width)][:width] for row in records[1:] if row]
    frame = pd.DataFrame(rows, columns=header, dtype="str")
    return frame.mask(frame.isin(missing)) if missing else frame


_UNSEEN = object()
#: What pandas' Int64 holds.
_INT64 = range(-(2**63), 2**63)
_TYPED_KINDS = frozenset(
    {"integer", "year", "number", "boolean", "date", "datetime", "time", "list"}
)


def convert(column: pd.Series, spec: Field, resource: Resource) -> pd.Series:
    """Parse a text column by its Table Schema field; a cell that does not parse raises.

    Cells are read by the Table Schema core (`clusterdata.tableschema.cells`), the parser
    `validate` uses, so a cell `validate` rejects is a `DataError` here, never another value.
    """
    import pandas as pd

    kind = spec.type
    text = column.astype("str").where(column.notna(), None)
    present = column.notna()
    parser = cell_parser(spec.descriptor)
    result: pd.Series = column
    if parser is not None:
        cells = [None if v is None else str(v) for v in column.to_numpy(object, na_value=None)]
        values = _parse_column(resource, spec, cells, parser)
        if kind in _TYPED_KINDS:  # the others stay text, once checked: "2018-09", JSON, ...
            result = _typed(kind, values, column.index, column.name, text)
    enum = spec.constraints.enum
    if enum:
        categories = pd.Series(list(enum))
        if kind in ("integer", "year"):
            categories = categories.astype("Int64")
        elif kind == "number":
            categories = categories.astype("Float64")
        else:
            categories = categories.astype(str)
        outside = present & ~result.isin(list(categories))
        _raise_unparsed(resource, spec, text, outside, f"value of {list(enum)}")
        result = pd.Series(
            pd.Categorical(result, categories=categories.drop_duplicates().tolist()),
            index=result.index,
            name=result.name,
        )
    declared = spec.category_values
    if declared:
        # v2 `categories`: the field "MAY be loaded as a categorical data type", ordered when
        # `categoriesOrdered` is true (https://datapackage.org/standard/table-schema/#categories).
        outside = present & ~result.isin(declared)
        _raise_unparsed(resource, spec, text, outside, f"category of {declared}")
        result = pd.Series(
            pd.Categorical(result, categories=declared, ordered=spec.categories_ordered),
            index=result.index,
            name=result.name,
        )
    return result


def _parse_column(
    resource: Resource, spec: Field, cells: list[str | None], parser: Any
) -> list[Any]:
    """Every cell's value (None where missing), parsed once per distinct text."""
    memo: dict[str, Any] = {}
    values: list[Any] = []
    for position, cell in enumerate(cells):
        if cell is None:
            values.append(None)
            continue
        value = memo.get(cell, _UNSEEN)
        if value is _UNSEEN:
            value = memo[cell] = parser(cell)
        if value is BAD:
            raise _data_error(resource, spec, position, cell, spec.type)
        values.append(value)
    return values


def _typed(kind: str, values: list[Any], index: Any, name: Any, text: pd.Series) -> pd.Series:
    """The parsed values as the pandas dtype `load()` promises for the type."""
    import pandas as pd

    if kind in ("integer", "year"):
        if any(v is not None and not _INT64.start <= v < _INT64.stop for v in values):
            return pd.Series(values, index=index, name=name, dtype=object)
        return pd.Series(pd.array(values, dtype="Int64"), index=index, name=name)
    if kind == "number":  # NaN is a number ("NaN" is a value), not a missing cell
        import numpy as np

        floats = np.array([math.nan if v is None else v for v in values], dtype="float64")
        mask = np.array([v is None for v in values], dtype=bool)
        return pd.Series(pd.arrays.FloatingArray(floats, mask), index=index, name=name)
    if kind == "boolean":
        return pd.Series(pd.array(values, dtype="boolean"), index=index, name=name)
    if kind in ("date", "datetime"):
        moments = pd.to_datetime(pd.Series(values, index=index, name=name, dtype=object))
        if kind == "datetime" and bool(text.dropna().str.contains(_OFFSET).any()):
            return moments.dt.tz_localize("UTC")  # the core gives offsets as UTC
        return moments
    return pd.Series(values, index=index, name=name, dtype=object)


#: A datetime text that names its offset (the whole column is then timezone-aware).
_OFFSET = r"(?:Z|[+-]\d\d:\d\d)$"


def _data_error(resource: Resource, spec: Field, position: int, value: str, kind: str) -> DataError:
    from clusterdata.loading.csv_readers import line_of_cell, text_encoding

    name = spec.name
    names = resource.field_names
    index = names.index(name) if name in names else position
    line = line_of_cell(resource, text_encoding(resource), index, value) or position + 2
    return DataError(resource.name, resource.path, name, line, value, kind)


def _raise_unparsed(
    resource: Resource, spec: Field, text: pd.Series, bad: pd.Series, kind: str
) -> None:
    if not bool(bad.any()):
        return
    position = int(bad.to_numpy().nonzero()[0][0])
    raise _data_error(resource, spec, position, str(text.iloc[position]), kind)


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
    `clusterdata.loading.database` (the loader `validate` and `publish` use), with primary keys,
    NOT NULL, UNIQUE and foreign keys declared, so SQL sees the same types as the Table Schemas
    say. A cell `validate` rejects raises the same located `DataError` as `load()`.
    """
    from clusterdata.core.tables import read_once
    from clusterdata.loading.database import LoadError, load_package

    package = data_tables(resolve(source, version=version, base_url=base_url, refresh=refresh))
    try:
        with read_once():  # a sheet or JSON table is parsed once, not once per reader
            loaded = load_package(package, lines=False, declare_keys=True, lock=False)
    except LoadError as exc:
        raise UsageError(f"{package.descriptor_file}: {exc} Run `clusterdata validate`.") from exc
    if loaded.findings:
        loaded.close()
        raise UsageError(f"{package.descriptor_file}: {loaded.findings[0].message}")
    return loaded.connection

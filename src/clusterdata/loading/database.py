"""Load a data package's tables into DuckDB, typed from their Table Schemas.

One loader serves every consumer: layer 3 of `validate` (which needs each record's *physical*
line and must tolerate bad cells), `publish` and the consumer API (which want typed tables with
their primary and foreign keys declared).

How a table gets in, and why:

* Every cell is read as text first. Casting while reading (``read_csv`` with types, or
  ``store_rejects``) drops or mangles the rows with a bad cell, and they then look like dangling
  references elsewhere.
* The text is cast by the Table Schema core's SQL rendering (`clusterdata.tableschema.sql`):
  DuckDB's casts are looser (``'1987.5'`` becomes 1988 as BIGINT, ``' 12'`` and ``'1e3'`` are
  integers), so a cell that is not a Table Schema value becomes NULL instead of a wrong value.
  Layer 1 reports such cells and layer 3 only needs not to be misled by them; with the keys
  declared (`connect()`, `publish`) such a cell raises the located `DataError` instead.
* The record's physical line is a hidden column (`LINE_COLUMN`), taken from the line map that
  layer 1 built with the csv module and joined by position. DuckDB's own reader is much faster
  than the csv module (bench/results.md, "Design measurements"), so it is used whenever its
  records provably match the line map (same count, plain dialect, UTF-8); anything else is read
  with the same csv settings as the line map, which keeps the alignment exact by construction.
* Table and column names come from an untrusted descriptor: they are always quoted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clusterdata.core.findings import Finding, error
from clusterdata.core.package import DataPackage
from clusterdata.core.tables import map_records
from clusterdata.loading.csv_readers import UTF8
from clusterdata.loading.keyed import LoadError
from clusterdata.loading.typed_tables import (
    LINE_COLUMN,
    LoadedTable,
    adopt_fast_table,
    count_rows,
    load_table,
)
from clusterdata.tableschema.cells import missing_values
from clusterdata.tableschema.keys import dependency_order
from clusterdata.tableschema.sql import cast_expression, duck_type, quote_ident, quote_literal

if TYPE_CHECKING:
    import duckdb

    from clusterdata.validation.structure.result import StructureResult

#: Names other modules and tests import from here (the loader's public face).
__all__ = [
    "LINE_COLUMN",
    "MATERIALIZE_MAX_RECORDS",
    "LoadError",
    "LoadedPackage",
    "LoadedTable",
    "cast_expression",
    "connect",
    "count_rows",
    "duck_type",
    "load_package",
    "loaded",
    "lock_down",
    "missing_values",
    "quote_ident",
    "quote_literal",
]

_LINE_ENDING_CHECKS = {"mixed-line-endings", "line-endings"}
#: Layer 1's text tables up to this many records are typed into tables of their own, larger
#: ones into views. On a small package the SQL checks run faster over tables (DuckDB binds every
#: view's casts in every query) and the copies cost less than the views did to create; at 1M rows
#: copying the text costs more than casting the few columns each query reads (bench/results.md,
#: "Design measurements").
MATERIALIZE_MAX_RECORDS = 100_000


@dataclass
class LoadedPackage:
    """An in-memory DuckDB database holding a package's tables."""

    connection: duckdb.DuckDBPyConnection
    tables: dict[str, LoadedTable] = field(default_factory=dict)
    #: Tables that could not be loaded, as findings (layer 1 normally reports them first).
    findings: list[Finding] = field(default_factory=list)
    locked: bool = False
    #: False when the connection is borrowed from layer 1 (`fastpath.FastPackage`): closing
    #: then drops only the tables loaded here and leaves the connection to its owner.
    owned: bool = True

    def close(self) -> None:
        if self.owned:
            self.connection.close()
            return
        import duckdb

        for table in self.tables.values():
            kind = "VIEW" if table.view else "TABLE"
            with contextlib.suppress(duckdb.Error):  # the owner may have closed it already
                self.connection.execute(f"DROP {kind} IF EXISTS main.{table.sql_name}").fetchall()
        self.tables.clear()

    def __enter__(self) -> LoadedPackage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect() -> duckdb.DuckDBPyConnection:
    """A private in-memory database (no file is written, nothing is read until we ask)."""
    import duckdb

    connection = duckdb.connect(":memory:")
    connection.execute("SET autoinstall_known_extensions = false").fetchall()
    connection.execute("SET autoload_known_extensions = false").fetchall()
    return connection


def lock_down(connection: duckdb.DuckDBPyConnection) -> None:
    """From here on nothing read through this connection can touch a file, URL or extension.

    Locking the configuration keeps a later statement from switching access back on.
    """
    connection.execute("SET enable_external_access = false").fetchall()
    connection.execute("SET lock_configuration = true").fetchall()


def load_package(
    package: DataPackage,
    structure: StructureResult | None = None,
    *,
    lines: bool = True,
    declare_keys: bool = False,
    lock: bool = True,
) -> LoadedPackage:
    """Load every readable table of `package`, typed from its Table Schema.

    With `structure` (layer 1's result) only the tables it could parse are loaded, with its
    encodings and line maps; without it every admitted resource is read as declared.
    `declare_keys` creates the tables with PRIMARY KEY, UNIQUE, NOT NULL and FOREIGN KEY
    constraints (for publishing and consumers, on data that already validated) and raises
    `LoadError` when the data breaks one. `lock` disables external access once loaded.
    """
    import duckdb

    # Tables layer 1 already holds as text in DuckDB are typed from there, not read again.
    # (A connection that was locked by an earlier load cannot read the other files any more.)
    fast = getattr(structure, "fast", None)
    if fast is not None and (declare_keys or getattr(fast, "locked", False)):
        fast = None
    connection = fast.connection if fast is not None else connect()
    loaded = LoadedPackage(connection=connection, owned=fast is None)
    resources = structure.readable if structure is not None else list(package.resources)
    seen: dict[str, str] = {}
    order = dependency_order(resources) if declare_keys else resources
    try:
        for resource in order:
            folded = resource.name.casefold()
            if folded in seen:
                loaded.findings.append(
                    error(
                        "resource-name",
                        f"Resource {resource.name!r} cannot be told apart from {seen[folded]!r} "
                        "in SQL (names differ only in case), so cross-table checks skip it.",
                        resource=resource.name,
                        path=resource.path,
                        hint="Give every resource a distinct lower-case name.",
                    )
                )
                continue
            fields_folded = [n.casefold() for n in resource.field_names]
            if len(set(fields_folded)) != len(fields_folded):
                loaded.findings.append(
                    error(
                        "duplicate-label",
                        f"Table {resource.name!r} has field names that differ only in case, so "
                        "cross-table checks skip it.",
                        resource=resource.name,
                        path=resource.path,
                        line=1,
                        hint="Give every column a distinct name.",
                    )
                )
                continue
            seen[folded] = resource.name
            fast_table = fast.tables.get(resource.name) if fast is not None else None
            if fast_table is not None and lines:
                try:
                    loaded.tables[resource.name] = adopt_fast_table(
                        connection, resource, fast_table, MATERIALIZE_MAX_RECORDS
                    )
                except duckdb.Error as exc:
                    loaded.findings.append(
                        error(
                            "load-error",
                            f"Table {resource.name!r} cannot be loaded for the "
                            f"cross-table checks: {str(exc).splitlines()[0]}",
                            resource=resource.name,
                            path=resource.path,
                            hint="Fix the errors reported for this file first.",
                        )
                    )
                continue
            encoding = (structure.encodings.get(resource.name) if structure else None) or (
                "utf-8-sig" if resource.encoding in UTF8 else resource.encoding
            )
            line_map = structure.line_maps.get(resource.name) if structure else None
            if lines and line_map is None:
                line_map, _ = map_records(resource, encoding)
            plain = structure is None or not any(
                f.check in _LINE_ENDING_CHECKS and f.resource == resource.name
                for f in structure.findings
            )
            try:
                table = load_table(
                    connection,
                    resource,
                    encoding,
                    line_map if lines else None,
                    plain,
                    loaded.tables if declare_keys else None,
                )
            except duckdb.Error as exc:
                if declare_keys:
                    raise LoadError(
                        f"Table {resource.name!r} cannot be loaded: {str(exc).splitlines()[0]}"
                    ) from exc
                loaded.findings.append(
                    error(
                        "load-error",
                        f"Table {resource.name!r} cannot be loaded for the cross-table "
                        f"checks: {str(exc).splitlines()[0]}",
                        resource=resource.name,
                        path=resource.path,
                        hint="Fix the errors reported for this file first.",
                    )
                )
                continue
            loaded.tables[resource.name] = table
    except Exception:
        loaded.close()
        raise
    if lock:
        lock_down(connection)
        loaded.locked = True
        if fast is not None:
            fast.locked = True
    return loaded


@contextmanager
def loaded(package: DataPackage, **options: Any) -> Iterator[LoadedPackage]:
    """`with loaded(package) as db: db.connection.sql(...)` — closes the database afterwards."""
    result = load_package(package, **options)
    try:
        yield result
    finally:
        result.close()

"""The derived forms of a release: Parquet files, one DuckDB database, a reproducible zip.

All typed forms come from one loader (`clusterdata.loading.database.load_package`, which types cells by Table
Schema's own lexical rules), so the CSV, the Parquet files and the DuckDB tables cannot disagree
about a value.

Reproducibility: Parquet is written by pyarrow with no timestamps (its only build-dependent bytes
are the `created_by` library version), and the zip has sorted entries, fixed times and fixed
permissions. A DuckDB file is *not* byte-reproducible (two builds of the same tables differ),
so it is shipped beside the zip with its own checksum, never inside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clusterdata.core.package import DataPackage, Resource

#: Small blocks: each table and index takes whole blocks, so DuckDB's default 256 KiB blocks make
#: a file of the small dataset many times larger than its data (bench/results.md, "Design
#: measurements").
DUCKDB_BLOCK_SIZE = 16384
#: The storage format the release database is written in. DuckDB 2 writes "v2.0.0+" files by
#: default, which no 1.x client opens; the v1.0.0 format holds everything a release needs
#: (typed tables, primary and foreign keys) and DuckDB 1.0 and later read it (checked with
#: DuckDB 1.1.3 and 2.0.1; README "Use it" says how to convert for other clients).
DUCKDB_STORAGE_VERSION = "v1.0.0"
#: Zip timestamps cannot precede 1980.
_ZIP_EPOCH = dt.date(1980, 1, 1)


class ExportError(Exception):
    """A derived form could not be built from data that validated (a bug or a broken key)."""


@dataclass
class Loaded:
    """The package's tables typed in an in-memory DuckDB, ready to export."""

    package: DataPackage
    connection: Any
    resources: list[Resource]
    #: Foreign keys that could not be declared in DuckDB, as "table(fields) → target(fields)".
    undeclared: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.connection.close()


def load(package: DataPackage, resources: list[Resource]) -> Loaded:
    """Type every table with its keys declared; `ExportError` when the data breaks a key."""
    from clusterdata.loading.database import LoadError, load_package
    from clusterdata.tableschema.errors import DataError

    subset = DataPackage(
        root=package.root,
        descriptor_file=package.descriptor_file,
        descriptor=package.descriptor,
        resources=list(resources),
    )
    try:
        db = load_package(subset, lines=False, declare_keys=True, lock=False)
    except (LoadError, DataError) as exc:  # a cell the core rejects is not exported as NULL
        raise ExportError(str(exc)) from exc
    if db.findings:
        db.close()
        raise ExportError("; ".join(f.message for f in db.findings))
    return Loaded(package=package, connection=db.connection, resources=list(resources))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_parquet(loaded: Loaded, resource: Resource, target: Path) -> None:
    """One table as Parquet, rows in file order, columns typed as in DuckDB."""
    import pyarrow.parquet as pq

    from clusterdata.tableschema.sql import quote_ident

    relation = loaded.connection.sql(f"SELECT * FROM {quote_ident(resource.name)}")
    table = relation.to_arrow_table()
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, target, compression="zstd", write_statistics=True)


def write_duckdb(loaded: Loaded, target: Path) -> None:
    """Every table in one DuckDB file with PRIMARY KEY and FOREIGN KEY constraints declared.

    The shared loader leaves self-referencing foreign keys undeclared (DuckDB checks a foreign
    key only against rows already stored); here they are declared and the rows are inserted in
    rounds, parents before children, so the hierarchy's key holds in the file too.
    """
    from clusterdata.tableschema.sql import quote_ident, quote_literal

    con = loaded.connection
    if target.exists():
        target.unlink()
    con.execute(
        f"ATTACH {quote_literal(str(target))} AS release_db (BLOCK_SIZE {DUCKDB_BLOCK_SIZE}, "
        f"STORAGE_VERSION {quote_literal(DUCKDB_STORAGE_VERSION)})"
    ).fetchall()
    try:
        ddl = dict(
            con.execute(
                "SELECT table_name, sql FROM duckdb_tables() WHERE database_name = 'memory'"
            ).fetchall()
        )
        con.execute("USE release_db").fetchall()
        order = [r for r in _creation_order(loaded.resources) if r.name in ddl]
        for resource in order:
            statement, self_keys = _with_self_keys(resource, str(ddl[resource.name]))
            con.execute(statement).fetchall()
            name = quote_ident(resource.name)
            if not self_keys:
                con.execute(
                    f"INSERT INTO release_db.main.{name} SELECT * FROM memory.main.{name}"
                ).fetchall()
                continue
            _insert_in_rounds(con, resource, self_keys)
        con.execute("USE memory").fetchall()
        con.execute("CHECKPOINT release_db").fetchall()
    finally:
        con.execute("USE memory").fetchall()
        con.execute("DETACH release_db").fetchall()


def _creation_order(resources: list[Resource]) -> list[Resource]:
    """Referenced tables first (the order the shared loader created them in)."""
    from clusterdata.tableschema.keys import dependency_order

    return dependency_order(resources)


def _self_keys(resource: Resource) -> list[tuple[list[str], list[str]]]:
    """Foreign keys of a table onto its own primary key (a hierarchy such as parent region)."""
    schema = resource.table_schema
    return [
        (list(fk.fields), list(fk.reference.fields))
        for fk in schema.foreign_keys
        if fk.reference.target(resource.name) == resource.name
        and fk.reference.fields == schema.primary_key
        and fk.pairs_up
    ]


def _with_self_keys(resource: Resource, ddl: str) -> tuple[str, list[tuple[list[str], list[str]]]]:
    from clusterdata.tableschema.sql import quote_ident

    keys = _self_keys(resource)
    statement = ddl.rstrip().rstrip(";").rstrip()
    if not keys or not statement.endswith(")"):
        return statement, []
    clauses = "".join(
        f", FOREIGN KEY ({', '.join(quote_ident(f) for f in fields)}) REFERENCES "
        f"{quote_ident(resource.name)}({', '.join(quote_ident(f) for f in target)})"
        for fields, target in keys
    )
    return statement[:-1] + clauses + ")", keys


def _insert_in_rounds(
    con: Any, resource: Resource, keys: list[tuple[list[str], list[str]]]
) -> None:
    from clusterdata.tableschema.sql import quote_ident

    name = quote_ident(resource.name)
    pk = resource.table_schema.primary_key
    not_yet = " AND ".join(f"o.{quote_ident(k)} = s.{quote_ident(k)}" for k in pk)
    ready = " AND ".join(
        "("
        + " OR ".join(f"s.{quote_ident(f)} IS NULL" for f in fields)
        + f" OR EXISTS (SELECT 1 FROM release_db.main.{name} AS p WHERE "
        + " AND ".join(
            f"p.{quote_ident(t)} = s.{quote_ident(f)}" for f, t in zip(fields, target, strict=True)
        )
        + "))"
        for fields, target in keys
    )
    total_row = con.execute(f"SELECT count(*) FROM memory.main.{name}").fetchone()
    total = int(total_row[0]) if total_row else 0
    inserted = 0
    while inserted < total:
        con.execute(
            f"INSERT INTO release_db.main.{name} SELECT s.* FROM memory.main.{name} AS s "
            f"WHERE NOT EXISTS (SELECT 1 FROM release_db.main.{name} AS o WHERE {not_yet}) "
            f"AND {ready}"
        ).fetchall()
        row = con.execute(f"SELECT count(*) FROM release_db.main.{name}").fetchone()
        now = int(row[0]) if row else 0
        if now == inserted:
            raise ExportError(
                f"Table {resource.name!r} has rows whose parent key never "
                "appears (a cycle or a dangling reference)."
            )
        inserted = now


def zip_date(date: dt.date) -> tuple[int, int, int, int, int, int]:
    day = max(date, _ZIP_EPOCH)
    return (day.year, day.month, day.day, 0, 0, 0)


def write_zip(root: Path, files: Iterable[Path], target: Path, date: dt.date, prefix: str) -> None:
    """A zip whose bytes depend only on the files' bytes and names and the release date.

    Entries are sorted, stored under `prefix/`, timestamped with the release date at midnight,
    with mode 0644 and a fixed creator system; no extra fields, no archive comment.
    """
    stamp = zip_date(date)
    entries = sorted({p.relative_to(root).as_posix() for p in files})
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for name in entries:
            info = zipfile.ZipInfo(f"{prefix}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            with open(root / name, "rb") as handle:
                archive.writestr(info, handle.read(), compresslevel=9)
    os.replace(tmp, target)

"""Primary keys, `unique` and foreign keys over the *parsed* values, as frictionless compares
them: canonical key text per row (SQL's, or frictionless's where they differ), then GROUP BY
and anti-join queries in DuckDB (`_SqlKeys`) or, for a group of small tables, the same
comparisons in Python (`_PythonKeys`). The findings are frictionless's error descriptors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterdata.core.package import Resource
from clusterdata.core.tableerrors import TableError
from clusterdata.tableschema.model import ForeignKey
from clusterdata.tableschema.v2 import repeats
from clusterdata.validation.structure.duckdb_engine.records import Prepared, parse_record
from clusterdata.validation.structure.duckdb_engine.tables import _Table
from clusterdata.validation.structure.v2fields import unique_key_record

if TYPE_CHECKING:
    import duckdb


def _key_fields(resource: Resource, prepared: Prepared) -> list[str]:
    """Fields whose canonical values a key check of this table, or one referring to it, uses."""
    schema = resource.table_schema
    names = [*schema.primary_key, *schema.unique_fields]
    for fk in schema.foreign_keys:
        names.extend(fk.fields)
    for key in schema.unique_keys:
        names.extend(key)
    return names


def referenced_fields(
    names: set[str], usable_fks: dict[str, list[ForeignKey]]
) -> dict[str, list[str]]:
    """Per table of the group, the fields other tables' foreign keys point at: their table
    builds canonical keys for them too."""
    out: dict[str, list[str]] = {}
    for name, fks in usable_fks.items():
        if name not in names:
            continue
        for fk in fks:
            target = fk.reference.target(name)
            if target in names:
                out.setdefault(target, []).extend(fk.reference.fields)
    return out


def _all_key_fields(table: _Table) -> list[str]:
    """Own key fields plus fields other tables' foreign keys point at."""
    return table.key_fields + table.referenced


def _build_keys(
    connection: duckdb.DuckDBPyConnection,
    table: _Table,
    key_index: dict[str, int],
    overrides: dict[str, list[Any]],
) -> None:
    """The canonical key text of every row: SQL's, or frictionless's where the two differ (a
    view when they never do: most tables, whose key cells are all certainly clean)."""
    if not key_index:
        return
    if not overrides["rn"]:
        select = ", ".join(f"{table.columns[i].canonical()} AS k{i}" for i in key_index.values())
        connection.execute(
            f"CREATE VIEW {table.keys_sql} AS SELECT rn, {select} FROM {table.sql}"
        ).fetchall()
        table.keys_view = True
        return
    listed = list(overrides)
    columns = ", ".join(
        f"unnest(?::{'BIGINT' if k == 'rn' else 'VARCHAR'}[]) AS {k}" for k in listed
    )
    select = ", ".join(
        f"CASE WHEN o.rn IS NOT NULL THEN o.k{i} ELSE {table.columns[i].canonical()} END AS k{i}"
        for i in key_index.values()
    )
    connection.execute(
        f"CREATE TABLE {table.keys_sql} AS SELECT t.rn, {select} FROM {table.sql} AS t "
        f"LEFT JOIN (SELECT {columns}) AS o ON o.rn = t.rn",
        [overrides[k] for k in listed],
    )


def _finder(connection: duckdb.DuckDBPyConnection, table: _Table) -> _SqlKeys | _PythonKeys:
    """Keys compare as their canonical text (`_Column.canonical`, or frictionless's value), in
    DuckDB (`_SqlKeys`) or, for a group of small tables, in Python (`_PythonKeys`)."""
    return _PythonKeys(table) if table.rows is not None else _SqlKeys(connection, table)


def _own_key_checks(find: _SqlKeys | _PythonKeys, table: _Table) -> list[TableError]:
    """Repeated unique values and primary keys: frictionless's errors."""
    schema = table.prepared.resource.table_schema
    names = schema.field_names
    out: list[TableError] = []
    for name in schema.unique_fields:
        repeats = find.unique(f"k{names.index(name)}")
        cells = find.cells([rn for rn, _ in repeats], [name])
        for rn, prev in repeats:
            row_cells = cells.get(rn, [])
            index = names.index(name)
            out.append(
                TableError(
                    kind="unique-error",
                    row=rn,
                    field=name,
                    field_number=index + 1,
                    cell=row_cells[index] if index < len(row_cells) else "",
                    cells=tuple(row_cells),
                    earlier_row=prev,
                )
            )
    for key in schema.unique_keys:
        repeated = find.unique_key([f"k{names.index(n)}" for n in key])
        cells = find.cells([rn for rn, _ in repeated], list(key))
        out.extend(unique_key_record(list(key), rn, prev, cells.get(rn)) for rn, prev in repeated)
    if schema.primary_key:
        found = find.primary([f"k{names.index(n)}" for n in schema.primary_key])
        cells = find.cells([rn for rn, _ in found], list(schema.primary_key))
        for rn, earlier in found:
            out.append(
                TableError(
                    kind="primary-key",
                    row=rn,
                    cells=tuple(cells.get(rn, [])),
                    earlier_row=earlier,
                    empty_key=earlier is None,
                )
            )
    return out


def _foreign_key_checks(
    find: _SqlKeys | _PythonKeys,
    table: _Table,
    tables: dict[str, _Table],
    fks: list[ForeignKey],
) -> list[TableError]:
    """Dangling foreign keys: frictionless's errors."""
    resource = table.prepared.resource
    names = resource.field_names
    out: list[TableError] = []
    for fk in fks:
        fields, target_fields = list(fk.fields), list(fk.reference.fields)
        target_name = fk.reference.target(resource.name)
        target = tables.get(target_name)
        if target is None:
            continue
        target_names = target.prepared.resource.field_names
        dangling = find.dangling(
            [f"k{names.index(f)}" for f in fields],
            target,
            [f"k{target_names.index(f)}" for f in target_fields],
        )
        cells = find.cells([row[0] for row in dangling], fields)
        for rn, *values in dangling:
            shown = ", ".join("None" if v is None else str(v) for v in values)
            note = (
                f'for "{", ".join(fields)}": values "{shown}" not found in the lookup table '
                f'"{target_name}" as "{", ".join(target_fields)}"'
            )
            out.append(
                TableError(
                    kind="foreign-key",
                    row=rn,
                    cells=tuple(cells.get(rn, [])),
                    key_fields=tuple(fields),
                    reference=target_name,
                    reference_fields=tuple(target_fields),
                    note=note,
                )
            )
    return out


class _SqlKeys:
    """Key checks over the canonical keys table (`_Table.keys_sql`), in DuckDB."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, table: _Table) -> None:
        self.connection = connection
        self.table = table

    def unique(self, col: str) -> list[tuple[int, int]]:
        """(row, the previous row with the same value) for every repeat of a non-null value."""
        keys = self.table.keys_sql
        return self.connection.execute(
            f"WITH d AS (SELECT {col} FROM {keys} WHERE {col} IS NOT NULL "
            f"GROUP BY {col} HAVING count(*) > 1) "
            f"SELECT rn, prev FROM (SELECT rn, lag(rn) OVER (PARTITION BY {col} ORDER BY rn) "
            f"AS prev FROM {keys} SEMI JOIN d USING ({col})) WHERE prev IS NOT NULL "
            "ORDER BY rn"
        ).fetchall()

    def primary(self, cols: list[str]) -> list[tuple[int, int | None]]:
        """(row, previous row with the same key) for repeats, (row, None) for all-null keys."""
        keys = self.table.keys_sql
        all_null = " AND ".join(f"{c} IS NULL" for c in cols)
        repeated, repeats = _repeats_sql(keys, cols, f"NOT ({all_null})", "IS NOT DISTINCT FROM")
        return self.connection.execute(
            f"{repeated} SELECT rn, NULL FROM {keys} WHERE {all_null} UNION ALL {repeats} "
            "ORDER BY rn"
        ).fetchall()

    def unique_key(self, cols: list[str]) -> list[tuple[int, int]]:
        """(row, previous row with the same key) for repeats of a key without nulls (a
        `uniqueKeys` entry: `tableschema.v2.repeats`)."""
        no_null = " AND ".join(f"{c} IS NOT NULL" for c in cols)
        repeated, repeats = _repeats_sql(self.table.keys_sql, cols, no_null, "=")
        return self.connection.execute(f"{repeated} {repeats} ORDER BY rn").fetchall()

    def dangling(self, local: list[str], target: _Table, remote: list[str]) -> list[Any]:
        """(row, *key) for rows whose not-all-null key no row of `target` has."""
        on = " AND ".join(
            f"l.{a} IS NOT DISTINCT FROM r.{b}" for a, b in zip(local, remote, strict=True)
        )
        local_null = " AND ".join(f"l.{a} IS NULL" for a in local)
        remote_null = " AND ".join(f"{b} IS NULL" for b in remote)
        return self.connection.execute(
            f"SELECT l.rn, {', '.join(f'l.{a}' for a in local)} FROM {self.table.keys_sql} AS l "
            f"ANTI JOIN (SELECT * FROM {target.keys_sql} WHERE NOT ({remote_null})) AS r "
            f"ON {on} WHERE NOT ({local_null}) ORDER BY l.rn"
        ).fetchall()

    def cells(self, rns: list[int], wanted: list[str]) -> dict[int, list[str]]:
        """The cells of these rows; only the `wanted` columns are read (a finding shows those),
        the others are left empty."""
        if not rns:
            return {}
        names = self.table.prepared.resource.field_names
        positions = [names.index(n) for n in dict.fromkeys(wanted)]
        fetched = self.connection.execute(
            f"SELECT t.rn, t.__py, {', '.join(f't.c{i}' for i in positions)} "
            f"FROM {self.table.sql} AS t SEMI JOIN (SELECT unnest(?::BIGINT[]) AS rn) AS w "
            "ON t.rn = w.rn",
            [rns],
        ).fetchall()
        return {
            rn: _shown_cells(self.table, rn, py, dict(zip(positions, values, strict=True)))
            for rn, py, *values in fetched
        }


class _PythonKeys:
    """The answers of `_SqlKeys`, from the rows `_cell_checks` fetched whole (`_Table.rows`,
    in record order): SQL's NULL is None, IS NOT DISTINCT FROM is tuple equality, and `lag`
    over the record order is the last row seen with the same key."""

    def __init__(self, table: _Table) -> None:
        assert table.rows is not None
        self.table = table
        self.rows = table.rows

    def unique(self, col: str) -> list[tuple[int, int]]:
        last: dict[str, int] = {}
        found = []
        for rn, _, keys, _ in self.rows:
            value = keys[col]
            if value is None:
                continue
            if value in last:
                found.append((rn, last[value]))
            last[value] = rn
        return found

    def primary(self, cols: list[str]) -> list[tuple[int, int | None]]:
        last: dict[tuple[str | None, ...], int] = {}
        found: list[tuple[int, int | None]] = []
        for rn, _, keys, _ in self.rows:
            key = tuple(keys[c] for c in cols)
            if all(v is None for v in key):
                found.append((rn, None))
                continue
            if key in last:
                found.append((rn, last[key]))
            last[key] = rn
        return found

    def unique_key(self, cols: list[str]) -> list[tuple[int, int]]:
        return repeats((rn, tuple(keys[c] for c in cols)) for rn, _, keys, _ in self.rows)

    def dangling(self, local: list[str], target: _Table, remote: list[str]) -> list[Any]:
        assert target.rows is not None
        present = {tuple(keys[c] for c in remote) for _, _, keys, _ in target.rows}
        found = []
        for rn, _, keys, _ in self.rows:
            key = tuple(keys[c] for c in local)
            if not all(v is None for v in key) and key not in present:
                found.append((rn, *key))
        return found

    def cells(self, rns: list[int], wanted: list[str]) -> dict[int, list[str]]:
        if not rns:
            return {}
        names = self.table.prepared.resource.field_names
        positions = [names.index(n) for n in dict.fromkeys(wanted)]
        wanted_rns = set(rns)
        return {
            rn: _shown_cells(self.table, rn, py, {i: cells[i] for i in positions})
            for rn, py, _, cells in self.rows
            if rn in wanted_rns
        }


def _shown_cells(table: _Table, rn: int, py: bool, values: dict[int, str | None]) -> list[str]:
    """A key finding's cells: a ragged record's own, none for a blank one, else the row with
    only the given columns filled in."""
    if py:
        return parse_record(table.prepared, rn - 1) if rn - 1 not in table.prepared.blank else []
    row = [""] * len(table.prepared.resource.field_names)
    for i, value in values.items():
        row[i] = "" if value is None else value
    return row


def _repeats_sql(keys: str, cols: list[str], keep: str, equal: str) -> tuple[str, str]:
    """The key values held by more than one kept row (a WITH clause), and a SELECT of (row,
    previous row with the same key) for each repeat; `equal` compares two keys' columns."""
    listed = ", ".join(cols)
    same = " AND ".join(f"k.{c} {equal} d.{c}" for c in cols)
    repeated = (
        f"WITH d AS (SELECT {listed} FROM {keys} WHERE {keep} GROUP BY ALL HAVING count(*) > 1)"
    )
    repeats = (
        f"SELECT rn, prev FROM (SELECT rn, lag(rn) OVER (PARTITION BY {listed} ORDER BY rn) "
        f"AS prev FROM {keys} AS k SEMI JOIN d ON {same}) WHERE prev IS NOT NULL"
    )
    return repeated, repeats

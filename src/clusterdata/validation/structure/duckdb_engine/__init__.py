"""Layer 1 at scale: the same Table Schema checks as frictionless-py, evaluated in DuckDB.

Why: frictionless-py validates row by row in Python (slow at scale: bench/results.md) and
re-parses referenced tables for foreign keys. Here every cell is loaded as text into DuckDB and
checked column-wise, yet the findings are *the same* as frictionless's — same check ids, rows,
columns and physical lines — because frictionless stays the judge of every doubtful cell:

1. A vectorised SQL pre-filter marks a cell *clean* only when it certainly passes: a strict
   pattern per type (a subset of what frictionless accepts — never DuckDB's looser TRY_CAST,
   which turns '1987.5' into 1988), then the constraints on the cast value.
2. Every row with a cell that is not certainly clean (a *suspect*), every ragged row and every
   blank row is handed to frictionless's own `Row` with the schema's own cell readers; its
   errors are the findings. Suspects are few in real data, so Python touches few rows; a column
   the pre-filter cannot judge (an exotic type or format) simply makes all its rows suspects,
   which is slower but still exact.
3. Keys (primary key, `unique`, foreign keys) compare the *parsed* values, as frictionless does
   (`'01'` and `'1'` are the same integer): clean cells are canonicalised in SQL, suspects by
   frictionless, and duplicates / dangling references are GROUP BY and anti-join queries (or,
   for a group of small tables, the same comparisons in Python: `_PythonKeys`).

Physical lines come from one vectorised pass over the bytes (record boundaries are newlines
outside quotes), checked against DuckDB's own record count; when the two disagree — a stray
quote, an unusual dialect — the component falls back to frictionless, which is always correct.

Where the time goes (1M rows, 2 cores): DuckDB reading the text into a table and the byte
scan, each on a core of its own (`prepare_group`: neither holds the GIL), then one filtered
scan per table for the suspects and the GROUP BY / anti-join per key. A small table costs
what DuckDB spends binding its queries, so those are few: one read, one view, one query.

When: `use_fast_path` decides per group of tables linked by foreign keys (they must run in the
same engine); every group whose files and schema it supports runs here, whatever its size.
No package size was found where the frictionless engine is faster: on the bundled package it
is slower, on a small generated package the two take as long, and on larger ones this path is
faster (bench/results.md, "Design measurements"). The frictionless engine needs pandas and
pandera for layer 2 on every table (their import alone outweighs a small package); this one
never does (`tableschema_pandera.TableRules.evaluate`). `CLUSTERDATA_FASTPATH=0` forces
frictionless (tests of that engine use it), `=1` the fast path.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from clusterdata.core.package import Resource
from clusterdata.tableschema.model import ForeignKey

# The parts, each importing only those listed before it: `trailing` (records ending in an
# empty cell), `records` (the byte scan and record map), `schema` (the frictionless schema and
# cell handlers), `columns` (SQL per field),
# `tables` (what is held and left loaded), `keys` (key checks), `reads` (files into DuckDB,
# checked against the record map) and `check` (a group of linked tables, start to end).
from clusterdata.validation.structure.duckdb_engine.check import check_group
from clusterdata.validation.structure.duckdb_engine.reads import prepare_group
from clusterdata.validation.structure.duckdb_engine.records import (
    Prepared,
    head_ok,
    prepare,
    swallowed_findings,
)
from clusterdata.validation.structure.duckdb_engine.schema import parse_schema, schema_supported
from clusterdata.validation.structure.duckdb_engine.tables import (
    FastPackage,
    FastPathUnavailable,
    FastTable,
)

__all__ = [
    "ENV",
    "FAST_MIN_BYTES",
    "FastPackage",
    "FastPathUnavailable",
    "FastTable",
    "Prepared",
    "check_group",
    "groups",
    "head_ok",
    "mode",
    "parse_schema",
    "prepare",
    "prepare_group",
    "schema_supported",
    "swallowed_findings",
    "use_fast_path",
]


#: Below this many bytes of CSV in a group of linked tables frictionless would be used; no size
#: was found where it is faster (see the module docstring), so none.
FAST_MIN_BYTES = 0
ENV = "CLUSTERDATA_FASTPATH"


def mode() -> str:
    """'force', 'off' or 'auto', from the environment."""
    value = os.environ.get(ENV, "").strip().lower()
    if value in {"1", "true", "yes", "force", "on"}:
        return "force"
    if value in {"0", "false", "no", "off"}:
        return "off"
    return "auto"


def use_fast_path(group_bytes: int) -> bool:
    """Whether a group of linked tables of this total size should run in DuckDB."""
    chosen = mode()
    if chosen == "force":
        return True
    if chosen == "off":
        return False
    return group_bytes >= FAST_MIN_BYTES


def groups(
    resources: list[Resource], usable_fks: Mapping[str, Sequence[ForeignKey]]
) -> list[list[Resource]]:
    """Tables linked by foreign keys, in either direction, must run in the same engine."""
    parent = {r.name: r.name for r in resources}

    def find(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for resource in resources:
        for fk in usable_fks.get(resource.name, []):
            target = fk.reference.target(resource.name)
            if target in parent:
                parent[find(resource.name)] = find(target)
    out: dict[str, list[Resource]] = {}
    for resource in resources:
        out.setdefault(find(resource.name), []).append(resource)
    return list(out.values())

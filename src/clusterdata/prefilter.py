"""Layer 2's domain pre-filters on a table held in DuckDB: which distinct cells of each column
a domain check's pre-filter lets through (`domain.DomainCheck.candidates` / `plain`), so that the
check's Python predicate decides only those few values.

Two runners with one meaning, chosen by table size (`PYTHON_PREFILTER_MAX_RECORDS`): Python's `re`
over a small table's distinct cells, or one DuckDB scan (RE2) of a large table. The patterns of
`domain` are written so that both read them alike; a parity test runs each branch.
"""

from __future__ import annotations

import re
from typing import Any


def sql_regex(pattern: str) -> str:
    r"""A pattern for DuckDB's RE2, every character outside printable ASCII written as \x{…}:
    the patterns in `domain` hold tabs, NULs and no-break spaces as characters."""
    return "".join(c if " " < c < "\x7f" else f"\\x{{{ord(c):x}}}" for c in pattern)


def candidate_condition(text: str, candidates: str | None, plain: str | None) -> str:
    """SQL selecting the present cells a domain check's pre-filter does not clear."""
    condition = f"{text} IS NOT NULL"
    if candidates is not None:
        condition += f" AND regexp_matches({text}, {sql_text(sql_regex(candidates))})"
    if plain is not None:
        condition += f" AND NOT regexp_full_match({text}, {sql_text(sql_regex(plain))})"
    return condition


#: Up to this many records a table's domain pre-filters run in Python over its distinct cells,
#: above it in DuckDB. Measured (bench/results.md): on the bundled package (14 tables, 122
#: pre-filters, 255 rows) one DuckDB query per pre-filter costs ~0.2 s, mostly binding the
#: regular expressions, and Python ~0.01 s; at 1M rows DuckDB's parallel scan wins.
PYTHON_PREFILTER_MAX_RECORDS = 20_000


def candidate_values(
    connection: Any,
    table: Any,
    texts: dict[str, str],
    groups: list[tuple[str, str | None, str | None, Any]],
) -> list[list[str]]:
    """For each (column, candidates, plain, _) the distinct cells the pre-filter lets through
    (`_candidate_condition`); `candidates` is a search and `plain` a full match in both
    engines (the patterns of `domain` read alike in Python's re and RE2)."""
    if not groups:
        return []
    alias = {name: f"t{i}" for i, name in enumerate(texts)}
    inner = ", ".join(f"{text} AS {alias[name]}" for name, text in texts.items())
    if table.line_map.records <= PYTHON_PREFILTER_MAX_RECORDS:
        wanted = list(dict.fromkeys(name for name, *_ in groups))
        rows = connection.execute(
            f"SELECT DISTINCT {', '.join(alias[n] for n in wanted)} FROM (SELECT {inner} "
            f"FROM {table.sql})"
        ).fetchall()
        distinct = {
            name: sorted({row[i] for row in rows if row[i] is not None})
            for i, name in enumerate(wanted)
        }
        return [
            [
                v
                for v in distinct[name]
                if (candidates is None or re.search(candidates, v))
                and (plain is None or not re.fullmatch(plain, v))
            ]
            for name, candidates, plain, _ in groups
        ]
    # One scan: each column's text is computed once per row, then every pre-filter reads it.
    selects = " UNION ALL ".join(
        f"SELECT DISTINCT {j} AS g, {alias[name]} AS v FROM x "
        f"WHERE {candidate_condition(alias[name], candidates, plain)}"
        for j, (name, candidates, plain, _) in enumerate(groups)
    )
    found: list[list[str]] = [[] for _ in groups]
    for group, value in connection.execute(
        f"WITH x AS MATERIALIZED (SELECT {inner} FROM {table.sql}) {selects}"
    ).fetchall():
        found[group].append(value)
    return found


def sql_text(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"

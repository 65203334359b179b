"""Layer 2's domain pre-filters on a table held in DuckDB: which distinct cells of each column
a domain check's pre-filter lets through (`domain.DomainCheck.candidates` / `plain`), so that the
check's Python predicate decides only those few values.

Two runners with one meaning, chosen by table size (`PYTHON_PREFILTER_MAX_RECORDS`): Python's `re`
over a small table's distinct cells, or one DuckDB query (RE2) over a large table. The patterns
of `domain` are written so that both read them alike; a parity test runs each branch.

In DuckDB the regular expressions are the cost (several times what reading the column costs;
bench/results.md, "Design measurements"), so the query matches as few cells as it can without
changing which values come out:

* A column DuckDB's statistics say holds few distinct values (`distinct_first`) is made
  distinct first and only its distinct values are matched (DISTINCT over a column of a few
  thousand values is cheap next to the matching).
* Any other column is matched row by row and its few matches made distinct.

Every way gives the same set of values per pre-filter (tests/unit/validation/test_prefilter.py
runs each).
"""

from __future__ import annotations

import re
from typing import Any

from clusterdata.tableschema.sql import quote_literal


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
#: above it in DuckDB. On a small package one DuckDB query per pre-filter costs far more than
#: Python, mostly binding the regular expressions; at 1M rows DuckDB's parallel scan wins
#: (bench/results.md, "Design measurements").
PYTHON_PREFILTER_MAX_RECORDS = 20_000

#: A column whose approximate distinct count is at most this share of the table's records is
#: made distinct before its pre-filters run: well below the break-even between the two orders,
#: because DuckDB's estimate (`approx_unique`, a sampled HyperLogLog) overcounts by several times
#: (bench/results.md, "Design measurements").
DISTINCT_FIRST_MAX_SHARE = 0.1

#: A LIMIT no table reaches: DuckDB pushes a filter on a DISTINCT's output below the DISTINCT,
#: which would match every row again, but never below a LIMIT.
_NO_LIMIT = 2**63 - 1

Group = tuple[str, str | None, str | None, Any]


def candidate_values(
    connection: Any, table: Any, texts: dict[str, str], groups: list[Group]
) -> list[list[str]]:
    """For each (column, candidates, plain, _) the distinct cells the pre-filter lets through
    (`candidate_condition`); `candidates` is a search and `plain` a full match in both
    engines (the patterns of `domain` read alike in Python's re and RE2)."""
    if not groups:
        return []
    if table.line_map.records <= PYTHON_PREFILTER_MAX_RECORDS:
        return _python_candidates(connection, table, texts, groups)
    names = list(dict.fromkeys(name for name, *_ in groups))
    return sql_candidates(
        connection, table, texts, groups, distinct_first(connection, table, texts, names)
    )


def _python_candidates(
    connection: Any, table: Any, texts: dict[str, str], groups: list[Group]
) -> list[list[str]]:
    """The pre-filters in Python's `re` over each column's distinct cells (a small table)."""
    wanted = list(dict.fromkeys(name for name, *_ in groups))
    rows = connection.execute(
        f"SELECT DISTINCT {', '.join(texts[n] for n in wanted)} FROM {table.sql}"
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


def distinct_first(
    connection: Any, table: Any, texts: dict[str, str], names: list[str]
) -> set[str]:
    """The columns of `names` to make distinct before matching: those DuckDB's statistics
    estimate to hold few distinct values (`DISTINCT_FIRST_MAX_SHARE`). Reading the statistics
    scans nothing; a column without an estimate is matched row by row."""
    row = connection.execute(
        f"SELECT {', '.join(f'stats({texts[n]})' for n in names)} FROM {table.sql} LIMIT 1"
    ).fetchone()
    if row is None:
        return set()
    most = DISTINCT_FIRST_MAX_SHARE * table.line_map.records
    few = set()
    for name, stats in zip(names, row, strict=True):
        estimate = stats.get("approx_unique") if isinstance(stats, dict) else None
        if isinstance(estimate, int) and estimate <= most:
            few.add(name)
    return few


def sql_candidates(
    connection: Any, table: Any, texts: dict[str, str], groups: list[Group], few: set[str]
) -> list[list[str]]:
    """The pre-filters in one DuckDB query (`candidate_query`)."""
    found: list[list[str]] = [[] for _ in groups]
    query = candidate_query(table, texts, groups, few)
    for group, value in connection.execute(query).fetchall():
        found[group].append(value)
    return found


def candidate_query(table: Any, texts: dict[str, str], groups: list[Group], few: set[str]) -> str:
    """SQL for the pre-filters, rows (group number, value): over the distinct values of the
    columns in `few`, row by row over the rest."""
    ctes: list[str] = []
    selects: list[str] = []
    for i, name in enumerate(dict.fromkeys(n for n, *_ in groups)):
        text = texts[name]
        if name in few:
            ctes.append(
                f"s{i} AS MATERIALIZED (SELECT DISTINCT {text} AS v FROM {table.sql} "
                f"LIMIT {_NO_LIMIT})"
            )
        for j, (n, candidates, plain, _) in enumerate(groups):
            if n != name:
                continue
            if name in few:  # already distinct
                condition = candidate_condition("v", candidates, plain)
                selects.append(f"SELECT {j} AS g, v FROM s{i} WHERE {condition}")
            else:
                condition = candidate_condition(text, candidates, plain)
                selects.append(
                    f"SELECT DISTINCT {j} AS g, {text} AS v FROM {table.sql} WHERE {condition}"
                )
    return (f"WITH {', '.join(ctes)} " if ctes else "") + " UNION ALL ".join(selects)


#: A SQL string literal (the Table Schema core's quoting).
sql_text = quote_literal

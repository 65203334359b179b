"""The DuckDB domain pre-filters (prefilter.py) let through every cell Python's `re` does.

A pre-filter may let through more cells than needed (the check's Python predicate decides them),
never fewer: a cell it drops is a failing cell nobody reports. Each way the SQL runs (row by
row, distinct values first) must give the same values, and at least every
value `re.search(candidates, v)` / `not re.fullmatch(plain, v)` gives, on adversarial text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterdata.tableschema.model import Field
from clusterdata.validation.rules import domain, prefilter
from clusterdata.validation.rules.prefilter import Group
from clusterdata.validation.structure import duckdb_engine as fastpath

#: A cell as layer 2 reads it from layer 1's text table (see frames.check_table_in_duckdb).
CELL = "(CASE WHEN __py THEN c{i} ELSE coalesce(c{i}, '') END)"

FIELDS = [
    {"name": "text", "type": "string"},
    {"name": "url", "type": "string", "format": "uri"},
    {"name": "code", "type": "string", "x-domain": "iso-3166-2"},
]

#: The ways the SQL can run: whether columns are made distinct first.
PLANS = {"row-by-row": False, "distinct-first": True}

#: Pieces adversarial cells are made of: what TRIGGER and PLAIN_URL look for, and
#: their near misses.
PIECES = [
    *"0123456789",
    *" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\x00",
    "\u0300",  # the first character that can fail NFC
    "\u0301",  # combining acute accent
    "\u02ff",
    "\u200b",
    "\u3000",
    *"åäöé",
    *"@=+-()/.:?#%_~'\"!*,;[]\\`{}|^&$<>",
    *"aZhx",
    "https://",
    "http://",
    "ftp://",
    "www.",
    "example",
    ".se",
    ":8080",
    "070-618 77 51",
    "811218-9876",
    "-SUM(A1)",
]

cell_text = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=24).map("".join),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.text(st.sampled_from(PIECES[:30]), min_size=200, max_size=1200),
)
#: Web addresses PLAIN_URL clears, with a piece put in somewhere.
near_url = st.builds(
    lambda url, piece, at: url[:at] + piece + url[at:],
    st.from_regex(domain.PLAIN_URL, fullmatch=True),
    st.sampled_from(["", *PIECES]),
    st.integers(min_value=0, max_value=80),
)
cells = st.lists(st.one_of(st.none(), cell_text, near_url), min_size=1, max_size=40)


def groups_of(fields: list[dict[str, Any]]) -> list[Group]:
    """The (column, candidates, plain, checks) groups frames.check_table_in_duckdb builds."""
    groups: list[Group] = []
    for field in fields:
        by_filter: dict[tuple[str | None, str | None], list[domain.DomainCheck]] = {}
        for check in domain.domain_checks(Field.from_descriptor(field)):
            by_filter.setdefault((check.candidates, check.plain), []).append(check)
        groups += [(field["name"], c, p, checks) for (c, p), checks in by_filter.items()]
    return groups


@pytest.fixture(scope="module")
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as con:
        yield con


def load(
    con: duckdb.DuckDBPyConnection, columns: dict[str, list[str | None]]
) -> tuple[Any, dict[str, str]]:
    """A text table shaped like layer 1's (c0…cN, __py), and the cell expression per column.
    Every other row is a `__py` row, where an empty cell stays missing (`as_read`)."""
    unnests = ", ".join(f"unnest(?::VARCHAR[]) AS c{i}" for i in range(len(columns)))
    rows = len(next(iter(columns.values())))
    con.execute(
        f"CREATE OR REPLACE TABLE t AS SELECT {unnests}, unnest(?::BOOLEAN[]) AS __py",
        [*columns.values(), [i % 2 == 1 for i in range(rows)]],
    )
    table = SimpleNamespace(sql="t", line_map=SimpleNamespace(records=rows + 1))
    return table, {name: CELL.format(i=i) for i, name in enumerate(columns)}


def as_read(values: list[str | None]) -> list[str | None]:
    """The cells as `CELL` reads them: missing in a `__py` row (the 2nd, 4th …), else text."""
    return [v if i % 2 else (v or "") for i, v in enumerate(values)]


def run(
    con: duckdb.DuckDBPyConnection, table: Any, texts: dict[str, str], plan: str
) -> list[set[str]]:
    groups = groups_of(FIELDS)
    few = set(texts) if PLANS[plan] else set()
    found = prefilter.sql_candidates(con, table, texts, groups, few)
    return [set(values) for values in found]


def by_python(columns: dict[str, list[str | None]]) -> list[set[str]]:
    """What the pre-filters let through, read by Python's `re` (the reference)."""
    return [
        {
            v
            for v in as_read(columns[name])
            if v is not None
            and (candidates is None or re.search(candidates, v))
            and (plain is None or not re.fullmatch(plain, v))
        }
        for name, candidates, plain, _ in groups_of(FIELDS)
    ]


def failing(columns: dict[str, list[str | None]]) -> list[set[str]]:
    """The cells some check of each group fails: the pre-filter must let each through."""
    return [
        {v for v in as_read(columns[name]) if v is not None and any(c.bad(v) for c in checks)}
        for name, _, _, checks in groups_of(FIELDS)
    ]


def as_columns(values: list[str | None]) -> dict[str, list[str | None]]:
    return {field["name"]: values for field in FIELDS}


# --- every plan against Python's re ----------------------------------------------------------


@pytest.mark.parametrize("plan", PLANS)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(values=cells)
def test_every_sql_plan_lets_through_at_least_what_pythons_re_does(
    connection: duckdb.DuckDBPyConnection, plan: str, values: list[str | None]
) -> None:
    columns = as_columns(values)
    table, texts = load(connection, columns)
    found = run(connection, table, texts, plan)
    reference = by_python(columns)
    for group, (got, wanted) in enumerate(zip(found, reference, strict=True)):
        assert got >= wanted, (plan, group, wanted - got)
    assert found == run(connection, table, texts, "row-by-row")  # the plans agree


KNOWN_BAD = [
    unicodedata.normalize("NFD", "Skåne"),
    " Gävle",
    "Gävle\xa0",
    "two  spaces",
    "tab\t\tbed",
    "=1+1",
    "-SUM(A1)",
    "@cmd|' /C calc'!A0",
    "Kontakta anna@example.se",
    "Ring 070-618 77 51",
    "+46 70 618 77 51",
    "pnr 811218-9876",
    "https://x.se/a b",
    "https://x.se:99999/",
    "ftp://x.se",
    "www.example.se utan schema",
    "https://x.se/\u0301",
    "https://x.se/ ",
    "https://x.se/811218-9876",
    "https://x.se/a@b.se",
    "a\x00b",
    "SE-XX",
]


@pytest.mark.parametrize("plan", PLANS)
def test_every_known_failing_cell_comes_out_of_every_plan(
    connection: duckdb.DuckDBPyConnection, plan: str
) -> None:
    columns = as_columns([*KNOWN_BAD, None, "ok", "https://www.example.se/ok"])
    table, texts = load(connection, columns)
    wanted = failing(columns)
    assert all(wanted), "every group has failing cells to lose"
    for group, (got, bad) in enumerate(
        zip(run(connection, table, texts, plan), wanted, strict=True)
    ):
        assert got >= bad, (plan, group, bad - got)


# --- which plan runs -------------------------------------------------------------------------


def test_columns_with_few_distinct_values_are_made_distinct_first(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    connection.execute(
        "CREATE OR REPLACE TABLE t AS SELECT 'id-' || i AS c0, ['a', 'b', 'c'][i % 3 + 1] AS c1, "
        "FALSE AS __py FROM range(50000) r(i)"
    )
    table = SimpleNamespace(sql="t", line_map=SimpleNamespace(records=50001))
    texts = {"id": CELL.format(i=0), "kind": CELL.format(i=1)}
    assert prefilter.distinct_first(connection, table, texts, ["id", "kind"]) == {"kind"}


def nodes(con: duckdb.DuckDBPyConnection, query: str, marker: str) -> list[str]:
    """The expressions of every plan node whose name or expressions hold `marker`, and of the
    nodes below it (which run on its input rows)."""
    found: list[str] = []

    def walk(node: dict[str, Any], below: bool) -> None:
        info = json.dumps(node.get("extra_info", {}))
        below = below or marker in node["name"] or marker in info
        if below:
            found.append(info)
        for child in node.get("children", []):
            walk(child, below)

    for tree in json.loads(con.execute(f"EXPLAIN (FORMAT json) {query}").fetchall()[0][1]):
        walk(tree, False)
    return found


def test_a_few_valued_columns_regex_runs_on_its_distinct_values_not_on_every_row(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    table, texts = load(connection, as_columns(["https://x.se/a", "b"]))
    groups = groups_of(FIELDS)
    query = prefilter.candidate_query(table, texts, groups, set(texts))
    below = nodes(connection, query, "HASH_GROUP_BY")
    assert below and "regexp" in query
    assert not any("regexp" in info for info in below)


# --- end to end ------------------------------------------------------------------------------


#: Rows for tests/fixtures/synthetic.py's clusters table (id, name, region_id, founded, members, kind, url,
#: description) failing the text and web-address checks.
TEXT_DEFECTS = [
    f"text-1,{unicodedata.normalize('NFD', 'Skåne')},SE-X,2000,5,cluster,"
    "https://www.example.se/a b,Ring 070-618 77 51",
    "text-2, Gävle,SE-X,2000,5,cluster,https://www.example.se:8080/x,=SUM(A1)",
    "text-3,Namn,SE-X,2000,5,cluster,https://www.example.se/a@b,pnr 811218-9876",
    "text-4,Två  mellanslag,SE-X,2000,5,cluster,ftp://www2.example.se/,anna@example.se",
]


@pytest.mark.parametrize("plan", PLANS)
def test_validate_reports_the_same_findings_in_every_plan(
    plan: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fixtures.synthetic import generate

    from clusterdata.validation.pipeline import validate

    generate(300, tmp_path / "gen", seed=5, defects=3)
    clusters = tmp_path / "gen" / "data" / "clusters.csv"
    with clusters.open("a", encoding="utf-8", newline="") as handle:
        handle.write("".join(f"{row}\n" for row in TEXT_DEFECTS))
    monkeypatch.setenv(fastpath.ENV, "1")
    reference = validate(tmp_path / "gen", use_default_checks=False)
    monkeypatch.setattr(prefilter, "PYTHON_PREFILTER_MAX_RECORDS", 0)
    monkeypatch.setattr(prefilter, "DISTINCT_FIRST_MAX_SHARE", 2.0 if PLANS[plan] else 0.0)
    report = validate(tmp_path / "gen", use_default_checks=False)
    checks = {f.check for f in reference.findings}
    assert {"url", "unicode-nfc", "whitespace", "formula-injection", "personal-data"} <= checks
    assert report.findings == reference.findings
    assert report.summary == reference.summary

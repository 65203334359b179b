"""Cross-table checks written as SQL files, and the parser that keeps them read-only.

A check is one file, `schemas/checks/<id>.sql`, in the style of dbt/SQLMesh tests: a header of
`-- key: value` comments, then one SELECT (or WITH … SELECT) that returns the offending rows with
the columns `resource`, `line`, `column`, `value` and optionally `message`. Zero rows = pass.
Adding a check never touches Python.

The SQL comes from a repository anyone can send a pull request to, so before it runs it is
parsed by DuckDB's own parser (`extract_statements`, then the syntax tree of
`json_serialize_sql`): one statement, a query and nothing else, no table functions or scalar
functions that reach files, and only the tables it declares in its `tables:` header (or its own
CTEs). The parser that checks is the parser that runs, so no syntax can mean one thing to the
guard and another to the engine: a second parser, such as sqlglot, follows DuckDB's dialect
from behind, and wherever the two read a query differently the guard judges a different query
from the one that runs. It also spares importing a second parser on every run.
The tree is walked whole and node kinds are allow-listed, so a new kind of node is refused,
not overlooked. DuckDB's external access is also switched off before any check runs (see
`duck.lock_down`); either guard alone would do, both make a mistake in one harmless.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clusterdata.core.findings import Severity
from clusterdata.core.package import UsageError

if TYPE_CHECKING:
    import duckdb

REQUIRED_COLUMNS = ("resource", "line", "column", "value")
OPTIONAL_COLUMNS = ("message",)
HEADER_KEYS = {"id", "severity", "message", "hint", "tables"}
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_HEADER_LINE = re.compile(r"^--\s*([A-Za-z_-]+)\s*:\s*(.*?)\s*$")
_TABLE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")

#: Table functions a check may use: they compute, they do not read.
ALLOWED_TABLE_FUNCTIONS = {"unnest", "range", "generate_series"}
#: Function names (or prefixes ending in "_") that read files, URLs, other databases or settings.
FORBIDDEN_FUNCTIONS = (
    "read_",
    "parquet_",
    "glob",
    "query",
    "query_table",
    "sniff_csv",
    "getenv",
    "iceberg_",
    "delta_",
    "sqlite_",
    "postgres_",
    "mysql_",
    "st_read",
    "duckdb_",
    "pragma_",
    "load",
    "install",
    "current_setting",
    "which_secret",
    "arrow_scan",
)


class CheckFileError(UsageError):
    """A check file that cannot be run; names the file (exit code 2)."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class SqlCheck:
    """A parsed, verified check file."""

    id: str
    severity: Severity
    message: str
    hint: str | None
    tables: tuple[str, ...]
    sql: str
    path: Path


def load_checks(folder: Path | None) -> list[SqlCheck]:
    """Every `*.sql` file in `folder`, sorted by id; a malformed one raises `CheckFileError`."""
    if folder is None:
        return []
    if not folder.is_dir():
        raise UsageError(f"{folder}: the checks folder does not exist.")
    return [parse_check_file(path) for path in sorted(folder.glob("*.sql"))]


def parse_check_file(path: Path) -> SqlCheck:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckFileError(path, f"cannot be read as UTF-8 text ({exc}).") from exc
    check = parse_check(text, path)
    if check.id != path.stem:
        raise CheckFileError(
            path,
            f"the file name must equal the check id {check.id!r} (rename it to {check.id}.sql).",
        )
    return check


def parse_check(text: str, path: Path = Path("<check>")) -> SqlCheck:
    """Split the header from the statement and verify both."""
    header: dict[str, str] = {}
    body: list[str] = []
    in_header = True
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if in_header and not stripped:
            continue
        if in_header and stripped.startswith("--"):
            match = _HEADER_LINE.match(stripped)
            if match and match.group(1).lower() in HEADER_KEYS:
                key = match.group(1).lower()
                if key in header:
                    raise CheckFileError(path, f"line {number}: the header repeats {key!r}.")
                header[key] = match.group(2)
            continue  # other comments before the query are allowed
        in_header = False
        body.append(line)
    for key in ("id", "severity", "message"):
        if not header.get(key):
            raise CheckFileError(path, f"the header has no '-- {key}:' line.")
    check_id = header["id"]
    if not _ID.match(check_id):
        raise CheckFileError(
            path,
            f"the id {check_id!r} must be lower-case words joined by "
            "hyphens, such as link-orphans.",
        )
    try:
        severity = Severity(header["severity"].lower())
    except ValueError:
        raise CheckFileError(
            path, f"severity {header['severity']!r} must be error or warning."
        ) from None
    tables = tuple(t.strip() for t in header.get("tables", "").split(",") if t.strip())
    if not tables:
        raise CheckFileError(
            path, "the header has no '-- tables:' line naming the tables the check reads."
        )
    for table in tables:
        if not _TABLE_NAME.match(table):
            raise CheckFileError(path, f"{table!r} in '-- tables:' is not a table name.")
    sql = "\n".join(body).strip()
    if not sql:
        raise CheckFileError(path, "there is no SQL statement after the header.")
    verify_read_only(sql, tables, path)
    return SqlCheck(
        id=check_id,
        severity=severity,
        message=header["message"],
        hint=header.get("hint") or None,
        tables=tables,
        sql=sql.rstrip(";"),
        path=path,
    )


def verify_read_only(sql: str, tables: tuple[str, ...], path: Path) -> None:
    """Raise `CheckFileError` unless `sql` is one query reading only `tables` and its own CTEs."""
    scan = _Scan()
    try:
        _walk(_syntax_tree(sql, path), frozenset(), scan)
    except RecursionError:  # json and the walk recurse; DuckDB's parser allows 1000 levels
        raise CheckFileError(path, "the query is nested too deeply to be checked.") from None
    _judge(scan, {t.casefold() for t in tables}, path)


def _syntax_tree(sql: str, path: Path) -> object:
    """DuckDB's syntax tree of `sql`, once it is known to be exactly one SELECT statement."""
    import duckdb

    cursor = _parser().cursor()  # a cursor per call: a DuckDB connection is not thread-safe
    try:
        try:
            statements = cursor.extract_statements(sql)
        except duckdb.Error as exc:
            raise CheckFileError(path, f"the SQL does not parse: {_first_line(str(exc))}") from exc
        if len(statements) != 1:
            raise CheckFileError(
                path,
                f"holds {len(statements)} statements; "
                "a check is exactly one SELECT or WITH … SELECT.",
            )
        kind = _statement_kind(statements[0])
        if kind != "SELECT":
            raise CheckFileError(
                path, f"only a read-only SELECT or WITH … SELECT is allowed, not {kind}."
            )
        row = cursor.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    finally:
        cursor.close()
    tree = json.loads(row[0]) if row else {"error": True}
    if tree.get("error"):  # a SELECT DuckDB parses but cannot serialise: fail closed
        problem = tree.get("error_message", "DuckDB returned no syntax tree")
        raise CheckFileError(path, f"the query cannot be checked: {problem}.")
    return tree["statements"]


#: Query nodes a check may hold: SELECT, UNION/EXCEPT/INTERSECT, WITH RECURSIVE.
#: Anything else (DuckDB's DELETE/UPDATE/INSERT inside a CTE …) is refused.
_QUERY_NODES = {"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE"}
#: FROM items a check may use; anything else (DESCRIBE, SHOW, SUMMARIZE …) is refused.
_TABLE_REFS = {
    "BASE_TABLE",
    "JOIN",
    "SUBQUERY",
    "TABLE_FUNCTION",
    "EXPRESSION_LIST",
    "EMPTY",
    "PIVOT",
}
_NODE_NAMES = {"SHOW_REF": "DESCRIBE, SHOW or SUMMARIZE"}
#: Statement types that cover several keywords; the message names the keyword that was written.
_UMBRELLA_TYPES = {"", "LOAD", "SET", "PRAGMA", "CALL", "ALTER", "VACUUM"}
_KEYWORD = re.compile(r"[A-Za-z_]+")


@functools.cache
def _parser() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB that only parses; it can reach no file, URL or extension."""
    import duckdb

    return duckdb.connect(
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
    )


def _statement_kind(statement: duckdb.Statement) -> str:
    """SELECT, INSERT, COPY, … as the author wrote it (INSTALL rather than DuckDB's LOAD)."""
    try:
        kind = statement.type.name
    except ValueError:  # a statement type newer than the Python enum (UPDATE EXTENSIONS)
        kind = ""
    if kind == "MULTI":  # DuckDB expands a PIVOT without an IN list into several statements
        return "PIVOT"
    if kind in _UMBRELLA_TYPES:
        words = _KEYWORD.findall(statement.query)[:2]
        if words:
            return " ".join(words if words[0].upper() == "FORCE" else words[:1]).upper()
    return kind or "this statement"


@dataclass
class _Scan:
    """What a query reaches, gathered from DuckDB's syntax tree before anything is judged."""

    #: Query nodes and FROM items outside `_QUERY_NODES` / `_TABLE_REFS`.
    refused: list[str] = field(default_factory=list)
    #: Every function named anywhere: scalar, aggregate, window, table function, macro.
    functions: list[str] = field(default_factory=list)
    table_functions: list[str] = field(default_factory=list)
    #: (name as written, qualified with a schema or catalog, a CTE of that name is in scope).
    tables: list[tuple[str, bool, bool]] = field(default_factory=list)


def _walk(node: object, ctes: frozenset[str], scan: _Scan) -> None:
    """Visit every dict and list of the tree, so that no kind of node can be missed.

    Expressions carry a "class"; query nodes a "type" ending in _NODE; FROM items a "type" and
    an "alias". A CTE is in scope in the subtree of the node that declares it (its own body
    included, for WITH RECURSIVE), not elsewhere: a name that is a CTE in one subquery is a
    real table, or a file, in another.
    """
    if isinstance(node, list):
        for item in node:
            _walk(item, ctes, scan)
        return
    if not isinstance(node, dict):
        return
    if isinstance(node.get("function_name"), str):
        scan.functions.append(node["function_name"])
    kind = node.get("type")
    if isinstance(kind, str) and "class" not in node:
        if kind.endswith("_NODE"):
            if kind not in _QUERY_NODES:
                scan.refused.append(kind)
        elif "alias" in node:
            _table_ref(node, kind, ctes, scan)
    cte_map = node.get("cte_map")
    if isinstance(cte_map, dict):
        names = {str(entry.get("key", "")).casefold() for entry in cte_map.get("map", [])}
        ctes = ctes | names
    for value in node.values():
        _walk(value, ctes, scan)


def _table_ref(node: dict[str, Any], kind: str, ctes: frozenset[str], scan: _Scan) -> None:
    if kind not in _TABLE_REFS:
        scan.refused.append(kind)
    elif kind == "TABLE_FUNCTION":
        function = node.get("function")
        name = function.get("function_name") if isinstance(function, dict) else None
        scan.table_functions.append(name if isinstance(name, str) else "?")
    elif kind == "BASE_TABLE":
        parts = [node.get(k) or "" for k in ("catalog_name", "schema_name", "table_name")]
        written = ".".join(p for p in parts if p)
        scan.tables.append((written, bool(parts[0] or parts[1]), parts[2].casefold() in ctes))


def _judge(scan: _Scan, declared: set[str], path: Path) -> None:
    """Refuse the worst thing found first: a write, a read outside, then a wrong table."""
    if scan.refused:
        kind = scan.refused[0]
        name = _NODE_NAMES.get(kind, kind.removesuffix("_NODE").removesuffix("_QUERY"))
        raise CheckFileError(path, f"{name} is not allowed inside a check.")
    for name in scan.functions:
        if _forbidden(name):
            raise CheckFileError(
                path,
                f"the function {name.lower()}() reads outside the loaded "
                "tables and is not allowed in a check.",
            )
    for name in scan.table_functions:
        if name.casefold() not in ALLOWED_TABLE_FUNCTIONS:
            raise CheckFileError(
                path,
                f"the table function {name.lower()}() is not allowed in a check; "
                "read only the package's tables.",
            )
    for written, qualified, _ in scan.tables:
        if qualified:
            raise CheckFileError(
                path,
                f"{written}: qualified table names "
                "are not allowed; name the package's tables directly.",
            )
    for written, _, is_cte in scan.tables:
        if not is_cte and written.casefold() not in declared:
            raise CheckFileError(
                path,
                f"the query reads {written!r}, which its '-- tables:' header does not declare.",
            )


def _forbidden(name: str) -> bool:
    lowered = name.casefold()
    return any(
        lowered.startswith(p) if p.endswith("_") else lowered == p for p in FORBIDDEN_FUNCTIONS
    )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text

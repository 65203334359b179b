"""Cross-table checks written as SQL files, and the parser that keeps them read-only.

A check is one file, `schemas/checks/<id>.sql`, in the style of dbt/SQLMesh tests: a header of
`-- key: value` comments, then one SELECT (or WITH … SELECT) that returns the offending rows with
the columns `resource`, `line`, `column`, `value` and optionally `message`. Zero rows = pass.
Adding a check never touches Python.

The SQL comes from a repository anyone can send a pull request to, so it is parsed with sqlglot
before it runs: one statement, a query and nothing else, no table functions or scalar functions
that reach files, and only the tables it declares in its `tables:` header (or its own CTEs).
DuckDB's external access is also switched off before any check runs (see `duck.lock_down`);
either guard alone would do, both make a mistake in one harmless.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from clusterdata.findings import Severity
from clusterdata.package import UsageError

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
    import sqlglot
    from sqlglot import exp

    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)  # sqlglot warns when it falls back to a raw Command
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except sqlglot.errors.SqlglotError as exc:
        raise CheckFileError(path, f"the SQL does not parse: {_first_line(str(exc))}") from exc
    finally:
        logger.setLevel(level)
    if len(statements) != 1:
        raise CheckFileError(
            path,
            f"holds {len(statements)} statements; a check is exactly one SELECT or WITH … SELECT.",
        )
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        kind = statement.key.upper() if statement.key != "command" else str(statement.this).upper()
        raise CheckFileError(
            path, f"only a read-only SELECT or WITH … SELECT is allowed, not {kind}."
        )
    for node in statement.walk():
        if isinstance(
            node,
            (
                exp.DML,
                exp.Create,
                exp.Drop,
                exp.Alter,
                exp.Command,
                exp.Copy,
                exp.Attach,
                exp.Detach,
                exp.Pragma,
                exp.Set,
                exp.Use,
                exp.Install,
                exp.Into,
            ),
        ):
            raise CheckFileError(path, f"{node.key.upper()} is not allowed inside a check.")
        if isinstance(node, exp.Func):
            name = _function_name(node).lower()
            if _forbidden(name):
                raise CheckFileError(
                    path,
                    f"the function {name}() reads outside the loaded "
                    "tables and is not allowed in a check.",
                )
    ctes = {cte.alias_or_name.casefold() for cte in statement.find_all(exp.CTE)}
    declared = {t.casefold() for t in tables}
    for table in statement.find_all(exp.Table):
        target = table.this
        if not isinstance(target, exp.Identifier):
            name = _function_name(target) if isinstance(target, exp.Func) else target.sql()
            name = name.lower()
            if name.casefold() in ALLOWED_TABLE_FUNCTIONS:
                continue
            raise CheckFileError(
                path,
                f"the table function {name}() is not allowed in a check; "
                "read only the package's tables.",
            )
        if table.args.get("db") or table.args.get("catalog"):
            raise CheckFileError(
                path,
                f"{table.sql(dialect='duckdb')}: qualified table names "
                "are not allowed; name the package's tables directly.",
            )
        name = table.name.casefold()
        if name in ctes:
            continue
        if name not in declared:
            raise CheckFileError(
                path,
                f"the query reads {table.name!r}, which its '-- tables:' header does not declare.",
            )


def _function_name(node: object) -> str:
    from sqlglot import exp

    if isinstance(node, exp.Anonymous):
        return str(node.name)
    if isinstance(node, exp.Func):
        return node.sql_name()
    return str(node)


def _forbidden(name: str) -> bool:
    lowered = name.casefold()
    return any(
        lowered.startswith(p) if p.endswith("_") else lowered == p for p in FORBIDDEN_FUNCTIONS
    )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text

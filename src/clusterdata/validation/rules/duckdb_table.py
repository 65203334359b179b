"""Layer 2 on the DuckDB engine: a table layer 1 already holds as text in DuckDB is checked
where it is, without being read again and without importing pandas or pandera."""

from __future__ import annotations

from typing import Any

from clusterdata.core.findings import Finding
from clusterdata.core.package import Resource
from clusterdata.tableschema.model import Field
from clusterdata.validation.rules import domain
from clusterdata.validation.rules.findings import broken, finding, rule_findings, x_check_problems
from clusterdata.validation.rules.prefilter import candidate_values, sql_text
from clusterdata.validation.rules.schema_rules import Broken, Failure, table_rules


def check_table_in_duckdb(
    resource: Resource, connection: Any, table: Any
) -> tuple[list[Finding], int]:
    """Layer 2 on a table layer 1 holds as text in DuckDB (`fastpath.FastTable`).

    * Table Schema checks: `TableRules.evaluate`, on the rows layer 1 handed to frictionless
      (`suspects`). Every other row passed layer 1's strict SQL pre-filter, whose patterns and
      bounds accept a subset of what these checks accept, so it cannot fail them; unique and
      primary-key repeats across the whole table are layer 1's (same ids and places, so they
      merge). Pandas and pandera are not imported: importing them would cost more than checking
      a million rows in DuckDB.
    * Domain checks: one scan of the table collects, per column and pre-filter, the distinct
      cells the pre-filter lets through; Python decides those with the predicate the pandas
      engine uses; the rows holding a failing value are fetched for their lines. Row rules
      (`date-order`) are SQL.
    """
    where = {"resource": resource.name, "path": resource.path}
    line_map = table.line_map
    rules, problems = domain.row_rules(resource.table_schema)
    findings = x_check_problems(problems, where)
    fields = {f.name: f for f in resource.table_schema.fields}
    names = resource.field_names
    texts: dict[str, str] = {}
    for name in fields:
        cell = f"c{names.index(name)}"
        # The cell as the pandas engine reads it: text, NULL for a missing value or absent cell.
        text = f"(CASE WHEN __py THEN {cell} ELSE coalesce({cell}, '') END)"
        missing = resource.table_schema.missing_values_of(fields[name])
        if missing:
            listed = ", ".join(sql_text(m) for m in missing)
            text = f"(CASE WHEN {text} IN ({listed}) THEN NULL ELSE {text} END)"
        texts[name] = text

    # Table Schema checks, on the suspect rows.
    schema_rules = table_rules(resource.table_schema, columns=list(texts))
    checks = schema_rules.count()
    if table.suspects:
        rns, columns = _suspect_columns(connection, table, texts)
        for failed in schema_rules.evaluate(columns):
            if isinstance(failed, Broken):
                findings.append(broken(resource, failed.name, failed.column, failed.error))
                continue
            rn, column = rns[failed.position], failed.rule.column or failed.column

            def row(name: str, at: int = failed.position) -> str | None:
                return columns[name][at] if name in columns else None

            failure = Failure(column=column, value=row(column or ""), row=row)
            findings.extend(
                rule_findings(resource, failed.rule, failure, line_map.line(rn), fields)
            )

    # Domain checks; checks of one column sharing a pre-filter share its candidates.
    groups: list[tuple[str, str | None, str | None, list[domain.DomainCheck]]] = []
    for name, spec in fields.items():
        declared = domain.domain_checks(spec)
        checks += len(declared)
        by_filter: dict[tuple[str | None, str | None], list[domain.DomainCheck]] = {}
        for check in declared:
            by_filter.setdefault((check.candidates, check.plain), []).append(check)
        for (candidates, plain), group in by_filter.items():
            groups.append((name, candidates, plain, group))
    for (name, _, _, group), values in zip(
        groups, candidate_values(connection, table, texts, groups), strict=True
    ):
        findings.extend(
            _domain_group(resource, connection, table, name, texts[name], values, group, fields)
        )

    # Row rules.
    checks += len(rules)
    for row_rule in rules:
        start, end = texts[row_rule.start], texts[row_rule.end]
        rows = connection.execute(
            f"SELECT rn, {start}, {end} FROM {table.sql} WHERE {row_rule.sql(start, end)} "
            "ORDER BY rn"
        ).fetchall()
        for rn, first, last in rows:
            cells: dict[str, str | None] = {row_rule.start: first, row_rule.end: last}
            column = row_rule.rule.column
            failure = Failure(column=column, value=cells.get(column or ""), row=cells.get)
            findings.append(finding(resource, row_rule.rule, failure, line_map.line(rn), fields))
    return findings, checks


def _domain_group(
    resource: Resource,
    connection: Any,
    table: Any,
    name: str,
    text: str,
    values: list[str],
    group: list[domain.DomainCheck],
    fields: dict[str, Field],
) -> list[Finding]:
    findings: list[Finding] = []
    for check in group:
        try:
            bad = [v for v in values if check.bad(v)]
        except Exception as exc:  # a bug in one check must not hide the others
            findings.append(broken(resource, check.name, name, exc))
            continue
        if not bad:
            continue
        rows = connection.execute(
            f"SELECT rn, {text} FROM {table.sql} WHERE {text} IN "
            "(SELECT unnest(?::VARCHAR[])) ORDER BY rn",
            [bad],
        ).fetchall()
        for rn, value in rows:
            failure = Failure(column=name, value=value, row=lambda _name: None)
            findings.append(finding(resource, check.rule, failure, table.line_map.line(rn), fields))
    return findings


def _suspect_columns(
    connection: Any, table: Any, texts: dict[str, str]
) -> tuple[list[int], dict[str, list[str | None]]]:
    """The suspect rows as the pandas engine reads them: their record numbers, and each
    column's cells (text, None where missing)."""
    rows = connection.execute(
        f"SELECT t.rn, {', '.join(texts.values())} FROM {table.sql} AS t "
        "SEMI JOIN (SELECT unnest(?::BIGINT[]) AS rn) AS s ON t.rn = s.rn ORDER BY t.rn",
        [list(table.suspects)],
    ).fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(len(texts) + 1)]
    return [int(rn) for rn in columns[0]], {
        name: list(columns[i + 1]) for i, name in enumerate(texts)
    }

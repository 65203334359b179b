"""Layer 2's failing cells as findings: both engines (`pandas_table`, `duckdb_table`) build
theirs here, so a defect reads the same whichever engine found it."""

from __future__ import annotations

from clusterdata.core.findings import INTERNAL_ERROR, Finding, error
from clusterdata.core.package import Resource
from clusterdata.tableschema.model import Field
from clusterdata.validation.hints import hint_for
from clusterdata.validation.rules.schema_rules import Failure, Rule


def finding(
    resource: Resource,
    rule: Rule,
    failure: Failure,
    line: int | None,
    fields: dict[str, Field],
    place: str = "",
) -> Finding:
    """A failing cell as a finding; both engines build theirs here. `place` words where the
    row is beyond its line (a sheet row, an inline row's JSON pointer: `LineMap.where`)."""
    message = rule.message(failure)
    return Finding(
        check=rule.check,
        severity=rule.severity,
        message=f"At {place}: {message}" if place else message,
        resource=resource.name,
        path=resource.path,
        line=line,
        column=failure.column,
        value=failure.value,
        hint=rule.hint or hint_for(rule.check, fields.get(failure.column or ""), resource),
    )


def broken(resource: Resource, check_name: str, column: str | None, case: object) -> Finding:
    # Every check here answers cell by cell, so a failure without a row means the check
    # itself broke (pandera reports the exception as the failure case).
    return error(
        INTERNAL_ERROR,
        f"The check {check_name!r} could not run on column {column!r}: {case}",
        resource=resource.name,
        path=resource.path,
        column=column,
        hint="This is a defect in clusterdata, not in your data; please report it. The verdict "
        "is unknown until it is fixed.",
    )


def rule_findings(
    resource: Resource,
    rule: Rule,
    failure: Failure,
    line: int | None,
    fields: dict[str, Field],
    place: str = "",
) -> list[Finding]:
    """A failing cell's findings: one, or for a composite rule one per part the cell fails."""
    if rule.parts:
        value = failure.value
        return [
            finding(resource, part, failure, line, fields, place)
            for _, part, bad in rule.parts
            if value is not None and bad(value)
        ]
    return [finding(resource, rule, failure, line, fields, place)]


def x_check_problems(problems: list[str], where: dict[str, str]) -> list[Finding]:
    """A malformed `x-checks` declaration is the schema's error, reported on the table."""
    return [
        error(
            "schema-error",
            problem,
            **where,
            hint="Correct x-checks in the table's schema in schemas/.",
        )
        for problem in problems
    ]

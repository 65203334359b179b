"""Layer 1's `pattern` constraints, on frictionless-py's rows but with a bounded regex (and,
on the same rows, the cells the spec reads more strictly than frictionless-py: `spec_cells`).

frictionless-py compiles a field's pattern with Python's `re`, whose backtracking a hostile
pattern turns into hours (see `patterns`). Layer 1 therefore hands frictionless every schema
without its patterns (`patterns.without_patterns`) and checks them here, on the same rows and
parsed values frictionless produced, giving the error frictionless would have given
(`constraint-error`, note ``constraint "pattern" is "…"``) — so findings are unchanged — or,
when a value runs out of time, a located `pattern-timeout`.

Used by both layer 1 engines: frictionless's own validation (`PatternCheck`, a frictionless
check) and the DuckDB fast path (`RowPatterns.errors` on the rows it hands to frictionless).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import attrs
from frictionless import Check, errors

from clusterdata.core.findings import Finding, Severity, error
from clusterdata.core.lines import LineMap
from clusterdata.core.package import Resource
from clusterdata.tableschema.patterns import (
    TIMEOUT_CHECK,
    TIMEOUT_HINT,
    Outcome,
    PatternError,
    TablePattern,
    string_patterns,
    timeout_message,
)
from clusterdata.validation.structure.spec_cells import SpecCells, cell_error


@dataclass
class _Timeout:
    row_number: int
    field_name: str
    value: str


@dataclass
class RowPatterns:
    """The compiled patterns of one table, and the timeouts met while checking its rows."""

    resource: Resource
    #: (field name, 1-based field number, pattern)
    patterns: list[tuple[str, int, TablePattern]] = field(default_factory=list)
    #: Patterns that do not compile: one `schema-error` each.
    problems: list[Finding] = field(default_factory=list)
    timeouts: list[_Timeout] = field(default_factory=list)
    #: The cells the spec reads more strictly than frictionless-py (`spec_cells`).
    spec: SpecCells = field(default_factory=SpecCells)

    #: Added to frictionless's row numbers to give the line map's record numbers (1 for a
    #: table without a header record, `lines.map_lines`).
    shift: int = 0

    @classmethod
    def of(cls, resource: Resource, shift: int = 0) -> RowPatterns:
        out = cls(resource, spec=SpecCells.of(resource), shift=shift)
        numbers = {name: i + 1 for i, name in reversed(list(enumerate(resource.field_names)))}
        for name, source in string_patterns(resource.table_schema).items():
            try:
                out.patterns.append((name, numbers[name], TablePattern(source)))
            except PatternError as exc:
                out.problems.append(
                    error(
                        "schema-error",
                        f"The schema of {resource.name!r} is not valid: {exc}.",
                        resource=resource.name,
                        path=resource.path,
                        column=name,
                        hint="Correct the pattern in the table's schema (Python regular "
                        "expression syntax), then run `clusterdata generate`.",
                    )
                )
        return out

    def errors(self, row: Any) -> list[errors.Error]:
        """The spec's type errors (`spec_cells`) and frictionless's pattern errors for one
        `frictionless.table.Row`; timeouts are kept."""
        found = self.spec.errors(row)
        not_values = {str(getattr(e, "field_name", "")) for e in found}
        # The row's cells are in the data's order (the schema's only for `fieldsMatch` exact).
        where = {n: i + 1 for i, n in enumerate(row.field_names)}
        for name, _, pattern in self.patterns:
            if name not in where:
                continue
            number = where[name]
            value = row[name]  # None when missing or not of the field's type: no constraint
            if value is None or name in row.error_cells or name in not_values:
                continue
            outcome = pattern.check(str(value))
            if outcome is Outcome.MATCH or outcome is Outcome.UNCHECKED:
                continue
            cells = row.cells
            source = cells[number - 1] if number <= len(cells) else value
            if outcome is Outcome.TIMEOUT:
                self.timeouts.append(_Timeout(row.row_number, name, str(source)))
                continue
            found.append(
                cell_error(
                    errors.ConstraintError,
                    f'constraint "pattern" is "{pattern.source}"',
                    row,
                    name,
                    number,
                    str(source),
                )
            )
        return found

    def findings(self, line_map: LineMap) -> list[Finding]:
        """The schema errors and the `pattern-timeout` errors, located."""
        out = list(self.problems)
        resource = self.resource
        for timeout in self.timeouts:
            out.append(
                Finding(
                    check=TIMEOUT_CHECK,
                    severity=Severity.ERROR,
                    message=timeout_message(timeout.field_name),
                    resource=resource.name,
                    path=resource.path,
                    line=line_map.line(timeout.row_number + self.shift),
                    column=timeout.field_name,
                    value=timeout.value,
                    hint=TIMEOUT_HINT,
                )
            )
        return out


@attrs.define(kw_only=True, repr=False)
class PatternCheck(Check):
    """A frictionless check running each table's patterns (`RowPatterns`) on its rows."""

    type = "clusterdata-pattern"
    Errors: ClassVar[list[Any]] = [errors.ConstraintError]

    tables: dict[str, RowPatterns] = attrs.field(factory=dict)

    def validate_row(self, row: Any) -> Any:
        checker = self.tables.get(str(self.resource.name))
        if checker is None or not (checker.patterns or checker.spec.fields):
            return []
        return checker.errors(row)

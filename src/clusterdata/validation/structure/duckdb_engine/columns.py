"""SQL for one field (`_Column`): when a cell is missing, when it is *certainly* clean (a strict
pattern per type, a subset of what frictionless accepts, then the constraints), and the
canonical text its parsed value compares as in a key. Anything not certainly clean is a
suspect, which frictionless judges.

The patterns and value lists are the Table Schema core's (`clusterdata.tableschema.sql.CERTAIN`,
`cells.true_values`), not copies: a property test holds each certain pattern inside its rule.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from clusterdata.tableschema.cells import false_values, true_values
from clusterdata.tableschema.model import Field
from clusterdata.tableschema.sql import CERTAIN, quote_ident, quote_literal

if TYPE_CHECKING:
    import duckdb


_q = quote_ident
_lit = quote_literal


#: Patterns DuckDB's RE2 compiles (True) or rejects (False): the answer depends on the pattern
#: alone, and a package repeats its id pattern in every table.
_RE2_ACCEPTS: dict[str, bool] = {}


def _and(*parts: str) -> str:
    """SQL conjunction with the literal TRUE and FALSE folded away."""
    if "FALSE" in parts:
        return "FALSE"
    kept = [p for p in parts if p != "TRUE"]
    return " AND ".join(kept) if kept else "TRUE"


def _or(*parts: str) -> str:
    """SQL disjunction with the literal TRUE and FALSE folded away."""
    if "TRUE" in parts:
        return "TRUE"
    kept = [p for p in parts if p != "FALSE"]
    return "(" + " OR ".join(kept) + ")" if kept else "FALSE"


def _enum_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


class _Column:
    """SQL for one field: missing, certainly-clean, canonical key text."""

    def __init__(
        self, connection: duckdb.DuckDBPyConnection, fl_field: Any, field: Field, index: int
    ) -> None:
        self.index = index
        self.field = field
        #: The descriptor, for the text rules that read a type's options (`tableschema.cells`).
        self.spec = field.descriptor
        self.kind = field.type
        self.fmt = field.format
        missing = fl_field.missing_values
        if not fl_field.has_defined("missing_values") and fl_field.schema:
            missing = fl_field.schema.missing_values
        self.missing_values = [str(m) for m in missing]
        # The cell's text (NULL is the empty cell). Every check but `missing()` matters only for
        # cells that are not missing, which are never NULL when "" is a missing value.
        self.v = f"c{index}" if "" in self.missing_values else f"coalesce(c{index}, '')"
        self.constraints = dict(fl_field.constraints or {})
        self.supported = set(fl_field.supported_constraints)
        self.connection = connection
        self.fl_field = fl_field

    def missing(self) -> str:
        """TRUE when the cell is one of the field's missing values (never NULL)."""
        if not self.missing_values:
            return "FALSE"
        cell = f"c{self.index}"
        listed = ", ".join(_lit(m) for m in self.missing_values)
        if self.missing_values == [""]:
            return f"({cell} IS NULL OR {cell} = '')"
        if "" in self.missing_values:
            return f"({cell} IS NULL OR {cell} IN ({listed}))"
        return f"(coalesce({cell}, '') IN ({listed}))"

    def _type_ok(self) -> str:
        v, kind, fmt, spec = self.v, self.kind, self.fmt, self.spec
        if kind == "string":
            if fmt == "default":
                return "TRUE"
            if fmt == "uri":
                return f"regexp_full_match({v}, {_lit(CERTAIN['uri'])})"
            return "FALSE"
        if kind == "any":
            return "TRUE"
        if kind in {"integer", "number"} and (
            {"bareNumber", "groupChar", "decimalChar"} & set(spec)
        ):
            return "FALSE"
        if kind in {"integer", "number", "year"}:
            return f"regexp_full_match({v}, {_lit(CERTAIN[kind])})"
        if kind == "boolean":
            values = sorted(true_values(spec) | false_values(spec))
            if not values:
                return "FALSE"
            return f"({v} IN ({', '.join(_lit(x) for x in values)}))"
        if kind == "date" and fmt == "default":
            return (
                f"(regexp_full_match({v}, {_lit(CERTAIN['date'])}) "
                f"AND TRY_CAST({v} AS DATE) IS NOT NULL)"
            )
        if kind == "datetime" and fmt == "default":
            return (
                f"(regexp_full_match({v}, {_lit(CERTAIN['datetime'])}) "
                f"AND TRY_CAST(replace({v}, 'Z', '') AS TIMESTAMP) IS NOT NULL)"
            )
        return "FALSE"

    def _typed(self) -> str | None:
        """The clean cell as a comparable SQL value, for minimum/maximum."""
        if self.kind in {"integer", "year"}:
            return f"TRY_CAST({self.v} AS BIGINT)"
        if self.kind == "number":
            return f"TRY_CAST({self.v} AS DOUBLE)"
        if self.kind == "date" and self.fmt == "default":
            return f"TRY_CAST({self.v} AS DATE)"
        return None

    def _bound(self, name: str, value: Any) -> str:
        """SQL that is TRUE only when the bound certainly holds; FALSE makes a suspect."""
        typed = self._typed()
        parsed = self.fl_field.create_value_reader()(value)
        if typed is None or parsed is None:
            return "FALSE"
        if self.kind in {"integer", "year"}:
            literal = str(int(parsed))
        elif self.kind == "number":
            bound = float(parsed)
            slack = 1e-9 * max(1.0, abs(bound))
            # Values within `slack` of the bound are left to frictionless's Decimal arithmetic.
            bound = bound + slack if name in {"minimum", "exclusiveMinimum"} else bound - slack
            literal = repr(bound)
            if not re.fullmatch(r"-?[0-9.e+-]+", literal):
                return "FALSE"
        else:
            literal = f"DATE {_lit(parsed.isoformat())}"
        operator = {
            "minimum": ">=",
            "maximum": "<=",
            "exclusiveMinimum": ">",
            "exclusiveMaximum": "<",
        }[name]
        if self.kind == "number":
            operator = {
                "minimum": ">",
                "maximum": "<",
                "exclusiveMinimum": ">",
                "exclusiveMaximum": "<",
            }[name]
        return f"({typed} {operator} {literal})"

    def _pattern_ok(self, pattern: str) -> bool:
        """Whether DuckDB's RE2 accepts the pattern (asked once per pattern and process)."""
        import duckdb

        if "[:" in pattern or "\\Z" in pattern:
            return False
        known = _RE2_ACCEPTS.get(pattern)
        if known is None:
            try:
                self.connection.execute("SELECT regexp_full_match('', ?)", [pattern]).fetchall()
                known = True
            except duckdb.Error:
                known = False
            _RE2_ACCEPTS[pattern] = known
        return known

    def _constraints_ok(self) -> str:
        parts: list[str] = []
        v = self.v
        for name, value in self.constraints.items():
            if name not in self.supported or name in {"required", "unique"}:
                continue
            if name in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
                parts.append(self._bound(name, value))
            elif name == "enum" and isinstance(value, list):
                texts = [_enum_text(x) for x in value]
                parts.append(
                    f"({v} IN ({', '.join(_lit(t) for t in texts)}))" if texts else "FALSE"
                )
            elif name == "pattern" and isinstance(value, str) and self.kind == "string":
                parts.append(
                    f"regexp_full_match({v}, {_lit(value)})" if self._pattern_ok(value) else "FALSE"
                )
            elif name == "minLength" and isinstance(value, int) and not isinstance(value, bool):
                parts.append(f"(length({v}) >= {value})")
            elif name == "maxLength" and isinstance(value, int) and not isinstance(value, bool):
                parts.append(f"(length({v}) <= {value})")
            else:
                parts.append("FALSE")
        parts.append(self._categories_ok())
        return _and(*parts)

    def _categories_ok(self) -> str:
        """A v2 `categories` list (`tableschema.v2`): the clean cell is one of them."""
        values = self.field.category_values
        if values is None:
            return "TRUE"
        if self.kind == "string" and values:
            return f"({self.v} IN ({', '.join(_lit(str(x)) for x in values)}))"
        if self.kind == "integer" and values:
            return f"(TRY_CAST({self.v} AS BIGINT) IN ({', '.join(str(int(x)) for x in values)}))"
        return "FALSE"

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    def suspect(self) -> str:
        """TRUE when frictionless must look at this cell: a missing cell when the field is
        required, else a cell that is not certainly of the type and within the constraints.

        Plain boolean logic with the constant parts folded away (a plain string column costs
        nothing): DuckDB binds and optimises a CASE or coalesce per column at a cost that
        dominates a small table's query. `ok` is never NULL for a cell that is not missing
        (each cast is guarded by a pattern the cast cannot fail on), and a missing cell
        decides the result before `ok` is looked at.
        """
        missing = self.missing()
        ok = _and(self._type_ok(), self._constraints_ok())
        if ok == "TRUE":
            return missing if self.required else "FALSE"
        if ok == "FALSE":
            return "TRUE" if self.required or missing == "FALSE" else f"(NOT {missing})"
        if missing == "FALSE":
            return f"(NOT ({ok}))"
        if self.required:
            return f"({missing} OR NOT ({ok}))"
        return f"(NOT {missing} AND NOT ({ok}))"

    def rejects_newline(self) -> bool:
        """Whether a cell holding a line break is certainly a suspect (or a missing value, none
        of which holds one): its type or an enum admits no line break. Only the other columns
        need looking at for the line-break check."""
        if any("\n" in m for m in self.missing_values):
            return False
        if _and(self._type_ok(), self._constraints_ok()) == "FALSE":
            return True
        kind = self.kind
        if kind in {"integer", "number", "year", "date", "datetime"}:
            return True
        if kind == "string" and self.fmt == "uri":
            return True
        if kind == "boolean":
            values = true_values(self.spec) | false_values(self.spec)
            return not any("\n" in v for v in values)
        enum = self.constraints.get("enum")
        return (
            "enum" in self.supported
            and isinstance(enum, list)
            and not any("\n" in _enum_text(x) for x in enum)
        )

    def canonical(self) -> str:
        """`str(value)` of the parsed value of a clean cell, as frictionless would compare it."""
        v = self.v
        if self.kind in {"integer", "year"}:
            body = f"CAST(TRY_CAST({v} AS BIGINT) AS VARCHAR)"
        elif self.kind == "boolean":
            trues = sorted(true_values(self.spec))
            body = (
                f"(CASE WHEN {v} IN ({', '.join(_lit(t) for t in trues) or 'NULL'}) "
                "THEN 'True' ELSE 'False' END)"
            )
        else:  # string, date (strict ISO form is its own str())
            if self.missing_values == [""]:
                return f"nullif(c{self.index}, '')"
            body = v
        return f"(CASE WHEN {self.missing()} THEN NULL ELSE {body} END)"

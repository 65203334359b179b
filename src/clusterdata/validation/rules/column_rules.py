"""The checks Table Schema declares for one field (its type and each constraint) and the
table's primary key, as `RuledCheck`s with the finding ids layer 1 uses for the same defect."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from typing import Any

from clusterdata.tableschema.cells import BAD, CHECKED_TYPES
from clusterdata.tableschema.model import Field, Schema
from clusterdata.tableschema.patterns import (
    TIMEOUT_CHECK,
    TIMEOUT_HINT,
    Outcome,
    PatternError,
    TablePattern,
    timeout_message,
)
from clusterdata.validation.rules.checks import (
    Cells,
    Failure,
    Rule,
    RuledCheck,
    cells_check,
    rows_check,
)
from clusterdata.validation.rules.parsing import ColumnParser, _repeats, _same_key


def _quote(value: str | None) -> str:
    return "an empty cell" if value is None else repr(value)


def _holds(op: Callable[[Any, Any], bool], value: Any, bound: Any) -> bool:
    """Whether `op(value, bound)` holds; NaN and incomparable values never fail a bound."""
    if isinstance(value, float) and math.isnan(value):
        return False
    try:
        return bool(op(value, bound))
    except TypeError:
        return False


def _type_label(field: Field) -> str:
    return f"{field.type} ({field.format})" if field.format != "default" else field.type


def _message(tail: str) -> Callable[[Failure], str]:
    def message(f: Failure) -> str:
        return f"{_quote(f.value)} in column {f.column!r} {tail}"

    return message


def _bound_check(
    parser: ColumnParser,
    check_id: str,
    op: Callable[[Any, Any], bool],
    bound: Any,
    words: str,
    shown: Any,
) -> RuledCheck:
    def fails(cells: Cells) -> list[bool]:
        parsed = parser(cells)
        return [o and _holds(op, v, bound) for o, v in zip(parsed.ok, parsed.values, strict=True)]

    return cells_check(
        check_id, Rule(check_id, _message(f"is {words} the allowed {shown}.")), parser, fails
    )


def _pattern_check(parser: ColumnParser, source: str) -> list[RuledCheck]:
    """`constraint-pattern`, evaluated under the pattern's time budget (`patterns`): a value
    whose match runs out of time is a `pattern-timeout` instead, and later values of the column
    are not checked. A pattern that does not compile is layer 1's `schema-error`."""
    try:
        pattern = TablePattern(source)
    except PatternError:
        return []
    outcomes: dict[str, Outcome] = {}

    def pattern_fails(cells: Cells) -> list[bool]:
        parsed = parser(cells)
        out: list[bool] = []
        reported: set[str] = set()
        for cell, ok in zip(cells, parsed.ok, strict=True):
            if cell is None:
                out.append(False)
                continue
            outcome = outcomes.get(cell)
            if outcome is None:  # values are matched in order of first appearance
                outcome = outcomes[cell] = pattern.check(cell)
            if not ok:
                out.append(False)
            elif outcome is Outcome.TIMEOUT:  # reported once: at its first cell
                out.append(cell not in reported)
                reported.add(cell)
            else:
                out.append(outcome is Outcome.MISMATCH)
        return out

    mismatch = Rule("constraint-pattern", _message(f"does not match the pattern {source}."))
    timeout = Rule(TIMEOUT_CHECK, lambda f: timeout_message(f.column), hint=TIMEOUT_HINT)
    rule = Rule(
        "constraint-pattern",
        mismatch.message,
        parts=(
            ("constraint-pattern", mismatch, lambda t: outcomes.get(t) is Outcome.MISMATCH),
            (TIMEOUT_CHECK, timeout, lambda t: outcomes.get(t) is Outcome.TIMEOUT),
        ),
    )
    return [cells_check("constraint-pattern", rule, parser, pattern_fails)]


def column_checks(field: Field, parser: ColumnParser) -> list[RuledCheck]:
    """The type check and one check per constraint of one field."""
    constraints = field.constraints
    ftype = field.type
    checks: list[RuledCheck] = []
    label = _type_label(field)

    if parser.parse is not None and ftype in CHECKED_TYPES:

        def type_fails(cells: Cells) -> list[bool]:
            parsed = parser(cells)
            return [p and not o for p, o in zip(parsed.present, parsed.ok, strict=True)]

        checks.append(
            cells_check(
                "type-error",
                Rule(
                    "type-error",
                    lambda f: f"{_quote(f.value)} is not a valid {label} for column {f.column!r}.",
                ),
                parser,
                type_fails,
            )
        )

    if constraints.required:
        checks.append(
            cells_check(
                "constraint-required",
                Rule(
                    "constraint-required",
                    lambda f: f"Column {f.column!r} must not be empty.",
                ),
                parser,
                lambda cells: [not p for p in parser(cells).present],
            )
        )

    if constraints.unique:

        def duplicated(cells: Cells) -> list[bool]:
            parsed = parser(cells)
            keys = [_same_key(v) for o, v in zip(parsed.ok, parsed.values, strict=True) if o]
            repeats = iter(_repeats(keys))
            return [o and next(repeats) for o in parsed.ok]

        checks.append(
            cells_check(
                "unique-error",
                Rule(
                    "unique-error",
                    lambda f: (
                        f"{_quote(f.value)} in column {f.column!r} must be unique: it repeats an "
                        "earlier row."
                    ),
                ),
                parser,
                duplicated,
            )
        )

    bounds: list[tuple[str, str, Callable[[Any, Any], bool], str]] = [
        ("minimum", "constraint-minimum", lambda v, b: v < b, "less than"),
        ("maximum", "constraint-maximum", lambda v, b: v > b, "more than"),
        ("exclusiveMinimum", "constraint-exclusive-minimum", lambda v, b: v <= b, "at most"),
        ("exclusiveMaximum", "constraint-exclusive-maximum", lambda v, b: v >= b, "at least"),
    ]
    declared_bounds = constraints.bounds
    for key, check_id, op, words in bounds:
        if key not in declared_bounds or ftype not in {
            "integer",
            "number",
            "date",
            "datetime",
            "time",
            "year",
            "yearmonth",
        }:
            continue
        bound = parser.scalar(declared_bounds[key])
        if bound is BAD:
            continue
        checks.append(_bound_check(parser, check_id, op, bound, words, declared_bounds[key]))

    if ftype == "string":
        for key, check_id, words, limit in (
            ("minLength", "constraint-min-length", "shorter", constraints.min_length),
            ("maxLength", "constraint-max-length", "longer", constraints.max_length),
        ):
            if limit is None:
                continue

            def length_fails(cells: Cells, key: str = key, limit: int = limit) -> list[bool]:
                parsed = parser(cells)
                return [
                    ok
                    and cell is not None
                    and (len(cell) < limit if key == "minLength" else len(cell) > limit)
                    for cell, ok in zip(cells, parsed.ok, strict=True)
                ]

            checks.append(
                cells_check(
                    check_id,
                    Rule(
                        check_id,
                        _message(f"is {words} than the {limit} characters allowed."),
                    ),
                    parser,
                    length_fails,
                )
            )

        if constraints.pattern is not None:
            checks.extend(_pattern_check(parser, constraints.pattern))

    enum = constraints.enum
    if enum is not None:
        allowed: set[Hashable] = set()
        for member in enum:
            parsed_member = parser.scalar(member)
            if parsed_member is not BAD and isinstance(parsed_member, Hashable):
                allowed.add(parsed_member)

        def enum_fails(cells: Cells) -> list[bool]:
            parsed = parser(cells)
            return [o and v not in allowed for o, v in zip(parsed.ok, parsed.values, strict=True)]

        shown_enum = ", ".join(str(v) for v in enum)
        checks.append(
            cells_check(
                "constraint-enum",
                Rule(
                    "constraint-enum",
                    lambda f: (
                        f"{_quote(f.value)} in column {f.column!r} is not one of the allowed "
                        f"values ({shown_enum})."
                    ),
                ),
                parser,
                enum_fails,
            )
        )
    return checks


def _primary_key_check(schema: Schema, parsers: dict[str, ColumnParser]) -> RuledCheck | None:
    names = list(schema.primary_key)
    if not names or any(n not in parsers for n in names):
        return None
    key_parsers = {n: parsers[n] for n in dict.fromkeys(names)}

    def fails(columns: dict[str, Cells]) -> list[bool]:
        length = len(next(iter(columns.values()), []))
        missing = [False] * length
        if any(n not in columns for n in names):  # layer 1 reports the missing column
            return missing
        parts: list[list[Any]] = []
        for n in names:
            cells = columns[n]
            parsed = key_parsers[n](cells)
            missing = [m or not p for m, p in zip(missing, parsed.present, strict=True)]
            # a cell that does not parse still takes part in the key as its text
            parts.append(
                [
                    _same_key(v) if o else ("text", c)
                    for c, o, v in zip(cells, parsed.ok, parsed.values, strict=True)
                ]
            )
        repeated = _repeats(list(zip(*parts, strict=True)))
        return [m or r for m, r in zip(missing, repeated, strict=True)]

    def message(f: Failure) -> str:
        empty = [n for n in names if f.row(n) is None]
        if empty:
            return f"This row's key is incomplete: {', '.join(empty)} is empty."
        shown = ", ".join(f"{f.row(n)!r}" for n in names)
        return f"This row's key ({shown}) repeats an earlier row's key."

    return rows_check(
        "primary-key", Rule("primary-key", message, column=names[0]), key_parsers, fails
    )
